import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import type { catalog } from '@yugong/contracts';
import { demoId, demoSales, DEMO_REFUND_OFFICER, type DemoSale } from '@yugong/shared/demo';
import { randomUUID } from 'node:crypto';
import { donationOf, orderLinesOf } from '../orders/checkout-lines.util';
import { checkoutRequestHash } from '../orders/checkout-request-hash.util';
import { OrderRepository, type OrderRecord, type RefundRecord } from '../orders/order.repository';
import { sourcesOf, type OrderEventName } from '../orders/order-state';
import { snapshotOf } from '../orders/order-snapshot';
import { ORDERS_SETTINGS, type OrdersSettings } from '../orders/orders.service';
import type { OrderEventType } from '../outbox/outbox-event.entity';

/** One move of a demo order, at its instant. */
interface Move {
  at: Date;
  /** Ties at one instant keep the order of an order's life. */
  step: number;
  run: () => void;
}

/** An order event as the seed writes it to the outbox. */
interface SeedEvent {
  type: OrderEventType;
  orderId: string;
  sequence: number;
  payload: Record<string, unknown>;
  occurredAt: Date;
}

/**
 * A timestamptz as PostgreSQL prints it inside JSON in a UTC session (`forceUtcTimezone`), the way
 * the order queries return a line's `shippedAt` and a refund's `createdAt` to the running service.
 */
function jsonTimestamp(at: Date): string {
  const iso = at.toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}+00:00`;
}

/**
 * Orders' side of the demo sales of 2020 (`demoSales()`; catalog records their stock): each order
 * checked out, paid, shipped, delivered and partly refunded at its instant. The moves of all
 * orders are played in time order in memory, each as the running service makes it (the lines and
 * donation as checkout computes them; paying and settling a refund writing `order.paid` and
 * `order.refunded` with the order as the order queries then read it), so the events' delivery
 * order is the order they happened in and a ledger started later catches up through them as if it
 * had run all year. The result is written in bulk: one statement per table, in one transaction,
 * instead of a dozen statements per order. Idempotent per order (an order that exists is left
 * alone). The buyers are 2020's consumers and institutions, with no account on this platform.
 */
@Injectable()
export class DemoSalesSeed {
  constructor(
    private readonly em: EntityManager,
    private readonly repo: OrderRepository,
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
      const orders = due.map((sale) => this.placed(sale));
      const refunds: RefundRecord[] = [];
      const events: SeedEvent[] = [];
      const moves = due.flatMap((sale, i) => this.movesOf(sale, orders[i]!, refunds, events));
      moves.sort((a, b) => a.at.getTime() - b.at.getTime() || a.step - b.step);
      for (const move of moves) {
        move.run();
      }
      await this.write(tx, due, orders, refunds, events);
      return { orders: sales.length, created: due.length, events: events.length };
    });
  }

  /** The order as checkout writes it, pending payment. */
  private placed(sale: DemoSale): OrderRecord {
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
    return {
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
      paymentFailure: null,
      expiresAt: new Date(sale.createdAt.getTime() + this.settings.holdTtlMs),
      cancelledAt: null,
      deliveredAt: null,
      completedAt: null,
      createdAt: sale.createdAt,
      updatedAt: sale.createdAt,
      lines,
      refunds: [],
    };
  }

  /** Moves the order on `event` at `at` when it stands where the event moves from (as `moveStatus`). */
  private move(order: OrderRecord, event: OrderEventName, at: Date, set: Partial<OrderRecord> = {}): boolean {
    if (!sourcesOf(event).includes(order.status)) {
      return false;
    }
    const to = { pay: 'paid', ship: 'shipped', deliver: 'delivered', refund_all: 'refunded' } as const;
    Object.assign(order, set, { status: to[event as keyof typeof to], updatedAt: at });
    return true;
  }

  private event(events: SeedEvent[], type: OrderEventType, order: OrderRecord, at: Date, extra = {}) {
    const sequence = events.filter((e) => e.orderId === order.id).length + 1;
    events.push({
      type,
      orderId: order.id,
      sequence,
      payload: { order: snapshotOf(order), ...extra },
      occurredAt: at,
    });
  }

  private movesOf(sale: DemoSale, order: OrderRecord, refunds: RefundRecord[], events: SeedEvent[]): Move[] {
    const moves: Move[] = [
      {
        at: sale.paidAt,
        step: 1,
        run: () => {
          const paid = this.move(order, 'pay', sale.paidAt, {
            paymentReference: sale.paymentReference,
            amountReceivedFen: order.totalFen,
            processorFeeFen: null,
            paidAt: sale.paidAt,
          });
          if (paid) {
            this.event(events, 'order.paid', order, sale.paidAt);
          }
        },
      },
    ];
    const { shipment, deliveredAt } = sale;
    if (shipment) {
      moves.push({
        at: shipment.at,
        step: 2,
        run: () => {
          for (const line of order.lines.filter((l) => l.status === 'pending')) {
            Object.assign(line, {
              status: 'shipped',
              carrier: shipment.carrier,
              trackingNumber: shipment.trackingNumber,
              shippedAt: jsonTimestamp(shipment.at),
            });
          }
          this.move(order, 'ship', shipment.at);
        },
      });
    }
    if (deliveredAt) {
      moves.push({
        at: deliveredAt,
        step: 3,
        run: () => {
          this.move(order, 'deliver', deliveredAt, { deliveredAt });
          for (const line of order.lines.filter((l) => l.status === 'shipped')) {
            line.status = 'delivered';
          }
        },
      });
    }
    for (const refund of sale.refunds) {
      moves.push({ at: refund.at, step: 4, run: () => this.refund(order, sale, refund, refunds, events) });
    }
    return moves;
  }

  /** A line partly refunded, as the relief office records one: reserved, then settled at once. */
  private refund(
    order: OrderRecord,
    sale: DemoSale,
    refund: DemoSale['refunds'][number],
    refunds: RefundRecord[],
    events: SeedEvent[],
  ) {
    const line = order.lines[refund.lineIndex]!;
    const amountFen = refund.quantity * line.unitPriceFen;
    const record: RefundRecord = {
      id: refund.id,
      orderId: sale.id,
      idempotencyKey: `demo-refund-${refund.id}`,
      lines: [{ lineId: line.id, quantity: refund.quantity, amountFen }],
      amountFen,
      reason: refund.reason,
      goodsReturned: false,
      status: 'succeeded',
      reference: refund.reference,
      requestedBy: DEMO_REFUND_OFFICER,
      createdAt: jsonTimestamp(refund.at),
    };
    refunds.push(record);
    line.refundedQuantity += refund.quantity;
    line.refundedFen += amountFen;
    if (order.lines.every((l) => l.refundedQuantity >= l.quantity)) {
      this.move(order, 'refund_all', refund.at);
    }
    const { idempotencyKey: _key, ...wire } = record;
    this.event(events, 'order.refunded', order, refund.at, { refund: wire });
  }

  /** Every row of the due orders, one statement per table; events in the order they happened. */
  private async write(
    tx: EntityManager,
    due: DemoSale[],
    orders: OrderRecord[],
    refunds: RefundRecord[],
    events: SeedEvent[],
  ) {
    if (orders.length === 0) {
      return;
    }
    const rows = await tx.execute<{ id: string }[]>(
      `insert into customer_order (id, buyer_id, buyer_role, idempotency_key, request_hash, status, payment_method,
         subtotal_fen, donation_fen, total_fen, currency, payment_reference, client_secret, amount_received_fen,
         processor_fee_fen, paid_at, expires_at, cancelled_at, delivered_at, completed_at, created_at, updated_at)
       select id, "buyerId", "buyerRole", "idempotencyKey", "requestHash", status, "paymentMethod", "subtotalFen",
              "donationFen", "totalFen", currency, "paymentReference", "clientSecret", "amountReceivedFen",
              "processorFeeFen", "paidAt", "expiresAt", "cancelledAt", "deliveredAt", "completedAt", "createdAt",
              "updatedAt"
         from jsonb_to_recordset(?::jsonb) as o(id uuid, "buyerId" uuid, "buyerRole" text, "idempotencyKey" text,
              "requestHash" text, status text, "paymentMethod" text, "subtotalFen" bigint, "donationFen" bigint,
              "totalFen" bigint, currency text, "paymentReference" text, "clientSecret" text,
              "amountReceivedFen" bigint, "processorFeeFen" bigint, "paidAt" timestamptz, "expiresAt" timestamptz,
              "cancelledAt" timestamptz, "deliveredAt" timestamptz, "completedAt" timestamptz,
              "createdAt" timestamptz, "updatedAt" timestamptz)
       on conflict on constraint customer_order_idempotency do nothing
       returning id`,
      [JSON.stringify(orders.map(({ lines: _lines, refunds: _refunds, ...order }) => order))],
    );
    if (rows.length !== orders.length) {
      const placed = new Set(rows.map((r) => r.id));
      const taken = due.find((s) => !placed.has(s.id))!;
      throw new Error(`demo order ${taken.id}: its idempotency key is taken by another order`);
    }
    await tx.execute(
      `insert into order_line (id, order_id, position, product_id, product_name_zh, product_name_en, unit,
         producer_id, producer_name, unit_price_fen, quantity, gross_fen, household_share_bps, allocations, status,
         carrier, tracking_number, shipped_at, refunded_quantity, refunded_fen, licence_id, licence_number,
         licence_commitment_bps, licence_min_per_unit_fen)
       select id, "orderId", position, "productId", "productNameZh", "productNameEn", unit, "producerId",
              "producerName", "unitPriceFen", quantity, "grossFen", "householdShareBps", allocations, status,
              carrier, "trackingNumber", "shippedAt", "refundedQuantity", "refundedFen", "licenceId",
              "licenceNumber", "licenceCommitmentBps", "licenceMinPerUnitFen"
         from jsonb_to_recordset(?::jsonb) as l(id uuid, "orderId" uuid, position int, "productId" uuid,
              "productNameZh" text, "productNameEn" text, unit text, "producerId" uuid, "producerName" text,
              "unitPriceFen" bigint, quantity bigint, "grossFen" bigint, "householdShareBps" int, allocations jsonb,
              status text, carrier text, "trackingNumber" text, "shippedAt" timestamptz, "refundedQuantity" bigint,
              "refundedFen" bigint, "licenceId" uuid, "licenceNumber" text, "licenceCommitmentBps" int,
              "licenceMinPerUnitFen" bigint)`,
      [JSON.stringify(orders.flatMap((o) => o.lines.map((l) => ({ ...l, orderId: o.id }))))],
      'run',
    );
    if (refunds.length > 0) {
      await tx.execute(
        `insert into refund (id, order_id, idempotency_key, lines, amount_fen, reason, goods_returned, status,
           reference, requested_by, created_at)
         select id, "orderId", "idempotencyKey", lines, "amountFen", reason, "goodsReturned", status, reference,
                "requestedBy", "createdAt"
           from jsonb_to_recordset(?::jsonb) as r(id uuid, "orderId" uuid, "idempotencyKey" text, lines jsonb,
                "amountFen" bigint, reason text, "goodsReturned" boolean, status text, reference text,
                "requestedBy" uuid, "createdAt" timestamptz)`,
        [JSON.stringify(refunds)],
        'run',
      );
    }
    // Ids (the delivery order) are drawn in the order of the rows: the order the events happened in.
    await tx.execute(
      `insert into outbox_event (event_id, type, order_id, sequence, payload, occurred_at, attempts, next_attempt_at)
       select e."eventId", e.type, e."orderId", e.sequence, e.payload, e."occurredAt", 0, now()
         from jsonb_to_recordset(?::jsonb) as e(i int, "eventId" uuid, type text, "orderId" uuid, sequence int,
              payload jsonb, "occurredAt" timestamptz)
        order by e.i`,
      [JSON.stringify(events.map((e, i) => ({ ...e, i, eventId: randomUUID() })))],
      'run',
    );
  }
}
