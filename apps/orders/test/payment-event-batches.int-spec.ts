import { status as GrpcStatus } from '@grpc/grpc-js';
import { orders as contract } from '@yugong/contracts';
import {
  describeWithRedis,
  errorFieldNames,
  expectRejection,
  FakeStripe,
  testRedisUrl,
  uniqueRedisPrefix,
  type FakeStripeEvent,
} from '@yugong/shared/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
// The gateway's own mapping of a verified Stripe event, so these events reach orders as they do deployed.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { toApplyPaymentEventRequest } from '../../gateway/src/payments/stripe-webhook';
import { consumer, OFFICER, startTestOrders, type TestOrders } from './support/harness';

const byEventId = (a: { event_id: string }, b: { event_id: string }) =>
  a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;

/**
 * ApplyPaymentEvents, the inbox applier's one call for many events: each event has the effect
 * ApplyPaymentEvent gives it, at most once per event id, and one that fails answers its own error
 * without failing the others.
 */
describeWithRedis('payment events applied in batches', () => {
  let fake: FakeStripe;
  let orders: TestOrders;
  let call: TestOrders['call'];
  let sql: Client;
  let productId: string;

  beforeAll(async () => {
    fake = await FakeStripe.start();
    orders = await startTestOrders('event_batches', {
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: uniqueRedisPrefix('event_batches'),
      GRPC_DEADLINE_MS: '20000',
      STRIPE_SECRET_KEY: fake.secretKey,
      STRIPE_API_BASE: fake.url,
      STRIPE_MAX_RETRIES: '1',
      RECONCILE_INTERVAL_MS: '3600000',
    });
    ({ call, sql } = orders);
    productId = await orders.catalog.product(await orders.catalog.producer(), 10);
  });

  afterAll(async () => {
    await orders?.close();
    await fake?.close();
  });

  async function cardOrder() {
    const buyer = consumer();
    await call('addCartItem', { productId, quantity: 1 }, buyer);
    const res = await call(
      'checkout',
      {
        idempotencyKey: randomBytes(12).toString('base64url'),
        paymentMethod: contract.PaymentMethod.PAYMENT_METHOD_STRIPE,
      },
      buyer,
    );
    return { id: res.order.id as string, intent: res.order.payment.reference as string };
  }

  const wire = (event: FakeStripeEvent) =>
    toApplyPaymentEventRequest(event as unknown as Parameters<typeof toApplyPaymentEventRequest>[0]);
  const applyBatch = (events: contract.ApplyPaymentEventRequest[]) =>
    call('applyPaymentEvents', { events }, 'service');
  const recorded = async (eventIds: string[]) =>
    (
      await sql.query<{ event_id: string; outcome: string }>(
        'select event_id, outcome from payment_event where event_id = any($1::text[])',
        [eventIds],
      )
    ).rows.sort(byEventId);
  const paidEvents = async (orderId: string) =>
    (
      await sql.query<{ n: number }>(
        `select count(*)::int as n from outbox_event where order_id = $1 and type = 'order.paid'`,
        [orderId],
      )
    ).rows[0]!.n;

  it('applies a batch with a repeat, a poison event, an event seen before and one about no order', async () => {
    const first = await cardOrder();
    const second = await cardOrder();
    const paysFirst = wire(fake.succeed(first.intent));
    const paysSecond = wire(fake.succeed(second.intent));
    // The second order's event came once on its own before the batch.
    expect((await call('applyPaymentEvent', paysSecond, 'service')).applied).toBe(true);
    const poison = { ...wire(fake.succeed((await cardOrder()).intent)), orderId: 'not-a-uuid' };
    const stranger = {
      ...paysFirst,
      eventId: `evt_${randomUUID()}`,
      orderId: randomUUID(),
      paymentIntentId: '',
    };

    const batch = [paysFirst, poison, paysFirst, paysSecond, stranger];
    const { results } = await applyBatch(batch);

    expect(results.map((r) => r.eventId)).toEqual(batch.map((e) => e.eventId));
    expect(results.map((r) => [r.applied, r.errorCode])).toEqual([
      [true, 0], // pays the first order
      [false, GrpcStatus.INVALID_ARGUMENT], // the poison event fails alone
      [false, 0], // its repeat in the same batch changes nothing
      [false, 0], // applied before the batch
      [false, 0], // names no order of ours: recorded as such
    ]);
    expect(results[1]!.errorMessage).toMatch(/orderId|UUID|Validation/i);
    expect(results[0]).toMatchObject({ orderId: first.id, status: contract.OrderStatus.ORDER_STATUS_PAID });
    expect(results[2]).toMatchObject({ orderId: first.id, status: contract.OrderStatus.ORDER_STATUS_PAID });
    expect(await recorded([paysFirst.eventId, paysSecond.eventId, stranger.eventId, poison.eventId])).toEqual(
      [
        { event_id: paysFirst.eventId, outcome: 'applied' },
        { event_id: paysSecond.eventId, outcome: 'applied' },
        { event_id: stranger.eventId, outcome: 'unknown_order' },
      ].sort(byEventId),
    );
    expect(await paidEvents(first.id)).toBe(1);
    expect(await paidEvents(second.id)).toBe(1);

    // The whole batch again (an applier that died before marking it): nothing more happens.
    const again = await applyBatch(batch);
    expect(again.results.map((r) => [r.applied, r.errorCode])).toEqual([
      [false, 0],
      [false, GrpcStatus.INVALID_ARGUMENT],
      [false, 0],
      [false, 0],
      [false, 0],
    ]);
    expect(await paidEvents(first.id)).toBe(1);
    const { rows } = await sql.query<{ n: number }>(
      'select count(*)::int as n from payment_event where event_id = any($1::text[])',
      [[paysFirst.eventId, paysSecond.eventId, stranger.eventId]],
    );
    expect(rows[0]!.n).toBe(3);
  });

  it('refuses an empty batch naming events, and any caller but a service', async () => {
    const empty = await expectRejection(applyBatch([]));
    expect(empty.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(errorFieldNames(empty)).toEqual(['events']);
    const event = wire(fake.succeed((await cardOrder()).intent));
    const refused = await expectRejection(call('applyPaymentEvents', { events: [event] }, OFFICER));
    expect(refused.code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(await recorded([event.eventId])).toEqual([]);
  });
});
