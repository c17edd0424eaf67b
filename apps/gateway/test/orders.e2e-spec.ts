import { describeWithRedis } from '@yugong/shared/testing';
import { Client } from 'pg';
import request from 'supertest';
import { DEMO_EMAIL, signIn } from './support/accounts';
import { addAndCheckOut } from './support/checkout';
import { DEMO_PASSWORD, startPlatform, type Platform } from './support/platform';
import type { OrderJson, ProductJson } from './support/views';

type Role = 'consumer' | 'institution' | 'staff' | 'otherStaff' | 'officer' | 'auditor' | 'stranger';
type Anyone = Role | 'anonymous';

const EVERYONE: readonly Anyone[] = [
  'consumer',
  'institution',
  'stranger',
  'staff',
  'otherStaff',
  'officer',
  'auditor',
  'anonymous',
];

/** A public buyer the test registers. */
const STRANGER = { email: 'li.si@example.com', password: 'a-long-password-1' };

// Carts and checkout live in the orders service, which needs Redis.
describeWithRedis('orders through the gateway', () => {
  let platform: Platform;
  let catalogSql: Client;
  let strangerRegistered: Promise<void> | undefined;
  let product: ProductJson;

  async function auth(role: Role): Promise<Record<string, string>> {
    if (role !== 'stranger') {
      return signIn(platform, role);
    }
    strangerRegistered ??= (async () => {
      await request(platform.http)
        .post('/api/v1/auth/register')
        .send({ ...STRANGER, name: '李四' })
        .expect(202);
    })();
    await strangerRegistered;
    return signIn(platform, STRANGER);
  }

  async function as(role: Anyone): Promise<Record<string, string>> {
    return role === 'anonymous' ? {} : auth(role);
  }

  /** The status each caller gets for one request; the request must change nothing when refused. */
  async function statuses(
    roles: readonly Anyone[],
    send: (headers: Record<string, string>) => request.Test,
  ): Promise<Partial<Record<Anyone, number>>> {
    const seen: Partial<Record<Anyone, number>> = {};
    for (const role of roles) {
      seen[role] = (await send(await as(role))).status;
    }
    return seen;
  }

  /** A manual order of `quantity` units of `product`, placed by the demo consumer. */
  async function placeOrder(quantity: number, key: string): Promise<OrderJson> {
    const placed = await addAndCheckOut(
      platform,
      await auth('consumer'),
      { productId: product.id, quantity },
      key,
    );
    expect(placed.status).toBe(201);
    expect(placed.body.clientSecret).toBeNull();
    return placed.body.order as OrderJson;
  }

  async function onHand(productId: string): Promise<number> {
    const { rows } = await catalogSql.query<{ n: string }>(
      'select coalesce(sum(on_hand), 0) as n from lot where product_id = $1',
      [productId],
    );
    return Number(rows[0].n);
  }

  beforeAll(async () => {
    platform = await startPlatform('orders_e2e', { RATE_LIMIT_PER_MINUTE: '100000' });
    catalogSql = new Client({ connectionString: platform.catalogDatabaseUrl });
    await catalogSql.connect();
    const listed = await request(platform.http).get('/api/v1/products').query({ pageSize: 100 }).expect(200);
    const staffProducers = (
      await request(platform.http)
        .get('/api/v1/me')
        .set(await auth('staff'))
        .expect(200)
    ).body.producerIds as string[];
    product = listed.body.items.find(
      (p: { producerId: string; stock: number }) => staffProducers.includes(p.producerId) && p.stock >= 10,
    );
    expect(product).toBeDefined();
  });

  afterAll(async () => {
    await catalogSql?.end();
    await platform?.stop();
  });

  it('takes a consumer from the seeded catalogue to a paid, shipped, delivered and partly refunded order', async () => {
    const stock = await onHand(product.id);

    // An anonymous visitor fills a cart, then signs in and keeps it.
    const anonymous = await request(platform.http)
      .post('/api/v1/cart/items')
      .send({ productId: product.id, quantity: 3 })
      .expect(201);
    const cartToken = anonymous.headers['cart-token'] as string;
    expect(cartToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(anonymous.body.items).toEqual([expect.objectContaining({ productId: product.id, quantity: 3 })]);
    const consumer = await auth('consumer');
    const merged = await request(platform.http)
      .post('/api/v1/cart/merge')
      .set(consumer)
      .set('Cart-Token', cartToken)
      .expect(200);
    expect(merged.body.subtotal.fen).toBe(3 * product.price.fen);

    // Checkout needs an Idempotency-Key; a repeat answers the same order.
    const missing = await request(platform.http)
      .post('/api/v1/checkout')
      .set(consumer)
      .send({ paymentMethod: 'manual' })
      .expect(400);
    expect(missing.body.fields).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    const unknownField = await request(platform.http)
      .post('/api/v1/checkout')
      .set(consumer)
      .set('Idempotency-Key', 'order-key-0001')
      .send({ paymentMethod: 'manual', discount: 100 })
      .expect(400);
    expect(unknownField.body.fields.map((f: { field: string }) => f.field)).toEqual(['discount']);
    const placed = await request(platform.http)
      .post('/api/v1/checkout')
      .set(consumer)
      .set('Idempotency-Key', 'order-key-0001')
      .send({ paymentMethod: 'manual', donationFen: 100 })
      .expect(201);
    const order = placed.body.order as OrderJson;
    expect(order).toMatchObject({ status: 'pending_payment', total: { fen: 3 * product.price.fen + 100 } });
    const replay = await request(platform.http)
      .post('/api/v1/checkout')
      .set(consumer)
      .set('Idempotency-Key', 'order-key-0001')
      .send({ paymentMethod: 'manual', donationFen: 100 })
      .expect(201);
    expect(replay.body.order.id).toBe(order.id);
    const changed = await request(platform.http)
      .post('/api/v1/checkout')
      .set(consumer)
      .set('Idempotency-Key', 'order-key-0001')
      .send({ paymentMethod: 'manual', donationFen: 200 })
      .expect(409);
    expect(changed.body.fields).toEqual([expect.objectContaining({ field: 'idempotencyKey' })]);
    expect(await onHand(product.id)).toBe(stock - 3);

    // Nobody else sees it; only an officer records the payment.
    for (const role of ['stranger', 'otherStaff'] as const) {
      await request(platform.http)
        .get(`/api/v1/orders/${order.id}`)
        .set(await auth(role))
        .expect(404);
    }
    await request(platform.http)
      .post(`/api/v1/orders/${order.id}/payments/manual`)
      .set(consumer)
      .send({ amountFen: order.total.fen, reference: 'self' })
      .expect(403);
    const wrongAmount = await request(platform.http)
      .post(`/api/v1/orders/${order.id}/payments/manual`)
      .set(await auth('officer'))
      .send({ amountFen: 1, reference: 'BOC-1' })
      .expect(400);
    expect(wrongAmount.body.fields).toEqual([expect.objectContaining({ field: 'amount' })]);
    const paid = await request(platform.http)
      .post(`/api/v1/orders/${order.id}/payments/manual`)
      .set(await auth('officer'))
      .send({ amountFen: order.total.fen, reference: 'BOC-20261128-0042' })
      .expect(200);
    expect(paid.body.status).toBe('paid');

    // The producer ships, the buyer confirms, the producer refunds one returned unit.
    await request(platform.http)
      .post(`/api/v1/orders/${order.id}/shipments`)
      .set(await auth('otherStaff'))
      .send({ carrier: 'EMS', trackingNumber: 'EA1' })
      .expect(404);
    const shipped = await request(platform.http)
      .post(`/api/v1/orders/${order.id}/shipments`)
      .set(await auth('staff'))
      .send({ carrier: 'EMS', trackingNumber: 'EA123456789CN' })
      .expect(200);
    expect(shipped.body).toMatchObject({ status: 'shipped', lines: [{ status: 'shipped', carrier: 'EMS' }] });
    const delivered = await request(platform.http)
      .post(`/api/v1/orders/${order.id}/delivery`)
      .set(consumer)
      .expect(200);
    expect(delivered.body.status).toBe('delivered');
    await request(platform.http)
      .post(`/api/v1/orders/${order.id}/refunds`)
      .set(consumer)
      .send({ reason: 'changed my mind' })
      .expect(403);
    const refund = await request(platform.http)
      .post(`/api/v1/orders/${order.id}/refunds`)
      .set(await auth('staff'))
      .set('Idempotency-Key', 'refund-key-0001')
      .send({ lines: [{ lineId: order.lines[0].id, quantity: 1 }], reason: '包装破损', goodsReturned: true })
      .expect(201);
    // Paid by bank transfer: the relief office pays the refund back and says so, not the staff.
    expect(refund.body.refund).toMatchObject({ amount: { fen: product.price.fen }, status: 'pending' });
    expect(refund.body.order).toMatchObject({ status: 'delivered', refunded: { fen: product.price.fen } });
    const paidBack = await request(platform.http)
      .post(`/api/v1/orders/${order.id}/refunds/${refund.body.refund.id}/confirm`)
      .set(await auth('officer'))
      .send({ reference: 'BOC-REFUND-0001' })
      .expect(200);
    expect(paidBack.body.refund).toMatchObject({ status: 'succeeded', reference: 'manual:BOC-REFUND-0001' });
    expect(await onHand(product.id)).toBe(stock - 2);
    const refundAgain = await request(platform.http)
      .post(`/api/v1/orders/${order.id}/refunds`)
      .set(await auth('staff'))
      .set('Idempotency-Key', 'refund-key-0001')
      .send({ lines: [{ lineId: order.lines[0].id, quantity: 1 }], reason: '包装破损', goodsReturned: true })
      .expect(201);
    expect(refundAgain.body.refund.id).toBe(refund.body.refund.id);
    expect(refundAgain.body.order.refunded.fen).toBe(product.price.fen);
    expect(await onHand(product.id)).toBe(stock - 2);

    // The relief office sees the events the ledger will consume.
    const events: { id: number; orderId: string; type: string }[] = [];
    for (;;) {
      const res = await request(platform.http)
        .get('/api/v1/orders/events')
        .query({ afterId: events.at(-1)?.id ?? 0, limit: 500 })
        .set(await auth('auditor'))
        .expect(200);
      if (res.body.items.length === 0) {
        break;
      }
      events.push(...res.body.items);
    }
    expect(events.filter((e) => e.orderId === order.id).map((e) => e.type)).toEqual([
      'order.paid',
      'order.refunded',
    ]);
    await request(platform.http).get('/api/v1/orders/events').set(consumer).expect(403);
    const mine = await request(platform.http).get('/api/v1/orders').set(consumer).expect(200);
    expect(mine.body.items.map((o: OrderJson) => o.id)).toContain(order.id);
    const theirs = await request(platform.http)
      .get('/api/v1/orders')
      .set(await auth('stranger'))
      .expect(200);
    expect(theirs.body.items).toEqual([]);
  });

  it('refuses bad cart and order input naming the field', async () => {
    const consumer = await auth('consumer');
    const bad = await request(platform.http)
      .post('/api/v1/cart/items')
      .set(consumer)
      .send({ productId: 'not-a-uuid', quantity: 0 })
      .expect(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['productId', 'quantity']);
    await request(platform.http).get('/api/v1/cart').set('Cart-Token', 'short').expect(400);
    await request(platform.http).get('/api/v1/orders/not-a-uuid').set(consumer).expect(400);
    await request(platform.http).get('/api/v1/orders').expect(401);
    const staff = await request(platform.http)
      .post('/api/v1/checkout')
      .set(await auth('staff'))
      .set('Idempotency-Key', 'order-key-0002')
      .send({ paymentMethod: 'manual' })
      .expect(403);
    expect(staff.body.error).toBeDefined();
    const empty = await request(platform.http)
      .post('/api/v1/checkout')
      .set(await auth('institution'))
      .set('Idempotency-Key', 'order-key-0003')
      .send({ paymentMethod: 'manual' })
      .expect(409);
    expect(empty.body.fields).toEqual([expect.objectContaining({ field: 'cart' })]);
    // This platform takes no card payments (orders has no Stripe key).
    await request(platform.http)
      .post('/api/v1/cart/items')
      .set(await auth('institution'))
      .send({ productId: product.id, quantity: 1 })
      .expect(201);
    const card = await request(platform.http)
      .post('/api/v1/checkout')
      .set(await auth('institution'))
      .set('Idempotency-Key', 'order-key-0004')
      .send({ paymentMethod: 'stripe' })
      .expect(409);
    expect(card.body.fields).toEqual([expect.objectContaining({ field: 'paymentMethod' })]);
    await request(platform.http)
      .delete(`/api/v1/cart/items/${product.id}`)
      .set(await auth('institution'))
      .expect(200);
  });

  it("merges an anonymous cart into the buyer's own on sign-in, once", async () => {
    await request(platform.http)
      .post('/api/v1/auth/register')
      .send({ email: 'wang.wu@example.com', password: 'a-long-password-2', name: '王五' })
      .expect(202);
    const login = { email: 'wang.wu@example.com', password: 'a-long-password-2' };

    const first = await request(platform.http)
      .post('/api/v1/cart/items')
      .send({ productId: product.id, quantity: 2 })
      .expect(201);
    const cartToken = first.headers['cart-token'] as string;
    const again = await request(platform.http)
      .post('/api/v1/cart/items')
      .set('Cart-Token', cartToken)
      .send({ productId: product.id, quantity: 1 })
      .expect(201);
    expect(again.headers['cart-token']).toBeUndefined();
    expect(again.body.items).toEqual([expect.objectContaining({ productId: product.id, quantity: 3 })]);
    const changed = await request(platform.http)
      .patch(`/api/v1/cart/items/${product.id}`)
      .set('Cart-Token', cartToken)
      .send({ quantity: 4 })
      .expect(200);
    expect(changed.body.items).toEqual([expect.objectContaining({ quantity: 4 })]);
    const removed = await request(platform.http)
      .delete(`/api/v1/cart/items/${product.id}`)
      .set('Cart-Token', cartToken)
      .expect(200);
    expect(removed.body.items).toEqual([]);
    await request(platform.http)
      .post('/api/v1/cart/items')
      .set('Cart-Token', cartToken)
      .send({ productId: product.id, quantity: 3 })
      .expect(201);

    const bad = await request(platform.http)
      .post('/api/v1/auth/login')
      .set('Cart-Token', 'not a token')
      .send(login)
      .expect(400);
    expect(bad.body.fields).toEqual([expect.objectContaining({ field: 'Cart-Token' })]);

    const signedIn = await request(platform.http)
      .post('/api/v1/auth/login')
      .set('Cart-Token', cartToken)
      .send(login)
      .expect(200);
    expect(signedIn.body.cart.items).toEqual([
      expect.objectContaining({ productId: product.id, quantity: 3 }),
    ]);
    expect(signedIn.body.cart.subtotal.fen).toBe(3 * product.price.fen);
    const bearer = { authorization: `Bearer ${signedIn.body.accessToken as string}` };
    const own = await request(platform.http).get('/api/v1/cart').set(bearer).expect(200);
    expect(own.headers['cart-token']).toBeUndefined();
    expect(own.body.items).toEqual([expect.objectContaining({ productId: product.id, quantity: 3 })]);

    // The anonymous cart is gone: signing in again with its token moves nothing twice.
    const twice = await request(platform.http)
      .post('/api/v1/auth/login')
      .set('Cart-Token', cartToken)
      .send(login)
      .expect(200);
    expect(twice.body.cart.items).toEqual([expect.objectContaining({ quantity: 3 })]);
    const anonymous = await request(platform.http)
      .get('/api/v1/cart')
      .set('Cart-Token', cartToken)
      .expect(200);
    expect(anonymous.body.items).toEqual([]);

    // A sign-in without a cart answers no cart; staff keep their anonymous cart apart.
    const plain = await request(platform.http).post('/api/v1/auth/login').send(login).expect(200);
    expect(plain.body).not.toHaveProperty('cart');
    const browsing = await request(platform.http)
      .post('/api/v1/cart/items')
      .send({ productId: product.id, quantity: 1 })
      .expect(201);
    const staffLogin = await request(platform.http)
      .post('/api/v1/auth/login')
      .set('Cart-Token', browsing.headers['cart-token'] as string)
      .send({ email: DEMO_EMAIL.staff, password: DEMO_PASSWORD })
      .expect(200);
    expect(staffLogin.body).not.toHaveProperty('cart');
  });

  it('answers each role on orders, payments, fulfilment and refunds exactly as the contract allows', async () => {
    const stock = await onHand(product.id);
    const order = await placeOrder(2, 'matrix-order-0001');
    const url = `/api/v1/orders/${order.id}`;
    expect(await onHand(product.id)).toBe(stock - 2);

    // Reading: the buyer, the producer's staff and the relief office; nobody else learns it exists.
    expect(await statuses(EVERYONE, (h) => request(platform.http).get(url).set(h))).toEqual({
      consumer: 200,
      institution: 404,
      stranger: 404,
      staff: 200,
      otherStaff: 404,
      officer: 200,
      auditor: 200,
      anonymous: 401,
    });
    for (const role of ['staff', 'otherStaff'] as const) {
      const listed = await request(platform.http)
        .get('/api/v1/orders')
        .set(await auth(role))
        .expect(200);
      const ids = listed.body.items.map((o: OrderJson) => o.id);
      expect(ids.includes(order.id)).toBe(role === 'staff');
    }

    // Checkout is for buyers.
    expect(
      await statuses(['staff', 'otherStaff', 'officer', 'auditor', 'anonymous'], (h) =>
        request(platform.http)
          .post('/api/v1/checkout')
          .set(h)
          .set('Idempotency-Key', 'matrix-checkout-01')
          .send({ paymentMethod: 'manual' }),
      ),
    ).toEqual({ staff: 403, otherStaff: 403, officer: 403, auditor: 403, anonymous: 401 });

    // Cancelling: the buyer or an officer; the rest 404 (or 401) and the order stays pending.
    expect(
      await statuses(['institution', 'stranger', 'staff', 'otherStaff', 'auditor', 'anonymous'], (h) =>
        request(platform.http).post(`${url}/cancel`).set(h),
      ),
    ).toEqual({ institution: 404, stranger: 404, staff: 404, otherStaff: 404, auditor: 404, anonymous: 401 });

    // Nothing ships before payment.
    const early = await request(platform.http)
      .post(`${url}/shipments`)
      .set(await auth('staff'))
      .send({ carrier: 'SF', trackingNumber: 'SF0' })
      .expect(409);
    expect(early.body.fields).toEqual([expect.objectContaining({ field: 'lineIds' })]);

    // Recording a manual payment: relief officers only.
    const payment = { amountFen: order.total.fen, reference: 'ICBC-20261128-0007' };
    expect(
      await statuses(EVERYONE, (h) =>
        request(platform.http).post(`${url}/payments/manual`).set(h).send(payment),
      ),
    ).toEqual({
      consumer: 403,
      institution: 403,
      stranger: 403,
      staff: 403,
      otherStaff: 403,
      officer: 200,
      auditor: 403,
      anonymous: 401,
    });
    const paid = await request(platform.http)
      .get(url)
      .set(await auth('officer'))
      .expect(200);
    expect(paid.body).toMatchObject({
      status: 'paid',
      payment: { method: 'manual', amountReceived: { fen: order.total.fen } },
    });
    // A paid order is refunded, not cancelled.
    await request(platform.http)
      .post(`${url}/cancel`)
      .set(await auth('consumer'))
      .expect(409);

    // Shipping: the producer's staff (or an officer); staff of another producer do not see it.
    expect(
      await statuses(['consumer', 'institution', 'stranger', 'otherStaff', 'auditor', 'anonymous'], (h) =>
        request(platform.http).post(`${url}/shipments`).set(h).send({ carrier: 'SF', trackingNumber: 'SF1' }),
      ),
    ).toEqual({
      consumer: 403,
      institution: 403,
      stranger: 403,
      otherStaff: 404,
      auditor: 403,
      anonymous: 401,
    });
    const shipped = await request(platform.http)
      .post(`${url}/shipments`)
      .set(await auth('staff'))
      .send({ lineIds: [order.lines[0].id], carrier: 'SF', trackingNumber: 'SF1234567890' })
      .expect(200);
    expect(shipped.body).toMatchObject({ status: 'shipped', lines: [{ trackingNumber: 'SF1234567890' }] });

    // Delivery: the buyer only.
    expect(
      await statuses(
        ['institution', 'stranger', 'staff', 'otherStaff', 'officer', 'auditor', 'anonymous'],
        (h) => request(platform.http).post(`${url}/delivery`).set(h),
      ),
    ).toEqual({
      institution: 404,
      stranger: 404,
      staff: 403,
      otherStaff: 403,
      officer: 403,
      auditor: 403,
      anonymous: 401,
    });
    await request(platform.http)
      .post(`${url}/delivery`)
      .set(await auth('consumer'))
      .expect(200);

    // Refunds: an officer or the producer's staff; without returned goods, stock stays sold.
    const refund = { lines: [{ lineId: order.lines[0].id, quantity: 1 }], reason: '到货晚了' };
    expect(
      await statuses(['consumer', 'institution', 'stranger', 'otherStaff', 'auditor', 'anonymous'], (h) =>
        request(platform.http).post(`${url}/refunds`).set(h).send(refund),
      ),
    ).toEqual({
      consumer: 403,
      institution: 403,
      stranger: 403,
      otherStaff: 404,
      auditor: 403,
      anonymous: 401,
    });
    const refunded = await request(platform.http)
      .post(`${url}/refunds`)
      .set(await auth('officer'))
      .send(refund)
      .expect(201);
    expect(refunded.body.refund).toMatchObject({ amount: { fen: product.price.fen }, goodsReturned: false });
    expect(refunded.body.order.lines[0]).toMatchObject({ refundedQuantity: 1 });
    expect(await onHand(product.id)).toBe(stock - 2);
    const tooMuch = await request(platform.http)
      .post(`${url}/refunds`)
      .set(await auth('staff'))
      .send({ lines: [{ lineId: order.lines[0].id, quantity: 2 }], reason: 'again' })
      .expect(400);
    expect(tooMuch.body.fields[0].field).toMatch(/^lines/);

    // Order events: the relief office and auditors.
    expect(
      await statuses(EVERYONE, (h) => request(platform.http).get('/api/v1/orders/events').set(h)),
    ).toEqual({
      consumer: 403,
      institution: 403,
      stranger: 403,
      staff: 403,
      otherStaff: 403,
      officer: 200,
      auditor: 200,
      anonymous: 401,
    });
  });

  it('cancels an unpaid order for its buyer, releasing the held stock', async () => {
    const stock = await onHand(product.id);
    const order = await placeOrder(1, 'cancel-order-0001');
    expect(await onHand(product.id)).toBe(stock - 1);
    const cancelled = await request(platform.http)
      .post(`/api/v1/orders/${order.id}/cancel`)
      .set(await auth('consumer'))
      .expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(await onHand(product.id)).toBe(stock);
    await request(platform.http)
      .post(`/api/v1/orders/${order.id}/cancel`)
      .set(await auth('officer'))
      .expect(200);
    expect(await onHand(product.id)).toBe(stock);
    const listed = await request(platform.http)
      .get('/api/v1/orders')
      .query({ status: 'cancelled', pageSize: 1 })
      .set(await auth('consumer'))
      .expect(200);
    expect(listed.body).toMatchObject({
      page: 1,
      pageSize: 1,
      items: [{ id: order.id, status: 'cancelled' }],
    });
    expect(listed.body.total).toBeGreaterThanOrEqual(1);
  });

  it('refuses bad headers, queries and bodies naming the field, before anything is written', async () => {
    const consumer = await auth('consumer');
    const officer = await auth('officer');
    const fieldsOf = (res: request.Response) => [
      ...new Set((res.body.fields as { field: string }[]).map((f) => f.field).sort()),
    ];
    const badKey = await request(platform.http)
      .post('/api/v1/checkout')
      .set(consumer)
      .set('Idempotency-Key', 'short')
      .send({ paymentMethod: 'manual' })
      .expect(400);
    expect(fieldsOf(badKey)).toEqual(['Idempotency-Key']);
    const badMethod = await request(platform.http)
      .post('/api/v1/checkout')
      .set(consumer)
      .set('Idempotency-Key', 'bad-body-0001')
      .send({ paymentMethod: 'cash', donationFen: -1, roundUp: 'yes' })
      .expect(400);
    expect(fieldsOf(badMethod)).toEqual(['donationFen', 'paymentMethod', 'roundUp']);
    const badList = await request(platform.http)
      .get('/api/v1/orders')
      .query({ status: 'lost', pageSize: 0 })
      .set(consumer)
      .expect(400);
    expect(fieldsOf(badList)).toEqual(['pageSize', 'status']);
    const badEvents = await request(platform.http)
      .get('/api/v1/orders/events')
      .query({ afterId: -1, limit: 501 })
      .set(officer)
      .expect(400);
    expect(fieldsOf(badEvents)).toEqual(['afterId', 'limit']);
    const id = '00000000-0000-4000-8000-000000000000';
    const badPayment = await request(platform.http)
      .post(`/api/v1/orders/${id}/payments/manual`)
      .set(officer)
      .send({ amountFen: 1.5, reference: '' })
      .expect(400);
    expect(fieldsOf(badPayment)).toEqual(['amountFen', 'reference']);
    const badShipment = await request(platform.http)
      .post(`/api/v1/orders/${id}/shipments`)
      .set(officer)
      .send({ lineIds: ['x'], carrier: '', trackingNumber: 7 })
      .expect(400);
    expect(fieldsOf(badShipment)).toEqual(['carrier', 'lineIds', 'trackingNumber']);
    const badRefund = await request(platform.http)
      .post(`/api/v1/orders/${id}/refunds`)
      .set(officer)
      .set('Idempotency-Key', 'x')
      .send({ reason: 'r' })
      .expect(400);
    expect(fieldsOf(badRefund)).toEqual(['Idempotency-Key']);
    const badRefundLines = await request(platform.http)
      .post(`/api/v1/orders/${id}/refunds`)
      .set(officer)
      .send({ lines: [{ lineId: 'nope', quantity: 0 }], reason: '', goodsReturned: 'no' })
      .expect(400);
    expect(fieldsOf(badRefundLines)).toEqual(
      ['goodsReturned', 'lines.0.lineId', 'lines.0.quantity', 'reason'].sort(),
    );
    const badCartPatch = await request(platform.http)
      .patch(`/api/v1/cart/items/${product.id}`)
      .set(consumer)
      .send({ quantity: 1000 })
      .expect(400);
    expect(fieldsOf(badCartPatch)).toEqual(['quantity']);
    const badCartParam = await request(platform.http)
      .delete('/api/v1/cart/items/not-a-uuid')
      .set(consumer)
      .expect(400);
    expect(fieldsOf(badCartParam)).toEqual(['productId']);
    const unknown = await request(platform.http).get(`/api/v1/orders/${id}`).set(officer).expect(404);
    expect(unknown.body.error).toBe('ORDER_NOT_FOUND');
  });

  it('has no Stripe webhook without a signing secret', async () => {
    await request(platform.http)
      .post('/api/v1/payments/stripe/webhook')
      .set('Stripe-Signature', 't=1,v1=00')
      .send({ id: 'evt_1', type: 'payment_intent.succeeded', data: { object: {} } })
      .expect(404);
  });
});
