import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { tracingEnabled } from './tracing';

/** One outgoing HTTP request, as its span names it. */
export interface OutgoingHttpRequest {
  /** The remote service (`stripe`): `peer.service`. */
  peer: string;
  method: string;
  host: string;
  port: number;
  /** The path as sent, query included; the span keeps only its template (see {@link pathTemplate}). */
  path: string;
}

// An object's id in a path: Stripe's (`pi_3Nx…`: a short prefix, then letters and digits with at
// least one digit or capital, which a resource name like `payment_intents` has not), a number, a UUID.
const ID_SEGMENT = /^[a-z]{1,8}_(?=[a-z]*[A-Z0-9])[A-Za-z0-9]+$|^\d+$|^[0-9a-f]{8}-[0-9a-f-]{27}$/;

/**
 * A path's low-cardinality template, for a span's name: the query dropped, and every segment that
 * is an object's id (`pi_3Nx…`, `re_…`, digits, a UUID) replaced by `{id}`, so that
 * `/v1/payment_intents/pi_123/cancel` and every other cancel share one name.
 */
export function pathTemplate(path: string): string {
  return path
    .split('?')[0]
    .split('/')
    .map((segment) => (ID_SEGMENT.test(segment) ? '{id}' : segment))
    .join('/');
}

/**
 * Runs one outgoing HTTP request (one attempt: a client's retries are each their own) in a
 * CLIENT span under the active span, named `POST /v1/payment_intents/{id}/cancel`, ending with the
 * response's status (an error for a 5xx or no answer). No trace context is sent: the peer is a
 * third party. With tracing off, just `send()`.
 */
export function traceHttpRequest<T>(
  request: OutgoingHttpRequest,
  send: () => Promise<T>,
  statusOf: (response: T) => number,
): Promise<T> {
  if (!tracingEnabled()) {
    return send();
  }
  const route = pathTemplate(request.path);
  return trace.getTracer('@yugong/shared/telemetry').startActiveSpan(
    `${request.method} ${route}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': request.method,
        'url.template': route,
        'server.address': request.host,
        'server.port': request.port,
        'peer.service': request.peer,
      },
    },
    async (span) => {
      try {
        const response = await send();
        const status = statusOf(response);
        span.setAttribute('http.response.status_code', status);
        if (status >= 500) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
        }
        return response;
      } catch (error) {
        span.setAttribute('error.type', (error as { code?: string }).code ?? (error as Error).name);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
