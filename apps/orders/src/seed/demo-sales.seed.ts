import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import type { catalog } from '@yugong/contracts';
import { demoId, demoSales, DEMO_REFUND_OFFICER, type DemoSale } from '@yugong/shared/demo';
import { donationOf, orderLinesOf } from '../orders/checkout-lines.util';
import { checkoutRequestHash } from '../orders/checkout-request-hash.util';
import { OrderLifecycleService } from '../orders/order-lifecycle.service';
import { OrderRepository, type OrderRecord, type RefundRecord } from '../orders/order.repository';
import { sourcesOf } from '../orders/order-state';
import { ORDERS_SETTINGS, type OrdersSettings } from '../orders/orders.service';
import { RefundRepository } from '../orders/refund.repository';

/** One move of a demo order, at its instant. */
interface Move {
  at: Date;
  /** Ties at one instant keep the order of an order's life. */
  step: number;
  sale: DemoSale;
  run: (tx: EntityManager) => Promise<void>;
}

/**
 * Orders' side of the demo sales of 2020 (`demoSales()`; catalog records their stock): each order
 * checked out, paid, shipped, delivered and partly refunded at its instant, through the moves the
 * running service makes (the lines and donation as checkout computes them, `payInTx` and
 * `settleRefundInTx` writing `order.paid` and `order.refunded` to the outbox). Moves of all orders
 * run in time order, so the events' delivery order is the order they happened in and a ledger
 * started later catches up through them as if it had run all year. One transaction; idempotent
 * per order (an order that exists is left alone). The buyers are 2020's consumers and
 * institutions, with no account on this platform.
 */
@Injectable()
export class DemoSalesSeed {
  constructor(
    private readonly em: EntityManager,
    private readonly repo: OrderRepository,
    private readonly refunds: RefundRepository,
    private readonly lifecycle: OrderLifecycleService,
    @Inject(ORDERS_SETTINGS) private readonly settings: OrdersSettings,
  ) {}

  async run(): Promise<{ orders: number; created: number; events: number }> {
    const sales = demoSales();
    return this.em.fork().transactional(async (tx) => {
      const existing = await this.repo.existingIds(
        tx,
        sales.map((s) => s.id),
      );
      const due = sales.filter((s) => !existing.has(s.id));
      const moves = due.flatMap((sale) => this.movesOf(sale));
      moves.sort((a, b) => a.at.getTime() - b.at.getTime() || a.step - b.step);
      for (const move of moves) {
        await move.run(tx);
        // Each move flushed its events: forget them, or every later flush would look them over again.
        tx.clear();
      }
      const events = due.length + due.reduce((sum, s) => sum + s.refunds.length, 0);
      return { orders: sales.length, created: due.length, events };
    });
  }

  private movesOf(sale: DemoSale): Move[] {
    const held: catalog.HeldLine[] = sale.lines.map((l) => ({
      productId: l.productId,
      quantity: l.quantity,
      unitPrice: { fen: l.unitPriceFen, currency: l.currency },
      producerId: l.producerId,
      producerName: l.producerName,
      householdShareBps: l.householdShareBps,
      productNameZh: l.nameZh,
      productNameEn: l.nameEn,
      unit: l.unit,
      allocations: l.allocations,
    }));
    const lines = orderLinesOf(held, (position) => demoId('order-line', `${sale.id}/${position}`));
    const subtotalFen = lines.reduce((sum, l) => sum + l.grossFen, 0);
    const donationFen = donationOf(subtotalFen, sale.donationFen, sale.roundUp);
    const record: Parameters<OrderRepository['insert']>[1] = {
      id: sale.id,
      buyerId: sale.buyerId,
      buyerRole: sale.buyerRole,
      idempotencyKey: sale.idempotencyKey,
      requestHash: checkoutRequestHash(sale),
      status: 'pending_payment',
      paymentMethod: sale.paymentMethod,
      subtotalFen,
      donationFen,
      totalFen: subtotalFen + donationFen,
      currency: 'CNY',
      paymentReference: null,
      clientSecret: null,
      amountReceivedFen: null,
      processorFeeFen: null,
      paidAt: null,
      expiresAt: new Date(sale.createdAt.getTime() + this.settings.holdTtlMs),
      cancelledAt: null,
      lines,
    };
    const moves: Move[] = [
      { at: sale.createdAt, step: 0, sale, run: (tx) => this.place(tx, record, sale.createdAt) },
      {
        at: sale.paidAt,
        step: 1,
        sale,
        // The transaction holds the order row's lock since it inserted the row.
        run: async (tx) => {
          await this.lifecycle.payInTx(
            tx,
            sale.id,
            { reference: sale.paymentReference, amountFen: record.totalFen },
            sale.paidAt,
          );
        },
      },
    ];
    const { shipment, deliveredAt } = sale;
    if (shipment) {
      moves.push({
        at: shipment.at,
        step: 2,
        sale,
        run: async (tx) => {
          await this.repo.shipLines(
            tx,
            sale.id,
            lines.map((l) => l.id),
            shipment,
            shipment.at,
          );
          await this.repo.moveStatus(tx, sale.id, sourcesOf('ship'), 'shipped', {}, shipment.at);
        },
      });
    }
    if (deliveredAt) {
      moves.push({
        at: deliveredAt,
        step: 3,
        sale,
        run: async (tx) => {
          await this.repo.moveStatus(
            tx,
            sale.id,
            sourcesOf('deliver'),
            'delivered',
            { delivered_at: deliveredAt },
            deliveredAt,
          );
          await this.repo.deliverShippedLines(tx, sale.id);
        },
      });
    }
    for (const refund of sale.refunds) {
      moves.push({
        at: refund.at,
        step: 4,
        sale,
        run: (tx) => this.refund(tx, sale, refund),
      });
    }
    return moves;
  }

  private async place(tx: EntityManager, record: Parameters<OrderRepository['insert']>[1], at: Date) {
    if (!(await this.repo.insert(tx, record, at))) {
      throw new Error(`demo order ${record.id}: its idempotency key is taken by another order`);
    }
  }

  /** A line partly refunded, as the relief office records one: reserved, then settled at once. */
  private async refund(tx: EntityManager, sale: DemoSale, refund: DemoSale['refunds'][number]) {
    const order = (await this.repo.findById(tx, sale.id, true)) as OrderRecord;
    const line = order.lines[refund.lineIndex];
    const amountFen = refund.quantity * line.unitPriceFen;
    const record: RefundRecord = {
      id: refund.id,
      orderId: sale.id,
      idempotencyKey: `demo-refund-${refund.id}`,
      lines: [{ lineId: line.id, quantity: refund.quantity, amountFen }],
      amountFen,
      reason: refund.reason,
      goodsReturned: false,
      status: 'pending',
      reference: `${sale.paymentMethod === 'manual' ? 'manual' : 'pending'}:${refund.id}`,
      requestedBy: DEMO_REFUND_OFFICER,
      createdAt: refund.at.toISOString(),
    };
    await this.refunds.insert(tx, record, refund.at);
    for (const refunded of record.lines) {
      await this.repo.addRefunded(tx, refunded);
    }
    await this.lifecycle.settleRefundInTx(
      tx,
      refund.id,
      { reference: refund.reference, status: 'succeeded' },
      refund.at,
    );
  }
}
