import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { GroupCommit } from '@yugong/shared/orm';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { inboxMetrics } from './stripe-inbox.metrics';
import { storedOnce, StripeInboxRepository, type InboxDelivery } from './stripe-inbox.repository';
import { STRIPE_WEBHOOK_VERIFIER, type StripeWebhookVerifier } from './stripe-webhook';

/**
 * What the webhook route does before it answers: verify the delivery, then write it to the inbox
 * once per event id. That write is the acknowledgement (Stripe's advice: answer 2xx quickly,
 * process later); the inbox applier hands the event to the orders service afterwards. Deliveries
 * that arrive together share one insert and one commit (a {@link GroupCommit}); each is answered
 * only once the statement holding it has committed.
 */
@Injectable()
export class StripeWebhookIntake {
  private readonly metrics = inboxMetrics();
  private readonly writer: GroupCommit<InboxDelivery, boolean>;

  constructor(
    @Inject(STRIPE_WEBHOOK_VERIFIER) private readonly verifier: StripeWebhookVerifier,
    em: EntityManager,
    inbox: StripeInboxRepository,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.writer = new GroupCommit(
      storedOnce((deliveries) => inbox.recordAll(em, deliveries)),
      { maxPerCall: config.STRIPE_INBOX_WRITE_BATCH, maxCallsInFlight: config.STRIPE_INBOX_WRITES },
    );
  }

  /**
   * Verifies and stores one delivery; `'duplicate'` when its event id was stored before.
   *
   * @throws StripeWebhookRejected (400 naming `stripe-signature` or `body`) for anything Stripe
   *   did not sign; nothing is written then
   */
  async receive(rawBody: Buffer, signature: string | string[] | undefined): Promise<'new' | 'duplicate'> {
    const event = this.verifier.constructEvent(rawBody, signature);
    const fresh = await this.writer.write({
      eventId: event.id,
      type: event.type,
      body: rawBody.toString('utf8'),
    });
    const result = fresh ? 'new' : 'duplicate';
    this.metrics.received.inc({ result });
    return result;
  }
}
