import { describeWithRedis, FakeStripe, type SignedWebhook, shuffled, until } from '@yugong/shared/testing';
import { Client } from 'pg';
import request from 'supertest';
import { signIn } from './support/accounts';
import { addAndCheckOut } from './support/checkout';
import { startPlatform, type Platform } from './support/platform';
import type { OrderJson, ProductJson } from './support/views';

// Orders is given STRIPE_SECRET_KEY and STRIPE_API_BASE pointing at the fake below: if it stops
// reading them, card checkouts answer 409 and this suite fails; it never skips for that.

describeWithRedis('card payments through the gateway and a fake Stripe', () => {
  let platform: Platform;
  let fake: FakeStripe;
  let catalogSql: Client;
  let gatewaySql: Client;
  let consumer: Record<string, string>;
  let officer: Record<string, string>;
  let product: ProductJson;
  /** The last event written before this suite's own (none unless the platform seeds the 2020 sales). */
  let seededUpTo = 0;

  beforeAll(async () => {
    fake = await FakeStripe.start();
    platform = await startPlatform(
      'stripe_e2e',
      {
        STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
        STRIPE_PUBLISHABLE_KEY: 'pk_test_e2ePublishableKey',
        RATE_LIMIT_PER_MINUTE: '100000',
      },
      { ordersEnv: { STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url } },
    );
    catalogSql = new Client({ connectionString: platform.catalogDatabaseUrl });
    await catalogSql.connect();
    gatewaySql = new Client({ connectionString: platform.gatewayDatabaseUrl });
    await gatewaySql.connect();
    consumer = await signIn(platform, 'consumer');
    officer = await signIn(platform, 'officer');
    const listed = await request(platform.http).get('/api/v1/products').query({ pageSize: 100 }).expect(200);
    product = listed.body.items.find((p: { stock: number }) => p.stock >= 10);
    expect(product).toBeDefined();
    // Any events written at boot came first: this suite's events are the ones after them.
    for (let page = await eventsAfter(0); page.length > 0; page = await eventsAfter(seededUpTo)) {
      seededUpTo = page.at(-1)!.id;
    }
  }, 120_000);

  /** Up to 500 order events after `afterId`, as the relief office reads them. */
  async function eventsAfter(afterId: number): Promise<{ id: number; orderId: string; type: string }[]> {
    const res = await request(platform.http)
      .get('/api/v1/orders/events')
      .query({ afterId, limit: 500 })
      .set(officer)
      .expect(200);
    return res.body.items;
  }

  afterAll(async () => {
    await catalogSql?.end();
    await gatewaySql?.end();
    await platform?.stop();
    await fake?.close();
  });

  it('offers a card with the publishable key, and lets Stripe.js through the content policy', async () => {
    const res = await request(platform.http).get('/api/v1/payments/options').expect(200);
    expect(res.body).toEqual({ manual: true, card: true, stripePublishableKey: 'pk_test_e2ePublishableKey' });
    expect(res.headers['content-security-policy']).toContain('script-src');
    expect(res.headers['content-security-policy']).toContain('https://js.stripe.com');
    expect(res.headers['content-security-policy']).toContain("connect-src 'self' https://api.stripe.com");
  });

  async function onHand(): Promise<number> {
    const { rows } = await catalogSql.query<{ n: string }>(
      'select coalesce(sum(on_hand), 0) as n from lot where product_id = $1',
      [product.id],
    );
    return Number(rows[0].n);
  }

  async function cardOrder(
    quantity: number,
    key: string,
  ): Promise<{ order: OrderJson; clientSecret: string }> {
    const placed = await addAndCheckOut(platform, consumer, { productId: product.id, quantity }, key, {
      paymentMethod: 'stripe',
      donationFen: 50,
    });
    expect(placed.status).toBe(201);
    return placed.body as { order: OrderJson; clientSecret: string };
  }

  async function orderOf(id: string): Promise<OrderJson> {
    return (await request(platform.http).get(`/api/v1/orders/${id}`).set(consumer).expect(200))
      .body as OrderJson;
  }

  /**
   * Waits until the gateway's inbox has applied every delivery it acknowledged (the route answers
   * once the event is stored; the inbox applier hands it to orders just after).
   */
  async function applied(): Promise<void> {
    await until(
      async () => {
        const { rows } = await gatewaySql.query<{ n: number }>(
          'select count(*)::int as n from stripe_inbox_event where applied_at is null',
        );
        return rows[0]!.n === 0 ? true : undefined;
      },
      15_000,
      'every stored Stripe event applied',
    );
  }

  function deliver(webhook: SignedWebhook) {
    return request(platform.http)
      .post('/api/v1/payments/stripe/webhook')
      .set('Content-Type', 'application/json; charset=utf-8')
      .set('Stripe-Signature', webhook.signature)
      .send(webhook.payload);
  }

  it('checks out by card, is paid by a genuine webhook, and ignores repeats and reordering', async () => {
    const stock = await onHand();
    const first = await cardOrder(2, 'card-order-0001');
    expect(first.clientSecret).toEqual(expect.any(String));
    expect(first.clientSecret).not.toBe('');
    expect(first.order).toMatchObject({
      status: 'pending_payment',
      total: { fen: 2 * product.price.fen + 50, currency: 'CNY' },
      payment: { method: 'stripe' },
    });
    const intentId = first.order.payment.reference!;
    expect(fake.paymentIntent(intentId)).toMatchObject({
      amount: first.order.total.fen,
      currency: 'cny',
      metadata: { order_id: first.order.id },
    });
    const replay = await request(platform.http)
      .post('/api/v1/checkout')
      .set(consumer)
      .set('Idempotency-Key', 'card-order-0001')
      .send({ paymentMethod: 'stripe', donationFen: 50 })
      .expect(201);
    expect(replay.body).toEqual(first);
    expect(await onHand()).toBe(stock - 2);

    // A second order whose first card attempt is declined before a second one succeeds.
    const second = await cardOrder(1, 'card-order-0002');
    const secondIntent = second.order.payment.reference!;
    const declined = fake.signWebhook(fake.fail(secondIntent));
    const succeeded = fake.signWebhook(fake.succeed(secondIntent));
    const paidFirst = fake.signWebhook(fake.succeed(intentId));

    // Nothing Stripe did not sign changes anything.
    const forged = fake.signWebhook(paidFirst.payload, { secret: 'whsec_someone_else_entirely' });
    await deliver(forged).expect(400);
    const changedByte = { ...paidFirst, payload: paidFirst.payload.replace('"evt_', '"evt-') };
    const refused = await deliver(changedByte).expect(400);
    expect(refused.body.fields).toEqual([{ field: 'stripe-signature', reason: 'does not match the body' }]);
    const stale = fake.signWebhook(paidFirst.payload, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    await deliver(stale).expect(400);
    expect((await orderOf(first.order.id)).status).toBe('pending_payment');

    const deliveries = shuffled(
      [declined, succeeded, paidFirst].flatMap((webhook) => Array.from({ length: 5 }, () => webhook)),
      20261128,
    );
    for (const webhook of deliveries) {
      const res = await deliver(webhook).expect(200);
      expect(res.body).toEqual({ received: true });
    }
    await applied();
    for (const placed of [first, second]) {
      const order = await orderOf(placed.order.id);
      expect(order).toMatchObject({
        status: 'paid',
        payment: { amountReceived: { fen: placed.order.total.fen } },
      });
    }
    expect(await onHand()).toBe(stock - 3);

    // Each order was paid once: one order.paid event apiece for the ledger.
    const events = await eventsAfter(seededUpTo);
    const paidEvents = events.filter((e: { type: string }) => e.type === 'order.paid');
    expect(paidEvents.map((e: { orderId: string }) => e.orderId).sort()).toEqual(
      [first.order.id, second.order.id].sort(),
    );

    // Stripe delivers the same events again much later: still the same state.
    for (const webhook of shuffled([declined, succeeded, paidFirst], 7)) {
      await deliver(fake.signWebhook(webhook.payload)).expect(200);
    }
    await applied();
    expect((await orderOf(second.order.id)).status).toBe('paid');
    expect(await eventsAfter(seededUpTo)).toHaveLength(events.length);
  });

  it('takes a card order from checkout to paid, shipped, delivered and partly refunded through Stripe', async () => {
    const stock = await onHand();
    const { order, clientSecret } = await cardOrder(3, 'card-journey-0001');
    expect(clientSecret).not.toBe('');
    await deliver(fake.signWebhook(fake.succeed(order.payment.reference!))).expect(200);
    await applied();
    expect((await orderOf(order.id)).status).toBe('paid');

    await request(platform.http)
      .post(`/api/v1/orders/${order.id}/shipments`)
      .set(officer)
      .send({ carrier: '顺丰', trackingNumber: 'SF1234567890' })
      .expect(200);
    const delivered = await request(platform.http)
      .post(`/api/v1/orders/${order.id}/delivery`)
      .set(consumer)
      .expect(200);
    expect(delivered.body.status).toBe('delivered');

    const refund = await request(platform.http)
      .post(`/api/v1/orders/${order.id}/refunds`)
      .set(officer)
      .set('Idempotency-Key', 'card-journey-refund-1')
      .send({ lines: [{ lineId: order.lines[0].id, quantity: 1 }], reason: '一件破损', goodsReturned: true })
      .expect(201);
    expect(refund.body.refund).toMatchObject({ status: 'succeeded', amount: { fen: product.price.fen } });
    const atStripe = fake.refund(refund.body.refund.reference as string);
    expect(atStripe).toMatchObject({
      amount: product.price.fen,
      status: 'succeeded',
      payment_intent: order.payment.reference,
    });
    // Stripe's own charge.refunded for it arrives, twice: nothing more is refunded.
    const refundedEvent = fake.signWebhook(fake.buildEvent('charge.refunded', order.payment.reference!));
    await deliver(refundedEvent).expect(200);
    await deliver(refundedEvent).expect(200);
    await applied();
    const after = await orderOf(order.id);
    expect(after.status).toBe('delivered');
    expect(after.refunds.map((r) => r.status)).toEqual(['succeeded']);
    // 3 sold, 1 came back with the refund.
    expect(await onHand()).toBe(stock - 2);
    const events = await eventsAfter(seededUpTo);
    expect(events.filter((e) => e.orderId === order.id).map((e) => e.type)).toEqual([
      'order.paid',
      'order.refunded',
    ]);
  });
});
