import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ReadCache } from '@yugong/shared/cache';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where the public catalogue is read: the listing and one product. */
const PUBLIC_READ = /^\/api\/v1\/products(\?|\/[0-9a-fA-F-]{36}(\?|$)|$)/;

/** The name under which the response for one exact public URL is remembered. */
export function publicUrlKey(url: string): string {
  return `url:${url}`;
}

/** The rate limit every route shares (see `throttlers()`): per client IP and minute. */
export interface FastPathLimit {
  storage: ThrottlerStorage;
  limit: number;
  ttlMs: number;
}

/**
 * Answers repeat reads of the public catalogue from this process's cache before the request
 * enters Nest: a listing that was already served (validated, loaded and cached by the normal route)
 * is sent again as the same bytes, after the same per-IP rate limit. Anything else — a first read,
 * a signed-in caller, a URL never seen — goes on through the full pipeline (validation, guards,
 * logging), which fills the cache for next time. Security headers (helmet) and metrics still apply;
 * these hits are not written to the request log, only counted in the metrics.
 */
export function registerPublicCatalogFastPath(
  fastify: FastifyInstance,
  cache: ReadCache,
  rate: FastPathLimit,
): void {
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (
      request.method !== 'GET' ||
      request.headers.authorization !== undefined ||
      !PUBLIC_READ.test(request.url)
    ) {
      return;
    }
    const body = cache.peek(publicUrlKey(request.url));
    if (body === undefined) {
      return;
    }
    const hit = await rate.storage.increment(
      `default:${request.ip}`,
      rate.ttlMs,
      rate.limit,
      rate.ttlMs,
      'default',
    );
    if (hit.isBlocked) {
      return; // the full pipeline answers 429 with its usual body and headers
    }
    return reply.type('application/json; charset=utf-8').send(body);
  });
}
