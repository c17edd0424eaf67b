import { describeWithRedis } from '@yugong/shared/testing';
import { isDeepStrictEqual } from 'node:util';
import { Client } from 'pg';
import request from 'supertest';
import { signIn, signInAs, type Account } from './support/accounts';
import { startPlatform, type Platform } from './support/platform';
import type { OrderJson, OrderLineJson } from './support/views';

/**
 * Who may do what to an order, through the gateway: every role against every order, payment,
 * fulfilment and refund endpoint, with the exact status, and — for every refused call — proof
 * that nothing was written (the order as an officer reads it, stock, order events, the number of
 * orders). The orders are placed by `consumer` and hold one line of each of two producers:
 * `staff` works for the first, `partnerStaff` for the second, `otherStaff` for neither.
 */

type Role =
  'consumer' | 'otherConsumer' | 'institution' | 'staff' | 'otherStaff' | 'officer' | 'auditor' | 'admin';
type Anyone = Role | 'anonymous';
type SignedIn = Role | 'partnerStaff';

/** A second public buyer, registered by the test. */
const OTHER_CONSUMER = { email: 'wang.wu@example.com', password: 'another-long-password-2' };

/** The account each role signs in as: here `otherStaff` works for neither producer of the order. */
const ACCOUNT: Record<SignedIn, Account> = {
  consumer: 'consumer',
  otherConsumer: OTHER_CONSUMER,
  institution: 'institution',
  staff: 'staff',
  partnerStaff: 'otherStaff',
  otherStaff: 'thirdStaff',
  officer: 'officer',
  auditor: 'auditor',
  admin: 'admin',
};

type Endpoint =
  | 'GET /orders'
  | 'GET /orders/:id'
  | 'POST /orders/:id/cancel'
  | 'POST /checkout'
  | 'POST /orders/:id/payments/manual'
  | 'POST /orders/:id/shipments'
  | 'POST /orders/:id/delivery'
  | 'POST /orders/:id/refunds'
  | 'GET /orders/events';

const COLUMNS = [
  'anonymous',
  'consumer',
  'otherConsumer',
  'institution',
  'staff',
  'otherStaff',
  'officer',
  'auditor',
  'admin',
] as const satisfies readonly Anyone[];

/*
 * The matrix. 401: no token where one is needed. 403: a role that may never do this (the
 * gateway's @Roles, before the order is looked at). 404: the order exists but the caller may not
 * act on it — the same answer as for an unknown id, so ids do not leak. The order's buyer is
 * `consumer`; `institution` and `otherConsumer` are other buyers.
 *
 * Cancel has no role gate: the service answers 404 to everyone but the buyer and the relief office,
 * including staff of the order's producer and the auditor, who can read the order. That is the
 * contract's "anything else is NOT_FOUND" (and what orders.e2e-spec pins); it leaks nothing and
 * writes nothing.
 */
// Columns in the order of COLUMNS (buyer = consumer, oBuy = otherConsumer, oStaf = otherStaff).
// prettier-ignore
const GRID: [Endpoint, number, number, number, number, number, number, number, number, number][] = [
  //                                   anon   buyer  oBuy   inst   staff  oStaf  offcr  audit  admin
  ['GET /orders',                      401,   200,   200,   200,   200,   200,   200,   200,   200],
  ['GET /orders/:id',                  401,   200,   404,   404,   200,   404,   200,   200,   200],
  ['POST /orders/:id/cancel',          401,   200,   404,   404,   404,   404,   200,   404,   200],
  ['POST /checkout',                   401,   201,   201,   201,   403,   403,   403,   403,   403],
  ['POST /orders/:id/payments/manual', 401,   403,   403,   403,   403,   403,   200,   403,   200],
  ['POST /orders/:id/shipments',       401,   403,   403,   403,   200,   404,   200,   403,   200],
  ['POST /orders/:id/delivery',        401,   200,   404,   404,   403,   403,   403,   403,   403],
  ['POST /orders/:id/refunds',         401,   403,   403,   403,   201,   404,   201,   403,   201],
  ['GET /orders/events',               401,   403,   403,   403,   403,   403,   200,   200,   200],
];

const CELLS = GRID.flatMap(([endpoint, ...codes]) =>
  COLUMNS.map((role, i) => ({ endpoint, role, expected: codes[i] })),
);

const ERROR_CODE: Record<number, string> = {
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'ORDER_NOT_FOUND',
};

/** Who can read the order placed by `consumer` (the rest get 404 on it). */
const READERS: readonly Anyone[] = ['consumer', 'staff', 'officer', 'auditor', 'admin'];

type State = 'pending_payment' | 'paid' | 'shipped';

/** Everything a call could have written: the order as an officer reads it, stock, events, orders. */
interface Snapshot {
  order: OrderJson | null;
  onHand: Record<string, number>;
  /** The order events since the cell began (of every order), "type order-id". */
  events: string[];
  orders: number;
}

describeWithRedis('orders: role × endpoint matrix through the gateway', () => {
  let platform: Platform;
  let catalogSql: Client;
  let ordersSql: Client;
  const userIds: Partial<Record<SignedIn, string>> = {};
  /** A product of staff's producer and one of partnerStaff's. */
  let mine: { id: string; producerId: string };
  let partners: { id: string; producerId: string };
  let keys = 0;
  /** Snapshots read the order events after this id: those before the current cell are settled. */
  let eventCursor = 0;
  let lastEventId = 0;

  const http = () => platform.http;
  const key = (label: string) => `${label}-${Date.now()}-${++keys}`;

  async function as(role: Anyone | 'partnerStaff'): Promise<Record<string, string>> {
    return role === 'anonymous' ? {} : signIn(platform, ACCOUNT[role]);
  }

  async function onHand(): Promise<Record<string, number>> {
    const { rows } = await catalogSql.query<{ product_id: string; n: string }>(
      'select product_id, coalesce(sum(on_hand), 0) as n from lot where product_id = any($1) group by product_id',
      [[mine.id, partners.id]],
    );
    return Object.fromEntries(rows.map((r) => [r.product_id, Number(r.n)]));
  }

  async function snapshot(orderId: string | null): Promise<Snapshot> {
    const [order, events, orders, stock] = await Promise.all([
      orderId
        ? request(http())
            .get(`/api/v1/orders/${orderId}`)
            .set(await as('officer'))
            .expect(200)
        : null,
      ordersSql.query<{ id: string; type: string; order_id: string }>(
        'select id, type, order_id from outbox_event where id > $1 order by id',
        [eventCursor],
      ),
      ordersSql.query<{ n: string }>('select count(*) as n from customer_order'),
      onHand(),
    ]);
    lastEventId = Math.max(eventCursor, ...events.rows.map((e) => Number(e.id)));
    return {
      order: order ? (order.body as OrderJson) : null,
      onHand: stock,
      events: events.rows.map((e) => `${e.type} ${e.order_id}`),
      orders: Number(orders.rows[0].n),
    };
  }

  /** `role`'s cart holds exactly one unit of staff's product (an anonymous one: its token). */
  async function fillCart(role: Anyone): Promise<Record<string, string>> {
    const headers = await as(role);
    const added = await request(http())
      .post('/api/v1/cart/items')
      .set(headers)
      .send({ productId: mine.id, quantity: 1 })
      .expect(201);
    if (role === 'anonymous') {
      return { 'cart-token': added.headers['cart-token'] as string };
    }
    expect(added.body.items).toEqual([expect.objectContaining({ productId: mine.id, quantity: 1 })]);
    return {};
  }

  async function emptyCart(role: Anyone, extra: Record<string, string>): Promise<void> {
    await request(http())
      .delete(`/api/v1/cart/items/${mine.id}`)
      .set({ ...(await as(role)), ...extra })
      .expect(200);
  }

  /** A new order of `consumer`: one unit of each producer's product, brought to `state`. */
  async function placeOrder(state: State): Promise<OrderJson> {
    const consumer = await as('consumer');
    for (const productId of [mine.id, partners.id]) {
      await request(http())
        .post('/api/v1/cart/items')
        .set(consumer)
        .send({ productId, quantity: 1 })
        .expect(201);
    }
    let order = (
      await request(http())
        .post('/api/v1/checkout')
        .set(consumer)
        .set('Idempotency-Key', key('roles-order'))
        .send({ paymentMethod: 'manual' })
        .expect(201)
    ).body.order as OrderJson;
    expect(order.lines.map((l) => l.producerId).sort()).toEqual(
      [mine.producerId, partners.producerId].sort(),
    );
    if (state !== 'pending_payment') {
      order = (
        await request(http())
          .post(`/api/v1/orders/${order.id}/payments/manual`)
          .set(await as('officer'))
          .send({ amountFen: order.total.fen, reference: key('BOC') })
          .expect(200)
      ).body as OrderJson;
    }
    if (state === 'shipped') {
      order = (
        await request(http())
          .post(`/api/v1/orders/${order.id}/shipments`)
          .set(await as('officer'))
          .send({ carrier: 'EMS', trackingNumber: 'EA000000001CN' })
          .expect(200)
      ).body as OrderJson;
    }
    expect(order.status).toBe(state);
    return order;
  }

  const lineOf = (order: OrderJson, producerId: string) =>
    order.lines.find((l) => l.producerId === producerId)!;

  /** Orders refused calls are made on; dropped if a call changed one, so one failure stays one. */
  const shared = new Map<State, OrderJson>();
  async function sharedOrder(state: State): Promise<OrderJson> {
    if (!shared.has(state)) {
      shared.set(state, await placeOrder(state));
    }
    return shared.get(state)!;
  }

  interface Case {
    /** The order the call needs, and in which state; none for checkout. */
    state?: State;
    /** Whether an allowed call writes (and so gets an order of its own). */
    writes: boolean;
    send(headers: Record<string, string>, order: OrderJson | null, role: Anyone): Promise<request.Response>;
    /** What an allowed call answered and wrote; `before`/`after` are snapshots around it. */
    allowed(res: request.Response, before: Snapshot, after: Snapshot, role: Anyone): void;
  }

  const unchanged = (_res: request.Response, before: Snapshot, after: Snapshot) =>
    expect(after).toEqual(before);
  const newEvents = (before: Snapshot, after: Snapshot) => after.events.slice(before.events.length);

  const CASES: Record<Endpoint, Case> = {
    'GET /orders': {
      state: 'pending_payment',
      writes: false,
      send: (h) => request(http()).get('/api/v1/orders').query({ pageSize: 100 }).set(h),
      allowed: (res, before, after, role) => {
        unchanged(res, before, after);
        const listed = (res.body.items as OrderJson[]).find((o) => o.id === before.order!.id);
        if (!READERS.includes(role)) {
          expect(listed).toBeUndefined();
        } else {
          expect(listed?.lines.map((l) => l.producerId)).toEqual(
            role === 'staff' ? [mine.producerId] : before.order!.lines.map((l) => l.producerId),
          );
        }
      },
    },
    'GET /orders/:id': {
      state: 'pending_payment',
      writes: false,
      send: (h, order) => request(http()).get(`/api/v1/orders/${order!.id}`).set(h),
      allowed: (res, before, after, role) => {
        unchanged(res, before, after);
        expect(res.body.id).toBe(before.order!.id);
        expect(res.body.lines.map((l: OrderLineJson) => l.id)).toEqual(
          role === 'staff'
            ? [lineOf(before.order!, mine.producerId).id]
            : before.order!.lines.map((l) => l.id),
        );
      },
    },
    'POST /orders/:id/cancel': {
      state: 'pending_payment',
      writes: true,
      send: (h, order) => request(http()).post(`/api/v1/orders/${order!.id}/cancel`).set(h),
      allowed: (res, before, after) => {
        expect(res.body.status).toBe('cancelled');
        expect(after.order).toMatchObject({ status: 'cancelled', refunds: [] });
        expect(after.onHand).toEqual({
          [mine.id]: before.onHand[mine.id] + 1,
          [partners.id]: before.onHand[partners.id] + 1,
        });
        expect(newEvents(before, after)).toEqual([`order.cancelled ${before.order!.id}`]);
      },
    },
    'POST /checkout': {
      writes: true,
      send: async (h, _order, role) => {
        const cart = await fillCart(role);
        const res = await request(http())
          .post('/api/v1/checkout')
          .set({ ...h, ...cart })
          .set('Idempotency-Key', key('roles-checkout'))
          .send({ paymentMethod: 'manual' });
        if (res.status !== 201) {
          await emptyCart(role, cart);
        }
        return res;
      },
      allowed: (res, before, after, role) => {
        expect(res.body.order).toMatchObject({
          buyerId: userIds[role as Role],
          status: 'pending_payment',
          lines: [{ productId: mine.id, quantity: 1 }],
        });
        expect(after.orders).toBe(before.orders + 1);
        expect(after.onHand).toEqual({ ...before.onHand, [mine.id]: before.onHand[mine.id] - 1 });
        expect(after.events).toEqual(before.events);
      },
    },
    'POST /orders/:id/payments/manual': {
      state: 'pending_payment',
      writes: true,
      send: (h, order) =>
        request(http())
          .post(`/api/v1/orders/${order!.id}/payments/manual`)
          .set(h)
          .send({ amountFen: order!.total.fen, reference: `ICBC-${order!.id}` }),
      allowed: (res, before, after) => {
        expect(res.body.status).toBe('paid');
        expect(after.order).toMatchObject({
          status: 'paid',
          payment: {
            method: 'manual',
            // One reference pays one order: each cell's own.
            reference: `ICBC-${before.order!.id}`,
            amountReceived: { fen: before.order!.total.fen },
          },
        });
        expect(after.onHand).toEqual(before.onHand);
        expect(newEvents(before, after)).toEqual([`order.paid ${before.order!.id}`]);
      },
    },
    'POST /orders/:id/shipments': {
      state: 'paid',
      writes: true,
      send: (h, order) =>
        request(http())
          .post(`/api/v1/orders/${order!.id}/shipments`)
          .set(h)
          .send({ carrier: 'SF', trackingNumber: 'SF1234567890' }),
      allowed: (res, before, after, role) => {
        // Without line ids: every pending line the caller may ship — staff only their own.
        const statusOf = (o: OrderJson) => o.lines.map((l) => [l.producerId, l.status]).sort();
        if (role === 'staff') {
          expect(res.body).toMatchObject({
            status: 'paid',
            lines: [{ producerId: mine.producerId, status: 'shipped' }],
          });
          expect(statusOf(after.order!)).toEqual(
            [
              [mine.producerId, 'shipped'],
              [partners.producerId, 'pending'],
            ].sort(),
          );
          expect(after.order!.status).toBe('paid');
        } else {
          expect(res.body.status).toBe('shipped');
          expect(after.order!.lines.map((l) => l.status)).toEqual(['shipped', 'shipped']);
        }
        expect(after.onHand).toEqual(before.onHand);
        expect(after.events).toEqual(before.events);
      },
    },
    'POST /orders/:id/delivery': {
      state: 'shipped',
      writes: true,
      send: (h, order) => request(http()).post(`/api/v1/orders/${order!.id}/delivery`).set(h),
      allowed: (res, before, after) => {
        expect(res.body.status).toBe('delivered');
        expect(after.order!.status).toBe('delivered');
        expect(after.order!.lines.map((l) => l.status)).toEqual(['delivered', 'delivered']);
        expect(after.onHand).toEqual(before.onHand);
        expect(after.events).toEqual(before.events);
      },
    },
    'POST /orders/:id/refunds': {
      state: 'paid',
      writes: true,
      // One unit of staff's line, the goods kept by the buyer.
      send: (h, order) =>
        request(http())
          .post(`/api/v1/orders/${order!.id}/refunds`)
          .set(h)
          .send({ lines: [{ lineId: lineOf(order!, mine.producerId).id, quantity: 1 }], reason: '到货晚了' }),
      allowed: (res, before, after, role) => {
        const line = lineOf(before.order!, mine.producerId);
        expect(res.body.order.lines.map((l: OrderLineJson) => l.id)).toEqual(
          role === 'staff' ? [line.id] : before.order!.lines.map((l) => l.id),
        );
        // A manual order: staff's refund waits for the relief office to pay it back; an officer's is paid.
        expect(res.body.refund).toMatchObject({
          lines: [{ lineId: line.id, quantity: 1 }],
          goodsReturned: false,
          status: role === 'staff' ? 'pending' : 'succeeded',
        });
        expect(after.order!.refunds).toHaveLength(1);
        expect(after.order).toMatchObject({ status: 'paid' });
        expect(lineOf(after.order!, mine.producerId).refundedQuantity).toBe(1);
        expect(lineOf(after.order!, partners.producerId).refundedQuantity).toBe(0);
        expect(after.onHand).toEqual(before.onHand);
        expect(newEvents(before, after)).toEqual(
          role === 'staff' ? [] : [`order.refunded ${before.order!.id}`],
        );
      },
    },
    'GET /orders/events': {
      state: 'paid',
      writes: false,
      send: (h) => request(http()).get('/api/v1/orders/events').query({ limit: 500 }).set(h),
      allowed: (res, before, after) => {
        unchanged(res, before, after);
        const items = res.body.items as { id: number; type: string; orderId: string }[];
        expect(items.length).toBeGreaterThan(0);
        expect(items.filter((e) => e.id > eventCursor).map((e) => `${e.type} ${e.orderId}`)).toEqual(
          before.events,
        );
      },
    },
  };

  beforeAll(async () => {
    platform = await startPlatform('orders_roles', {
      RATE_LIMIT_PER_MINUTE: '100000',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    });
    catalogSql = new Client({ connectionString: platform.catalogDatabaseUrl });
    ordersSql = new Client({ connectionString: platform.ordersDatabaseUrl });
    await Promise.all([catalogSql.connect(), ordersSql.connect()]);
    await request(http())
      .post('/api/v1/auth/register')
      .send({ ...OTHER_CONSUMER, name: '王五' })
      .expect(202);
    await Promise.all(
      (Object.keys(ACCOUNT) as SignedIn[]).map(async (role) => {
        const { user } = await signInAs(platform, ACCOUNT[role]);
        userIds[role] = user.id;
        expect(user.role).toBe(
          {
            consumer: 'consumer',
            otherConsumer: 'consumer',
            institution: 'institution',
            staff: 'producer_staff',
            partnerStaff: 'producer_staff',
            otherStaff: 'producer_staff',
            officer: 'relief_officer',
            auditor: 'auditor',
            admin: 'admin',
          }[role],
        );
      }),
    );
    const producerOf = async (role: SignedIn) => {
      const me = await request(http())
        .get('/api/v1/me')
        .set(await as(role))
        .expect(200);
      expect(me.body.producerIds).toHaveLength(1);
      return me.body.producerIds[0] as string;
    };
    const [staffProducer, partnerProducer, otherProducer] = await Promise.all(
      (['staff', 'partnerStaff', 'otherStaff'] as const).map(producerOf),
    );
    expect(new Set([staffProducer, partnerProducer, otherProducer]).size).toBe(3);
    const listed = await request(http()).get('/api/v1/products').query({ pageSize: 100 }).expect(200);
    const inStock = (producerId: string) =>
      listed.body.items.find(
        (p: { producerId: string; stock: number }) => p.producerId === producerId && p.stock >= 50,
      );
    mine = inStock(staffProducer);
    partners = inStock(partnerProducer);
    expect(mine).toBeDefined();
    expect(partners).toBeDefined();
  });

  afterAll(async () => {
    await catalogSql?.end();
    await ordersSql?.end();
    await platform?.stop();
  });

  it.each(CELLS)('$endpoint as $role → $expected', async ({ endpoint, role, expected }) => {
    const spec = CASES[endpoint];
    const allowed = expected < 300;
    const order = spec.state
      ? await (allowed && spec.writes ? placeOrder(spec.state) : sharedOrder(spec.state))
      : null;
    eventCursor = lastEventId;
    const before = await snapshot(order?.id ?? null);

    const res = await spec.send(await as(role), order, role);
    const after = await snapshot(order?.id ?? null);
    if (!allowed && !isDeepStrictEqual(after, before) && spec.state) {
      shared.delete(spec.state);
    }

    expect({ status: res.status, error: res.body?.error }).toEqual({
      status: expected,
      error: allowed ? undefined : ERROR_CODE[expected],
    });
    if (allowed) {
      spec.allowed(res, before, after, role);
    } else {
      expect(after).toEqual(before);
    }
  });

  describe('view scoping on an order with lines of two producers', () => {
    let order: OrderJson;

    beforeAll(async () => {
      order = await placeOrder('paid');
    });

    it('shows each producer staff only their own line, on GET and in the list', async () => {
      for (const [role, producerId] of [
        ['staff', () => mine.producerId],
        ['partnerStaff', () => partners.producerId],
      ] as const) {
        const got = await request(http())
          .get(`/api/v1/orders/${order.id}`)
          .set(await as(role))
          .expect(200);
        expect(got.body.lines).toEqual([expect.objectContaining({ id: lineOf(order, producerId()).id })]);
        const listed = await request(http())
          .get('/api/v1/orders')
          .query({ pageSize: 100 })
          .set(await as(role))
          .expect(200);
        const item = (listed.body.items as OrderJson[]).find((o) => o.id === order.id);
        expect(item?.lines.map((l) => l.id)).toEqual([lineOf(order, producerId()).id]);
        expect(
          (listed.body.items as OrderJson[]).every((o) =>
            o.lines.every((l) => l.producerId === producerId()),
          ),
        ).toBe(true);
      }
    });

    it('hides the order from other buyers and staff of other producers, on GET and in the list', async () => {
      for (const role of ['otherConsumer', 'institution', 'otherStaff'] as const) {
        const got = await request(http())
          .get(`/api/v1/orders/${order.id}`)
          .set(await as(role))
          .expect(404);
        expect(got.body.error).toBe('ORDER_NOT_FOUND');
        const listed = await request(http())
          .get('/api/v1/orders')
          .query({ pageSize: 100 })
          .set(await as(role))
          .expect(200);
        expect((listed.body.items as OrderJson[]).map((o) => o.id)).not.toContain(order.id);
      }
    });

    it('shows the auditor every line, and the auditor writes nothing', async () => {
      const got = await request(http())
        .get(`/api/v1/orders/${order.id}`)
        .set(await as('auditor'))
        .expect(200);
      expect(got.body.lines.map((l: OrderLineJson) => l.id)).toEqual(order.lines.map((l) => l.id));
      const before = await snapshot(order.id);
      const auditor = await as('auditor');
      const line = order.lines[0].id;
      const tries = [
        [request(http()).post(`/api/v1/orders/${order.id}/cancel`).set(auditor), 404],
        [
          request(http())
            .post(`/api/v1/orders/${order.id}/shipments`)
            .set(auditor)
            .send({ lineIds: [line], carrier: 'SF', trackingNumber: 'SF1' }),
          403,
        ],
        [
          request(http()).post(`/api/v1/orders/${order.id}/refunds`).set(auditor).send({ reason: 'audit' }),
          403,
        ],
        [request(http()).post(`/api/v1/orders/${order.id}/delivery`).set(auditor), 403],
      ] as const;
      for (const [call, status] of tries) {
        expect((await call).status).toBe(status);
      }
      expect(await snapshot(order.id)).toEqual(before);
    });

    it("shows staff only the refunds of their own lines, never the partner's", async () => {
      const fresh = await placeOrder('paid');
      const partnerLine = lineOf(fresh, partners.producerId);
      await request(http())
        .post(`/api/v1/orders/${fresh.id}/refunds`)
        .set(await as('officer'))
        .send({ lines: [{ lineId: partnerLine.id, quantity: 1 }], reason: '破损' })
        .expect(201);
      const staffView = await request(http())
        .get(`/api/v1/orders/${fresh.id}`)
        .set(await as('staff'))
        .expect(200);
      expect(staffView.body.refunds).toEqual([]);
      const partnerView = await request(http())
        .get(`/api/v1/orders/${fresh.id}`)
        .set(await as('partnerStaff'))
        .expect(200);
      expect(partnerView.body.refunds).toHaveLength(1);
      expect(partnerView.body.refunds[0].lines.map((l: { lineId: string }) => l.lineId)).toEqual([
        partnerLine.id,
      ]);
    });

    it("refuses staff the other producer's line on shipment and refund, writing nothing", async () => {
      const partnerLine = lineOf(order, partners.producerId).id;
      const staff = await as('staff');
      const before = await snapshot(order.id);
      const ship = await request(http())
        .post(`/api/v1/orders/${order.id}/shipments`)
        .set(staff)
        .send({ lineIds: [partnerLine], carrier: 'SF', trackingNumber: 'SF2' })
        .expect(400);
      expect(ship.body.fields).toEqual([expect.objectContaining({ field: 'lineIds.0' })]);
      const named = await request(http())
        .post(`/api/v1/orders/${order.id}/refunds`)
        .set(staff)
        .send({ lines: [{ lineId: partnerLine, quantity: 1 }], reason: 'not mine' })
        .expect(400);
      expect(named.body.fields).toEqual([expect.objectContaining({ field: 'lines' })]);
      // Without lines a refund means every line, and half of them are not staff's.
      const everything = await request(http())
        .post(`/api/v1/orders/${order.id}/refunds`)
        .set(staff)
        .send({ reason: 'all of it' })
        .expect(400);
      expect(everything.body.fields).toEqual([expect.objectContaining({ field: 'lines' })]);
      expect(await snapshot(order.id)).toEqual(before);
    });
  });
});
