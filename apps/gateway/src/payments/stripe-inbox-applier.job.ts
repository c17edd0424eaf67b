import { EntityManager } from '@mikro-orm/postgresql';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { orders } from '@yugong/contracts';
import { Periodic } from '@yugong/shared/jobs';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { OrdersClient } from '../orders/orders.client';
import { StripeInboxApplier } from './stripe-inbox.applier';
import { setInboxBacklogSource } from './stripe-inbox.metrics';
import { StripeInboxRepository } from './stripe-inbox.repository';

/**
 * Per event sent, undefined when orders handled it, else its error with the gRPC status it failed
 * with; an answer that does not match the events sent fails them all.
 */
export function eventOutcomes(
  events: orders.ApplyPaymentEventRequest[],
  results: orders.AppliedPaymentEvent[],
): (undefined | (Error & { code: number }))[] {
  if (results.length !== events.length || results.some((r, i) => r.eventId !== events[i]!.eventId)) {
    throw new Error(
      `orders answered ${results.length} results for ${events.length} events, not one each in order`,
    );
  }
  return results.map((r) =>
    r.errorCode === 0
      ? undefined
      : Object.assign(new Error(r.errorMessage || 'failed'), { code: r.errorCode }),
  );
}

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
      async (events) => {
        // Orders applies each event id at most once, so repeating the call is safe.
        const { results } = await this.orders.call('applyPaymentEvents', { events }, { idempotent: true });
        return eventOutcomes(events, results);
      },
      {
        batch: this.config.STRIPE_INBOX_BATCH,
        perCall: this.config.STRIPE_INBOX_EVENTS_PER_CALL,
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
