import { demoSales } from '@yugong/shared/demo';
import { createTestDatabase } from '@yugong/shared/testing';
import { Client } from 'pg';
import { donationOf } from '../src/orders/checkout-lines.util';
import { bootOrders, OFFICER, type BootedOrders } from './support/harness';

const AUDITOR = { userId: OFFICER.userId, role: 'auditor', producerIds: [] as string[] };
const YEAR_2020 = [Date.parse('2019-12-31T16:00:00Z'), Date.parse('2020-12-31T16:00:00Z')];

/**
 * The demo sales of 2020 as orders seeds them: every order of the plan paid on its day with its
 * lines, donation, shipment, delivery and refunds, and the outbox events a ledger started later
 * catches up through, in the order they happened.
 */
describe('demo sales of 2020 in orders', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let orders: BootedOrders;
  let sql: Client;
  const sales = demoSales();

  beforeAll(async () => {
    db = await createTestDatabase('orders_demo_sales');
    // No catalog: seeding calls no other service.
    orders = await bootOrders(db.url, '127.0.0.1:9', { SEED_DEMO: 'true' });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await orders?.close();
    await db?.drop();
  });

  it('places a few hundred paid orders over 2020, card and manual, with donations and a few partial refunds', async () => {
    const { rows } = await sql.query<{
      id: string;
      status: string;
      payment_method: string;
      subtotal_fen: string;
      donation_fen: string;
      total_fen: string;
      amount_received_fen: string;
      created_at: Date;
      paid_at: Date;
    }>(`select * from customer_order order by created_at`);
    expect(rows.length).toBe(sales.length);
    expect(rows.length).toBeGreaterThanOrEqual(200);
    expect(
      rows.every((o) => o.created_at.getTime() >= YEAR_2020[0] && o.paid_at.getTime() < YEAR_2020[1]),
    ).toBe(true);
    const months = new Set(rows.map((o) => o.created_at.toISOString().slice(0, 7)));
    expect(months.size).toBe(12);
    const count = (f: (o: (typeof rows)[number]) => boolean) => rows.filter(f).length;
    expect(count((o) => o.payment_method === 'stripe')).toBeGreaterThan(50);
    expect(count((o) => o.payment_method === 'manual')).toBeGreaterThan(50);
    expect(count((o) => o.status === 'delivered')).toBeGreaterThan(50);
    expect(count((o) => ['paid', 'shipped', 'delivered'].includes(o.status))).toBe(rows.length);
    expect(count((o) => Number(o.donation_fen) > 0)).toBeGreaterThan(50);
    expect(
      rows.filter(
        (o) =>
          Number(o.total_fen) !== Number(o.subtotal_fen) + Number(o.donation_fen) ||
          Number(o.amount_received_fen) !== Number(o.total_fen),
      ),
    ).toEqual([]);
    const refunds = await sql.query<{ status: string; amount_fen: string; order_status: string }>(
      `select r.status, r.amount_fen, o.status as order_status
         from refund r join customer_order o on o.id = r.order_id`,
    );
    expect(refunds.rows.length).toBe(sales.reduce((n, s) => n + s.refunds.length, 0));
    expect(refunds.rows.length).toBeGreaterThanOrEqual(3);
    expect(refunds.rows.every((r) => r.status === 'succeeded' && r.order_status !== 'refunded')).toBe(true);
  });

  it('writes each line as checkout would: the plan price, household share and lots, donation by the checkout rule', async () => {
    const { rows } = await sql.query<{
      order_id: string;
      position: number;
      product_id: string;
      unit_price_fen: string;
      quantity: string;
      gross_fen: string;
      household_share_bps: number;
      allocations: { lotId: string; quantity: number }[];
      refunded_quantity: string;
      refunded_fen: string;
    }>(`select * from order_line`);
    const byLine = new Map(rows.map((r) => [`${r.order_id}/${r.position}`, r]));
    for (const sale of sales) {
      sale.lines.forEach((line, position) => {
        const row = byLine.get(`${sale.id}/${position}`)!;
        const refunded = sale.refunds
          .filter((r) => r.lineIndex === position)
          .reduce((n, r) => n + r.quantity, 0);
        expect({
          product: row.product_id,
          price: Number(row.unit_price_fen),
          quantity: Number(row.quantity),
          gross: Number(row.gross_fen),
          share: row.household_share_bps,
          lots: row.allocations.map((a) => [a.lotId, a.quantity]),
          refunded: Number(row.refunded_quantity),
          refundedFen: Number(row.refunded_fen),
        }).toEqual({
          product: line.productId,
          price: line.unitPriceFen,
          quantity: line.quantity,
          gross: line.unitPriceFen * line.quantity,
          share: line.householdShareBps,
          lots: line.allocations.map((a) => [a.lotId, a.quantity]),
          refunded,
          refundedFen: refunded * line.unitPriceFen,
        });
      });
    }
    expect(rows.length).toBe(sales.reduce((n, s) => n + s.lines.length, 0));
    const { rows: orders } = await sql.query<{ id: string; subtotal_fen: string; donation_fen: string }>(
      `select id, subtotal_fen, donation_fen from customer_order`,
    );
    const plan = new Map(sales.map((s) => [s.id, s]));
    for (const order of orders) {
      const sale = plan.get(order.id)!;
      expect(Number(order.donation_fen)).toBe(
        donationOf(Number(order.subtotal_fen), sale.donationFen, sale.roundUp),
      );
    }
  });

  it('lets a ledger started later catch up: order.paid and order.refunded for each, in the order they happened', async () => {
    const events: { id: number; type: string; orderId: string; occurredAt: number; createdAt: number }[] = [];
    let afterId = 0;
    for (;;) {
      const page = await orders.call('listEvents', { afterId, limit: 100 }, AUDITOR);
      if (page.events.length === 0) {
        break;
      }
      for (const e of page.events) {
        events.push({
          id: Number(e.id),
          type: e.type,
          orderId: e.orderId,
          occurredAt: Number(e.occurredAt!.seconds) * 1000 + Math.floor(e.occurredAt!.nanos / 1e6),
          createdAt: Number(e.order!.createdAt!.seconds) * 1000 + Math.floor(e.order!.createdAt!.nanos / 1e6),
        });
      }
      afterId = Number(page.events.at(-1)!.id);
    }
    const paid = events.filter((e) => e.type === 'order.paid');
    const refunded = events.filter((e) => e.type === 'order.refunded');
    expect(paid.map((e) => e.orderId).sort()).toEqual(sales.map((s) => s.id).sort());
    expect(refunded).toHaveLength(sales.reduce((n, s) => n + s.refunds.length, 0));
    expect(events).toHaveLength(paid.length + refunded.length);
    // Delivery order is time order, and each paid event carries its day's payment.
    for (let i = 1; i < events.length; i++) {
      expect(events[i].occurredAt).toBeGreaterThanOrEqual(events[i - 1].occurredAt);
    }
    const plan = new Map(sales.map((s) => [s.id, s]));
    const off = paid.filter(
      (e) =>
        e.occurredAt !== plan.get(e.orderId)!.paidAt.getTime() ||
        e.createdAt !== plan.get(e.orderId)!.createdAt.getTime(),
    );
    expect(
      off.map((e) => [e, plan.get(e.orderId)!.paidAt, plan.get(e.orderId)!.createdAt]).slice(0, 2),
    ).toEqual([]);
  });

  it('carries in each event the order as the service reads it: the last event of an order nothing moved since', async () => {
    const last = new Map<string, unknown>();
    for (let afterId = 0; ;) {
      const page = await orders.call('listEvents', { afterId, limit: 100 }, AUDITOR);
      if (page.events.length === 0) {
        break;
      }
      for (const e of page.events) {
        last.set(e.orderId, e.order);
      }
      afterId = Number(page.events.at(-1)!.id);
    }
    // Paid and never shipped, or refunded after its delivery: the event is the order's last move.
    const still = sales.filter((s) =>
      s.refunds.length > 0
        ? s.refunds.every((r) => r.at.getTime() >= (s.deliveredAt ?? s.shipment?.at ?? s.paidAt).getTime())
        : !s.shipment,
    );
    expect(still.filter((s) => s.refunds.length > 0).length).toBeGreaterThanOrEqual(1);
    expect(still.filter((s) => s.refunds.length === 0).length).toBeGreaterThanOrEqual(1);
    for (const sale of still) {
      const { order } = await orders.call('getOrder', { id: sale.id }, AUDITOR);
      // Events carry no refund list (the refund event carries its refund).
      expect(last.get(sale.id)).toEqual({ ...order, refunds: [] });
    }
  });

  it('seeds idempotently: a second boot writes nothing', async () => {
    const counts = async () =>
      (
        await sql.query(
          `select (select count(*) from customer_order) as orders, (select count(*) from outbox_event) as events,
                  (select count(*) from refund) as refunds`,
        )
      ).rows[0];
    const before = await counts();
    const again = await bootOrders(db.url, '127.0.0.1:9', { SEED_DEMO: 'true' });
    await again.close();
    expect(await counts()).toEqual(before);
  });
});
