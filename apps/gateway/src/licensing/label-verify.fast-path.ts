import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastPathLimit } from '../catalog/public-catalog.fast-path';
import { clientNetworkOf } from './client-network.util';
import type { LabelScans } from './label-scans.service';
import { labelVerificationJson } from './licensing.views';
import type { LotImpactService } from './lot-impact.service';

/** A label's verify route (not the signals'): the code is the last segment. */
const VERIFY = /^\/api\/v1\/labels\/([^/?]+)(?:\?|$)/;

/** What the fast path needs of Nest, resolved once the app is built. */
export interface LabelFastPathDeps {
  scans: LabelScans;
  impact: LotImpactService;
}

/**
 * Answers repeat scans of a label before the request enters Nest, when this gateway holds the
 * label's view (read from licensing by the normal route within the last second): the scan is
 * counted here as the route would, after the same per-IP rate limit. Anything else — a first
 * scan, a forged code, a code whose view expired — goes on through the full pipeline. Security
 * headers and metrics still apply; these hits are not written to the request log.
 */
export function registerLabelVerifyFastPath(
  fastify: FastifyInstance,
  resolve: () => LabelFastPathDeps,
  rate: FastPathLimit,
): void {
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'GET') {
      return;
    }
    const match = VERIFY.exec(request.url);
    const code = match ? decodeURIComponent(match[1]!).slice(0, 64) : undefined;
    if (!code || code === 'signals') {
      return;
    }
    const { scans, impact } = resolve();
    const canonical = scans.heldCode(code);
    if (!canonical) {
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
    const label = scans.scanCached(canonical, clientNetworkOf(request.ip));
    if (!label) {
      return;
    }
    const body = labelVerificationJson(label, await impact.of(label.lotId, String(request.id)));
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
  });
}
