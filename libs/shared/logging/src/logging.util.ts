import { RequestMethod } from '@nestjs/common';
import { context, trace } from '@opentelemetry/api';
import type { Params } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';

/**
 * Fields never written to a log line: credentials, tokens, and the personal data of households
 * (names, national IDs, payout accounts). Paths are pino redact paths; `*.x` covers one level deep.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-service-assertion"]',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'accessToken',
  '*.accessToken',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'name',
  '*.name',
  'headName',
  '*.headName',
  'nationalId',
  '*.nationalId',
  'payoutAccount',
  '*.payoutAccount',
];

/**
 * The ids of the active span, added to each log line (`trace_id`, `span_id`) so that a line leads
 * to its trace; nothing when no span is active (tracing off: the context is always empty).
 */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context.active());
  if (!span) {
    return {}; // pino merges the line's fields into what the mixin answers: a fresh object
  }
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** pino settings shared by every service: JSON lines, ISO time, service name, trace ids, redaction. */
export function pinoOptions(service: string, level: string): LoggerOptions {
  return {
    level,
    base: { service },
    mixin: traceFields,
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
}

let destination: DestinationStream | undefined;

/**
 * Where every service's log lines go in this process: stdout (pino's default) unless a host that
 * runs several services in one process (`npm start`) sets a stream that prefixes each line.
 */
export function setLogDestination(stream: DestinationStream | undefined): void {
  destination = stream;
}

const serviceOfLogger = new WeakMap<object, string | undefined>();

/**
 * The service whose async context this code runs in, as its logger names it (see
 * {@link runAsService}; in an HTTP request, the request's logger): how code shared by services in
 * one process (the tracing SDK) tells them apart. Undefined outside every service's context.
 */
export function serviceOfContext(): string | undefined {
  const logger = storage.getStore()?.logger;
  if (!logger) {
    return undefined;
  }
  if (!serviceOfLogger.has(logger)) {
    const service = (logger as { bindings?: () => Record<string, unknown> }).bindings?.().service;
    serviceOfLogger.set(logger, typeof service === 'string' ? service : undefined);
  }
  return serviceOfLogger.get(logger);
}

/** pino-http's options, as nestjs-pino takes them. */
type HttpOptions = Extract<NonNullable<Params['pinoHttp']>, unknown[]>[0];

/** pino-http settings with the process's destination, when one is set. */
function withDestination(options: HttpOptions): Params['pinoHttp'] {
  return destination ? [options, destination] : options;
}

/**
 * Runs `boot` (and everything it starts: servers, timers, jobs) with `service`'s logger as the one
 * nestjs-pino uses outside an HTTP request. nestjs-pino keeps one such logger per process (the
 * first app's); with several apps in one process each app's lines would otherwise all carry the
 * first app's name. Its async context is where nestjs-pino looks first, and it follows every
 * callback the app schedules.
 */
export function runAsService<T>(service: string, level: string, boot: () => T): T {
  const options = pinoOptions(service, level);
  const logger = destination ? pino(options, destination) : pino(options);
  return storage.run(new Store(logger), boot);
}

/** nestjs-pino module parameters for an HTTP app: one line per request, with its request id. */
export function httpLoggerParams(service: string, level: string): Params {
  return {
    // path-to-regexp 8 syntax for "every route" (a bare '*' is converted with a warning).
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: withDestination({
      ...pinoOptions(service, level),
      genReqId: (req) => (req as { id?: string }).id ?? '',
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  };
}

/** nestjs-pino module parameters for a gRPC service (no HTTP request logging). */
export function serviceLoggerParams(service: string, level: string): Params {
  return { pinoHttp: withDestination({ ...pinoOptions(service, level), autoLogging: false }) };
}
