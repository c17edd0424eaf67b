import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { LoggerOptions } from 'pino';

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

/** pino settings shared by every service: JSON lines, ISO time, service name, redaction. */
export function pinoOptions(service: string, level: string): LoggerOptions {
  return {
    level,
    base: { service },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
}

/** nestjs-pino module parameters for an HTTP app: one line per request, with its request id. */
export function httpLoggerParams(service: string, level: string): Params {
  return {
    // path-to-regexp 8 syntax for "every route" (a bare '*' is converted with a warning).
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
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
    },
  };
}

/** nestjs-pino module parameters for a gRPC service (no HTTP request logging). */
export function serviceLoggerParams(service: string, level: string): Params {
  return { pinoHttp: { ...pinoOptions(service, level), autoLogging: false } };
}
