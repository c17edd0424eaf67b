import { describeWithRedis } from '@yugong/shared/testing';
import { Client } from 'pg';
import request from 'supertest';
import { DEMO_PASSWORD, startPlatform, type Platform } from './support/platform';

type Role = 'consumer' | 'institution' | 'staff' | 'otherStaff' | 'officer' | 'auditor' | 'stranger';

const EMAIL: Record<Exclude<Role, 'stranger'>, string> = {
  consumer: 'consumer@example.com',
  institution: 'institution@example.com',
  staff: 'yangguang@example.com',
  otherStaff: 'ruixing@example.com',
  officer: 'officer@example.com',
  auditor: 'auditor@example.com',
};

interface OrderJson {
  id: string;
  status: string;
  lines: {
    id: string;
    productId: string;
    producerId: string;
    quantity: number;
    status: string;
    refundedQuantity: number;
  }[];
  total: { fen: number };
  refunded: { fen: number };
}

// Carts and checkout live in the orders service, which needs Redis.
describeWithRedis('orders through the gateway', () => {
  let platform: Platform;
  let catalogSql: Client;
  const tokens: Partial<Record<Role, string>> = {};
  let product: { id: string; producerId: string; price: { fen: number } };

  async function auth(role: Role): Promise<Record<string, string>> {
    if (!tokens[role]) {
      if (role === 'stranger') {
        await request(platform.http)
          .post('/api/v1/auth/register')
          .send({ email: 'li.si@example.com', password: 'a-long-password-1', name: '李四' })
          .expect(201);
      }
      const email = role === 'stranger' ? 'li.si@example.com' : EMAIL[role];
      const password = role === 'stranger' ? 'a-long-password-1' : DEMO_PASSWORD;
      tokens[role] = (
        await request(platform.http).post('/api/v1/auth/login').send({ email, password }).expect(200)
      ).body.accessToken as string;
    }
    return { authorization: `Bearer ${tokens[role]}` };
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
      (p: { producerId: string; stock: number }) => staffProducers.includes(p.producerId) && p.stock >= 5,
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
    expect(refund.body.refund).toMatchObject({ amount: { fen: product.price.fen }, status: 'succeeded' });
    expect(refund.body.order).toMatchObject({ status: 'delivered', refunded: { fen: product.price.fen } });
    expect(await onHand(product.id)).toBe(stock - 2);

    // The relief office sees the events the ledger will consume.
    const events = await request(platform.http)
      .get('/api/v1/orders/events')
      .set(await auth('auditor'))
      .expect(200);
    expect(
      events.body.items
        .filter((e: { orderId: string }) => e.orderId === order.id)
        .map((e: { type: string }) => e.type),
    ).toEqual(['order.paid', 'order.refunded']);
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
  });
});
