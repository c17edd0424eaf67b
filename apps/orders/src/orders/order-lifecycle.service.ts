import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { catalog } from '@yugong/contracts';
import { CatalogClient } from '../catalog/catalog.client';
import { CatalogUnavailable, isUnreachable } from '../catalog/catalog.errors';
import { OutboxRepository } from '../outbox/outbox.repository';
import { OrderRepository, type RefundRecord } from './order.repository';
import { RefundRepository } from './refund.repository';
import { sourcesOf } from './order-state';
import { snapshotOf } from './order-snapshot';

/** How a payment was received. */
export interface ReceivedPayment {
  /** Stripe PaymentIntent id, or the officer's reference. */
  reference: string;
  amountFen: number;
  /** The processor's fee for it, fen, when known (Stripe's balance transaction). */
  processorFeeFen?: number | null;
}

/**
 * The moves of an order that more than one path makes (checkout, the webhook, the reconciler,
 * the sweeper, an officer): each `…InTx` runs inside the caller's transaction, which must hold
 * the order row's lock, and writes the outbox event of the move there, so that the move and its
 * event exist together or not at all. Stock calls to catalog are made outside any transaction:
 * they are idempotent per order, so a crash between them and the move is mended by repeating.
 */
/** A provider's payment as an order event reports it (`payment` of the payload). */
export interface PaymentReceiptRecord {
  method: 'stripe' | 'manual';
  reference: string;
  amountFen: number;
  currency: string;
  /** ISO 8601. */
  receivedAt: string;
  reason: string;
}

@Injectable()
export class OrderLifecycleService {
  private readonly logger = new Logger(OrderLifecycleService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly catalog: CatalogClient,
    private readonly repo: OrderRepository,
    private readonly refunds: RefundRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  /** Takes the order's held units for good (re-taking a lapsed hold's units when it can). */
  async commitStock(orderId: string): Promise<catalog.CommitStockResponse> {
    return this.catalog.commitStock(orderId).catch((error: unknown) => {
      throw isUnreachable(error) ? new CatalogUnavailable() : error;
    });
  }

  /** Gives the order's held units back; a failure is left to catalog's own expiry sweep. */
  async releaseStock(orderId: string): Promise<void> {
    await this.catalog.releaseStock(orderId).catch((error: unknown) => {
      this.logger.warn(`release of order ${orderId}'s holds failed, catalog's sweep will: ${String(error)}`);
    });
  }

  /**
   * pending_payment → paid with its `order.paid` event; false when it was not pending. `at`: when
   * the payment arrived, now unless given (the demo seed records payments of the past).
   */
  async payInTx(tx: EntityManager, orderId: string, payment: ReceivedPayment, at?: Date): Promise<boolean> {
    const moved = await this.repo.moveStatus(
      tx,
      orderId,
      sourcesOf('pay'),
      'paid',
      {
        payment_reference: payment.reference,
        amount_received_fen: payment.amountFen,
        processor_fee_fen: payment.processorFeeFen ?? null,
        paid_at: at ?? new Date(),
      },
      at,
    );
    if (moved) {
      await this.writeEvent(tx, 'order.paid', orderId, at);
    }
    return moved;
  }

  /** pending_payment → cancelled with its `order.cancelled` event; false when it was not pending. */
  /**
   * Reports money a provider received that paid no order (refunded in full because the order
   * could not be filled, or not the order's amount or currency), in the caller's transaction,
   * once per payment and kind: so that the ledger records it too.
   */
  async reportPaymentInTx(
    tx: EntityManager,
    orderId: string,
    type: 'order.payment_refunded' | 'order.payment_unmatched',
    receipt: PaymentReceiptRecord,
  ): Promise<void> {
    if (await this.outbox.hasPaymentEvent(tx, orderId, type, receipt.reference)) {
      return;
    }
    const order = (await this.repo.findById(tx, orderId))!;
    await this.outbox.append(tx, { type, orderId, payload: { order: snapshotOf(order), payment: receipt } });
    await tx.flush();
  }

  async cancelInTx(tx: EntityManager, orderId: string): Promise<boolean> {
    const moved = await this.repo.moveStatus(tx, orderId, sourcesOf('cancel'), 'cancelled', {
      cancelled_at: new Date(),
    });
    if (moved) {
      await this.writeEvent(tx, 'order.cancelled', orderId);
    }
    return moved;
  }

  /**
   * Settles a pending refund: `succeeded` writes `order.refunded` (and moves the order to
   * refunded when no line has anything left); `failed` or `canceled` gives the lines their
   * units back. Returns the refund as settled, or undefined when it was not pending.
   */
  async settleRefundInTx(
    tx: EntityManager,
    refundId: string,
    outcome: { reference: string; status: 'succeeded' | 'failed' | 'canceled' },
    at?: Date,
  ): Promise<RefundRecord | undefined> {
    const status = outcome.status === 'succeeded' ? 'succeeded' : 'failed';
    const orderId = await this.refunds.settle(tx, refundId, status, outcome.reference);
    if (!orderId) {
      return undefined;
    }
    if (status === 'failed') {
      const order = (await this.repo.findById(tx, orderId))!;
      const refund = order.refunds.find((r) => r.id === refundId)!;
      for (const line of refund.lines) {
        await this.repo.removeRefunded(tx, line);
      }
      return refund;
    }
    if ((await this.repo.countUnrefundedLines(tx, orderId)) === 0) {
      await this.repo.moveStatus(tx, orderId, sourcesOf('refund_all'), 'refunded', {}, at);
    }
    const after = (await this.repo.findById(tx, orderId))!;
    const refund = after.refunds.find((r) => r.id === refundId)!;
    const { idempotencyKey: _key, ...wire } = refund;
    await this.outbox.append(tx, {
      type: 'order.refunded',
      orderId,
      payload: { order: snapshotOf(after), refund: wire },
      occurredAt: at,
    });
    await tx.flush();
    return refund;
  }

  /**
   * Returned goods of a settled refund back to stock; idempotent per refund line, so repeating
   * the refund call (or the event that settled it) redoes it safely. A failure is logged.
   */
  async restock(refund: RefundRecord): Promise<void> {
    const order = (await this.repo.findById(this.em.fork(), refund.orderId))!;
    for (const line of refund.lines) {
      const productId = order.lines.find((l) => l.id === line.lineId)!.productId;
      await this.catalog
        .call(
          'restockUnits',
          {
            restockId: `${refund.id}:${line.lineId}`,
            orderId: refund.orderId,
            productId,
            quantity: line.quantity,
          },
          { idempotent: true },
        )
        .catch((error: unknown) =>
          this.logger.error(
            `restock of refund ${refund.id} failed, repeat the refund to retry: ${String(error)}`,
          ),
        );
    }
  }

  private async writeEvent(
    tx: EntityManager,
    type: 'order.paid' | 'order.cancelled',
    orderId: string,
    at?: Date,
  ) {
    const order = (await this.repo.findById(tx, orderId))!;
    await this.outbox.append(tx, { type, orderId, payload: { order: snapshotOf(order) }, occurredAt: at });
    await tx.flush();
  }
}
