import { EntityManager } from '@mikro-orm/postgresql';
import { describeWithRedis, FakeStripe, type SignedWebhook, shuffled } from '@yugong/shared/testing';
import { Client } from 'pg';
import request from 'supertest';
import { OrdersClient } from '../src/orders/orders.client';
import { eventOutcomes } from '../src/payments/stripe-inbox-applier.job';
import { StripeInboxApplier } from '../src/payments/stripe-inbox.applier';
import { StripeInboxRepository } from '../src/payments/stripe-inbox.repository';
import { signIn } from './support/accounts';
import { addAndCheckOut } from './support/checkout';
import { startPlatform, type Platform } from './support/platform';
import type { OrderJson, ProductJson } from './support/views';

const ORDERS = 6;

/**
 * The inbox's promise: an acknowledged Stripe event is applied to its order exactly once, even
 * when the applier dies in the middle of a batch (after orders applied some events and before the
 * inbox marked them) and Stripe delivers every event several times. The platform's own applier
 * job is held off (STRIPE_INBOX_INTERVAL_MS is a minute) so that the test runs the applier itself:
 * first one that dies after its third event, then a fresh one, as a restarted gateway would.
 */
describeWithRedis('Stripe inbox: an applier killed mid-batch, restarted', () => {
  let platform: Platform;
  let fake: FakeStripe;
  let gatewaySql: Client;
  let ordersSql: Client;
  let catalogSql: Client;
  let consumer: Record<string, string>;
  let product: ProductJson;

  beforeAll(async () => {
    fake = await FakeStripe.start();
    platform = await startPlatform(
      'stripe_inbox_e2e',
      {
        STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
        RATE_LIMIT_PER_MINUTE: '100000',
        STRIPE_INBOX_INTERVAL_MS: '60000',
      },
      {
        ordersEnv: {
          STRIPE_SECRET_KEY: fake.secretKey,
          STRIPE_API_BASE: fake.url,
          MAX_UNPAID_ORDERS_PER_BUYER: '20',
        },
      },
    );
    gatewaySql = new Client({ connectionString: platform.gatewayDatabaseUrl });
    ordersSql = new Client({ connectionString: platform.ordersDatabaseUrl });
    catalogSql = new Client({ connectionString: platform.catalogDatabaseUrl });
    await Promise.all([gatewaySql.connect(), ordersSql.connect(), catalogSql.connect()]);
    consumer = await signIn(platform, 'consumer');
    const listed = await request(platform.http).get('/api/v1/products').query({ pageSize: 100 }).expect(200);
    product = listed.body.items.find((p: { stock: number }) => p.stock >= ORDERS);
    expect(product).toBeDefined();
  }, 120_000);

  afterAll(async () => {
    await Promise.all([gatewaySql?.end(), ordersSql?.end(), catalogSql?.end()]);
    await platform?.stop();
    await fake?.close();
  });

  function deliver(webhook: SignedWebhook) {
    return request(platform.http)
      .post('/api/v1/payments/stripe/webhook')
      .set('Content-Type', 'application/json; charset=utf-8')
      .set('Stripe-Signature', webhook.signature)
      .send(webhook.payload);
  }

  async function onHand(): Promise<number> {
    const { rows } = await catalogSql.query<{ n: string }>(
      'select coalesce(sum(on_hand), 0) as n from lot where product_id = $1',
      [product.id],
    );
    return Number(rows[0]!.n);
  }

  function applier(afterApply?: (eventId: string) => void): StripeInboxApplier {
    const orders = platform.app.get(OrdersClient);
    return new StripeInboxApplier(
      platform.app.get(EntityManager),
      platform.app.get(StripeInboxRepository),
      async (events) =>
        eventOutcomes(
          events,
          (await orders.call('applyPaymentEvents', { events }, { idempotent: true })).results,
        ),
      // Calls of 3 events, one at a time: the one that dies has had its first call applied, not its second.
      { batch: 100, perCall: 3, concurrency: 1, backoffMs: 10, maxBackoffMs: 100, maxAttempts: 5 },
      afterApply,
    );
  }

  it('applies every acknowledged event exactly once', async () => {
    const stock = await onHand();
    const placed: OrderJson[] = [];
    for (let i = 0; i < ORDERS; i++) {
      const res = await addAndCheckOut(
        platform,
        consumer,
        { productId: product.id, quantity: 1 },
        `inbox-order-${String(i).padStart(4, '0')}`,
        {
          paymentMethod: 'stripe',
        },
      );
      expect(res.status).toBe(201);
      placed.push(res.body.order as OrderJson);
    }
    const webhooks = placed.map((order) => fake.signWebhook(fake.succeed(order.payment.reference!)));
    const eventIds = webhooks.map((w) => JSON.parse(w.payload).id as string);

    // Stripe delivers each event three times, in no particular order, some at once.
    const deliveries = shuffled([...webhooks, ...webhooks, ...webhooks], 20261203);
    const answers = await Promise.all(deliveries.map((w) => deliver(w)));
    expect(answers.map((a) => a.status)).toEqual(deliveries.map(() => 200));
    const stored = await gatewaySql.query<{ event_id: string }>(
      'select event_id from stripe_inbox_event where applied_at is null order by event_id',
    );
    expect(stored.rows.map((r) => r.event_id)).toEqual([...eventIds].sort());

    // The applier dies after orders applied its third event, before the batch was marked.
    let applied = 0;
    const dying = applier(() => {
      applied += 1;
      if (applied === 3) {
        throw new Error('killed mid-batch');
      }
    });
    await expect(dying.applyOnce()).rejects.toThrow('killed mid-batch');
    const paidMeanwhile = await ordersSql.query(
      `select count(*)::int as n from customer_order where id = any($1::uuid[]) and status = 'paid'`,
      [placed.map((o) => o.id)],
    );
    expect(paidMeanwhile.rows[0].n).toBeGreaterThanOrEqual(3);
    expect(paidMeanwhile.rows[0].n).toBeLessThan(ORDERS);
    const stillPending = await gatewaySql.query(
      'select count(*)::int as n from stripe_inbox_event where applied_at is null and parked_at is null',
    );
    expect(stillPending.rows[0].n).toBe(ORDERS);

    // Stripe delivers them again while the applier is down: nothing more is stored.
    for (const webhook of webhooks) {
      await deliver(webhook).expect(200);
    }

    // Restarted: a fresh applier drains the inbox.
    const restarted = applier();
    while ((await restarted.applyOnce()) > 0) {
      /* drain */
    }
    const inbox = await gatewaySql.query<{ event_id: string; applied: boolean; parked: boolean }>(
      `select event_id, applied_at is not null as applied, parked_at is not null as parked
         from stripe_inbox_event order by event_id`,
    );
    expect(inbox.rows).toEqual(
      [...eventIds].sort().map((id) => ({ event_id: id, applied: true, parked: false })),
    );

    // Orders recorded each event once, paid each order once, and the stock went once per order.
    const recorded = await ordersSql.query<{ event_id: string; outcome: string }>(
      'select event_id, outcome from payment_event where event_id = any($1::text[]) order by event_id',
      [eventIds],
    );
    expect(recorded.rows).toEqual([...eventIds].sort().map((id) => ({ event_id: id, outcome: 'applied' })));
    const paidEvents = await ordersSql.query<{ order_id: string; n: number }>(
      `select order_id, count(*)::int as n from outbox_event
        where type = 'order.paid' and order_id = any($1::uuid[]) group by order_id`,
      [placed.map((o) => o.id)],
    );
    expect(paidEvents.rows).toHaveLength(ORDERS);
    expect(paidEvents.rows.every((r) => r.n === 1)).toBe(true);
    const statuses = await ordersSql.query<{ status: string }>(
      'select status from customer_order where id = any($1::uuid[])',
      [placed.map((o) => o.id)],
    );
    expect(statuses.rows.map((r) => r.status)).toEqual(placed.map(() => 'paid'));
    expect(await onHand()).toBe(stock - ORDERS);
  });
});
