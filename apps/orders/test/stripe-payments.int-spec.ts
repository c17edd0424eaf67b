import { orders as contract } from '@yugong/contracts';
import {
  describeWithRedis,
  errorFieldNames,
  expectRejection,
  FakeStripe,
  testRedisUrl,
  uniqueRedisPrefix,
  type FakeStripeEvent,
  shuffled,
  until,
} from '@yugong/shared/testing';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
// The gateway's own mapping of a verified Stripe event, so these events reach orders as they do deployed.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { toApplyPaymentEventRequest } from '../../gateway/src/payments/stripe-webhook';
import { OrdersService } from '../src/orders/orders.service';
import { PaymentReconcilerJob } from '../src/payments/payment-reconciler.job';
import { consumer, OFFICER, startTestOrders, type TestOrders, type WireOrder } from './support/harness';

type Stripe = import('stripe').Stripe;

describeWithRedis('card payments in the orders service, against a fake Stripe', () => {
  let fake: FakeStripe;
  let orders: TestOrders;
  let catalog: TestOrders['catalog'];
  let call: TestOrders['call'];
  let sql: Client;
  let producerId: string;

  beforeAll(async () => {
    fake = await FakeStripe.start();
    orders = await startTestOrders('stripe_orders', {
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: uniqueRedisPrefix('stripe_orders'),
      GRPC_DEADLINE_MS: '20000',
      DB_POOL_MAX: '20',
      STRIPE_SECRET_KEY: fake.secretKey,
      STRIPE_API_BASE: fake.url,
      STRIPE_MAX_RETRIES: '1',
      RECONCILE_AFTER_MS: '1000',
      // Passes are started by hand here; the timer's own pass is covered by the restart test.
      RECONCILE_INTERVAL_MS: '3600000',
    });
    ({ catalog, call, sql } = orders);
    producerId = await catalog.producer();
  });

  afterAll(async () => {
    await orders?.close();
    await fake?.close();
  });

  const key = () => randomBytes(12).toString('base64url');

  async function cardOrder(productId: string, quantity = 1) {
    const buyer = consumer();
    await call('addCartItem', { productId, quantity }, buyer);
    const res = await call(
      'checkout',
      { idempotencyKey: key(), paymentMethod: contract.PaymentMethod.PAYMENT_METHOD_STRIPE, donationFen: 30 },
      buyer,
    );
    return { buyer, order: res.order, clientSecret: res.clientSecret, intent: res.order.payment.reference };
  }

  const orderOf = async (id: string) => (await call('getOrder', { id }, OFFICER)).order;
  const apply = (event: FakeStripeEvent) =>
    call(
      'applyPaymentEvent',
      toApplyPaymentEventRequest(event as unknown as Parameters<typeof toApplyPaymentEventRequest>[0]),
      'service', // the gateway's webhook, acting for itself once Stripe's signature checks out
    );
  const lastEvent = (type: string, intent: string) =>
    [...fake.events].reverse().find((e) => {
      const object = e.data.object as { id?: string; payment_intent?: string };
      return e.type === type && (object.id === intent || object.payment_intent === intent);
    })!;
  const outboxTypes = async (orderId: string) =>
    (
      await sql.query<{ type: string }>(
        'select type from outbox_event where order_id = $1 order by sequence',
        [orderId],
      )
    ).rows.map((r) => r.type);

  it('creates one PaymentIntent per order, after the order, and answers the same one on a repeat', async () => {
    const productId = await catalog.product(producerId, 10);
    const buyer = consumer();
    await call('addCartItem', { productId, quantity: 2 }, buyer);
    const idempotencyKey = key();
    const request = {
      idempotencyKey,
      paymentMethod: contract.PaymentMethod.PAYMENT_METHOD_STRIPE,
      donationFen: 30,
    };
    const replies = await Promise.all(Array.from({ length: 10 }, () => call('checkout', request, buyer)));
    const intent = replies[0].order.payment.reference;
    expect(intent).toMatch(/^pi_/);
    expect(replies[0].clientSecret).toMatch(/^pi_.+_secret_/);
    for (const reply of replies) {
      expect(reply).toEqual(replies[0]);
    }
    expect(fake.paymentIntent(intent)).toMatchObject({
      amount: 2 * 4_850 + 30,
      currency: 'cny',
      metadata: { order_id: replies[0].order.id },
      status: 'requires_payment_method',
    });
    const creates = fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents');
    expect(new Set(creates.map((r) => r.idempotencyKey))).toEqual(
      new Set([`order:${replies[0].order.id}:payment`]),
    );
    const { rows } = await sql.query('select id from customer_order where payment_reference = $1', [intent]);
    expect(rows).toHaveLength(1);
  });

  it('applies every event once whether it comes 5 times, 10 at a time and shuffled, or once in order', async () => {
    const productId = await catalog.product(producerId, 40);
    /** Three orders and their Stripe story: declined then paid; paid; abandoned and cancelled. */
    async function story() {
      const declinedThenPaid = await cardOrder(productId);
      const paid = await cardOrder(productId);
      const abandoned = await cardOrder(productId);
      const events = [
        fake.fail(declinedThenPaid.intent, 'insufficient_funds'),
        fake.succeed(declinedThenPaid.intent),
        fake.succeed(paid.intent),
      ];
      const stripe = new (await import('stripe')).default(fake.secretKey, {
        ...fake.clientConfig,
        telemetry: false,
      }) as Stripe;
      await stripe.paymentIntents.cancel(abandoned.intent);
      events.push(lastEvent('payment_intent.canceled', abandoned.intent));
      return { orders: [declinedThenPaid, paid, abandoned], events };
    }
    const inOrder = await story();
    const storm = await story();
    for (const event of inOrder.events) {
      await apply(event);
    }
    const deliveries = shuffled(
      storm.events.flatMap((e) => Array.from({ length: 5 }, () => e)),
      20261201,
    );
    const applied: boolean[] = [];
    for (let i = 0; i < deliveries.length; i += 10) {
      const batch = await Promise.all(deliveries.slice(i, i + 10).map(apply));
      applied.push(...batch.map((r) => r.applied));
    }
    // Each of the 4 events was applied by exactly one of its 5 deliveries.
    expect(applied.filter(Boolean)).toHaveLength(4);

    const state = async (o: { order: WireOrder }) => {
      const order = await orderOf(o.order.id);
      return {
        status: order.status,
        received: order.payment.amountReceived.fen,
        failure: order.payment.failure,
        events: await outboxTypes(o.order.id),
      };
    };
    const expected = [
      {
        status: 'ORDER_STATUS_PAID',
        received: inOrder.orders[0].order.total.fen,
        // Stripe's code; `insufficient_funds` is its decline_code.
        failure: 'card_declined',
        events: ['order.paid'],
      },
      {
        status: 'ORDER_STATUS_PAID',
        received: inOrder.orders[1].order.total.fen,
        failure: '',
        events: ['order.paid'],
      },
      { status: 'ORDER_STATUS_CANCELLED', received: 0, failure: '', events: ['order.cancelled'] },
    ];
    const states = async (placed: { order: WireOrder }[]) => {
      const out = [];
      for (const o of placed) {
        out.push(await state(o));
      }
      return out;
    };
    expect(await states(inOrder.orders)).toEqual(expected);
    expect(await states(storm.orders)).toEqual(expected);
    // Two orders of each story paid (stock committed), the abandoned one's unit back.
    expect(await catalog.onHand(productId)).toBe(40 - 4);
    expect(await catalog.held(productId)).toBe(0);
    const { rows } = await sql.query<{ n: string }>('select count(*) as n from payment_event');
    expect(Number(rows[0].n)).toBeGreaterThanOrEqual(8);
  });

  it('never pays an order for an amount or currency other than its total, and records why', async () => {
    const productId = await catalog.product(producerId, 5);
    const { order, intent } = await cardOrder(productId);
    const event = fake.succeed(intent);
    const request = toApplyPaymentEventRequest(
      event as unknown as Parameters<typeof toApplyPaymentEventRequest>[0],
    );
    const short = await call(
      'applyPaymentEvent',
      { ...request, amount: { fen: order.total.fen - 1, currency: 'CNY' } },
      'service',
    );
    expect(short.applied).toBe(false);
    expect((await orderOf(order.id)).status).toBe('ORDER_STATUS_PENDING_PAYMENT');
    const { rows } = await sql.query('select outcome from payment_event where event_id = $1', [event.id]);
    expect(rows).toEqual([{ outcome: 'amount_mismatch' }]);
    // The money is not lost: an event reports it (the ledger holds it in suspense), once.
    expect(await outboxTypes(order.id)).toEqual(['order.payment_unmatched']);
    const { events } = await call('listEvents', { afterId: 0, limit: 500 }, OFFICER);
    expect(events.find((e) => e.orderId === order.id)?.payment).toMatchObject({
      method: 'PAYMENT_METHOD_STRIPE',
      reference: intent,
      amount: { fen: order.total.fen - 1, currency: 'CNY' },
    });
    // Only the gateway acting for itself (its webhook) may apply payment events: not for a user,
    // not for nobody, not another service. A bad one names its field. Nothing recorded.
    for (const [caller, from] of [
      [OFFICER, 'gateway'],
      [null, 'gateway'],
      ['service', 'catalog'],
      ['service', 'orders'],
    ] as const) {
      const denied = await expectRejection(
        call('applyPaymentEvent', { ...request, eventId: 'evt_other' }, caller, { from }),
      );
      expect(denied.code).toBe(7);
    }
    const bad = await expectRejection(call('applyPaymentEvent', { ...request, eventId: '' }, 'service'));
    expect(bad.code).toBe(3);
    expect(errorFieldNames(bad)).toEqual(['eventId']);
    const { rows: after } = await sql.query(
      "select 1 from payment_event where event_id in ('evt_other', '')",
    );
    expect(after).toEqual([]);
  });

  it('pays an order whose webhook was lost, when the reconciler asks Stripe', async () => {
    const productId = await catalog.product(producerId, 5);
    const lost = await cardOrder(productId, 2);
    const unpaid = await cardOrder(productId);
    fake.succeed(lost.intent); // the webhook never arrives
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const pass = await orders.app.get(PaymentReconcilerJob).reconcile();
    // The order whose amount was refused above is paid too: Stripe says it received the right amount.
    expect(pass.paid).toBeGreaterThanOrEqual(1);
    expect(await orderOf(lost.order.id)).toMatchObject({
      status: 'ORDER_STATUS_PAID',
      payment: { reference: lost.intent, amountReceived: { fen: lost.order.total.fen } },
    });
    expect((await orderOf(unpaid.order.id)).status).toBe('ORDER_STATUS_PENDING_PAYMENT');
    expect(await outboxTypes(lost.order.id)).toEqual(['order.paid']);
    // The webhook arrives after all: nothing more happens.
    expect((await apply(lastEvent('payment_intent.succeeded', lost.intent))).applied).toBe(false);
    expect(await outboxTypes(lost.order.id)).toEqual(['order.paid']);
    expect(await catalog.onHand(productId)).toBe(5 - 3);
  });

  it('cancels the PaymentIntent with the order, and pays instead when the customer had paid', async () => {
    const productId = await catalog.product(producerId, 5);
    const abandoned = await cardOrder(productId);
    const cancelled = await call('cancelOrder', { id: abandoned.order.id }, abandoned.buyer);
    expect(cancelled.order.status).toBe('ORDER_STATUS_CANCELLED');
    expect(fake.paymentIntent(abandoned.intent)).toMatchObject({ status: 'canceled' });

    const paidMeanwhile = await cardOrder(productId);
    fake.succeed(paidMeanwhile.intent);
    const refused = await expectRejection(
      call('cancelOrder', { id: paidMeanwhile.order.id }, paidMeanwhile.buyer),
    );
    expect(refused.code).toBe(9);
    expect((await orderOf(paidMeanwhile.order.id)).status).toBe('ORDER_STATUS_PAID');

    // The sweeper does the same for an order past its hold.
    const expired = await cardOrder(productId);
    await sql.query("update customer_order set expires_at = now() - interval '1 second' where id = $1", [
      expired.order.id,
    ]);
    expect(await orders.app.get(OrdersService).cancelExpired()).toBe(1);
    expect((await orderOf(expired.order.id)).status).toBe('ORDER_STATUS_CANCELLED');
    expect(fake.paymentIntent(expired.intent)).toMatchObject({ status: 'canceled' });
    expect(await catalog.onHand(productId)).toBe(5 - 1);
    expect(await catalog.held(productId)).toBe(0);
  });

  it('refunds by card, once, even when Stripe is down the first time', async () => {
    const productId = await catalog.product(producerId, 5);
    const placed = await cardOrder(productId, 3);
    await apply(fake.succeed(placed.intent));
    const line = placed.order.lines[0];

    const partial = await call(
      'refundOrder',
      {
        orderId: placed.order.id,
        lines: [{ lineId: line.id, quantity: 1 }],
        reason: '破损',
        idempotencyKey: key(),
      },
      OFFICER,
    );
    expect(partial.refund).toMatchObject({ status: 'succeeded', amount: { fen: 4_850 } });
    expect(fake.refund(partial.refund.reference)).toMatchObject({ amount: 4_850, status: 'succeeded' });
    // Stripe's charge.refunded for it changes nothing more.
    expect((await apply(lastEvent('charge.refunded', placed.intent))).applied).toBe(false);

    // Stripe answers 500 to every attempt: the refund stays pending, its units reserved.
    fake.failNext(2, 500, /refunds/);
    const refundKey = key();
    const pending = await call(
      'refundOrder',
      {
        orderId: placed.order.id,
        lines: [{ lineId: line.id, quantity: 2 }],
        reason: '未收到',
        idempotencyKey: refundKey,
      },
      OFFICER,
    );
    expect(pending.refund.status).toBe('pending');
    const over = await expectRejection(
      call(
        'refundOrder',
        {
          orderId: placed.order.id,
          lines: [{ lineId: line.id, quantity: 1 }],
          reason: 'again',
          idempotencyKey: key(),
        },
        OFFICER,
      ),
    );
    expect(errorFieldNames(over)).toEqual(['lines.0.quantity']);
    const pass = await orders.app.get(PaymentReconcilerJob).reconcile();
    expect(pass.refundsSent).toBe(1);
    const order = await orderOf(placed.order.id);
    expect(order.status).toBe('ORDER_STATUS_REFUNDED');
    expect(order.refunds.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    const stripeRefunds = fake.requests.filter(
      (r) => r.method === 'POST' && r.path === '/v1/refunds' && r.status === 200,
    );
    expect(stripeRefunds).toHaveLength(2);
    expect(await outboxTypes(placed.order.id)).toEqual(['order.paid', 'order.refunded', 'order.refunded']);
    // A repeat of the refund call answers the settled refund.
    const again = await call(
      'refundOrder',
      {
        orderId: placed.order.id,
        lines: [{ lineId: line.id, quantity: 2 }],
        reason: '未收到',
        idempotencyKey: refundKey,
      },
      OFFICER,
    );
    expect(again.refund).toMatchObject({ id: pending.refund.id, status: 'succeeded' });
  });

  it('completes a shipped order by itself after AUTO_COMPLETE_DAYS', async () => {
    const productId = await catalog.product(producerId, 5);
    const placed = await cardOrder(productId);
    await apply(fake.succeed(placed.intent));
    const staff = {
      userId: OFFICER.userId.replace(/.$/, 'f'),
      role: 'producer_staff',
      producerIds: [producerId],
    };
    await call('shipOrderLines', { orderId: placed.order.id, carrier: 'EMS', trackingNumber: 'E1' }, staff);
    const service = orders.app.get(OrdersService);
    expect(await service.completeSettled(new Date(Date.now() - 14 * 86_400_000))).toBe(0);
    await sql.query("update order_line set shipped_at = now() - interval '15 days' where order_id = $1", [
      placed.order.id,
    ]);
    expect(await service.completeSettled(new Date(Date.now() - 14 * 86_400_000))).toBe(1);
    expect((await orderOf(placed.order.id)).status).toBe('ORDER_STATUS_COMPLETED');
  });

  it('releases an abandoned hold within the TTL + 60 s, on the production sweep interval', async () => {
    const quick = await orders.replica({
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: uniqueRedisPrefix('stripe_orders_ttl'),
      HOLD_TTL_MS: '1000',
      // SWEEP_INTERVAL_MS left at its default, as deployed.
    });
    try {
      const quickCall = quick.call;
      const productId = await catalog.product(producerId, 3);
      const buyer = consumer();
      await quickCall('addCartItem', { productId, quantity: 2 }, buyer);
      const placedAt = Date.now();
      const { order } = await quickCall(
        'checkout',
        { idempotencyKey: key(), paymentMethod: contract.PaymentMethod.PAYMENT_METHOD_MANUAL },
        buyer,
      );
      expect(await catalog.held(productId)).toBe(2);
      const releasedAfter = await until(
        async () => ((await catalog.held(productId)) === 0 ? Date.now() - placedAt : undefined),
        61_000,
      );
      expect(releasedAfter).toBeLessThanOrEqual(1_000 + 60_000);
      expect(await catalog.onHand(productId)).toBe(3);
      expect((await orderOf(order.id)).status).toBe('ORDER_STATUS_CANCELLED');
    } finally {
      await quick.close();
    }
  }, 90_000);
});
