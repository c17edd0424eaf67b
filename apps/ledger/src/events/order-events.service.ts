import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { parseRequest } from '@yugong/shared/grpc';
import { balanceSlotOf, isHotOwner, JournalRepository } from '../journal/journal.repository';
import { JournalService } from '../journal/journal.service';
import { planUnfilledPayment, planUnmatchedPayment, type ReceiptInput } from '../split/payment-split.util';
import { planRefund, type RemainingPart } from '../split/refund-split.util';
import {
  planSale,
  type HouseholdBasis,
  type SaleInput,
  type TransactionDraft,
} from '../split/sale-split.util';
import { EventWriter } from './event-writer';
import { EventOutOfOrder } from './order-events.errors';
import { OrderEventsRepository, type SaleLineDraft } from './order-events.repository';
import { orderEventSchema, type OrderEventInput } from './order-events.schemas';
import { SaleInputsService } from './sale-inputs.service';

const METHODS: Record<string, string> = {
  PAYMENT_METHOD_STRIPE: 'stripe',
  PAYMENT_METHOD_MANUAL: 'manual',
};

function dateOf(ts: { seconds: number; nanos: number }): Date {
  return new Date(ts.seconds * 1_000 + Math.floor(ts.nanos / 1e6));
}

/**
 * Applies order events to the journal, each event id once and each order's events in their
 * sequence, whoever delivers them and however often: under a lock on the order, the event is
 * recorded as applied in the same database transaction as its postings. What a sale's split
 * needs from other services is asked before that transaction opens. Every event but a refund is
 * written in one round trip (`EventWriter`); a refund reads what stands of its lines under the lock.
 */
@Injectable()
export class OrderEventsService {
  private readonly logger = new Logger(OrderEventsService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly journal: JournalService,
    private readonly journalRows: JournalRepository,
    private readonly events: OrderEventsRepository,
    private readonly saleInputs: SaleInputsService,
    private readonly writer: EventWriter,
  ) {}

  /** Applies one event; false when it was applied before. */
  async apply(input: unknown): Promise<boolean> {
    const event = parseRequest(orderEventSchema, input);
    if (event.type === 'order.refunded') {
      return this.applyRefund(event);
    }
    // A sale whose inputs are all known here goes straight to the one-round-trip write; else what
    // the database knows first, so that a sale posted before asks no other service again.
    let sale: SaleInput | undefined;
    if (event.type === 'order.paid') {
      if (this.saleInputs.isCached(event.order!)) {
        sale = await this.saleInputs.forOrder(event.order!, event.eventId);
      } else {
        const known = await this.events.knownFacts(this.em.fork(), event.eventId, event.orderId);
        if (known.applied) {
          return false;
        }
        sale = known.salePosted ? undefined : await this.saleInputs.forOrder(event.order!, event.eventId);
      }
    }
    const planned = sale ? planSale(sale) : undefined;
    const drafts = [...(planned ? [planned.draft] : []), ...this.paymentDrafts(event)];
    const result = await this.writer.write({
      eventId: event.eventId,
      orderId: event.orderId,
      sequence: event.sequence,
      type: event.type,
      outboxId: event.id,
      lines: planned && sale ? saleLines(event, sale, planned.bases) : [],
      transactions: await this.journal.rowsOf(drafts),
    });
    if (result.recorded) {
      return true;
    }
    this.checkPlace(event, result);
    return false;
  }

  /** A refund reads what stands of its lines under the order's lock, in an ORM transaction. */
  private async applyRefund(event: OrderEventInput): Promise<boolean> {
    const em = this.em.fork();
    const known = await this.events.knownFacts(em, event.eventId, event.orderId);
    if (known.applied) {
      return false;
    }
    const sale = known.salePosted ? undefined : await this.saleInputs.forOrder(event.order!, event.eventId);
    const planned = sale ? planSale(sale) : undefined;
    if (planned) {
      await this.journal.prepareAccounts(planned.draft.postings.map((p) => p.account));
    }

    return em.transactional(async (tx) => {
      await this.events.lockOrder(tx, event.orderId);
      const progress = await this.events.progress(tx, event.eventId, event.orderId);
      if (progress.applied || !this.checkPlace(event, progress)) {
        return false;
      }
      await this.events.recordApplied(
        tx,
        {
          eventId: event.eventId,
          orderId: event.orderId,
          sequence: event.sequence,
          type: event.type,
          outboxId: event.id,
        },
        planned && sale ? saleLines(event, sale, planned.bases) : [],
      );
      if (planned) {
        await this.journal.post(tx, planned.draft);
      }
      if (event.refund!.status === 'succeeded') {
        await this.journal.post(tx, await this.refundDraft(tx, event));
      }
      return true;
    });
  }

  /**
   * Whether the event is the order's next one (true), a copy of one applied (false, nothing to
   * apply); throws when events before it are missing.
   */
  private checkPlace(event: OrderEventInput, progress: { applied: boolean; last: number }): boolean {
    if (progress.applied) {
      return false;
    }
    if (event.sequence <= progress.last) {
      // Another event holds this place: the outbox numbers an order's events once, so this one
      // is a copy under a new id. Nothing to apply.
      this.logger.warn(`event ${event.eventId}: order ${event.orderId} already has event ${event.sequence}`);
      return false;
    }
    if (event.sequence !== progress.last + 1) {
      throw new EventOutOfOrder(event.orderId, event.sequence, progress.last);
    }
    return true;
  }

  private async refundDraft(tx: EntityManager, event: OrderEventInput): Promise<TransactionDraft> {
    const refund = event.refund!;
    const order = event.order!;
    const remaining = await this.journalRows.remainingParts(
      tx,
      refund.lines.map((l) => l.lineId),
    );
    const held = await this.heldOf(tx, event.orderId, [...remaining.values()].flat());
    return planRefund({
      orderId: event.orderId,
      refundId: refund.id,
      eventId: event.eventId,
      refundedAt: dateOf(event.occurredAt),
      method: METHODS[order.payment!.method] ?? order.payment!.method.toLowerCase(),
      currency: order.total.currency || 'CNY',
      saleTransactionId: `order:${event.orderId}:paid`,
      lines: refund.lines.map((l) => ({
        lineId: l.lineId,
        amountFen: l.amount.fen,
        remaining: remaining.get(l.lineId) ?? [],
      })),
      held,
    });
  }

  /**
   * What each household and village collective account of the parts still holds in the order's
   * balance slot (a payout or distribution run may have moved it out since the sale), read with
   * the balance rows of every account the refund touches but the shared ones locked, in the
   * trigger's order: nothing moves them before the refund commits, and no deadlock.
   */
  private async heldOf(
    tx: EntityManager,
    orderId: string,
    parts: RemainingPart[],
  ): Promise<Map<string, number>> {
    const own = parts.filter((p) => !isHotOwner(p.account.ownerKind) && p.account.id !== undefined);
    const byId = await this.journalRows.lockHeld(
      tx,
      own.map((p) => p.account.id!),
      balanceSlotOf(orderId),
    );
    return new Map(own.map((p) => [p.account.code, byId.get(p.account.id!) ?? 0]));
  }

  private paymentDrafts(event: OrderEventInput): TransactionDraft[] {
    if (event.type !== 'order.payment_refunded' && event.type !== 'order.payment_unmatched') {
      return [];
    }
    const payment = event.payment!;
    const receipt: ReceiptInput = {
      orderId: event.orderId,
      eventId: event.eventId,
      method: METHODS[payment.method] ?? (payment.method.toLowerCase() || 'stripe'),
      reference: payment.reference,
      amountFen: payment.amount.fen,
      currency: payment.amount.currency || 'CNY',
      receivedAt: payment.receivedAt ? dateOf(payment.receivedAt) : dateOf(event.occurredAt),
      reason: payment.reason,
    };
    return event.type === 'order.payment_refunded'
      ? planUnfilledPayment(receipt)
      : planUnmatchedPayment(receipt);
  }
}

function saleLines(
  event: OrderEventInput,
  sale: SaleInput,
  bases: Map<string, HouseholdBasis>,
): SaleLineDraft[] {
  const order = event.order!;
  return order.lines.map((line) => ({
    lineId: line.id,
    orderId: order.id,
    buyerId: order.buyerId,
    productId: line.productId,
    producerId: line.producerId,
    quantity: line.quantity,
    grossFen: line.gross.fen,
    currency: sale.currency,
    householdShareBps: line.householdShareBps,
    householdBasis: bases.get(line.id) ?? 'unallocated',
    lots: line.allocations.map((a) => ({ lotId: a.lotId, lotCode: a.lotCode, quantity: a.quantity })),
    paidAt: sale.paidAt,
  }));
}
