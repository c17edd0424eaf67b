// Validates everything under k8s/ and docker-compose.yml offline: every object against the
// Kubernetes schemas (kubernetes-models), our workload policies, the kustomize overlays as
// rendered by `kubectl kustomize`, and compose against k8s (same names, ports and commands).
// kubectl and docker-compose are optional: without them those checks are skipped, loudly.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { publishedSecretProblems } from '@yugong/shared/config';
import { fillSecrets, initSecrets } from '../init-secrets.mjs';
import {
  K8S,
  missingKustomizeReferences,
  referenceExists,
  ROOT,
  isKustomizationFile,
  isYugongWorkload,
  label,
  onPath,
  parseYamlDocuments,
  policyViolations,
  readEnvFile,
  requiredSecretKeys,
  run,
  schemaErrors,
  serviceViolations,
  workloads,
  yamlFilesUnder,
  type K8sObject,
  type Located,
  type Workload,
} from './manifest-support';

const NAMESPACE = 'yugong';

/** A variable holding a secret: a password, secret, token, or key material (not a key id). */
function isSecretName(name: string): boolean {
  return /PASSWORD|SECRET|TOKEN/.test(name) || /KEYS?$/.test(name);
}

/** Whether the services refuse `value` as a secret when they listen on 0.0.0.0. */
function refusedAsSecret(value: string): boolean {
  const policy = { host: 'HOST', secrets: ['SECRET'] } as const;
  return publishedSecretProblems(policy, { HOST: '0.0.0.0', SECRET: value }, {}).length > 0;
}

/** `${NAME}` references to other variables of a template are not values. */
const REFERENCE = /\$\{\w+\}/;

/**
 * Whether a template's `key=value` holds a secret of its own: a secret's value other than blank or
 * a bare `<id>:` (made by npm run secrets:*), or a URL's password. Values made from other
 * variables (`${POSTGRES_PASSWORD}`) are checked where those are set.
 */
function isDefaultSecret(key: string, value: string): boolean {
  if (REFERENCE.test(value)) {
    return false;
  }
  if (key.endsWith('_URL')) {
    return URL.canParse(value) && new URL(value).password !== '';
  }
  return isSecretName(key) && value.replace(/^\w+:$/, '') !== '';
}

/** The secret files with defaults or templates in the repository: docker-compose's and k8s'. */
const SECRET_TEMPLATES = [
  '.env.example',
  'k8s/overlays/dev/secrets.env.example',
  'k8s/overlays/prod/secrets.env.example',
];

/** A secrets template (relative to the root) as `npm run secrets:*` fills it. */
function filledTemplate(file: string): Record<string, string> {
  return Object.fromEntries(
    fillSecrets(readFileSync(path.join(ROOT, file), 'utf8'))
      .split('\n')
      .filter((line) => /^\w+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** The dev overlay's secrets as `npm run secrets:k8s-dev` makes them. */
const devSecrets = () => filledTemplate('k8s/overlays/dev/secrets.env.example');
const KUBECTL = onPath('kubectl');
const DOCKER_COMPOSE = onPath('docker-compose');

const allYamlFiles = yamlFilesUnder(K8S);
const kustomizationFiles = allYamlFiles.filter(isKustomizationFile);
const manifestFiles = allYamlFiles.filter((f) => !isKustomizationFile(f));

function loadObjects(files: string[]): Located[] {
  return files.flatMap((file) =>
    parseYamlDocuments(readFileSync(path.join(ROOT, file), 'utf8')).map((object, index) => ({
      source: `${file}#${index}`,
      object: object as K8sObject,
    })),
  );
}

const sourceObjects = loadObjects(manifestFiles);
const baseObjects = sourceObjects.filter((o) => o.source.startsWith('k8s/base/')).map((o) => o.object);
const baseYugongWorkloads = workloads(sourceObjects.filter((o) => o.source.startsWith('k8s/base/'))).filter(
  (w) => isYugongWorkload(w.object),
);

describe('k8s/ source files', () => {
  it('has a base, the dev and prod overlays, and YAML to check', () => {
    for (const dir of ['base', 'overlays/dev', 'overlays/prod']) {
      expect(existsSync(path.join(K8S, dir, 'kustomization.yaml'))).toBe(true);
    }
    expect(manifestFiles.length).toBeGreaterThan(0);
    expect(baseYugongWorkloads.map((w) => w.object.metadata.name).sort()).toEqual(
      expect.arrayContaining(['beneficiaries', 'catalog', 'gateway', 'ledger', 'licensing', 'orders']),
    );
  });

  it('every manifest document is a Kubernetes object of a kind kubernetes-models knows', () => {
    const problems = sourceObjects
      .filter(
        ({ object }) =>
          !object?.apiVersion ||
          !object.kind ||
          !object.metadata?.name ||
          schemaErrors(object).startsWith('kubernetes-models has no'),
      )
      .map(label);
    expect(problems).toEqual([]);
  });

  it.each(sourceObjects.map((o) => [label(o), o.object] as const))(
    '%s matches the Kubernetes schema',
    (_name, object) => {
      expect(schemaErrors(object)).toBe('');
    },
  );

  it.each(kustomizationFiles.map((f) => [f]))('%s references only files that exist', (file) => {
    const dir = path.dirname(path.join(ROOT, file));
    const [kustomization] = parseYamlDocuments(readFileSync(path.join(ROOT, file), 'utf8')) as Array<
      Record<string, unknown>
    >;
    expect(['Kustomization', 'Component']).toContain(kustomization.kind);
    const referenced: string[] = [
      ...((kustomization.resources as string[] | undefined) ?? []),
      ...((kustomization.components as string[] | undefined) ?? []),
      ...((kustomization.patches as Array<{ path?: string }> | undefined) ?? []).flatMap((p) =>
        p.path ? [p.path] : [],
      ),
    ];
    for (const generator of [
      ...((kustomization.configMapGenerator as Array<Record<string, string[]>> | undefined) ?? []),
      ...((kustomization.secretGenerator as Array<Record<string, string[]>> | undefined) ?? []),
    ]) {
      referenced.push(
        ...(generator.envs ?? []),
        ...(generator.files ?? []).map((f) => f.split('=').pop() as string),
      );
    }
    const missing = referenced.filter((ref) => !referenceExists(path.join(dir, ref)));
    expect(missing).toEqual([]);
    if (kustomization.kind === 'Component') {
      expect(existsSync(path.join(dir, 'README.md'))).toBe(true);
    }
  });

  it('every component under k8s/components has a README', () => {
    const components = kustomizationFiles.filter((f) => f.startsWith('k8s/components/'));
    expect(components.length).toBeGreaterThan(0);
    for (const file of components) {
      expect(existsSync(path.join(ROOT, path.dirname(file), 'README.md'))).toBe(true);
    }
  });

  it.each(workloads(sourceObjects).map((w) => [label(w), w] as const))(
    '%s follows the workload policies',
    (_name, workload) => {
      // A workload's ServiceAccount lives in the same folder (base, or its component).
      const folder = path.dirname(workload.source);
      const siblings = sourceObjects.filter((o) => path.dirname(o.source) === folder).map((o) => o.object);
      expect(policyViolations(workload.object, siblings)).toEqual([]);
    },
  );

  it.each(baseYugongWorkloads.map((w) => [w.object.metadata.name, w.object] as const))(
    'base %s has its Service, PodDisruptionBudget and HPA',
    (_name, workload) => {
      expect(serviceViolations(workload, baseObjects)).toEqual([]);
    },
  );

  it('every Service with a port named grpc is headless', () => {
    const offenders = sourceObjects
      .filter(({ object }) => object.kind === 'Service')
      .filter(({ object }) =>
        ((object.spec?.ports ?? []) as Array<{ name?: string }>).some((p) => p.name === 'grpc'),
      )
      .filter(({ object }) => object.spec?.clusterIP !== 'None')
      .map(label);
    expect(offenders).toEqual([]);
  });

  it('base does not define the Secret (overlays provide it) and keeps Yugong workloads at 2 replicas', () => {
    expect(baseObjects.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const { object } of baseYugongWorkloads) {
      expect(object.spec.replicas).toBe(2);
    }
  });

  it('only beneficiaries reads the personal-data keys, and it reads all three from the Secret', () => {
    const readers = new Map<string, string[]>();
    for (const { object } of workloads(sourceObjects)) {
      for (const container of object.spec.template.spec.containers) {
        for (const env of container.env ?? []) {
          if (env.name.startsWith('PII_')) {
            expect(env.value).toBeUndefined();
            expect(env.valueFrom?.secretKeyRef).toEqual({ name: 'yugong-secrets', key: env.name });
            readers.set(object.metadata.name, [...(readers.get(object.metadata.name) ?? []), env.name]);
          }
        }
      }
    }
    expect(Object.fromEntries(readers)).toEqual({
      beneficiaries: ['PII_ENCRYPTION_KEYS', 'PII_ACTIVE_KEY_ID', 'PII_HASH_KEY'],
    });
  });

  it('every *_GRPC_URL of the shared config is dns:/// to a headless base Service on its port', () => {
    const kustomization = parseYamlDocuments(
      readFileSync(path.join(K8S, 'base/kustomization.yaml'), 'utf8'),
    )[0] as { configMapGenerator: Array<{ name: string; literals?: string[] }> };
    const literals = kustomization.configMapGenerator.find((g) => g.name === 'yugong-config')?.literals ?? [];
    const urls = Object.fromEntries(
      literals.filter((l) => /^\w+_GRPC_URL=/.test(l)).map((l) => l.split('=', 2) as [string, string]),
    );
    const grpcServices = baseYugongWorkloads.filter((w) =>
      w.object.spec.template.spec.containers[0].ports?.some((p) => p.name === 'grpc'),
    );
    expect(grpcServices.map((w) => w.object.metadata.name).sort()).toEqual([
      'beneficiaries',
      'catalog',
      'ledger',
      'licensing',
      'orders',
    ]);
    for (const { object } of grpcServices) {
      const name = object.metadata.name;
      const port = object.spec.template.spec.containers[0].ports?.find(
        (p) => p.name === 'grpc',
      )?.containerPort;
      expect(urls[`${name.toUpperCase()}_GRPC_URL`]).toBe(`dns:///${name}:${port}`);
    }
  });

  it('gives every workload its own database: DATABASE_URL from <NAME>_DATABASE_URL', () => {
    for (const { object } of baseYugongWorkloads) {
      const name = object.metadata.name;
      const env = object.spec.template.spec.containers[0].env ?? [];
      const database = env.find((e) => e.name === 'DATABASE_URL');
      expect({ name, key: database?.valueFrom?.secretKeyRef?.key }).toEqual({
        name,
        key: `${name.toUpperCase()}_DATABASE_URL`,
      });
    }
  });

  it('the prod and dev secret templates list every key the base workloads require', () => {
    const required = requiredSecretKeys(baseObjects).get('yugong-secrets') ?? new Set<string>();
    expect(required.size).toBeGreaterThan(0);
    const prodKeys = Object.keys(readEnvFile(path.join(K8S, 'overlays/prod/secrets.env.example')));
    const devKeys = Object.keys(readEnvFile(path.join(K8S, 'overlays/dev/secrets.env.example')));
    expect(prodKeys).toEqual(expect.arrayContaining([...required]));
    expect(devKeys).toEqual(expect.arrayContaining([...required]));
  });

  it('the dev overlay generates its secrets: the template holds none, and git ignores the file made from it', () => {
    const template = readEnvFile(path.join(K8S, 'overlays/dev/secrets.env.example'));
    for (const [key, value] of Object.entries(template)) {
      if (isSecretName(key)) {
        expect([key, value.replace(REFERENCE, '')]).toEqual([key, expect.stringMatching(/^(\w+:)?$/)]);
      }
    }
    expect(readFileSync(path.join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain(
      'k8s/overlays/dev/secrets.env',
    );
  });

  it('npm run secrets:k8s-dev makes new random secrets the services accept, one Postgres password throughout', () => {
    const [first, second] = [devSecrets(), devSecrets()];
    for (const [key, value] of Object.entries(first)) {
      if (isSecretName(key)) {
        expect([key, refusedAsSecret(value)]).toEqual([key, false]);
        expect([key, value]).not.toEqual([key, second[key]]);
      }
    }
    expect(first.PII_ENCRYPTION_KEYS).toMatch(/^k1:[A-Za-z0-9+/]{43}=$/);
    for (const [key, url] of Object.entries(first).filter(([k]) => k.endsWith('_DATABASE_URL'))) {
      expect([key, new URL(url).password]).toEqual([key, first.POSTGRES_PASSWORD]);
    }
  });

  it('each service database is created by both dev datastores', () => {
    const dev = devSecrets();
    const composeSql = readFileSync(path.join(ROOT, 'tools/deploy/postgres/create-databases.sql'), 'utf8');
    const k8sInit = readFileSync(path.join(K8S, 'components/dev-datastores/kustomization.yaml'), 'utf8');
    const databases = Object.entries(dev)
      .filter(([key]) => key.endsWith('_DATABASE_URL'))
      .map(([, url]) => new URL(url).pathname.slice(1));
    expect(databases.length).toBe(baseYugongWorkloads.length);
    for (const db of databases) {
      expect(composeSql).toContain(`CREATE DATABASE ${db};`);
      expect(k8sInit).toContain(`CREATE DATABASE ${db};`);
    }
  });
});

const describeRendered = KUBECTL ? describe : describe.skip;
if (!KUBECTL) {
  console.warn(
    'kubectl is not on PATH: rendering k8s/overlays/{dev,prod} with `kubectl kustomize` was SKIPPED',
  );
}

describe.each([
  { overlay: 'dev', replicas: 1 },
  { overlay: 'prod', replicas: 3 },
])('k8s/overlays/$overlay rendered by kubectl kustomize', ({ overlay, replicas }) => {
  // Checked with or without kubectl: a kustomization naming a file or folder that is not there
  // fails `kubectl apply -k` on the cluster, so it must fail here first.
  it('names only files and folders that exist, down through every base and component', () => {
    expect(missingKustomizeReferences(path.join(K8S, 'overlays', overlay))).toEqual([]);
  });

  describeRendered('rendered objects', () => {
    let rendered: Located[] = [];
    let objects: K8sObject[] = [];

    beforeAll(() => {
      // A copy of k8s/ with the dev secrets made as a developer makes them (never the real file).
      const copy = mkdtempSync(path.join(tmpdir(), 'yugong-k8s-'));
      cpSync(K8S, copy, { recursive: true });
      rmSync(path.join(copy, 'overlays/dev/secrets.env'), { force: true });
      initSecrets(
        path.join(copy, 'overlays/dev/secrets.env.example'),
        path.join(copy, 'overlays/dev/secrets.env'),
      );
      const result = run(KUBECTL as string, ['kustomize', path.join(copy, 'overlays', overlay)]);
      rmSync(copy, { recursive: true, force: true });
      if (result.status !== 0) {
        throw new Error(`kubectl kustomize k8s/overlays/${overlay} failed: ${result.stderr}`);
      }
      rendered = parseYamlDocuments(result.stdout).map((object, index) => ({
        source: `kustomize(${overlay})#${index}`,
        object: object as K8sObject,
      }));
      objects = rendered.map((o) => o.object);
    });

    it('every object matches the Kubernetes schema', () => {
      expect(rendered.length).toBeGreaterThan(0);
      const problems = rendered
        .map((o) => [label(o), schemaErrors(o.object)])
        .filter(([, error]) => error !== '');
      expect(problems).toEqual([]);
    });

    it('every object is in the yugong namespace and labelled part-of yugong', () => {
      const problems = rendered
        .filter(
          ({ object }) =>
            (object.kind !== 'Namespace' && object.metadata.namespace !== NAMESPACE) ||
            object.metadata.labels?.['app.kubernetes.io/part-of'] !== 'yugong',
        )
        .map(label);
      expect(problems).toEqual([]);
    });

    it('every workload follows the workload policies', () => {
      const problems = workloads(rendered).flatMap((w) =>
        policyViolations(w.object, objects).map((p) => `${label(w)}: ${p}`),
      );
      expect(problems).toEqual([]);
    });

    it(`every Yugong service runs ${replicas} replica(s) with its Service, PDB and HPA`, () => {
      const services = workloads(rendered).filter((w) => isYugongWorkload(w.object));
      expect(services.map((w) => w.object.metadata.name).sort()).toEqual(
        baseYugongWorkloads.map((w) => w.object.metadata.name).sort(),
      );
      for (const { object } of services) {
        expect(object.spec.replicas).toBe(replicas);
        expect(serviceViolations(object, objects)).toEqual([]);
        const hpa = objects.find(
          (o) =>
            o.kind === 'HorizontalPodAutoscaler' &&
            (o.spec?.scaleTargetRef as { name: string }).name === object.metadata.name,
        );
        expect(hpa?.spec?.minReplicas).toBe(replicas);
      }
    });

    it('every ConfigMap and Secret a pod references resolves (prod: yugong-secrets is external)', () => {
      const names = new Set(
        objects.filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret').map((o) => o.metadata.name),
      );
      const missing: string[] = [];
      for (const { object } of workloads(rendered)) {
        const pod = (object as Workload).spec.template.spec;
        for (const container of pod.containers) {
          for (const source of container.envFrom ?? []) {
            const name = source.configMapRef?.name ?? source.secretRef?.name;
            if (name && !names.has(name)) {
              missing.push(name);
            }
          }
        }
        for (const volume of pod.volumes ?? []) {
          if (volume.configMap?.name && !names.has(volume.configMap.name)) {
            missing.push(volume.configMap.name);
          }
        }
      }
      for (const [secret, keys] of requiredSecretKeys(objects)) {
        const found = objects.find((o) => o.kind === 'Secret' && o.metadata.name === secret);
        if (overlay === 'prod' && secret === 'yugong-secrets') {
          expect(found).toBeUndefined(); // never generated with values for prod
          continue;
        }
        if (!found) {
          missing.push(secret);
          continue;
        }
        for (const key of keys) {
          if (found.data?.[key] === undefined) {
            missing.push(`${secret}.${key}`);
          }
        }
      }
      expect(missing).toEqual([]);
    });

    it('pins the image: dev uses the local yugong:dev, prod a release tag (never latest)', () => {
      const images = workloads(rendered)
        .filter((w) => isYugongWorkload(w.object))
        .flatMap((w) => w.object.spec.template.spec.containers.map((c) => c.image as string));
      for (const image of images) {
        if (overlay === 'dev') {
          expect(image).toBe('yugong:dev');
        } else {
          expect(image).toMatch(/^[^:]+\/yugong:(?!latest$)[\w.-]+$|@sha256:[0-9a-f]{64}$/);
        }
      }
    });
  });
});

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] };
}

describe('docker-compose.yml', () => {
  const composeFile = path.join(ROOT, 'docker-compose.yml');
  /** The file without its comments (which may show `${VAR:?…}` as an example). */
  const composeText = () =>
    readFileSync(composeFile, 'utf8')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'))
      .join('\n');
  const [compose] = parseYamlDocuments(readFileSync(composeFile, 'utf8')) as Array<{
    version?: string;
    name?: string;
    services: Record<string, ComposeService>;
  }>;

  it('parses, has no top-level name (docker-compose 1.29), and runs postgres, redis and every k8s service', () => {
    expect(compose.name).toBeUndefined();
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining([
        'postgres',
        'redis',
        ...baseYugongWorkloads.map((w) => w.object.metadata.name),
      ]),
    );
    expect(compose.services.postgres.image).toBe('postgres:17');
    expect(compose.services.redis.image).toBe('redis:7');
  });

  it.each(baseYugongWorkloads.map((w) => [w.object.metadata.name, w.object] as const))(
    '%s uses the same command, port, health check and datastore dependencies as in k8s',
    (name, workload) => {
      const service = compose.services[name];
      const container = workload.spec.template.spec.containers[0];
      expect(service.command).toEqual(container.command);
      expect(service.healthcheck?.test?.length).toBeGreaterThan(0);
      expect(service.depends_on?.postgres?.condition).toBe('service_healthy');
      expect(service.depends_on?.redis?.condition).toBe('service_healthy');
      const grpc = container.ports?.find((p) => p.name === 'grpc');
      const http = container.ports?.find((p) => p.name === 'http');
      if (grpc) {
        expect(service.environment?.GRPC_PORT).toBe(String(grpc.containerPort));
        expect(service.expose).toContain(String(grpc.containerPort));
        expect(service.healthcheck?.test?.join(' ')).toContain(`:${grpc.containerPort}`);
      }
      if (http) {
        expect(service.environment?.PORT).toBe(String(http.containerPort));
        expect(service.ports).toContain(`${http.containerPort}:${http.containerPort}`);
      }
      expect(service.environment?.DATABASE_URL).toMatch(new RegExp(`@postgres:5432/yugong_${name}$`));
    },
  );

  it('points the gateway at catalog on the same port as the k8s config', () => {
    const config = baseObjects.find((o) => o.kind === 'Kustomization');
    expect(config).toBeUndefined(); // kustomization files are not objects
    const kustomization = readFileSync(path.join(K8S, 'base/kustomization.yaml'), 'utf8');
    expect(kustomization).toContain('CATALOG_GRPC_URL=dns:///catalog:50051');
    expect(compose.services.gateway.environment?.CATALOG_GRPC_URL).toBe('catalog:50051');
    expect(compose.services.gateway.depends_on?.catalog?.condition).toBe('service_healthy');
  });

  it('points catalog and the gateway at beneficiaries on the same port as the k8s config', () => {
    const kustomization = readFileSync(path.join(K8S, 'base/kustomization.yaml'), 'utf8');
    expect(kustomization).toContain('BENEFICIARIES_GRPC_URL=dns:///beneficiaries:50052');
    for (const client of ['catalog', 'gateway']) {
      expect(compose.services[client].environment?.BENEFICIARIES_GRPC_URL).toBe('beneficiaries:50052');
    }
    // The gateway's /readyz checks beneficiaries; catalog only calls it when a lot names suppliers.
    expect(compose.services.gateway.depends_on?.beneficiaries?.condition).toBe('service_healthy');
  });

  it('gives beneficiaries its personal-data keys, and only beneficiaries', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const keys = Object.keys(service.environment ?? {}).filter((k) => k.startsWith('PII_'));
      expect([name, keys]).toEqual([
        name,
        name === 'beneficiaries' ? ['PII_ENCRYPTION_KEYS', 'PII_ACTIVE_KEY_ID', 'PII_HASH_KEY'] : [],
      ]);
    }
  });

  it('requires every secret (${VAR:?…}) but the optional ones, which default to nothing', () => {
    const text = composeText();
    const secrets = [...text.matchAll(/\$\{(\w+)(:?[-?])?([^}]*)\}/g)].filter(([, variable]) =>
      isSecretName(variable),
    );
    const required = secrets.filter(([, , operator]) => operator === ':?').map(([, variable]) => variable);
    expect([...new Set(required)].sort()).toEqual([
      'ADMIN_PASSWORD',
      'BENEFICIARIES_SERVICE_KEY',
      'CATALOG_SERVICE_KEY',
      'GATEWAY_SERVICE_KEY',
      'JWT_SECRET',
      'LABEL_TAG_KEY',
      'LEDGER_SERVICE_KEY',
      'LICENSING_SERVICE_KEY',
      'ORDERS_SERVICE_KEY',
      'PII_ENCRYPTION_KEYS',
      'PII_HASH_KEY',
      'POSTGRES_PASSWORD',
      'SERVICE_PUBLIC_KEYS',
    ]);
    for (const [, variable, operator, rest] of secrets) {
      if (operator === ':?') {
        expect([variable, rest]).toEqual([variable, expect.stringContaining(`${variable} is not set`)]);
      } else {
        expect([variable, operator, rest]).toEqual([variable, '-', '']);
      }
    }
    expect(compose.services.gateway.environment?.SEED_DEMO).toBe('${SEED_DEMO:-false}');
  });

  it('.env.example names every variable compose requires, so that npm run secrets:compose makes a working .env', () => {
    const text = composeText();
    const required = new Set([...text.matchAll(/\$\{(\w+):\?/g)].map(([, variable]) => variable));
    const keys = Object.keys(readEnvFile(path.join(ROOT, '.env.example')));
    expect(keys).toEqual(expect.arrayContaining([...required]));
    expect(readFileSync(path.join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain('.env');
  });

  it('every default secret value in docker-compose.yml and the k8s secret templates is one the services refuse', () => {
    const found: Array<[string, string]> = [];
    const text = composeText();
    for (const [, variable, value] of text.matchAll(/\$\{(\w+):?-([^}]*)\}/g)) {
      if (isSecretName(variable) && value !== '') {
        found.push([`docker-compose.yml ${variable}`, value]);
      }
    }
    for (const file of SECRET_TEMPLATES) {
      for (const [key, value] of Object.entries(readEnvFile(path.join(ROOT, file)))) {
        if (isDefaultSecret(key, value)) {
          found.push([`${file} ${key}`, value]);
        }
      }
    }
    // At least the prod template's placeholder password (postgres://USER:PASSWORD@HOST).
    expect(found.length).toBeGreaterThan(0);
    expect(found.filter(([, value]) => !refusedAsSecret(value))).toEqual([]);
  });

  const itWithCompose = DOCKER_COMPOSE ? it : it.skip;
  if (!DOCKER_COMPOSE) {
    console.warn(
      'docker-compose is not on PATH: `docker-compose -f docker-compose.yml config -q` was SKIPPED',
    );
  }
  /** `docker-compose config -q` with only `env` (no secret of ours, no .env of the developer's). */
  function composeConfig(env: Record<string, string>) {
    const dir = mkdtempSync(path.join(tmpdir(), 'yugong-compose-'));
    const envFile = path.join(dir, 'empty.env');
    writeFileSync(envFile, '');
    try {
      const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !isSecretName(name)));
      return run(
        DOCKER_COMPOSE as string,
        ['-f', 'docker-compose.yml', '--env-file', envFile, 'config', '-q'],
        {
          ...clean,
          ...env,
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  itWithCompose(
    'passes `docker-compose -f docker-compose.yml config -q` with the secrets npm run secrets:compose makes',
    () => {
      const made = readEnvFile(path.join(ROOT, '.env.example'));
      const secrets = filledTemplate('.env.example');
      expect(Object.keys(secrets)).toEqual(Object.keys(made));
      const result = composeConfig(secrets);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    },
  );

  itWithCompose('refuses `docker-compose config` with no secrets set, naming a missing variable', () => {
    const result = composeConfig({});
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(
      /(POSTGRES_PASSWORD|[A-Z]*SERVICE_(KEY|PUBLIC_KEYS)|JWT_SECRET|ADMIN_PASSWORD|PII_ENCRYPTION_KEYS|PII_HASH_KEY) is not set/,
    );
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

  it('builds in stages on Node 20 and runs as uid 10001 with NODE_ENV=production', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^FROM \S+ AS runtime$/m);
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(runtime).toMatch(/^USER 10001:10001$/m);
    expect(runtime).toMatch(/NODE_ENV=production/);
    expect(runtime).toContain('COPY tools/deploy/bin/grpc-health-probe.cjs');
    expect(existsSync(path.join(ROOT, 'tools/deploy/bin/grpc-health-probe.cjs'))).toBe(true);
  });

  it('bakes in no secret', () => {
    const envLines = dockerfile.split('\n').filter((line) => /^\s*(ENV|ARG)\b/.test(line));
    expect(envLines.filter((line) => /PASSWORD|SECRET|TOKEN|DATABASE_URL|REDIS_URL/.test(line))).toEqual([]);
  });

  it('keeps local state out of the build context', () => {
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    expect(ignored).toEqual(
      expect.arrayContaining(['node_modules', 'dist', '.data', 'tmp', 'reports', '.git', '.nx']),
    );
  });
});
