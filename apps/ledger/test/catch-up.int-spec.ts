import { orders } from '@yugong/contracts';
import { createTestDatabase, until, type TestDatabase } from '@yugong/shared/testing';
import { randomBytes } from 'node:crypto';
// Orders booted in-process, as it runs beside the ledger; spoken to over gRPC only.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { bootOrders, consumer, OFFICER } from '../../orders/test/support/harness';
import { bootLedger, ledgerDatabase, RABBIT, startTestRegion, type TestRegion } from './support/harness';

const ORDER_COUNT = 200;
/** Every tenth order is refunded whole before the ledger starts: its page holds two of its events. */
const REFUNDED_EVERY = 10;

describe('catching up with orders', () => {
  let region: TestRegion;
  let ordersDb: TestDatabase;
  let ordersService: Awaited<ReturnType<typeof bootOrders>>;
  let db: Awaited<ReturnType<typeof ledgerDatabase>>;

  beforeAll(async () => {
    region = await startTestRegion('ledger_catch_up');
    ordersDb = await createTestDatabase('ledger_catch_up_orders');
    // No consumer configured: the events wait in the outbox, as they did before the ledger existed.
    ordersService = await bootOrders(ordersDb.url, region.catalogAddress, {
      DB_POOL_MAX: '20',
      GRPC_DEADLINE_MS: '20000',
    });
    db = await ledgerDatabase('ledger_catch_up');
  }, 120_000);

  afterAll(async () => {
    await ordersService?.close();
    await ordersDb?.drop();
    await db?.close();
    await region?.close();
  });

  it('posts 200 orders paid (20 of them refunded) while the ledger was stopped, each once, in order', async () => {
    const totals: number[] = [];
    const refundedIds: string[] = [];
    let refundedFen = 0;
    const placeAndPay = async () => {
      const buyer = consumer();
      await ordersService.call('addCartItem', { productId: RABBIT, quantity: 1 }, buyer);
      const { order } = await ordersService.call(
        'checkout',
        {
          idempotencyKey: randomBytes(12).toString('base64url'),
          paymentMethod: orders.PaymentMethod.PAYMENT_METHOD_MANUAL,
          donationFen: totals.length % 4 === 0 ? 100 : 0,
        },
        buyer,
      );
      await ordersService.call(
        'confirmManualPayment',
        { orderId: order.id, amount: order.total, reference: `BOC-${order.id}` },
        OFFICER,
      );
      totals.push(order.total!.fen);
      if (totals.length % REFUNDED_EVERY === 0) {
        const { refund } = await ordersService.call(
          'refundOrder',
          { orderId: order.id, reason: '整单退款' },
          OFFICER,
        );
        refundedIds.push(order.id);
        refundedFen += refund!.amount!.fen;
      }
    };
    for (let i = 0; i < ORDER_COUNT; i += 10) {
      await Promise.all(Array.from({ length: 10 }, placeAndPay));
    }

    const count = async (sql: string) => Number((await db.sql.query(sql)).rows[0].n);
    const services = {
      orders: ordersService.address,
      catalog: region.catalogAddress,
      beneficiaries: region.beneficiariesAddress,
    };
    let ledger = await bootLedger(db.url, services);
    await until(
      async () =>
        (await count(`select count(*) as n from journal_transaction where kind = 'sale'`)) === ORDER_COUNT &&
        (await count(`select count(*) as n from applied_event where type = 'order.refunded'`)) ===
          ORDER_COUNT / REFUNDED_EVERY
          ? true
          : undefined,
      60_000,
      `${ORDER_COUNT} sales and their refunds posted`,
    );
    await ledger.close();
    // Started again: it reads from where it stopped, and a pass from the start posts nothing twice.
    await db.sql.query(`update consumer_cursor set after_id = 0`);
    ledger = await bootLedger(db.url, services);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await ledger.close();

    expect(await count(`select count(*) as n from journal_transaction where kind = 'sale'`)).toBe(
      ORDER_COUNT,
    );
    expect(await count(`select count(distinct order_id) as n from journal_transaction`)).toBe(ORDER_COUNT);
    expect(await count(`select count(*) as n from applied_event where type = 'order.paid'`)).toBe(
      ORDER_COUNT,
    );
    // Each refunded order's sale and refund, applied in their order although pages go many orders at once.
    const refunds = await db.sql.query(
      `select order_id, array_agg(type order by sequence) as types from applied_event
        where order_id = any($1::uuid[]) group by order_id`,
      [refundedIds],
    );
    expect(refunds.rows).toHaveLength(ORDER_COUNT / REFUNDED_EVERY);
    for (const row of refunds.rows) {
      expect(row.types).toEqual(['order.paid', 'order.refunded']);
    }
    expect(await count(`select count(*) as n from journal_transaction where kind = 'refund'`)).toBe(
      ORDER_COUNT / REFUNDED_EVERY,
    );
    const clearing = await count(
      `select balance_fen as n from account_totals where code = 'clearing:manual'`,
    );
    // A manual order refunded pays the goods back out of the same clearing account (a donation stays).
    expect(clearing).toBe(totals.reduce((a, b) => a + b, 0) - refundedFen);
  }, 240_000);
});
