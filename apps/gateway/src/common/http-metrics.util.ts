import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Histogram } from 'prom-client';

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
