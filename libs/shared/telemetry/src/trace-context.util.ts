import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
  type SpanOptions,
} from '@opentelemetry/api';
import { SERVICE_ATTRIBUTE, tracingEnabled } from './tracing';

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

/** How {@link continueTrace} opens its span. */
export interface ContinueTraceOptions {
  /** `producer` (a relay delivering the event: the default) or `consumer` (a consumer applying it). */
  kind?: 'producer' | 'consumer';
  /**
   * Link the new span and the span active when it starts (a job's pass, which starts a trace of
   * its own) to each other, so either trace leads to the other.
   */
  linkActive?: boolean;
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
  options: ContinueTraceOptions = {},
): Promise<T> {
  if (!traceparent || !tracingEnabled()) {
    return work();
  }
  const parent = propagation.extract(ROOT_CONTEXT, { traceparent });
  const active = options.linkActive ? trace.getActiveSpan() : undefined;
  const links: Link[] = active ? [{ context: active.spanContext() }] : [];
  return inSpan(
    name,
    { kind: options.kind === 'consumer' ? SpanKind.CONSUMER : SpanKind.PRODUCER, attributes, links },
    parent,
    (span) => {
      active?.addLink({ context: span.spanContext() });
      return work();
    },
  );
}

/**
 * Runs one pass of a job (a catch-up) of `service` in an INTERNAL span that starts a trace of its
 * own, whatever context the job runs in; `work` may set attributes on it (what the pass did).
 * With tracing off, `work()` alone.
 */
export function traceJobPass<T>(
  service: string,
  name: string,
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) {
    return work(undefined);
  }
  const options = { kind: SpanKind.INTERNAL, attributes: { [SERVICE_ATTRIBUTE]: service } };
  return inSpan(name, options, ROOT_CONTEXT, work);
}

function inSpan<T>(
  name: string,
  options: SpanOptions,
  parent: Context,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return trace.getTracer('@yugong/shared/telemetry').startActiveSpan(name, options, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}
