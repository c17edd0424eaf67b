import { orders as contract } from '@yugong/contracts';
import {
  describeWithRedis,
  FakeStripe,
  testRedisUrl,
  uniqueRedisPrefix,
  type FakeStripeEvent,
} from '@yugong/shared/testing';
import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
// The gateway's own mapping of a verified Stripe event, so these events reach orders as they do deployed.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { toApplyPaymentEventRequest } from '../../gateway/src/payments/stripe-webhook';
import { PaymentReconcilerJob } from '../src/payments/payment-reconciler.job';
import { consumer, OFFICER, startTestOrders, type TestOrders } from './support/harness';

describeWithRedis("Stripe's actual processor fee on paid card orders, against a fake Stripe", () => {
  let fake: FakeStripe;
  let orders: TestOrders;
  let catalog: TestOrders['catalog'];
  let call: TestOrders['call'];
  let sql: Client;
  let producerId: string;

  beforeAll(async () => {
    fake = await FakeStripe.start();
    orders = await startTestOrders('stripe_fee', {
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: uniqueRedisPrefix('stripe_fee'),
      GRPC_DEADLINE_MS: '20000',
      STRIPE_SECRET_KEY: fake.secretKey,
      STRIPE_API_BASE: fake.url,
      STRIPE_MAX_RETRIES: '1',
      RECONCILE_AFTER_MS: '1000',
      RECONCILE_INTERVAL_MS: '3600000',
    });
    ({ catalog, call, sql } = orders);
    producerId = await catalog.producer();
  });

  afterAll(async () => {
    await orders?.close();
    await fake?.close();
  });

  /** A card order of two lines (two products), its PaymentIntent created at checkout. */
  async function cardOrder() {
    const buyer = consumer();
    for (const quantity of [1, 2]) {
      await call('addCartItem', { productId: await catalog.product(producerId, 10), quantity }, buyer);
    }
    const res = await call(
      'checkout',
      {
        idempotencyKey: randomBytes(12).toString('base64url'),
        paymentMethod: contract.PaymentMethod.PAYMENT_METHOD_STRIPE,
        donationFen: 30,
      },
      buyer,
    );
    expect(res.order.lines).toHaveLength(2);
    return { order: res.order, intent: res.order.payment.reference };
  }

  const apply = (event: FakeStripeEvent) =>
    call(
      'applyPaymentEvent',
      toApplyPaymentEventRequest(event as unknown as Parameters<typeof toApplyPaymentEventRequest>[0]),
      'service',
    );
  const orderOf = async (id: string) => (await call('getOrder', { id }, OFFICER)).order;
  const stored = async (id: string) => {
    const order = await sql.query<{ processor_fee_fen: string | null }>(
      'select processor_fee_fen from customer_order where id = $1',
      [id],
    );
    const paid = await sql.query<{ payload: { order: { processorFeeFen: number | null } } }>(
      `select payload from outbox_event where order_id = $1 and type = 'order.paid'`,
      [id],
    );
    return {
      column: order.rows[0]!.processor_fee_fen,
      event: paid.rows.map((r) => r.payload.order.processorFeeFen),
    };
  };

  it('records the fee of the balance transaction when the webhook pays the order', async () => {
    const { order, intent } = await cardOrder();
    const succeeded = fake.succeed(intent);
    fake.settleBalanceTransaction(intent, 173);
    expect((await apply(succeeded)).applied).toBe(true);
    expect(await stored(order.id)).toEqual({ column: '173', event: [173] });
    expect((await orderOf(order.id)).payment).toMatchObject({
      processorFee: { fen: 173, currency: 'CNY' },
    });
  });

  it('leaves the fee unknown when Stripe has not made the balance transaction yet', async () => {
    const { order, intent } = await cardOrder();
    expect((await apply(fake.succeed(intent))).applied).toBe(true);
    expect(await stored(order.id)).toEqual({ column: null, event: [null] });
    expect((await orderOf(order.id)).status).toBe('ORDER_STATUS_PAID');
    // Absent on the wire (the gRPC client reads an unset message as null).
    expect((await orderOf(order.id)).payment?.processorFee ?? null).toBeNull();
  });

  it('pays the order with the fee unknown when Stripe does not answer the fee request', async () => {
    const { order, intent } = await cardOrder();
    const succeeded = fake.succeed(intent);
    fake.settleBalanceTransaction(intent, 173);
    // The read of the PaymentIntent with its balance transaction fails, retry included.
    fake.failNext(2, 500, new RegExp(`^GET /v1/payment_intents/${intent}$`));
    expect((await apply(succeeded)).applied).toBe(true);
    expect(await stored(order.id)).toEqual({ column: null, event: [null] });
  });

  it('pays the order with the fee unknown when Stripe hangs on the fee request, within its deadline', async () => {
    const { order, intent } = await cardOrder();
    const succeeded = fake.succeed(intent);
    fake.settleBalanceTransaction(intent, 173);
    fake.delayNext(2, 5_000, new RegExp(`^GET /v1/payment_intents/${intent}$`));
    const started = performance.now();
    expect((await apply(succeeded)).applied).toBe(true);
    // Two attempts of at most 1 s (FEE_READ_TIMEOUT_MS), not the SDK's 5 s each.
    expect(performance.now() - started).toBeLessThan(4_500);
    expect(await stored(order.id)).toEqual({ column: null, event: [null] });
  });

  it('records the fee when the reconciler finds the order paid at Stripe', async () => {
    const { order, intent } = await cardOrder();
    fake.succeed(intent); // the webhook is lost
    fake.settleBalanceTransaction(intent, 173);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await orders.app.get(PaymentReconcilerJob).reconcile();
    expect((await orderOf(order.id)).status).toBe('ORDER_STATUS_PAID');
    expect(await stored(order.id)).toEqual({ column: '173', event: [173] });
  });

  it('leaves the fee unknown when Stripe settles in another currency than the order', async () => {
    const { order, intent } = await cardOrder();
    const succeeded = fake.succeed(intent);
    fake.settleBalanceTransaction(intent, 25, 'usd');
    expect((await apply(succeeded)).applied).toBe(true);
    expect(await stored(order.id)).toEqual({ column: null, event: [null] });
  });
});
