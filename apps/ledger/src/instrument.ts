// Loaded first by main.ts: tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) must patch pg and
// ioredis before anything loads them, or their spans are silently missing.
import { startTracingFromEnv } from '@yugong/shared/telemetry';

startTracingFromEnv('ledger');
