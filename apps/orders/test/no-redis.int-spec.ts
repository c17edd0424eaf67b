import { orders as contract } from '@yugong/contracts';
import { randomBytes } from 'node:crypto';
import { consumer, startTestOrders, type TestOrders } from './support/harness';

// No describeWithRedis: this suite is the platform as a machine without Redis runs it.
describe('orders without Redis', () => {
  let orders: TestOrders;
  let producerId: string;

  beforeAll(async () => {
    // No REDIS_URL given, so a Redis of the machine running the tests is not used.
    orders = await startTestOrders('orders_no_redis');
    producerId = await orders.catalog.producer();
  });

  afterAll(() => orders?.close());

  /** A buyer with `quantity` units of a fresh product in the cart, and a manual checkout request. */
  async function cartOf(quantity: number) {
    const productId = await orders.catalog.product(producerId, 10);
    const buyer = consumer();
    await orders.call('addCartItem', { productId, quantity }, buyer);
    const checkout = {
      idempotencyKey: randomBytes(12).toString('hex'),
      paymentMethod: contract.PaymentMethod.PAYMENT_METHOD_MANUAL,
    };
    return { productId, buyer, checkout };
  }

  it('places an order from the cart, holding its stock, and answers a repeated checkout with the same order', async () => {
    const { productId, buyer, checkout } = await cartOf(2);

    const placed = await orders.call('checkout', checkout, buyer);
    const repeated = await orders.call('checkout', checkout, buyer);

    expect(placed.order).toMatchObject({
      status: contract.OrderStatus.ORDER_STATUS_PENDING_PAYMENT,
      lines: [{ productId, quantity: 2 }],
    });
    expect(repeated.order.id).toBe(placed.order.id);
    const { rows } = await orders.sql.query(
      'select status, total_fen from customer_order where buyer_id = $1',
      [buyer.userId],
    );
    expect(rows).toEqual([{ status: 'pending_payment', total_fen: '9700' }]);
    expect(await orders.catalog.held(productId)).toBe(2);
    const cart = await orders.call('getCart', {}, buyer);
    expect(cart.cart.items).toEqual([]);
  });

  it('answers concurrent checkouts with one Idempotency-Key with one order, under the in-process lock', async () => {
    const { productId, buyer, checkout } = await cartOf(1);

    const replies = await Promise.all(
      Array.from({ length: 10 }, () => orders.call('checkout', checkout, buyer)),
    );

    expect(new Set(replies.map((r) => r.order.id)).size).toBe(1);
    expect(await orders.catalog.held(productId)).toBe(1);
  });
});
