import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Histogram, register } from 'prom-client';

let registered = false;

/**
 * Prometheus metrics of the HTTP edge: Node's default process metrics and a request-duration
 * histogram labelled by method, route pattern (not the raw URL, to bound cardinality) and status.
 */
export function instrumentHttp(fastify: FastifyInstance): void {
  if (!registered) {
    collectDefaultMetrics({ prefix: 'yugong_gateway_' });
    registered = true;
  }
  const duration = histogram();
  fastify.addHook('onResponse', (request, reply, done) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1_000,
    );
    done();
  });
}

let cached: Histogram | undefined;
function histogram(): Histogram {
  cached ??= new Histogram({
    name: 'yugong_gateway_http_request_duration_seconds',
    help: 'HTTP request duration at the gateway',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  return cached;
}

/** Where GET /metrics is served and who may read it. */
export interface MetricsSettings {
  /** When set, a request must send `Authorization: Bearer <token>`; else 401. */
  token?: string;
  /** When set, metrics are served on their own listener on this port, not on the API's. */
  port?: number;
  /** The interface the separate listener binds to. */
  host: string;
}

/**
 * Serves the Prometheus metrics: on `fastify` (the API's own listener), or with `settings.port`
 * on a listener of their own, opened here, so that a network policy can keep scrapers apart
 * from users. Answers the function that closes that listener.
 */
export async function serveMetrics(
  fastify: FastifyInstance,
  settings: MetricsSettings,
): Promise<() => Promise<void>> {
  const expected = settings.token === undefined ? undefined : digest(settings.token);
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    if (expected && !bearerMatches(request.headers.authorization, expected)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'UNAUTHENTICATED', message: 'metrics need the metrics token' });
    }
    return reply.header('content-type', register.contentType).send(await register.metrics());
  };
  if (settings.port === undefined) {
    fastify.get('/metrics', handler);
    return async () => undefined;
  }
  const own = Fastify();
  own.get('/metrics', handler);
  await own.listen({ port: settings.port, host: settings.host });
  return () => own.close();
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compares digests, so that the time taken says nothing about how much of the token matched. */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer (.+)$/i.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1]), expected);
}
