import { EntityManager } from '@mikro-orm/postgresql';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Periodic } from '@yugong/shared/jobs';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { OrdersClient } from '../orders/orders.client';
import { StripeInboxApplier } from './stripe-inbox.applier';
import { setInboxBacklogSource } from './stripe-inbox.metrics';
import { StripeInboxRepository } from './stripe-inbox.repository';

/**
 * Runs the Stripe inbox applier every STRIPE_INBOX_INTERVAL_MS, draining what is due a batch at
 * a time, and points the backlog gauges of /metrics at this gateway's inbox.
 */
@Injectable()
export class StripeInboxApplierJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StripeInboxApplierJob.name);
  private applier: StripeInboxApplier | undefined;
  private periodic: Periodic | undefined;
  private stopping = false;

  constructor(
    private readonly em: EntityManager,
    private readonly inbox: StripeInboxRepository,
    private readonly orders: OrdersClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap(): void {
    setInboxBacklogSource(() => this.inbox.backlog(this.em.fork()));
    this.applier = new StripeInboxApplier(
      this.em,
      this.inbox,
      async (request) => {
        // Orders applies each event id at most once, so repeating the call is safe.
        await this.orders.call('applyPaymentEvent', request, { idempotent: true });
      },
      {
        batch: this.config.STRIPE_INBOX_BATCH,
        concurrency: this.config.STRIPE_INBOX_CONCURRENCY,
        backoffMs: this.config.STRIPE_INBOX_BACKOFF_MS,
        maxBackoffMs: this.config.STRIPE_INBOX_MAX_BACKOFF_MS,
        maxAttempts: this.config.STRIPE_INBOX_MAX_ATTEMPTS,
      },
    );
    this.periodic = new Periodic(() => this.pass(), this.config.STRIPE_INBOX_INTERVAL_MS);
    this.periodic.start();
  }

  async onApplicationShutdown(): Promise<void> {
    // A pass in flight finishes its batch, not the whole backlog: the rest waits in the inbox.
    this.stopping = true;
    await this.periodic?.stop();
    setInboxBacklogSource(undefined);
  }

  private async pass(): Promise<void> {
    try {
      while (!this.stopping && (await this.applier!.applyOnce()) > 0) {
        /* keep going */
      }
    } catch (error) {
      this.logger.error(`stripe inbox pass failed: ${(error as Error).message}`);
    }
  }
}
