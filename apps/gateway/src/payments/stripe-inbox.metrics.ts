import { Counter, Gauge } from 'prom-client';
import type { InboxBacklog } from './stripe-inbox.repository';

/** Where the backlog gauges read from: the running gateway's inbox (one per process). */
let backlogSource: (() => Promise<InboxBacklog>) | undefined;

/** Points the backlog gauges at a gateway's inbox, or (undefined) at nothing. */
export function setInboxBacklogSource(source: (() => Promise<InboxBacklog>) | undefined): void {
  backlogSource = source;
}

/** The backlog, read once per scrape and shared by the three gauges. */
let scrape: Promise<InboxBacklog | undefined> | undefined;
function backlogNow(): Promise<InboxBacklog | undefined> {
  scrape ??= (backlogSource?.() ?? Promise.resolve(undefined))
    .catch(() => undefined)
    .finally(() => setImmediate(() => (scrape = undefined)));
  return scrape;
}

function backlogGauge(name: string, help: string, pick: (b: InboxBacklog) => number): Gauge {
  return new Gauge({
    name,
    help,
    async collect() {
      const backlog = await backlogNow();
      if (backlog) {
        this.set(pick(backlog));
      }
    },
  });
}

interface InboxMetrics {
  received: Counter<'result'>;
  applied: Counter;
  failures: Counter<'outcome'>;
}

let metrics: InboxMetrics | undefined;

/**
 * The Stripe inbox's metrics on the gateway's /metrics: deliveries received (new or duplicate),
 * events applied, failed attempts (retried or parked), and the backlog — pending, parked and the
 * age of the oldest pending delivery — read from the database at each scrape.
 */
export function inboxMetrics(): InboxMetrics {
  if (!metrics) {
    backlogGauge(
      'yugong_gateway_stripe_inbox_pending',
      'Stripe webhook deliveries acknowledged and not yet applied',
      (b) => b.pending,
    );
    backlogGauge(
      'yugong_gateway_stripe_inbox_parked',
      'Stripe webhook deliveries the applier gave up on (poison events, for a person to look at)',
      (b) => b.parked,
    );
    backlogGauge(
      'yugong_gateway_stripe_inbox_oldest_pending_seconds',
      'Age of the oldest pending Stripe webhook delivery',
      (b) => b.oldestPendingSeconds,
    );
    metrics = {
      received: new Counter({
        name: 'yugong_gateway_stripe_webhook_received_total',
        help: 'Verified Stripe webhook deliveries written to the inbox (new) or already there (duplicate)',
        labelNames: ['result'],
      }),
      applied: new Counter({
        name: 'yugong_gateway_stripe_inbox_applied_total',
        help: 'Stripe events the orders service applied (or had applied already)',
      }),
      failures: new Counter({
        name: 'yugong_gateway_stripe_inbox_failures_total',
        help: 'Failed attempts to apply a Stripe event: retried later, or parked',
        labelNames: ['outcome'],
      }),
    };
  }
  return metrics;
}
