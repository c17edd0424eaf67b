import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { tracingEnabled } from './tracing';

/**
 * The W3C `traceparent` of the active span, to store with what continues the work later (an
 * outbox event); null when there is none or tracing is off.
 */
export function activeTraceparent(): string | null {
  if (!tracingEnabled()) {
    return null;
  }
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/**
 * Runs `work` (delivering a stored event) in a span that continues the trace `traceparent` names,
 * so that what it calls (the ledger, over gRPC) joins the trace of the request that wrote the
 * event. Without a stored trace, or with tracing off, just `work()`.
 */
export function continueTrace<T>(
  traceparent: string | null | undefined,
  name: string,
  attributes: Record<string, string | number>,
  work: () => Promise<T>,
): Promise<T> {
  if (!traceparent || !tracingEnabled()) {
    return work();
  }
  const parent = propagation.extract(ROOT_CONTEXT, { traceparent });
  return trace
    .getTracer('@yugong/shared/telemetry')
    .startActiveSpan(name, { kind: SpanKind.PRODUCER, attributes }, parent, async (span) => {
      try {
        return await work();
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    });
}
