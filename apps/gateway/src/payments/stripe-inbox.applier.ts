import { status as GrpcStatus } from '@grpc/grpc-js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import type { orders } from '@yugong/contracts';
import type Stripe from 'stripe';
import { inboxMetrics } from './stripe-inbox.metrics';
import type { ClaimedDelivery, StripeInboxRepository } from './stripe-inbox.repository';
import { toApplyPaymentEventRequest } from './stripe-webhook';

/** How the applier paces itself. */
export interface InboxApplierSettings {
  /** Deliveries claimed per pass. */
  batch: number;
  /** Of those, how many are in flight to the orders service at once. */
  concurrency: number;
  /** First back-off after a failed attempt; doubles per attempt up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** After this many failed attempts a delivery is parked (logged, counted, never retried). */
  maxAttempts: number;
}

/** Hands one mapped event to the orders service (`ApplyPaymentEvent`, idempotent on the event id). */
export type ApplyPaymentEvent = (request: orders.ApplyPaymentEventRequest) => Promise<void>;

/** Errors that the same request will meet again however often it is sent: parked at once. */
const PERMANENT = new Set<number>([GrpcStatus.INVALID_ARGUMENT]);

/**
 * Applies the inbox's deliveries at least once each. A pass claims, in one transaction, the
 * pending deliveries that are due with `FOR UPDATE SKIP LOCKED` (so any number of gateways share
 * the work and never hold the same row), hands each to the orders service, and marks it applied
 * before committing. An applier that dies between applying and committing leaves its rows
 * pending: they are applied again, and the orders service, which records each event id once in
 * the transaction of its effect, changes nothing the second time. A failed attempt is retried
 * with exponential back-off; after `maxAttempts`, or at once for an error no retry can fix
 * (INVALID_ARGUMENT), the delivery is parked: logged, counted and left for a person.
 */
export class StripeInboxApplier {
  private readonly logger = new Logger(StripeInboxApplier.name);
  private readonly metrics = inboxMetrics();

  constructor(
    private readonly em: EntityManager,
    private readonly inbox: StripeInboxRepository,
    private readonly apply: ApplyPaymentEvent,
    private readonly settings: InboxApplierSettings,
    /** Test seam: runs after an event is applied and before it is marked (e.g. to simulate a crash). */
    private readonly afterApply: (eventId: string) => void = () => undefined,
  ) {}

  /** One pass; answers how many deliveries it claimed (applied, retried later or parked). */
  async applyOnce(): Promise<number> {
    return this.em.fork().transactional(async (tx) => {
      const rows = await this.inbox.claimDue(tx, this.settings.batch);
      const applied: string[] = [];
      for (let at = 0; at < rows.length; at += this.settings.concurrency) {
        const chunk = rows.slice(at, at + this.settings.concurrency);
        const failures = await Promise.all(chunk.map((row) => this.attempt(row)));
        for (const [i, row] of chunk.entries()) {
          const failure = failures[i];
          if (failure === undefined) {
            this.afterApply(row.eventId);
            applied.push(row.eventId);
          } else {
            await this.defer(tx, row, failure);
          }
        }
      }
      await this.inbox.markApplied(tx, applied);
      this.metrics.applied.inc(applied.length);
      return rows.length;
    });
  }

  /** Undefined when applied; else the error. */
  private async attempt(row: ClaimedDelivery): Promise<unknown> {
    try {
      const event = JSON.parse(row.body) as Stripe.Event;
      await this.apply(toApplyPaymentEventRequest(event));
      return undefined;
    } catch (error) {
      return error ?? new Error('failed');
    }
  }

  private async defer(tx: EntityManager, row: ClaimedDelivery, error: unknown): Promise<void> {
    const attempts = row.attempts + 1;
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown }).code;
    const parked =
      attempts >= this.settings.maxAttempts ||
      error instanceof SyntaxError ||
      (typeof code === 'number' && PERMANENT.has(code));
    const wait = Math.min(this.settings.maxBackoffMs, this.settings.backoffMs * 2 ** (attempts - 1));
    await this.inbox.defer(tx, row.eventId, {
      attempts,
      error: message.slice(0, 500),
      waitMs: parked ? 'parked' : wait,
    });
    this.metrics.failures.inc({ outcome: parked ? 'parked' : 'retried' });
    if (parked) {
      this.logger.error(
        `stripe event ${row.eventId} (${row.type}) parked after ${attempts} attempt(s): ${message}`,
      );
    } else {
      this.logger.warn(
        `stripe event ${row.eventId} (${row.type}) not applied (attempt ${attempts}), again in ${wait} ms: ${message}`,
      );
    }
  }
}
