import { Logger } from '@nestjs/common';
import { toHttpError } from '@yugong/shared/errors';
import { errorCodes, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { STRIPE_SIGNATURE_HEADER, STRIPE_WEBHOOK_PATH } from './stripe-webhook';
import type { StripeWebhookIntake } from './stripe-webhook-intake.service';

const RECEIVED = '{"received":true}';

/** The raw body, refused with Fastify's own 413 error past `limit` bytes. */
function readBody(raw: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(raw.headers['content-length'] ?? 0) > limit) {
      reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      raw.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    raw.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
        raw.removeAllListeners('data');
        raw.resume();
        return;
      }
      chunks.push(chunk);
    });
    raw.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    raw.once('error', reject);
  });
}

/**
 * Answers Stripe's webhook deliveries before the request enters Nest: the signature is checked on
 * the raw bytes and the delivery written to the inbox (one insert, once per event id), then 200
 * `{"received":true}`; anything Stripe did not sign gets 400 naming `stripe-signature` or `body`
 * and writes nothing. Security headers and metrics still apply (Fastify's hooks); the request log
 * does not list these (they are counted in the metrics instead). The Nest route of the same path
 * documents it in OpenAPI and keeps its label in the metrics.
 */
export function registerStripeWebhookFastPath(
  fastify: FastifyInstance,
  intake: () => StripeWebhookIntake,
  bodyLimit: number,
): void {
  const logger = new Logger('StripeWebhook');
  const query = `${STRIPE_WEBHOOK_PATH}?`;
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (
      request.method !== 'POST' ||
      (request.url !== STRIPE_WEBHOOK_PATH && !request.url.startsWith(query))
    ) {
      return;
    }
    try {
      const body = await readBody(request.raw, bodyLimit);
      await intake().receive(body, request.headers[STRIPE_SIGNATURE_HEADER]);
      return reply.code(200).type('application/json; charset=utf-8').send(RECEIVED);
    } catch (error) {
      const answer = toHttpError(error);
      if (answer.status >= 500) {
        // Nothing was stored: 503 so that Stripe delivers it again.
        logger.error(`stripe webhook not stored: ${(error as Error).message}`);
        return reply
          .code(503)
          .send({ error: 'UNAVAILABLE', message: 'The webhook could not be stored; deliver it again' });
      }
      return reply.code(answer.status).send(answer.body);
    }
  });
}
