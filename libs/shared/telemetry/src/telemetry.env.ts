import { env, loadConfig } from '@yugong/shared/config';
import { z } from 'zod';

/**
 * The tracing settings, the same in every service (README, "Observability"): spread into the
 * app's config schema, so that a bad value stops the service naming the variable.
 */
export const telemetryEnv = {
  /**
   * The OTLP/HTTP collector (Jaeger, an OpenTelemetry Collector), e.g. `http://jaeger:4318`;
   * spans go to `<endpoint>/v1/traces`. Unset: no tracing at all, and nothing on the hot path.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: env.optional(env.url({ protocols: ['http', 'https'] })),
  /** The share of new traces recorded, in percent; a call inside a recorded trace always is. */
  OTEL_TRACES_SAMPLE_PERCENT: env.int(100, { min: 0, max: 100 }),
};

/** The part of a gRPC service's settings that serves its metrics. */
export const grpcMetricsEnv = {
  /** Serve Prometheus metrics (`GET /metrics`) on this port (on `GRPC_HOST`); unset: none. */
  METRICS_PORT: env.optional(env.port()),
};

const telemetrySchema = z.object(telemetryEnv);

/** The tracing settings alone. */
export type TelemetryConfig = z.infer<typeof telemetrySchema>;

/**
 * Reads the tracing settings alone, before the rest of the app loads (tracing must start before
 * `pg` and `ioredis` are loaded). Throws like every config loader, naming the variable.
 */
export function telemetryConfig(source?: NodeJS.ProcessEnv): TelemetryConfig {
  return loadConfig(telemetrySchema, source);
}
