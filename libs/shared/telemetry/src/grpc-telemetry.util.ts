import { status as GrpcStatus, type Metadata } from '@grpc/grpc-js';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { toRpcError } from '@yugong/shared/errors';
import { Histogram } from 'prom-client';
import { SERVICE_ATTRIBUTE, tracingEnabled } from './tracing';

const TRACER = '@yugong/shared/telemetry';

const setter: TextMapSetter<Metadata> = {
  set: (metadata, key, value) => metadata.set(key, value),
};

const getter: TextMapGetter<Metadata> = {
  keys: (metadata) => Object.keys(metadata.getMap()),
  get: (metadata, key) => {
    const values = metadata.get(key);
    return values.length === 0 ? undefined : values.map(String);
  },
};

let handling: Histogram<'service' | 'method' | 'code'> | undefined;

/**
 * The RED histogram of gRPC servers: one series per service, method and status code (all three
 * bounded: methods are those of the contracts, as grpc-js answers unknown ones itself). Its
 * `_count` is the rate, the codes other than OK the errors, the buckets the duration.
 */
export function grpcServerHistogram(): Histogram<'service' | 'method' | 'code'> {
  handling ??= new Histogram({
    name: 'yugong_grpc_server_handling_seconds',
    help: 'gRPC calls handled by a service, by method and status code',
    labelNames: ['service', 'method', 'code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  return handling;
}

let calling: Histogram<'service' | 'peer' | 'method' | 'code'> | undefined;

/**
 * The RED histogram of gRPC clients: each call a service makes, as it saw it (retries included,
 * from the first attempt to the last answer), by calling service, service called, method and the
 * status it ended with (DEADLINE_EXCEEDED, UNAVAILABLE: what the server's histogram never sees).
 */
export function grpcClientHistogram(): Histogram<'service' | 'peer' | 'method' | 'code'> {
  calling ??= new Histogram({
    name: 'yugong_grpc_client_handling_seconds',
    help: 'gRPC calls made by a service, by service called, method and status code',
    labelNames: ['service', 'peer', 'method', 'code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
  });
  return calling;
}

const CODE_NAMES = Object.fromEntries(
  Object.entries(GrpcStatus)
    .filter(([, value]) => typeof value === 'number')
    .map(([name, value]) => [value, name]),
) as Record<number, string>;

type Series = ReturnType<Histogram<'service' | 'method' | 'code'>['labels']>;
const series = new Map<string, Series>();

/** The histogram's series of one service, method and code, looked up once (labels hash per call). */
function seriesOf(service: string, method: string, code: number): Series {
  const key = `${service} ${method} ${code}`;
  let found = series.get(key);
  if (!found) {
    found = grpcServerHistogram().labels({ service, method, code: CODE_NAMES[code] ?? String(code) });
    series.set(key, found);
  }
  return found;
}

type ClientSeries = ReturnType<Histogram<'service' | 'peer' | 'method' | 'code'>['labels']>;
const clientSeries = new Map<string, ClientSeries>();

/**
 * Counts one outgoing call in {@link grpcClientHistogram}: made by `service` to `peer`, started at
 * `started` (`performance.now()`), ended by `error` (a grpc-js ServiceError; any other error is
 * UNKNOWN) or, without one, OK.
 *
 * @param rpc - the method's path, `/yugong.orders.v1.OrdersService/GetOrder`
 */
export function observeGrpcClientCall(
  service: string,
  peer: string,
  rpc: string,
  started: number,
  error?: unknown,
): void {
  const code = error === undefined ? GrpcStatus.OK : clientStatusOf(error);
  const key = `${service} ${peer} ${rpc} ${code}`;
  let found = clientSeries.get(key);
  if (!found) {
    const method = rpc.startsWith('/') ? rpc.slice(1) : rpc;
    found = grpcClientHistogram().labels({ service, peer, method, code: CODE_NAMES[code] ?? String(code) });
    clientSeries.set(key, found);
  }
  found.observe((performance.now() - started) / 1_000);
}

function clientStatusOf(error: unknown): number {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code in CODE_NAMES ? code : GrpcStatus.UNKNOWN;
}

/**
 * The status a handler's error ends its call with: its own when the exception filter already made
 * it a gRPC error (`{ code, message, metadata }`), else what the filter will send.
 */
function statusOf(error: unknown): number {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code in CODE_NAMES ? code : toRpcError(error).code;
}

/** grpc-js's answer to a call: an error, or none and the reply. */
export type GrpcAnswer = (error: unknown, ...reply: unknown[]) => void;

/**
 * Runs one gRPC call's handling, which ends by calling `answer` (grpc-js's callback for unary and
 * client-streaming calls), measured for the RED histogram and, when tracing is on, inside a SERVER
 * span that continues the caller's trace from the call's metadata (`traceparent`). The parent
 * comes from the metadata only, never from whatever context the connection was opened in (in one
 * process a client's own context). `handle` is given the answer to call instead.
 *
 * @param service - the Yugong service handling the call (`catalog`)
 * @param rpc - the method's path, `/yugong.catalog.v1.CatalogService/GetProduct`
 */
export function observeGrpcCall<T>(
  service: string,
  rpc: string,
  metadata: Metadata | undefined,
  answer: GrpcAnswer,
  handle: (answer: GrpcAnswer) => T,
): T {
  const started = performance.now();
  const method = rpc.startsWith('/') ? rpc.slice(1) : rpc;
  const parent =
    tracingEnabled() && metadata ? propagation.extract(ROOT_CONTEXT, metadata, getter) : ROOT_CONTEXT;
  const span = tracingEnabled() ? serverSpan(service, method, parent) : undefined;
  const measured: GrpcAnswer = (error, ...reply) => {
    const code = error ? statusOf(error) : GrpcStatus.OK;
    seriesOf(service, method, code).observe((performance.now() - started) / 1_000);
    if (span) {
      span.setAttribute('rpc.grpc.status_code', code);
      if (code !== GrpcStatus.OK) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      }
      span.end();
    }
    answer(error, ...reply);
  };
  return span ? context.with(trace.setSpan(parent, span), () => handle(measured)) : handle(measured);
}

function serverSpan(service: string, method: string, parent: Context): Span {
  const [rpcService, rpcMethod] = method.split('/');
  return trace.getTracer(TRACER).startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'rpc.system': 'grpc',
        'rpc.service': rpcService,
        'rpc.method': rpcMethod,
        [SERVICE_ATTRIBUTE]: service,
      },
    },
    parent,
  );
}

/**
 * Runs one outgoing gRPC call (`call` makes it, retries included) inside a CLIENT span, and
 * writes the span's W3C trace context into the call's metadata. Without tracing: just `call()`.
 *
 * @param rpc - the method's path, `/yugong.catalog.v1.CatalogService/HoldStock`
 * @param peer - the service called (`catalog`)
 */
export function traceGrpcCall<T>(
  rpc: string,
  peer: string,
  metadata: Metadata,
  call: () => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) {
    return call();
  }
  const method = rpc.slice(1);
  const [rpcService, rpcMethod] = method.split('/');
  return trace.getTracer(TRACER).startActiveSpan(
    method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'rpc.system': 'grpc',
        'rpc.service': rpcService,
        'rpc.method': rpcMethod,
        'peer.service': peer,
      },
    },
    async (span) => {
      propagation.inject(context.active(), metadata, setter);
      try {
        const result = await call();
        span.setAttribute('rpc.grpc.status_code', GrpcStatus.OK);
        return result;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        span.setAttribute('rpc.grpc.status_code', typeof code === 'number' ? code : GrpcStatus.UNKNOWN);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
