import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { inboxMetrics } from './stripe-inbox.metrics';
import { StripeInboxRepository } from './stripe-inbox.repository';
import { StripeInboxWriter } from './stripe-inbox.writer';
import { STRIPE_WEBHOOK_VERIFIER, type StripeWebhookVerifier } from './stripe-webhook';

/**
 * What the webhook route does before it answers: verify the delivery, then write it to the inbox
 * once per event id. That write is the acknowledgement (Stripe's advice: answer 2xx quickly,
 * process later); the inbox applier hands the event to the orders service afterwards. Deliveries
 * that arrive together share one insert and one commit ({@link StripeInboxWriter}).
 */
@Injectable()
export class StripeWebhookIntake {
  private readonly metrics = inboxMetrics();
  private readonly writer: StripeInboxWriter;

  constructor(
    @Inject(STRIPE_WEBHOOK_VERIFIER) private readonly verifier: StripeWebhookVerifier,
    em: EntityManager,
    inbox: StripeInboxRepository,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.writer = new StripeInboxWriter((deliveries) => inbox.recordAll(em, deliveries), {
      inFlight: config.STRIPE_INBOX_WRITES,
      maxBatch: config.STRIPE_INBOX_WRITE_BATCH,
    });
  }

  /**
   * Verifies and stores one delivery; `'duplicate'` when its event id was stored before.
   *
   * @throws StripeWebhookRejected (400 naming `stripe-signature` or `body`) for anything Stripe
   *   did not sign; nothing is written then
   */
  async receive(rawBody: Buffer, signature: string | string[] | undefined): Promise<'new' | 'duplicate'> {
    const event = this.verifier.constructEvent(rawBody, signature);
    const fresh = await this.writer.record({
      eventId: event.id,
      type: event.type,
      body: rawBody.toString('utf8'),
    });
    const result = fresh ? 'new' : 'duplicate';
    this.metrics.received.inc({ result });
    return result;
  }
}
