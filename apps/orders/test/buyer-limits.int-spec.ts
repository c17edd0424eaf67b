import * as grpc from '@grpc/grpc-js';
import { orders as contract } from '@yugong/contracts';
import { errorDetails, errorFieldNames, expectRejection } from '@yugong/shared/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { consumer, OFFICER, startTestOrders, type TestOrders } from './support/harness';

const codeOf = (error: grpc.ServiceError) => errorDetails(error).code;

/**
 * The limits on what one buyer may hold unpaid, and the one-order-per-reference rule of manual
 * payments, against concurrent calls: each is decided in PostgreSQL (a per-buyer lock, a unique
 * index), so requests racing through one replica or several cannot pass it together.
 */
describe('buyer limits and payment references under concurrency', () => {
  let orders: TestOrders;
  let catalog: TestOrders['catalog'];
  let sql: Client;
  let call: TestOrders['call'];
  let producerId: string;

  beforeAll(async () => {
    orders = await startTestOrders('orders_limits', {
      DB_POOL_MAX: '20',
      MAX_UNPAID_ORDERS_PER_BUYER: '3',
      MAX_HELD_UNITS_PER_BUYER: '5',
    });
    ({ catalog, sql, call } = orders);
    producerId = await catalog.producer();
  });

  afterAll(() => orders?.close());

  const manual = () => ({
    idempotencyKey: randomBytes(12).toString('hex'),
    paymentMethod: contract.PaymentMethod.PAYMENT_METHOD_MANUAL,
  });

  async function unpaidOf(buyerId: string): Promise<number> {
    const { rows } = await sql.query<{ n: string }>(
      `select count(*) as n from customer_order where buyer_id = $1 and status = 'pending_payment'`,
      [buyerId],
    );
    return Number(rows[0].n);
  }

  /**
   * Sends `count` checkouts of the buyer's one cart at once, and holds every one of them at the
   * point of writing its order until all are there: orders are kept from being written (the test
   * holds an exclusive lock on the table, which reads pass) until `count` sessions wait on a lock,
   * either that one or the buyer's. Without the per-buyer lock all of them would have counted
   * nothing unpaid by then. The answers, in order.
   */
  async function checkoutsAtOnce(buyer: ReturnType<typeof consumer>, count: number) {
    const blocker = new Client({ connectionString: orders.url });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table customer_order in exclusive mode');
      const answers = Promise.allSettled(
        Array.from({ length: count }, () => call('checkout', manual(), buyer)),
      );
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && (await waiting()) < count) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await waiting()).toBe(count);
      await blocker.query('commit');
      return await answers;
    } finally {
      await blocker.end();
    }
  }

  /** Sessions of the orders database waiting for a lock. */
  async function waiting(): Promise<number> {
    const { rows } = await sql.query<{ n: string }>(
      `select count(*) as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
        where not l.granted and a.datname = current_database()`,
    );
    return Number(rows[0].n);
  }

  it('lets concurrent checkouts of one buyer past the held-units limit only as far as it goes', async () => {
    const productId = await catalog.product(producerId, 100);
    const buyer = consumer();
    await call('addCartItem', { productId, quantity: 2 }, buyer);

    const answers = await checkoutsAtOnce(buyer, 10);

    // 2 + 2 units fit under 5; a third order of 2 would not, whoever came first.
    const placed = answers.filter((a) => a.status === 'fulfilled');
    const refused = answers.flatMap((a) => (a.status === 'rejected' ? [a.reason as grpc.ServiceError] : []));
    expect(placed).toHaveLength(2);
    expect(refused.map((e) => [e.code, codeOf(e), errorFieldNames(e)])).toEqual(
      Array(8).fill([grpc.status.FAILED_PRECONDITION, 'HELD_UNITS_LIMIT', ['heldUnits']]),
    );
    expect(await unpaidOf(buyer.userId)).toBe(2);
    // The holds of the refused checkouts were given back: only the two orders' units are held.
    expect(await catalog.held(productId)).toBe(4);
  });

  it('lets concurrent checkouts of one buyer past the unpaid-order limit only as far as it goes', async () => {
    const productId = await catalog.product(producerId, 100);
    const buyer = consumer();
    await call('addCartItem', { productId, quantity: 1 }, buyer);

    const answers = await checkoutsAtOnce(buyer, 10);

    const placed = answers.filter((a) => a.status === 'fulfilled');
    const refused = answers.flatMap((a) => (a.status === 'rejected' ? [a.reason as grpc.ServiceError] : []));
    expect(placed).toHaveLength(3);
    expect(refused.map((e) => [e.code, codeOf(e), errorFieldNames(e)])).toEqual(
      Array(7).fill([grpc.status.FAILED_PRECONDITION, 'UNPAID_ORDER_LIMIT', ['unpaidOrders']]),
    );
    expect(await unpaidOf(buyer.userId)).toBe(3);
    expect(await catalog.held(productId)).toBe(3);
  });

  it('confirms one of two orders paid with one bank reference at once, and writes nothing for the other', async () => {
    const [first, second] = await Promise.all(
      [1, 2].map(async () => {
        const productId = await catalog.product(producerId, 10);
        const buyer = consumer();
        await call('addCartItem', { productId, quantity: 1 }, buyer);
        const { order } = await call('checkout', manual(), buyer);
        return { productId, order };
      }),
    );
    const reference = `BOC-${randomUUID()}`;

    const answers = await Promise.allSettled(
      [first, second].map(({ order }) =>
        call('confirmManualPayment', { orderId: order.id, amount: order.total, reference }, OFFICER),
      ),
    );

    expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const winner = answers[0].status === 'fulfilled' ? first : second;
    const loser = winner === first ? second : first;
    const error = (answers.find((a) => a.status === 'rejected') as PromiseRejectedResult)
      .reason as grpc.ServiceError;
    expect([error.code, codeOf(error), errorFieldNames(error)]).toEqual([
      grpc.status.FAILED_PRECONDITION,
      'PAYMENT_REFERENCE_USED',
      ['reference'],
    ]);
    const { rows } = await sql.query<{ id: string; status: string; payment_reference: string | null }>(
      'select id, status, payment_reference from customer_order where id = any($1) order by status',
      [[first.order.id, second.order.id]],
    );
    expect(rows).toEqual([
      { id: winner.order.id, status: 'paid', payment_reference: reference },
      { id: loser.order.id, status: 'pending_payment', payment_reference: null },
    ]);
    // The loser's stock is still only held, not taken for good; no event was written for it.
    expect(await catalog.held(loser.productId)).toBe(1);
    expect(await catalog.held(winner.productId)).toBe(0);
    const events = await sql.query('select 1 from outbox_event where order_id = $1', [loser.order.id]);
    expect(events.rows).toEqual([]);
  });

  it('lets only an officer set an allowance, naming each bad field', async () => {
    const buyerId = randomUUID();
    const denied = await expectRejection(
      call('setBuyerAllowance', { buyerId, maxUnpaidOrders: 50, maxHeldUnits: 500 }, consumer()),
    );
    expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
    const invalid = await expectRejection(
      call(
        'setBuyerAllowance',
        { buyerId: 'nobody', maxUnpaidOrders: 0, maxHeldUnits: 2_000_000, expiresAt: { seconds: 1 } },
        OFFICER,
      ),
    );
    expect(invalid.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(errorFieldNames(invalid).sort()).toEqual([
      'buyerId',
      'expiresAt',
      'maxHeldUnits',
      'maxUnpaidOrders',
    ]);
    const { rows } = await sql.query('select 1 from buyer_allowance');
    expect(rows).toEqual([]);
  });
});
