// W3C trace context for the browser's API requests, without the OpenTelemetry web SDK (which
// would cost the storefront's first load tens of kB): each request starts a trace of its own and
// sends its `traceparent`, which the gateway continues. When a collector is configured, the
// browser's own CLIENT spans are sent to it as OTLP/JSON; otherwise nothing leaves the page but
// the header. README, "Observability".
import type { Middleware } from 'openapi-fetch';

/** Lower-case hex of `bytes` random bytes, never all zero (an invalid id in W3C trace context). */
export function randomHex(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  do {
    crypto.getRandomValues(buffer);
  } while (buffer.every((byte) => byte === 0));
  return Array.from(buffer, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** One request's trace: its ids and whether the browser records it. */
export interface BrowserTrace {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

/** The `traceparent` header of a trace: version 00, trace id, the browser's span id, flags. */
export function traceparentOf(trace: BrowserTrace): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.sampled ? '01' : '00'}`;
}

/** A finished CLIENT span of one request, as the browser saw it. */
export interface BrowserSpan extends BrowserTrace {
  method: string;
  /** The route as requested, without the query string (which may carry a search or a token). */
  path: string;
  startMs: number;
  endMs: number;
  /** The response's status; 0 when the request failed without one. */
  status: number;
}

/** Where browser spans go, and how many traces are recorded. */
export interface BrowserTracingSettings {
  /** The collector's OTLP/HTTP traces URL (`https://otel.example.org/v1/traces`); unset: none sent. */
  url?: string;
  /** Share of requests whose spans are recorded and sent, in percent (100). */
  samplePercent?: number;
  /** The service name the spans are sent under (`web`). */
  service?: string;
  /** Spans are sent in batches, at most this long after they end (ms; 5000). */
  flushMs?: number;
}

/** Milliseconds since the epoch (fractional) as OTLP's decimal string of nanoseconds. */
const nanos = (ms: number) => String(BigInt(Math.round(ms * 1_000)) * 1_000n);
/** Now, in ms since the epoch, finer than Date.now(). */
const now = () => performance.timeOrigin + performance.now();

/** The OTLP/JSON body (`ExportTraceServiceRequest`) of a batch of spans. */
export function otlpBody(spans: BrowserSpan[], service: string) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: '@yugong/web' },
            spans: spans.map((span) => ({
              traceId: span.traceId,
              spanId: span.spanId,
              name: `${span.method} ${span.path}`,
              kind: 3, // SPAN_KIND_CLIENT
              startTimeUnixNano: nanos(span.startMs),
              endTimeUnixNano: nanos(span.endMs),
              attributes: [
                { key: 'http.request.method', value: { stringValue: span.method } },
                { key: 'url.path', value: { stringValue: span.path } },
                { key: 'http.response.status_code', value: { intValue: span.status } },
              ],
              // STATUS_CODE_ERROR for no answer or a 5xx (a 4xx is the client's, not a fault).
              status: { code: span.status === 0 || span.status >= 500 ? 2 : 0 },
            })),
          },
        ],
      },
    ],
  };
}

/** Starts a trace per request and, when configured, records and sends the browser's spans. */
export class BrowserTracer {
  private readonly pending: BrowserSpan[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly settings: BrowserTracingSettings = {},
    private readonly send: typeof fetch = (...args) => fetch(...args),
  ) {}

  /** A new trace for one request: sampled only when spans are sent, and then by the share set. */
  start(): BrowserTrace {
    const percent = this.settings.samplePercent ?? 100;
    const sampled = this.settings.url !== undefined && Math.random() * 100 < percent;
    return { traceId: randomHex(16), spanId: randomHex(8), sampled };
  }

  /** Records a request's span (if its trace is sampled), sent with the next batch. */
  end(span: BrowserSpan): void {
    if (!span.sampled || !this.settings.url) {
      return;
    }
    this.pending.push(span);
    this.timer ??= setTimeout(() => void this.flush(), this.settings.flushMs ?? 5_000);
  }

  /**
   * Runs one request made without the typed client (`fetch` of a file, the register upload's
   * XMLHttpRequest): `request` is given the `traceparent` to send and answers the response (or
   * anything with its status), whose status the span records.
   */
  async around<R extends { status: number }>(
    method: string,
    path: string,
    request: (traceparent: string) => Promise<R>,
  ): Promise<R> {
    const trace = this.start();
    const startMs = now();
    let status = 0;
    try {
      const response = await request(traceparentOf(trace));
      status = response.status;
      return response;
    } finally {
      this.end({ ...trace, method, path, startMs, endMs: now(), status });
    }
  }

  /**
   * The openapi-fetch middleware: a `traceparent` on every request, and a span per request named
   * by its path template (`GET /api/v1/orders/{id}`), never by its ids or query.
   */
  middleware(): Middleware {
    const open = new Map<string, BrowserTrace & { method: string; path: string; startMs: number }>();
    const close = (id: string, status: number) => {
      const started = open.get(id);
      open.delete(id);
      if (started) {
        this.end({ ...started, endMs: now(), status });
      }
    };
    return {
      onRequest: ({ request, schemaPath, id }) => {
        const trace = this.start();
        request.headers.set('traceparent', traceparentOf(trace));
        open.set(id, { ...trace, method: request.method, path: schemaPath, startMs: now() });
        return request;
      },
      onResponse: ({ response, id }) => {
        close(id, response.status);
        return response;
      },
      onError: ({ id }) => {
        close(id, 0);
      },
    };
  }

  /** Sends the recorded spans now; a failed export is dropped (tracing never breaks the page). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0);
    if (batch.length === 0 || !this.settings.url) {
      return;
    }
    try {
      await this.send(this.settings.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(otlpBody(batch, this.settings.service ?? 'web')),
        keepalive: true,
      });
    } catch {
      /* dropped: the collector is down or refuses this origin */
    }
  }
}
