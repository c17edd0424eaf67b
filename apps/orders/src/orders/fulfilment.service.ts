import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { canActForProducer, isOfficer, requireCaller, type CallerIdentity } from '@yugong/shared/auth';
import { FailedPrecondition, ValidationFailed } from '@yugong/shared/errors';
import { parseRequest, type Loose } from '@yugong/shared/grpc';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { PaymentMethodUnavailable, PaymentsService } from '../payments/payments.service';
import { OrderLifecycle } from './order-lifecycle';
import { OrderRepository, type OrderRecord, type RefundRecord } from './order.repository';
import { sourcesOf, transition } from './order-state';
import { OrderNotFound, OrdersService, type OrderView } from './orders.service';

const idSchema = z.string().uuid('must be a UUID');
const text = (max: number) =>
  z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);

const shipSchema = z.object({
  orderId: idSchema,
  lineIds: z.array(idSchema).max(100, 'at most 100 lines').default([]),
  carrier: text(64),
  trackingNumber: text(64),
});

const refundSchema = z.object({
  orderId: idSchema,
  lines: z
    .array(
      z.object({
        lineId: idSchema,
        quantity: z
          .number({ message: 'must be a number' })
          .int('must be a whole number')
          .min(1, 'must be positive'),
      }),
    )
    .max(100, 'at most 100 lines')
    .default([]),
  reason: text(500),
  goodsReturned: z.boolean().default(false),
  idempotencyKey: z
    .string()
    .regex(/^([\x21-\x7e]{8,128})?$/, 'must be 8 to 128 printable ASCII characters without spaces')
    .default(''),
});

/**
 * After payment: producers ship their lines, the buyer confirms delivery, and an officer or the
 * lines' producer refunds lines in full or in part. Each change locks the order row, moves lines
 * and order in one transaction, and writes its event there.
 */
@Injectable()
export class FulfilmentService {
  private readonly logger = new Logger(FulfilmentService.name);
  private readonly repo = new OrderRepository();

  constructor(
    private readonly em: EntityManager,
    private readonly orders: OrdersService,
    private readonly lifecycle: OrderLifecycle,
    private readonly payments: PaymentsService,
  ) {}

  /** The producer's staff (their lines) or an officer (any) mark lines shipped. */
  async ship(caller: CallerIdentity | null, input: Loose<z.input<typeof shipSchema>>): Promise<OrderView> {
    const who = requireCaller(caller);
    const req = parseRequest(shipSchema, input);
    await this.em.fork().transactional(async (tx) => {
      const order = await this.lockVisible(tx, who, req.orderId);
      const mayShip = (producerId: string) => isOfficer(who) || canActForProducer(who, producerId);
      const pending = order.lines.filter((l) => l.status === 'pending' && l.refundedQuantity < l.quantity);
      const chosen =
        req.lineIds.length > 0
          ? req.lineIds.map((id, i) => {
              const line = order.lines.find((l) => l.id === id);
              if (!line || !mayShip(line.producerId)) {
                throw new ValidationFailed([{ field: `lineIds.${i}`, reason: 'is not a line you may ship' }]);
              }
              return line;
            })
          : pending.filter((l) => mayShip(l.producerId));
      if (chosen.length === 0 || (order.status !== 'paid' && order.status !== 'shipped')) {
        throw new FailedPrecondition(
          'NOTHING_TO_SHIP',
          `an order that is ${order.status} has no lines left to ship`,
          [{ field: 'lineIds', reason: 'no paid line waits for shipping' }],
        );
      }
      await tx.execute(
        `update order_line set status = 'shipped', carrier = ?, tracking_number = ?, shipped_at = now()
          where order_id = ? and status = 'pending' and id in (${chosen.map(() => '?').join(', ')})`,
        [req.carrier, req.trackingNumber, order.id, ...chosen.map((l) => l.id)],
        'run',
      );
      const [{ open }] = await tx.execute<{ open: string }[]>(
        `select count(*) as open from order_line where order_id = ? and status = 'pending' and refunded_quantity < quantity`,
        [order.id],
      );
      if (Number(open) === 0 && transition(order.status, 'ship').changed) {
        await this.repo.moveStatus(tx, order.id, sourcesOf('ship'), 'shipped');
      }
    });
    return this.orders.get(who, req.orderId);
  }

  /** The buyer confirms a shipped order arrived. */
  async confirmDelivery(caller: CallerIdentity | null, orderId: string): Promise<OrderView> {
    const who = requireCaller(caller);
    parseRequest(z.object({ orderId: idSchema }), { orderId });
    await this.em.fork().transactional(async (tx) => {
      const order = await this.lockVisible(tx, who, orderId);
      if (order.buyerId !== who.userId) {
        throw new OrderNotFound(orderId);
      }
      if (!transition(order.status, 'deliver').changed) {
        return;
      }
      await this.repo.moveStatus(tx, orderId, sourcesOf('deliver'), 'delivered', {
        delivered_at: new Date(),
      });
      await tx.execute(
        `update order_line set status = 'delivered' where order_id = ? and status = 'shipped'`,
        [orderId],
        'run',
      );
    });
    return this.orders.get(who, orderId);
  }

  /**
   * Refunds lines (all that remain when none are named) at the price they were sold at; the
   * donation stays with the relief fund. Manual orders are refunded by the relief office outside
   * the platform and recorded here as succeeded. Card orders are refunded through the provider:
   * the refund is first reserved (pending, its units counted on the lines so that no concurrent
   * refund can exceed what was sold), then sent with our refund id as the provider's idempotency
   * key, and settled when the provider says it succeeded or failed (now, or by its
   * charge.refunded event). A refund the provider could not be asked about stays pending and is
   * sent again by a repeat of the call or by the reconciler. Units come back to stock only when
   * the goods were returned, once the refund succeeded.
   */
  async refund(
    caller: CallerIdentity | null,
    input: Loose<z.input<typeof refundSchema>>,
  ): Promise<{ refund: RefundRecord; order: OrderView }> {
    const who = requireCaller(caller);
    const req = parseRequest(refundSchema, input);
    const key = req.idempotencyKey || randomUUID();
    const refund = await this.em.fork().transactional(async (tx) => {
      const order = await this.lockVisible(tx, who, req.orderId);
      const previous = order.refunds.find((r) => r.idempotencyKey === key);
      // A replay answers the first refund, but only to whoever may refund every line of it.
      const mayRefund = (lineId: string) =>
        isOfficer(who) || canActForProducer(who, order.lines.find((l) => l.id === lineId)?.producerId ?? '');
      if (previous && previous.lines.every((l) => mayRefund(l.lineId))) {
        return previous;
      }
      if (previous) {
        throw new ValidationFailed([{ field: 'lines', reason: 'name only lines of your own producers' }]);
      }
      if (!isOfficer(who) && !order.lines.every((l) => canActForProducer(who, l.producerId))) {
        const named =
          req.lines.length > 0 ? req.lines.map((l) => order.lines.find((x) => x.id === l.lineId)) : [];
        if (named.length === 0 || named.some((l) => !l || !canActForProducer(who, l.producerId))) {
          throw new ValidationFailed([{ field: 'lines', reason: 'name only lines of your own producers' }]);
        }
      }
      if (!['paid', 'shipped', 'delivered', 'completed'].includes(order.status)) {
        throw new FailedPrecondition(
          'NOT_REFUNDABLE',
          `an order that is ${order.status} cannot be refunded`,
          [{ field: 'orderId', reason: `is ${order.status}` }],
        );
      }
      if (order.paymentMethod === 'stripe' && !this.payments.takesCards) {
        throw new PaymentMethodUnavailable();
      }
      const wanted =
        req.lines.length > 0
          ? req.lines
          : order.lines
              .filter((l) => l.refundedQuantity < l.quantity)
              .map((l) => ({ lineId: l.id, quantity: l.quantity - l.refundedQuantity }));
      const refundLines = wanted.map((w, i) => {
        const line = order.lines.find((l) => l.id === w.lineId);
        if (!line) {
          throw new ValidationFailed([{ field: `lines.${i}.lineId`, reason: 'is not a line of this order' }]);
        }
        if (w.quantity > line.quantity - line.refundedQuantity) {
          throw new ValidationFailed([
            {
              field: `lines.${i}.quantity`,
              reason: `must be at most ${line.quantity - line.refundedQuantity}`,
            },
          ]);
        }
        return {
          lineId: line.id,
          productId: line.productId,
          quantity: w.quantity,
          amountFen: w.quantity * line.unitPriceFen,
        };
      });
      if (refundLines.length === 0) {
        throw new FailedPrecondition('NOTHING_TO_REFUND', 'every line is refunded already', [
          { field: 'lines', reason: 'nothing left to refund' },
        ]);
      }
      const id = randomUUID();
      const record: RefundRecord = {
        id,
        orderId: order.id,
        idempotencyKey: key,
        lines: refundLines.map(({ lineId, quantity, amountFen }) => ({ lineId, quantity, amountFen })),
        amountFen: refundLines.reduce((sum, l) => sum + l.amountFen, 0),
        reason: req.reason,
        goodsReturned: req.goodsReturned,
        status: 'pending',
        reference: `${order.paymentMethod === 'manual' ? 'manual' : 'pending'}:${id}`,
        requestedBy: who.userId,
        createdAt: new Date().toISOString(),
      };
      await tx.execute(
        `insert into refund (id, order_id, idempotency_key, lines, amount_fen, reason, goods_returned, status,
                             reference, requested_by, created_at)
         values (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, now())`,
        [
          id,
          order.id,
          key,
          JSON.stringify(record.lines),
          record.amountFen,
          record.reason,
          record.goodsReturned,
          record.status,
          record.reference,
          who.userId,
        ],
        'run',
      );
      for (const line of refundLines) {
        await tx.execute(
          `update order_line set refunded_quantity = refunded_quantity + ?, refunded_fen = refunded_fen + ? where id = ?`,
          [line.quantity, line.amountFen, line.lineId],
          'run',
        );
      }
      if (order.paymentMethod === 'manual') {
        return (await this.lifecycle.settleRefundInTx(tx, id, {
          reference: record.reference,
          status: 'succeeded',
        }))!;
      }
      return record;
    });
    let settled = refund;
    if (refund.status === 'pending' && refund.reference.startsWith('pending:')) {
      await this.payments.sendRefund(refund.id).catch((error: unknown) => {
        // Stripe out of reach: the refund stays pending; a repeat of this call or the reconciler sends it.
        this.logger.warn(`refund ${refund.id} not sent to the provider yet: ${(error as Error).message}`);
      });
      const after = await this.orders.get(who, req.orderId);
      settled = after.refunds.find((r) => r.id === refund.id) ?? refund;
    } else if (
      refund.status === 'succeeded' &&
      refund.goodsReturned &&
      refund.reference.startsWith('manual:')
    ) {
      await this.lifecycle.restock(refund);
    }
    return { refund: settled, order: await this.orders.get(who, req.orderId) };
  }

  /** Locks the order row; NOT_FOUND when the caller may not see it at all. */
  private async lockVisible(tx: EntityManager, who: CallerIdentity, orderId: string): Promise<OrderRecord> {
    const order = await this.repo.findById(tx, orderId, true);
    const seen =
      order &&
      (isOfficer(who) ||
        order.buyerId === who.userId ||
        order.lines.some((l) => canActForProducer(who, l.producerId)));
    if (!order || !seen) {
      throw new OrderNotFound(orderId);
    }
    return order;
  }
}
