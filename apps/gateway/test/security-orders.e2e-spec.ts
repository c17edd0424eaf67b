import { describeWithRedis } from '@yugong/shared/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { signInAs, type DemoAccount } from './support/accounts';
import { addAndCheckOut } from './support/checkout';
import { startPlatform, type Platform } from './support/platform';
import type { OrderJson } from './support/views';

/**
 * Abuse of orders and money through the gateway, each case named after the attack it stops: an
 * account holding the stock with unpaid orders, one bank transfer confirming two orders, producer
 * staff saying that a refund was paid back. Each refused call is checked for its status, its
 * error code and that it wrote nothing (orders, holds, events, refunds).
 */

const ROLES = ['consumer', 'institution', 'staff', 'officer'] as const satisfies readonly DemoAccount[];
type Role = (typeof ROLES)[number];

/** The limits every buyer has here unless an officer set them an allowance. */
const MAX_UNPAID_ORDERS = 2;
const MAX_HELD_UNITS = 5;

describeWithRedis('security: orders and money', () => {
  let platform: Platform;
  let catalogSql: Client;
  let ordersSql: Client;
  const headers: Partial<Record<Role, { authorization: string }>> = {};
  const userIds: Partial<Record<Role, string>> = {};
  /** A product of staff's producer, in stock. */
  let productId: string;
  let keys = 0;

  const http = () => platform.http;
  const as = (role: Role) => headers[role]!;

  /** Puts `quantity` units in `role`'s cart and checks out by manual payment; the response. */
  async function checkout(role: Role, quantity: number): Promise<request.Response> {
    return addAndCheckOut(
      platform,
      as(role),
      { productId, quantity },
      `security-orders-${++keys}-${randomUUID()}`,
    );
  }

  async function emptyCart(role: Role): Promise<void> {
    await request(http()).delete(`/api/v1/cart/items/${productId}`).set(as(role)).expect(200);
  }

  /** Everything a buyer's checkout could write: their orders by status, units held, events. */
  async function written(role: Role) {
    const [orders, held, events] = await Promise.all([
      ordersSql.query<{ status: string; n: number }>(
        'select status, count(*)::int as n from customer_order where buyer_id = $1 group by status order by status',
        [userIds[role]],
      ),
      catalogSql.query<{ n: number }>(
        `select coalesce(sum(quantity), 0)::int as n from stock_hold where product_id = $1 and status = 'held'`,
        [productId],
      ),
      ordersSql.query<{ n: number }>('select count(*)::int as n from outbox_event'),
    ]);
    return { orders: orders.rows, held: held.rows[0].n, events: events.rows[0].n };
  }

  /** What paying an order wrote: the order row, its holds in catalog, its events. */
  async function paymentOf(orderId: string) {
    const [order, holds, events] = await Promise.all([
      ordersSql.query('select status, payment_reference, paid_at from customer_order where id = $1', [
        orderId,
      ]),
      catalogSql.query('select status from stock_hold where order_id = $1 order by status', [orderId]),
      ordersSql.query('select type from outbox_event where order_id = $1 order by id', [orderId]),
    ]);
    return { order: order.rows[0], holds: holds.rows, events: events.rows };
  }

  async function pay(orderId: string, totalFen: number, reference: string): Promise<request.Response> {
    return request(http())
      .post(`/api/v1/orders/${orderId}/payments/manual`)
      .set(as('officer'))
      .send({ amountFen: totalFen, reference });
  }

  beforeAll(async () => {
    platform = await startPlatform(
      'security_orders',
      { RATE_LIMIT_PER_MINUTE: '100000', AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
      {
        ordersEnv: {
          MAX_UNPAID_ORDERS_PER_BUYER: String(MAX_UNPAID_ORDERS),
          MAX_HELD_UNITS_PER_BUYER: String(MAX_HELD_UNITS),
        },
      },
    );
    catalogSql = new Client({ connectionString: platform.catalogDatabaseUrl });
    ordersSql = new Client({ connectionString: platform.ordersDatabaseUrl });
    await Promise.all([catalogSql.connect(), ordersSql.connect()]);
    for (const role of ROLES) {
      const signedIn = await signInAs(platform, role);
      headers[role] = signedIn.headers;
      userIds[role] = signedIn.user.id;
    }
    const me = await request(http()).get('/api/v1/me').set(as('staff')).expect(200);
    const listed = await request(http()).get('/api/v1/products').query({ pageSize: 100 }).expect(200);
    productId = listed.body.items.find(
      (p: { producerId: string; stock: number }) =>
        me.body.producerIds.includes(p.producerId) && p.stock >= 30,
    ).id as string;
  });

  afterAll(async () => {
    await Promise.all([catalogSql?.end(), ordersSql?.end()]);
    await platform?.stop();
  });

  describe('hoarding past the limit', () => {
    it('refuses a checkout past the unpaid-order limit, holding and writing nothing', async () => {
      for (let i = 0; i < MAX_UNPAID_ORDERS; i++) {
        expect((await checkout('consumer', 1)).status).toBe(201);
      }
      const before = await written('consumer');

      const res = await checkout('consumer', 1);

      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        error: 'UNPAID_ORDER_LIMIT',
        fields: [{ field: 'unpaidOrders', reason: expect.any(String) }],
      });
      expect(await written('consumer')).toEqual(before);
      expect(before.orders).toEqual([{ status: 'pending_payment', n: MAX_UNPAID_ORDERS }]);
      await emptyCart('consumer');
    });

    it('refuses a cart that would take the units held for the buyer past the limit, writing nothing', async () => {
      // Room for one more order: cancel one of the two, so that only units are in the way.
      const { body } = await request(http()).get('/api/v1/orders').set(as('consumer')).expect(200);
      const pending = (body.items as OrderJson[]).filter((o) => o.status === 'pending_payment');
      await request(http()).post(`/api/v1/orders/${pending[0].id}/cancel`).set(as('consumer')).expect(200);
      const before = await written('consumer');

      const res = await checkout('consumer', MAX_HELD_UNITS);

      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ error: 'HELD_UNITS_LIMIT', fields: [{ field: 'heldUnits' }] });
      expect(await written('consumer')).toEqual(before);
      await emptyCart('consumer');
    });
  });

  describe('the officer allowance letting an institution past the consumer limit', () => {
    it('lets only an officer set it, for an institution, naming each bad field', async () => {
      const url = `/api/v1/buyers/${userIds.institution}/allowance`;
      const allowance = { maxUnpaidOrders: 10, maxHeldUnits: 50 };
      for (const role of ['consumer', 'institution', 'staff'] as const) {
        const res = await request(http()).put(url).set(as(role)).send(allowance);
        expect({ status: res.status, error: res.body.error }).toEqual({
          status: 403,
          error: 'PERMISSION_DENIED',
        });
      }
      const bad = await request(http())
        .put(url)
        .set(as('officer'))
        .send({ maxUnpaidOrders: 0, maxHeldUnits: 'many', expiresAt: 'soon' })
        .expect(400);
      expect([...new Set(bad.body.fields.map((f: { field: string }) => f.field))].sort()).toEqual([
        'expiresAt',
        'maxHeldUnits',
        'maxUnpaidOrders',
      ]);
      const past = await request(http())
        .put(url)
        .set(as('officer'))
        .send({ ...allowance, expiresAt: '2020-01-01T00:00:00Z' })
        .expect(400);
      expect(past.body.fields).toEqual([expect.objectContaining({ field: 'expiresAt' })]);
      const consumers = await request(http())
        .put(`/api/v1/buyers/${userIds.consumer}/allowance`)
        .set(as('officer'))
        .send(allowance)
        .expect(400);
      expect(consumers.body.fields).toEqual([expect.objectContaining({ field: 'userId' })]);
      const { rows } = await ordersSql.query('select 1 from buyer_allowance');
      expect(rows).toEqual([]);
    });

    it('lets the institution hold more than a consumer may once an officer approved it', async () => {
      for (let i = 0; i < MAX_UNPAID_ORDERS; i++) {
        expect((await checkout('institution', 1)).status).toBe(201);
      }
      const refused = await checkout('institution', 1);
      expect({ status: refused.status, error: refused.body.error }).toEqual({
        status: 409,
        error: 'UNPAID_ORDER_LIMIT',
      });

      const expiresAt = new Date(Date.now() + 30 * 24 * 3_600_000).toISOString();
      const set = await request(http())
        .put(`/api/v1/buyers/${userIds.institution}/allowance`)
        .set(as('officer'))
        .send({ maxUnpaidOrders: 10, maxHeldUnits: 50, expiresAt })
        .expect(200);
      expect(set.body).toEqual({
        userId: userIds.institution,
        maxUnpaidOrders: 10,
        maxHeldUnits: 50,
        expiresAt,
        grantedBy: userIds.officer,
        grantedAt: expect.any(String),
      });

      // The cart still holds its unit: the same checkout now goes through, and a larger one too.
      const placed = await request(http())
        .post('/api/v1/checkout')
        .set(as('institution'))
        .set('Idempotency-Key', `security-orders-allowed-${randomUUID()}`)
        .send({ paymentMethod: 'manual' })
        .expect(201);
      expect(placed.body.order.status).toBe('pending_payment');
      expect((await checkout('institution', MAX_HELD_UNITS + 10)).status).toBe(201);
      expect((await written('institution')).orders).toEqual([
        { status: 'pending_payment', n: MAX_UNPAID_ORDERS + 2 },
      ]);
    });
  });

  describe('a reused bank reference', () => {
    it('confirms one order per reference; the second stays unpaid, its stock only held', async () => {
      const { body } = await request(http()).get('/api/v1/orders').set(as('institution')).expect(200);
      const [first, second] = (body.items as OrderJson[]).filter((o) => o.status === 'pending_payment');
      const reference = 'ICBC-20261202-7788';
      expect((await pay(first.id, first.total.fen, reference)).status).toBe(200);
      const before = await paymentOf(second.id);

      const reused = await pay(second.id, second.total.fen, reference);

      expect(reused.status).toBe(409);
      expect(reused.body).toMatchObject({
        error: 'PAYMENT_REFERENCE_USED',
        fields: [{ field: 'reference' }],
      });
      expect(await paymentOf(second.id)).toEqual(before);
      expect(before).toEqual({
        order: { status: 'pending_payment', payment_reference: null, paid_at: null },
        holds: [{ status: 'held' }],
        events: [],
      });
      // Nor may it be dressed up as another: the first order keeps its reference, alone.
      const { rows } = await ordersSql.query('select id from customer_order where payment_reference = $1', [
        reference,
      ]);
      expect(rows).toEqual([{ id: first.id }]);
    });
  });

  describe('producer staff confirming a manual refund paid back', () => {
    it('is refused: staff ask for the refund, only the relief office says the money left', async () => {
      const order = (await checkout('consumer', 1)).body.order as OrderJson;
      expect((await pay(order.id, order.total.fen, `BOC-${order.id}`)).status).toBe(200);
      const asked = await request(http())
        .post(`/api/v1/orders/${order.id}/refunds`)
        .set(as('staff'))
        .send({ lines: [{ lineId: order.lines[0].id, quantity: 1 }], reason: '包装破损' })
        .expect(201);
      expect(asked.body.refund).toMatchObject({ status: 'pending' });
      const refundId = asked.body.refund.id as string;
      const before = await paymentOf(order.id);
      const refundRow = () =>
        ordersSql.query('select status, reference from refund where id = $1', [refundId]).then((r) => r.rows);
      const refundBefore = await refundRow();

      const res = await request(http())
        .post(`/api/v1/orders/${order.id}/refunds/${refundId}/confirm`)
        .set(as('staff'))
        .send({ reference: 'BOC-FAKE-0001' });

      expect({ status: res.status, error: res.body.error }).toEqual({
        status: 403,
        error: 'PERMISSION_DENIED',
      });
      expect(await paymentOf(order.id)).toEqual(before);
      expect(before.events).toEqual([{ type: 'order.paid' }]);
      expect(await refundRow()).toEqual(refundBefore);
      expect(refundBefore).toEqual([{ status: 'pending', reference: `manual:${refundId}` }]);

      // The relief office does, once.
      const confirmed = await request(http())
        .post(`/api/v1/orders/${order.id}/refunds/${refundId}/confirm`)
        .set(as('officer'))
        .send({ reference: 'BOC-REFUND-0001' })
        .expect(200);
      expect(confirmed.body.refund).toMatchObject({
        status: 'succeeded',
        reference: 'manual:BOC-REFUND-0001',
      });
      expect((await paymentOf(order.id)).events).toEqual([
        { type: 'order.paid' },
        { type: 'order.refunded' },
      ]);
      const again = await request(http())
        .post(`/api/v1/orders/${order.id}/refunds/${refundId}/confirm`)
        .set(as('officer'))
        .send({ reference: 'BOC-REFUND-0001' })
        .expect(409);
      expect(again.body.error).toBe('NOT_A_PENDING_MANUAL_REFUND');
    });
  });
});
