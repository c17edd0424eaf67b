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
  /** Events sent in one ApplyPaymentEvents call. */
  perCall: number;
  /** Calls in flight to the orders service at once. */
  concurrency: number;
  /** First back-off after a failed attempt; doubles per attempt up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** After this many failed attempts a delivery is parked (logged, counted, never retried). */
  maxAttempts: number;
}

/**
 * Hands mapped events to the orders service in one call (`ApplyPaymentEvents`, idempotent on each
 * event id); answers, per event in the order sent, undefined when it was handled or its error
 * (with the gRPC status `code` it failed with). A call that fails as a whole rejects.
 */
export type ApplyPaymentEvents = (
  requests: orders.ApplyPaymentEventRequest[],
) => Promise<(undefined | (Error & { code?: number }))[]>;

/** Errors that the same request will meet again however often it is sent: parked at once. */
const PERMANENT = new Set<number>([GrpcStatus.INVALID_ARGUMENT]);

/**
 * Applies the inbox's deliveries at least once each. A pass claims, in one transaction, the
 * pending deliveries that are due with `FOR UPDATE SKIP LOCKED` (so any number of gateways share
 * the work and never hold the same row), hands them to the orders service `perCall` events a call
 * (`ApplyPaymentEvents`, which answers per event), and marks the applied ones before committing. An applier that dies between applying and committing leaves its rows
 * pending: they are applied again, and the orders service, which records each event id once in
 * the transaction of its effect, changes nothing the second time. A failed attempt is retried
 * (alone: the others of its call are applied) with exponential back-off; after `maxAttempts`, or at once for an error no retry can fix
 * (INVALID_ARGUMENT), the delivery is parked: logged, counted and left for a person.
 */
export class StripeInboxApplier {
  private readonly logger = new Logger(StripeInboxApplier.name);
  private readonly metrics = inboxMetrics();

  constructor(
    private readonly em: EntityManager,
    private readonly inbox: StripeInboxRepository,
    private readonly apply: ApplyPaymentEvents,
    private readonly settings: InboxApplierSettings,
    /** Test seam: runs after an event is applied and before it is marked (e.g. to simulate a crash). */
    private readonly afterApply: (eventId: string) => void = () => undefined,
  ) {}

  /** One pass; answers how many deliveries it claimed (applied, retried later or parked). */
  async applyOnce(): Promise<number> {
    return this.em.fork().transactional(async (tx) => {
      const rows = await this.inbox.claimDue(tx, this.settings.batch);
      const calls: ClaimedDelivery[][] = [];
      for (let at = 0; at < rows.length; at += this.settings.perCall) {
        calls.push(rows.slice(at, at + this.settings.perCall));
      }
      const applied: string[] = [];
      for (let at = 0; at < calls.length; at += this.settings.concurrency) {
        const wave = calls.slice(at, at + this.settings.concurrency);
        const outcomes = await Promise.all(wave.map((call) => this.attempt(call)));
        for (const [c, call] of wave.entries()) {
          for (const [i, row] of call.entries()) {
            const failure = outcomes[c]![i];
            if (failure === undefined) {
              this.afterApply(row.eventId);
              applied.push(row.eventId);
            } else {
              await this.defer(tx, row, failure);
            }
          }
        }
      }
      await this.inbox.markApplied(tx, applied);
      this.metrics.applied.inc(applied.length);
      return rows.length;
    });
  }

  /**
   * One call for `rows`: per row, undefined when applied, else its error. A body that does not
   * parse is not sent (its SyntaxError parks it); a call that fails as a whole fails every row.
   */
  private async attempt(rows: ClaimedDelivery[]): Promise<unknown[]> {
    const outcomes: unknown[] = new Array(rows.length);
    const sent: number[] = [];
    const requests: orders.ApplyPaymentEventRequest[] = [];
    for (const [i, row] of rows.entries()) {
      try {
        requests.push(toApplyPaymentEventRequest(JSON.parse(row.body) as Stripe.Event));
        sent.push(i);
      } catch (error) {
        outcomes[i] = error ?? new Error('failed');
      }
    }
    if (requests.length === 0) {
      return outcomes;
    }
    try {
      const answers = await this.apply(requests);
      for (const [k, i] of sent.entries()) {
        outcomes[i] = answers[k];
      }
    } catch (error) {
      for (const i of sent) {
        outcomes[i] = error ?? new Error('failed');
      }
    }
    return outcomes;
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
