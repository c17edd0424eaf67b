// The observability pieces of the deployment: the Grafana dashboard asks only for metrics (and
// labels) the services really register, compose runs Jaeger and points every service at it, and
// the k8s tracing component renders into the shared config.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { grpcClientHistogram, grpcServerHistogram } from '@yugong/shared/telemetry';
import Fastify from 'fastify';
import { register } from 'prom-client';
// The gateway's own HTTP metrics, registered as the gateway registers them.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { instrumentHttp } from '../../../apps/gateway/src/common/http-metrics.util';
import { K8S, onPath, parseYamlDocuments, ROOT, run } from './manifest-support';

const DASHBOARD = path.join(ROOT, 'tools/deploy/grafana/yugong.json');
const HISTOGRAM_SERIES = /^(.*)_(bucket|count|sum)$/;

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query?: string | { query: string } }[] };
}

/** Every PromQL expression of the dashboard: its panels' targets and its variables' queries. */
function expressions(dashboard: Dashboard): string[] {
  return [
    ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
    ...dashboard.templating.list
      .map((variable) => (typeof variable.query === 'object' ? variable.query.query : undefined))
      .filter((query): query is string => query !== undefined && query.includes('yugong_')),
  ];
}

/** The label names an expression selects on (`{a="x"}`) or groups by (`by (a, b)`). */
function labelsOf(expr: string): string[] {
  const selected = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap(([, body]) =>
    [...body.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map(([, name]) => name),
  );
  const grouped = [...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap(([, body]) =>
    body.split(',').map((name) => name.trim()),
  );
  const fromValues = [...expr.matchAll(/label_values\([^,]+,\s*(\w+)\)/g)].map(([, name]) => name);
  return [...selected, ...grouped, ...fromValues];
}

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;

  beforeAll(() => {
    // What every gRPC service and the gateway register at boot.
    grpcServerHistogram();
    grpcClientHistogram();
    instrumentHttp(Fastify());
  });

  it('is a dashboard with RED panels for gRPC methods and HTTP routes', () => {
    expect(dashboard.uid).toBe('yugong-red');
    const graphs = dashboard.panels.filter((panel) => panel.type === 'timeseries');
    expect(graphs.length).toBeGreaterThanOrEqual(6);
    const all = expressions(dashboard).join('\n');
    expect(all).toContain('by (service, method)');
    expect(all).toContain('by (method, route)');
    expect(all).toContain('yugong_grpc_client_handling_seconds_count');
    expect(all).toContain('histogram_quantile(0.99');
  });

  it('queries only metrics the services register, with their own series and labels', async () => {
    const known = new Map(
      (await register.getMetricsAsJSON()).map((metric) => [
        metric.name,
        {
          type: String(metric.type),
          labels: (register.getSingleMetric(metric.name) as unknown as { labelNames?: string[] }).labelNames,
        },
      ]),
    );
    const problems: string[] = [];
    for (const expr of expressions(dashboard)) {
      const names = [...expr.matchAll(/\byugong_\w+/g)].map(([name]) => name);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        const [, base = name, series] = HISTOGRAM_SERIES.exec(name) ?? [];
        const metric = known.get(base);
        if (!metric || (series !== undefined && metric.type !== 'histogram')) {
          problems.push(`${name} is not a registered series (in ${expr})`);
          continue;
        }
        const allowed = new Set([...(metric.labels ?? []), ...(series === 'bucket' ? ['le'] : [])]);
        for (const label of labelsOf(expr).filter((l) => l !== 'le' || series !== 'bucket')) {
          if (!allowed.has(label)) {
            problems.push(`${name} has no label ${label} (in ${expr})`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('tracing in compose and k8s', () => {
  type Service = { image?: string; environment?: Record<string, string>; expose?: string[] };
  const [compose] = parseYamlDocuments(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as Array<{
    services: Record<string, Service>;
  }>;
  const yugong = Object.entries(compose.services).filter(([, service]) =>
    service.environment?.SERVICE_KEY?.includes('SERVICE_KEY'),
  );

  it("runs Jaeger's all-in-one image with OTLP over HTTP, and points every service at it", () => {
    const jaeger = compose.services.jaeger;
    expect(jaeger.image).toMatch(/^jaegertracing\/all-in-one:\d+\.\d+\.\d+$/);
    expect(jaeger.environment?.COLLECTOR_OTLP_ENABLED).toBe('true');
    expect(jaeger.expose).toContain('4318');
    expect(yugong.map(([name]) => name).sort()).toEqual(
      ['beneficiaries', 'catalog', 'gateway', 'ledger', 'licensing', 'orders'].sort(),
    );
    for (const [, service] of yugong) {
      expect(service.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(
        '${OTEL_EXPORTER_OTLP_ENDPOINT-http://jaeger:4318}',
      );
    }
  });

  it('serves the metrics of every gRPC service on a port of its own', () => {
    for (const [name, service] of yugong.filter(([name]) => name !== 'gateway')) {
      expect([name, service.environment?.METRICS_PORT]).toEqual([name, '9464']);
      expect(service.expose).toContain('9464');
    }
  });

  (onPath('kubectl') ? it : it.skip)('the tracing component sets the collector in the shared config', () => {
    const dir = mkdtempSync(path.join(ROOT, 'tmp', 'kustomize-tracing-'));
    try {
      writeFileSync(
        path.join(dir, 'kustomization.yaml'),
        [
          'apiVersion: kustomize.config.k8s.io/v1beta1',
          'kind: Kustomization',
          'resources:',
          `  - ${path.relative(dir, path.join(K8S, 'base'))}`,
          'components:',
          `  - ${path.relative(dir, path.join(K8S, 'components', 'tracing'))}`,
          '',
        ].join('\n'),
      );
      const rendered = parseYamlDocuments(run('kubectl', ['kustomize', dir]).stdout) as Array<{
        kind: string;
        metadata: { name: string };
        data?: Record<string, string>;
      }>;
      const config = rendered.find(
        (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('yugong-config'),
      );
      expect(config?.data?.OTEL_EXPORTER_OTLP_ENDPOINT).toMatch(/^https?:\/\/.+:4318$/);
      expect(config?.data?.CATALOG_GRPC_URL).toBe('dns:///catalog:50051'); // merged, not replaced
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
