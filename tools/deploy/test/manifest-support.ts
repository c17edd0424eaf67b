// Over 400 lines on purpose: every workload policy the deployment tests apply, each a small
// function, kept beside the others so the whole policy reads as one list.
// Helpers for the deployment tests: YAML loading, kubernetes-models validation, and the
// policies every workload must follow (STYLE.md, "Kubernetes and compose").
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadAll, YAML11_SCHEMA } from 'js-yaml';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';

export const ROOT = path.resolve(__dirname, '../../..');
export const K8S = path.join(ROOT, 'k8s');

/** The uid baked into the image (Dockerfile `USER 10001:10001`). */
export const APP_UID = 10001;

/** Any Kubernetes object, as parsed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  [key: string]: unknown;
}

/** A parsed object and where it came from. */
export interface Located {
  source: string;
  object: K8sObject;
}

/**
 * Parses YAML with YAML 1.1 semantics (merge keys, `yes`/`on` booleans), as kubectl's go-yaml and
 * docker-compose's PyYAML do, so a value means here what it means to them.
 */
export function parseYamlDocuments(text: string): unknown[] {
  return loadAll(text, null, { schema: YAML11_SCHEMA }).filter((doc) => doc !== null && doc !== undefined);
}

/** Every `.yaml`/`.yml` file under `dir`, sorted, relative to the repository root. */
export function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current).sort()) {
      const full = path.join(current, entry);
      if (statSync(full).isDirectory()) {
        walk(full);
      } else if (/\.ya?ml$/.test(entry)) {
        out.push(path.relative(ROOT, full));
      }
    }
  };
  walk(dir);
  return out;
}

export function isKustomizationFile(file: string): boolean {
  return /(^|\/)kustomization\.ya?ml$/.test(file);
}

interface KustomizationRefs {
  resources?: string[];
  components?: string[];
  patches?: { path?: string }[];
  configMapGenerator?: { files?: string[]; envs?: string[] }[];
  secretGenerator?: { files?: string[]; envs?: string[] }[];
}

/**
 * Whether a path a kustomization names is there: the file or folder itself, or for a file each
 * developer generates and git ignores (the dev overlay's `secrets.env`), its committed
 * `<file>.example` template.
 */
export function referenceExists(target: string): boolean {
  return existsSync(target) || existsSync(`${target}.example`);
}

/**
 * Every path a kustomization in `dir` names (resources, components, patch files, generator files
 * and env files) that does not exist (see {@link referenceExists}), followed down through the
 * bases and components it names. Returns `<kustomization>: <path>` for each missing one; empty
 * when all are there.
 */
export function missingKustomizeReferences(dir: string, seen = new Set<string>()): string[] {
  if (seen.has(dir)) {
    return [];
  }
  seen.add(dir);
  const file = ['kustomization.yaml', 'kustomization.yml'].map((f) => path.join(dir, f)).find(existsSync);
  if (!file) {
    return [`${path.relative(ROOT, dir)}: no kustomization.yaml`];
  }
  const k = parseYamlDocuments(readFileSync(file, 'utf8'))[0] as KustomizationRefs;
  const generators = [...(k.configMapGenerator ?? []), ...(k.secretGenerator ?? [])];
  const named = [
    ...(k.resources ?? []),
    ...(k.components ?? []),
    ...(k.patches ?? []).flatMap((p) => (p.path ? [p.path] : [])),
    // `files` entries may be `key=path`.
    ...generators.flatMap((g) => [
      ...(g.files ?? []).map((f) => f.slice(f.indexOf('=') + 1)),
      ...(g.envs ?? []),
    ]),
  ];
  const where = path.relative(ROOT, file);
  return named.flatMap((ref) => {
    const target = path.resolve(dir, ref);
    if (!referenceExists(target)) {
      return [`${where}: ${ref}`];
    }
    return existsSync(target) && statSync(target).isDirectory()
      ? missingKustomizeReferences(target, seen)
      : [];
  });
}

/** Reads `KEY=value` lines (kustomize `envs:` / docker `--env-file` format). */
export function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      continue;
    }
    const eq = trimmed.indexOf('=');
    out[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return out;
}

type ModelClass = new (data: unknown) => { validate(): void };

/**
 * The kubernetes-models class for an apiVersion/kind (`apps/v1` + `Deployment` →
 * `kubernetes-models/apps/v1/Deployment`), or undefined when the package does not know it.
 */
export function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  if (!/^[a-z0-9.-]+(\/[a-z0-9]+)?$/i.test(apiVersion) || !/^[A-Za-z]+$/.test(kind)) {
    return undefined;
  }
  let mod: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
      return undefined;
    }
    throw error;
  }
  return mod[kind] as ModelClass | undefined;
}

/**
 * kustomize folds long base64 Secret values over several lines; the API server's decoder skips the
 * newlines, the validator's base64 pattern does not, so unfold them first.
 */
function normalizeForValidation(object: K8sObject): K8sObject {
  if (object.kind !== 'Secret' || !object.data) {
    return object;
  }
  const data = Object.fromEntries(
    Object.entries(object.data).map(([key, value]) => [key, String(value).replace(/\s+/g, '')]),
  );
  return { ...object, data };
}

/** Validates with @kubernetes-models/validate (through the model class); returns the error or ''. */
export function schemaErrors(object: K8sObject): string {
  const Model = modelFor(object.apiVersion, object.kind);
  if (!Model) {
    return `kubernetes-models has no ${object.apiVersion} ${object.kind}`;
  }
  try {
    new Model(normalizeForValidation(object)).validate();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

export function label(located: Located): string {
  return `${located.source}: ${located.object.kind}/${located.object.metadata?.name}`;
}

/** Whether an executable is on PATH (without running it). */
export function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir !== '' && existsSync(candidate) && statSync(candidate).isFile()) {
      return candidate;
    }
  }
  return undefined;
}

/** Runs a command in the repository root (in `env`, else ours); returns status, stdout and stderr. */
export function run(
  command: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 32 * 1024 * 1024,
  });
  if (result.error) {
    return { status: null, stdout: '', stderr: result.error.message };
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface Workload extends K8sObject {
  spec: {
    replicas?: number;
    selector: { matchLabels?: Record<string, string> };
    template: { metadata?: { labels?: Record<string, string> }; spec: IPodSpec };
  };
}

export function workloads(objects: Located[]): Array<Located & { object: Workload }> {
  return objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.object.kind)) as Array<
    Located & { object: Workload }
  >;
}

/** A Yugong service container: runs our image's `node dist/apps/<svc>/src/main.js`. */
export function isYugongContainer(container: IContainer): boolean {
  return (container.command ?? []).some((arg) => /^dist\/apps\/[^/]+\/src\/main\.js$/.test(arg));
}

export function isYugongWorkload(workload: Workload): boolean {
  return workload.spec.template.spec.containers.some(isYugongContainer);
}

function portNumber(container: IContainer, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') {
    return port;
  }
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/**
 * Every policy violation of one workload: non-root, read-only root filesystem, no privilege
 * escalation, all capabilities dropped, RuntimeDefault seccomp, requests and limits, liveness and
 * readiness probes, its own ServiceAccount without a token; for Yugong containers also uid 10001,
 * a writable /tmp from an emptyDir, and the right kind of probe (gRPC health on the `grpc` port,
 * or /healthz and /readyz on `http`).
 */
export function policyViolations(workload: Workload, all: K8sObject[]): string[] {
  const problems: string[] = [];
  const name = workload.metadata.name;
  const pod = workload.spec.template.spec;
  const podSecurity = pod.securityContext ?? {};

  if (!pod.serviceAccountName) {
    problems.push('serviceAccountName is not set');
  } else {
    const account = all.find(
      (o) => o.kind === 'ServiceAccount' && o.metadata.name === pod.serviceAccountName,
    );
    if (!account) {
      problems.push(`ServiceAccount ${pod.serviceAccountName} is not defined alongside`);
    } else if (account.automountServiceAccountToken !== false && pod.automountServiceAccountToken !== false) {
      problems.push('service account token is mounted');
    }
  }
  const templateLabels = workload.spec.template.metadata?.labels ?? {};
  for (const [key, value] of Object.entries(workload.spec.selector.matchLabels ?? {})) {
    if (templateLabels[key] !== value) {
      problems.push(`selector ${key}=${value} does not match the pod template`);
    }
  }

  for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
    const where = `container ${container.name}`;
    const security = container.securityContext ?? {};
    const runAsNonRoot = security.runAsNonRoot ?? podSecurity.runAsNonRoot;
    const runAsUser = security.runAsUser ?? podSecurity.runAsUser;
    const seccomp = security.seccompProfile?.type ?? podSecurity.seccompProfile?.type;
    if (runAsNonRoot !== true) {
      problems.push(`${where}: runAsNonRoot is not true`);
    }
    if (runAsUser === undefined || runAsUser === 0) {
      problems.push(`${where}: runAsUser must be a non-zero uid`);
    }
    if (security.readOnlyRootFilesystem !== true) {
      problems.push(`${where}: readOnlyRootFilesystem is not true`);
    }
    if (security.allowPrivilegeEscalation !== false) {
      problems.push(`${where}: allowPrivilegeEscalation is not false`);
    }
    if (!(security.capabilities?.drop ?? []).includes('ALL')) {
      problems.push(`${where}: capabilities do not drop ALL`);
    }
    if (seccomp !== 'RuntimeDefault') {
      problems.push(`${where}: seccompProfile is not RuntimeDefault`);
    }
    for (const kind of ['requests', 'limits'] as const) {
      for (const resource of ['cpu', 'memory']) {
        if (container.resources?.[kind]?.[resource] === undefined) {
          problems.push(`${where}: resources.${kind}.${resource} is not set`);
        }
      }
    }
    const isInit = (pod.initContainers ?? []).includes(container);
    if (!isInit && !container.livenessProbe) {
      problems.push(`${where}: no livenessProbe`);
    }
    if (!isInit && !container.readinessProbe) {
      problems.push(`${where}: no readinessProbe`);
    }

    if (!isYugongContainer(container)) {
      continue;
    }
    if (runAsUser !== APP_UID) {
      problems.push(`${where}: runs as ${runAsUser}, not the image's uid ${APP_UID}`);
    }
    const expectedEntry = `dist/apps/${name}/src/main.js`;
    if (JSON.stringify(container.command) !== JSON.stringify(['node', expectedEntry])) {
      problems.push(`${where}: command should be node ${expectedEntry}`);
    }
    const tmpMount = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
    if (!tmpMount || !pod.volumes?.some((v) => v.name === tmpMount.name && v.emptyDir !== undefined)) {
      problems.push(`${where}: /tmp is not an emptyDir (the root filesystem is read-only)`);
    }
    const grpcPort = container.ports?.find((p) => p.name === 'grpc');
    const httpPort = container.ports?.find((p) => p.name === 'http');
    if (!grpcPort && !httpPort) {
      problems.push(`${where}: exposes neither a port named grpc nor one named http`);
    }
    for (const [probeName, probe] of [
      ['livenessProbe', container.livenessProbe],
      ['readinessProbe', container.readinessProbe],
      ['startupProbe', container.startupProbe],
    ] as const) {
      if (!probe) {
        continue;
      }
      if (grpcPort) {
        if (probe.grpc?.port !== grpcPort.containerPort) {
          problems.push(
            `${where}: ${probeName} is not a native grpc probe on port ${grpcPort.containerPort}`,
          );
        }
      } else if (httpPort) {
        const expectedPath = probeName === 'readinessProbe' ? '/readyz' : '/healthz';
        const port = portNumber(container, probe.httpGet?.port);
        if (probe.httpGet?.path !== expectedPath || port !== httpPort.containerPort) {
          problems.push(
            `${where}: ${probeName} should GET ${expectedPath} on port ${httpPort.containerPort}`,
          );
        }
      }
    }
  }
  return problems;
}

/**
 * Service-level rules for every Yugong workload: a gRPC service has a headless Service of the same
 * name with a port named `grpc`; an HTTP service a ClusterIP Service with a port named `http`; each
 * has a PodDisruptionBudget and an autoscaling/v2 HPA on CPU.
 */
export function serviceViolations(workload: Workload, all: K8sObject[]): string[] {
  const problems: string[] = [];
  const name = workload.metadata.name;
  const podLabels = workload.spec.template.metadata?.labels ?? {};
  const selects = (selector: Record<string, string> | undefined): boolean =>
    selector !== undefined &&
    Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([k, v]) => podLabels[k] === v);

  const container = workload.spec.template.spec.containers.find(isYugongContainer);
  const grpcPort = container?.ports?.find((p) => p.name === 'grpc');
  const httpPort = container?.ports?.find((p) => p.name === 'http');
  const service = all.find((o) => o.kind === 'Service' && o.metadata.name === name) as
    | (K8sObject & {
        spec: {
          clusterIP?: string;
          type?: string;
          selector?: Record<string, string>;
          ports?: Array<{ name?: string; port: number; targetPort?: number | string }>;
        };
      })
    | undefined;
  if (!service) {
    problems.push(`no Service named ${name}`);
  } else {
    if (!selects(service.spec.selector)) {
      problems.push(`Service ${name} does not select the pods`);
    }
    if (grpcPort) {
      if (service.spec.clusterIP !== 'None') {
        problems.push(`Service ${name} is not headless (clusterIP: None) for client-side gRPC balancing`);
      }
      const port = service.spec.ports?.find((p) => p.name === 'grpc');
      if (!port || port.port !== grpcPort.containerPort) {
        problems.push(`Service ${name} has no port named grpc on ${grpcPort.containerPort}`);
      }
    }
    if (httpPort) {
      if (service.spec.clusterIP === 'None' || (service.spec.type ?? 'ClusterIP') !== 'ClusterIP') {
        problems.push(`Service ${name} should be a ClusterIP Service`);
      }
      const port = service.spec.ports?.find((p) => p.name === 'http');
      if (!port || port.port !== httpPort.containerPort) {
        problems.push(`Service ${name} has no port named http on ${httpPort.containerPort}`);
      }
    }
  }

  const pdb = all.find(
    (o) =>
      o.kind === 'PodDisruptionBudget' &&
      selects((o.spec?.selector as { matchLabels?: Record<string, string> })?.matchLabels),
  );
  if (!pdb) {
    problems.push('no PodDisruptionBudget selects its pods');
  }
  const hpa = all.find(
    (o) =>
      o.kind === 'HorizontalPodAutoscaler' &&
      (o.spec?.scaleTargetRef as { kind?: string; name?: string })?.kind === workload.kind &&
      (o.spec?.scaleTargetRef as { name?: string })?.name === name,
  );
  if (!hpa) {
    problems.push('no HorizontalPodAutoscaler targets it');
  } else {
    if (hpa.apiVersion !== 'autoscaling/v2') {
      problems.push(`HPA ${hpa.metadata.name} is ${hpa.apiVersion}, not autoscaling/v2`);
    }
    const metrics = (hpa.spec?.metrics ?? []) as Array<{
      resource?: { name?: string; target?: { averageUtilization?: number } };
    }>;
    if (!metrics.some((m) => m.resource?.name === 'cpu' && m.resource.target?.averageUtilization === 70)) {
      problems.push(`HPA ${hpa.metadata.name} does not target 70 % CPU`);
    }
  }
  return problems;
}

/** Secret keys a workload reads through non-optional `secretKeyRef`s, per Secret name. */
export function requiredSecretKeys(objects: K8sObject[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const object of objects) {
    const pod = (object as Workload).spec?.template?.spec;
    if (!pod?.containers) {
      continue;
    }
    for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
      for (const env of container.env ?? []) {
        const ref = env.valueFrom?.secretKeyRef;
        if (ref?.name && ref.optional !== true) {
          const keys = out.get(ref.name) ?? new Set<string>();
          keys.add(ref.key);
          out.set(ref.name, keys);
        }
      }
    }
  }
  return out;
}
