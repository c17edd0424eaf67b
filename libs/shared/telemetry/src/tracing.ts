import { FastifyOtelInstrumentation } from '@fastify/otel';
import { context, propagation, trace, type Context } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { serviceOfContext } from '@yugong/shared/logging';
import { telemetryConfig } from './telemetry.env';

/** The span attribute naming the Yugong service a span belongs to (see {@link ServiceResourceExporter}). */
export const SERVICE_ATTRIBUTE = 'yugong.service';

/** What {@link startTracing} needs. */
export interface TracingSettings {
  /** The service, or `yugong` for a process hosting several (`npm start`). */
  service: string;
  /** OTLP/HTTP endpoint (`http://jaeger:4318`); spans go to `<endpoint>/v1/traces`. */
  endpoint?: string;
  /** Tests: where spans go instead, each as it ends. */
  exporter?: SpanExporter;
  /** Share of new traces recorded (100). */
  samplePercent?: number;
}

/** A started tracer: flush and stop it on shutdown. */
export interface Tracing {
  shutdown(): Promise<void>;
}

const UNTRACED_PATHS = new Set(['/metrics', '/healthz', '/readyz']);

// One SDK per process (npm start hosts every service in one): tracing is a property of the process.
let running: (Tracing & { provider: NodeTracerProvider }) | undefined;

/** Whether this process records spans; when false, every hook here is a plain call. */
export function tracingEnabled(): boolean {
  return running !== undefined;
}

/**
 * Starts tracing for this process, once (a second call answers the first tracer): W3C trace
 * context, spans of Fastify routes, PostgreSQL and Redis (only inside a trace: a job's polling
 * query starts none), and those the gRPC hooks of this library make. Must run before `pg` and
 * `ioredis` are loaded, or their spans are silently missing: the first import of each `main.ts`.
 */
export function startTracing(settings: TracingSettings): Tracing {
  if (running) {
    return running;
  }
  const base = resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.service });
  const exporter =
    settings.exporter ?? new OTLPTraceExporter({ url: `${settings.endpoint?.replace(/\/$/, '')}/v1/traces` });
  const export_ = new ServiceResourceExporter(exporter, base);
  const root = new TraceIdRatioBasedSampler((settings.samplePercent ?? 100) / 100);
  const provider = new NodeTracerProvider({
    resource: base,
    // A caller that did not record its trace (a browser sending no spans: `-00`) does not stop
    // this one: the share is then drawn here, from the trace id, so every service agrees.
    sampler: new ParentBasedSampler({ root, remoteParentNotSampled: root }),
    spanProcessors: [
      new ServiceAttributeProcessor(settings.service),
      settings.exporter ? new SimpleSpanProcessor(export_) : new BatchSpanProcessor(export_),
    ],
  });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        // A span per route handler, none per Fastify hook (ten a request, all noise here), and
        // none for scrapes and probes.
        instrumentHooks: false,
        ignorePaths: (route) => UNTRACED_PATHS.has(route.url ?? ''),
        // Fastify serves only the gateway: its spans are the gateway's whatever context they start in.
        requestHook: (span, request) => {
          span.updateName(`${request.method} ${request.routeOptions.url ?? 'unmatched'}`);
          span.setAttribute(SERVICE_ATTRIBUTE, 'gateway');
        },
      }),
    ],
  });
  running = {
    provider,
    shutdown: async () => {
      running = undefined;
      unregister();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
  return running;
}

/**
 * Starts tracing when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, and does nothing otherwise (a bad value
 * is left for the app's own config, which names it when the service boots).
 */
export function startTracingFromEnv(service: string, source?: NodeJS.ProcessEnv): void {
  let config;
  try {
    config = telemetryConfig(source);
  } catch {
    return;
  }
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT) {
    startTracing({
      service,
      endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
      samplePercent: config.OTEL_TRACES_SAMPLE_PERCENT,
    });
  }
}

/**
 * Names, on every span, the service it was started in, so that spans of services sharing one
 * process (pg, Redis, HTTP) still say whose they are: as its creator says (the gRPC server hook),
 * else its parent's service when the parent is in this process, else the service whose async
 * context it starts in, else the process's.
 */
class ServiceAttributeProcessor implements SpanProcessor {
  constructor(private readonly fallback: string) {}

  onStart(span: Span, parentContext: Context): void {
    if (span.attributes[SERVICE_ATTRIBUTE] !== undefined) {
      return;
    }
    const parent = trace.getSpan(parentContext) as Partial<ReadableSpan> | undefined;
    const inherited = parent?.attributes?.[SERVICE_ATTRIBUTE];
    span.setAttribute(
      SERVICE_ATTRIBUTE,
      typeof inherited === 'string' ? inherited : (serviceOfContext() ?? this.fallback),
    );
  }

  onEnd(): void {
    /* nothing */
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Exports each span under a resource named after its service ({@link SERVICE_ATTRIBUTE}), so a
 * trace viewer shows catalog's spans as catalog's even when every service shares one process and
 * so one SDK (whose resource is fixed). The span itself is not changed: the exporter sees a view
 * of it whose `resource` is the service's.
 */
export class ServiceResourceExporter implements SpanExporter {
  private readonly resources = new Map<string, Resource>();

  constructor(
    private readonly inner: SpanExporter,
    private readonly base: Resource,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(
      spans.map((span) => this.withResource(span)),
      done,
    );
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  private withResource(span: ReadableSpan): ReadableSpan {
    const service = span.attributes[SERVICE_ATTRIBUTE];
    if (typeof service !== 'string' || service === this.base.attributes[ATTR_SERVICE_NAME]) {
      return span;
    }
    let resource = this.resources.get(service);
    if (!resource) {
      resource = this.base.merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }));
      this.resources.set(service, resource);
    }
    return Object.create(span, { resource: { value: resource } }) as ReadableSpan;
  }
}
