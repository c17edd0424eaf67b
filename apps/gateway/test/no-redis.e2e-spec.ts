import request from 'supertest';
import { signIn } from './support/accounts';
import { startPlatform, type Platform } from './support/platform';
import type { OrderJson, ProductJson } from './support/views';

// `npm start` on a fresh machine: no REDIS_URL and no redis-server, so every service keeps its
// carts, locks, cache and rate limits in process. A newcomer must still be able to buy.
describe('the platform without Redis', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform('no_redis', {}, { redis: false });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('takes a consumer from sign-in to a placed order', async () => {
    const consumer = await signIn(platform, 'consumer');
    const listed = await request(platform.http).get('/api/v1/products').query({ pageSize: 100 }).expect(200);
    const product = (listed.body.items as ProductJson[]).find((p) => p.stock >= 2);
    expect(product).toBeDefined();

    const cart = await request(platform.http)
      .post('/api/v1/cart/items')
      .set(consumer)
      .send({ productId: product!.id, quantity: 2 })
      .expect(201);
    expect(cart.body.items).toEqual([expect.objectContaining({ productId: product!.id, quantity: 2 })]);

    const placed = await request(platform.http)
      .post('/api/v1/checkout')
      .set(consumer)
      .set('Idempotency-Key', 'no-redis-order-0001')
      .send({ paymentMethod: 'manual' })
      .expect(201);
    const order = placed.body.order as OrderJson;
    expect(order).toMatchObject({ status: 'pending_payment', total: { fen: 2 * product!.price.fen } });

    const fetched = await request(platform.http).get(`/api/v1/orders/${order.id}`).set(consumer).expect(200);
    expect(fetched.body).toMatchObject({
      id: order.id,
      status: 'pending_payment',
      lines: [expect.objectContaining({ productId: product!.id, quantity: 2 })],
    });
    // The cart was emptied by the checkout.
    const after = await request(platform.http).get('/api/v1/cart').set(consumer).expect(200);
    expect(after.body.items).toEqual([]);
  });
});
