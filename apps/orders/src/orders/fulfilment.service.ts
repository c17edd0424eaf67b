import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import {
  canActForProducer,
  isOfficer,
  requireCaller,
  requireRole,
  type CallerIdentity,
} from '@yugong/shared/auth';
import { NotFound, ValidationFailed } from '@yugong/shared/errors';
import { parseRequest, type Loose } from '@yugong/shared/grpc';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { PaymentMethodUnavailable } from '../payments/payments.errors';
import { PaymentsService } from '../payments/payments.service';
import { confirmDeliverySchema, manualRefundSchema, refundSchema, shipSchema } from './fulfilment.schemas';
import { OrderLifecycleService } from './order-lifecycle.service';
import { OrderRepository, type OrderRecord, type RefundRecord } from './order.repository';
import { sourcesOf, transition } from './order-state';
import {
  NotAPendingManualRefund,
  NothingToRefund,
  NothingToShip,
  NotRefundable,
  OrderNotFound,
} from './orders.errors';
import { OrdersService, type OrderView } from './orders.service';
import { RefundRepository } from './refund.repository';

/**
 * After payment: producers ship their lines, the buyer confirms delivery, and an officer or the
 * lines' producer refunds lines in full or in part. Each change locks the order row, moves lines
 * and order in one transaction, and writes its event there.
 */
@Injectable()
export class FulfilmentService {
  private readonly logger = new Logger(FulfilmentService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly orders: OrdersService,
    private readonly lifecycle: OrderLifecycleService,
    private readonly payments: PaymentsService,
    private readonly repo: OrderRepository,
    private readonly refunds: RefundRepository,
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
        throw new NothingToShip(order.status);
      }
      await this.repo.shipLines(
        tx,
        order.id,
        chosen.map((l) => l.id),
        { carrier: req.carrier, trackingNumber: req.trackingNumber },
      );
      if (
        (await this.repo.countUnshippedLines(tx, order.id)) === 0 &&
        transition(order.status, 'ship').changed
      ) {
        await this.repo.moveStatus(tx, order.id, sourcesOf('ship'), 'shipped');
      }
    });
    return this.orders.get(who, req.orderId);
  }

  /** The buyer confirms a shipped order arrived. */
  async confirmDelivery(caller: CallerIdentity | null, orderId: string): Promise<OrderView> {
    const who = requireCaller(caller);
    parseRequest(confirmDeliverySchema, { orderId });
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
      await this.repo.deliverShippedLines(tx, orderId);
    });
    return this.orders.get(who, orderId);
  }

  /**
   * Refunds lines (all that remain when none are named) at the price they were sold at; the
   * donation stays with the relief fund. Manual orders are refunded by the relief office outside
   * the platform: an officer's refund is recorded as succeeded (the office paying it is the
   * officer's word), while producer staff's stays pending, its units reserved, until the office
   * confirms that the money left (`confirmManualRefund`). Card orders are refunded through the provider:
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
        throw new NotRefundable(order.status);
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
        throw new NothingToRefund();
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
      await this.refunds.insert(tx, record);
      for (const line of record.lines) {
        await this.repo.addRefunded(tx, line);
      }
      if (order.paymentMethod === 'manual' && isOfficer(who)) {
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

  /**
   * The relief office confirms that it paid a pending manual refund back (producer staff may ask
   * for one, never say it was paid): the refund succeeds under the office's reference, its
   * `order.refunded` event is written, and returned goods go back to stock.
   */
  async confirmManualRefund(
    caller: CallerIdentity | null,
    input: Loose<z.input<typeof manualRefundSchema>>,
  ): Promise<{ refund: RefundRecord; order: OrderView }> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const req = parseRequest(manualRefundSchema, input);
    const refund = await this.em.fork().transactional(async (tx) => {
      const order = await this.lockVisible(tx, officer, req.orderId);
      const pending = order.refunds.find((r) => r.id === req.refundId);
      if (!pending) {
        throw new NotFound('refund', req.refundId);
      }
      if (pending.status !== 'pending' || order.paymentMethod !== 'manual') {
        throw new NotAPendingManualRefund(order.paymentMethod === 'manual' ? pending.status : 'paid by card');
      }
      return (await this.lifecycle.settleRefundInTx(tx, pending.id, {
        reference: `manual:${req.reference}`,
        status: 'succeeded',
      }))!;
    });
    if (refund.goodsReturned) {
      await this.lifecycle.restock(refund);
    }
    return { refund, order: await this.orders.get(officer, req.orderId) };
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
