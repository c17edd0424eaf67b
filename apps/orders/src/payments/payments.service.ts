import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { CallerIdentity } from '@yugong/shared/auth';
import { PermissionDenied } from '@yugong/shared/errors';
import { parseRequest, type Loose } from '@yugong/shared/grpc';
import { OrderLifecycleService, type PaymentReceiptRecord } from '../orders/order-lifecycle.service';
import { OrderRepository, type OrderRecord } from '../orders/order.repository';
import type { OrderStatusName } from '../orders/order.entity';
import { RefundRepository } from '../orders/refund.repository';
import type { PaymentEventOutcome } from './payment-event.entity';
import { PaymentEventRepository, type PaymentEventRow } from './payment-event.repository';
import {
  STRIPE_PAYMENT_PROVIDER,
  type PaymentProvider,
  type ProviderBalanceEntry,
  type ProviderPayment,
} from './payment-provider';
import { PaymentMethodUnavailable } from './payments.errors';
import {
  balancePageSchema,
  paymentEventSchema,
  type PaymentEventInput,
  type PaymentEventRequest,
} from './payments.schemas';
import { PaymentAlreadySucceeded } from './stripe/stripe-payment.errors';

export interface AppliedEvent {
  applied: boolean;
  orderId: string;
  status: OrderStatusName | '';
}

/** What the reconciler found for one order. */
export type ReconcileOutcome = PaymentEventOutcome | 'unpaid';

/** Stripe's idempotency key for the order's one PaymentIntent. */
const paymentKey = (orderId: string) => `order:${orderId}:payment`;

/**
 * Card payments of orders: the one PaymentIntent per order, provider events (webhook), and the
 * reconciler that asks the provider about orders a lost webhook would leave unpaid.
 *
 * Every way an order gets paid or cancelled by the provider ends in one transaction that locks
 * the order row, records the provider event's id (when there is one) and moves the order with
 * its outbox event, so a repeated, late or reordered event changes nothing twice, and the
 * webhook and the reconciler can race without paying an order twice. Stock is committed before
 * that transaction (idempotent per order); a payment for an order that can no longer be filled
 * (its hold lapsed and the stock is gone, or it was cancelled) is refunded in full.
 */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly lifecycle: OrderLifecycleService,
    private readonly orders: OrderRepository,
    private readonly refunds: RefundRepository,
    private readonly events: PaymentEventRepository,
    @Inject(STRIPE_PAYMENT_PROVIDER) private readonly stripe: PaymentProvider | null,
  ) {}

  /** True when card payments are configured. */
  get takesCards(): boolean {
    return this.stripe !== null;
  }

  /**
   * The order's PaymentIntent, created on the first call and the same one on every later call
   * (Stripe's idempotency key is the order's), stored on the order with its client secret.
   */
  async ensurePayment(order: OrderRecord): Promise<{ reference: string; clientSecret: string }> {
    if (order.paymentReference && order.clientSecret) {
      return { reference: order.paymentReference, clientSecret: order.clientSecret };
    }
    const created = await this.provider().createPayment({
      orderId: order.id,
      buyerId: order.buyerId,
      amountFen: order.totalFen,
      currency: order.currency,
      idempotencyKey: paymentKey(order.id),
    });
    await this.orders.setPayment(this.em.fork(), order.id, created.reference, created.clientSecret);
    return created;
  }

  /**
   * Cancels the order's payment at the provider before the order is cancelled here, so that no
   * payment can succeed for a cancelled order. Returns `paid` (and applies the payment) when the
   * customer paid meanwhile, `cancelled` otherwise.
   */
  async cancelPayment(order: OrderRecord): Promise<'cancelled' | 'paid'> {
    const { reference } = await this.ensurePayment(order);
    try {
      await this.provider().cancelPayment(reference, `${paymentKey(order.id)}:cancel`);
      return 'cancelled';
    } catch (error) {
      if (!(error instanceof PaymentAlreadySucceeded)) {
        throw error;
      }
    }
    await this.reconcile(order.id);
    return 'paid';
  }

  /** Applies one verified provider event; each event id at most once. Service callers only. */
  async applyEvent(caller: CallerIdentity | null, input: Loose<PaymentEventInput>): Promise<AppliedEvent> {
    if (caller) {
      throw new PermissionDenied('only the gateway applies payment events, after checking their signature');
    }
    const req = parseRequest(paymentEventSchema, input);
    if (await this.events.seen(this.em.fork(), req.eventId)) {
      return this.answer(false, await this.findOrder(req));
    }
    const order = await this.findOrder(req);
    const row = (outcome: PaymentEventOutcome, orderId = order?.id ?? null): PaymentEventRow => ({
      eventId: req.eventId,
      type: req.type,
      orderId,
      paymentReference: req.paymentIntentId,
      outcome,
      occurredAt: req.occurredAt,
    });
    if (!order || order.paymentMethod !== 'stripe') {
      this.logger.warn(`payment event ${req.eventId} (${req.type}) names no card order of ours`);
      await this.events.record(this.em.fork(), row('unknown_order', null));
      return this.answer(false, undefined);
    }
    switch (req.type) {
      case 'payment_intent.succeeded':
        return this.answer(
          (await this.settleSucceeded(order, {
            reference: req.paymentIntentId,
            amountReceivedFen: req.amountFen,
            currency: req.currency,
            event: row('applied'),
          })) === 'applied',
          await this.reload(order.id),
        );
      case 'payment_intent.payment_failed':
        return this.answer(
          await this.applyUnderLock(order.id, row('recorded'), (tx) =>
            this.orders.recordPaymentFailure(
              tx,
              order.id,
              req.failureCode || 'payment_failed',
              req.occurredAt ?? new Date(),
            ),
          ),
          await this.reload(order.id),
        );
      case 'payment_intent.canceled':
        return this.answer(
          await this.cancelByProvider(order.id, row('applied')),
          await this.reload(order.id),
        );
      case 'charge.refunded':
        return this.answer(
          await this.settleProviderRefunds(order.id, req, row('applied')),
          await this.reload(order.id),
        );
      default:
        await this.events.record(this.em.fork(), row('no_change'));
        return this.answer(false, order);
    }
  }

  /**
   * Asks the provider where the order's payment stands and applies it: paid, cancelled, a failed
   * attempt, or still unpaid. The reconciler and a cancellation that found the order paid call this.
   */
  async reconcile(orderId: string): Promise<ReconcileOutcome> {
    const order = await this.orders.findById(this.em.fork(), orderId);
    if (!order || order.paymentMethod !== 'stripe' || order.status !== 'pending_payment') {
      return 'no_change';
    }
    const { reference } = await this.ensurePayment(order);
    const payment: ProviderPayment = await this.provider().retrievePayment(reference);
    switch (payment.status) {
      case 'succeeded':
        return this.settleSucceeded(order, {
          reference,
          amountReceivedFen: payment.amountReceivedFen,
          currency: payment.currency,
        });
      case 'canceled':
        return (await this.cancelByProvider(order.id)) ? 'applied' : 'no_change';
      case 'failed':
        await this.orders.recordPaymentFailure(
          this.em.fork(),
          order.id,
          payment.failureCode ?? 'payment_failed',
          new Date(),
        );
        return 'unpaid';
      case 'processing':
      case 'requires_action':
        return 'unpaid';
    }
  }

  /** Tries again the provider side of refunds left pending without a provider refund (a crash or an outage). */
  async retryPendingRefunds(limit = 20): Promise<number> {
    const ids = await this.refunds.findUnsent(this.em.fork(), limit);
    for (const id of ids) {
      await this.sendRefund(id);
    }
    return ids.length;
  }

  /**
   * Sends a reserved (pending) refund to the provider, with our refund id as its idempotency key,
   * and settles it when the provider answers with a final status. Returns the refund's status.
   */
  async sendRefund(refundId: string): Promise<string> {
    const em = this.em.fork();
    const refund = await this.refunds.findToSend(em, refundId);
    if (!refund || refund.status !== 'pending') {
      return refund?.status ?? 'failed';
    }
    const order = (await this.orders.findById(em, refund.orderId))!;
    const result = await this.provider().refund({
      reference: order.paymentReference!,
      amountFen: refund.amountFen,
      currency: order.currency,
      refundId: refund.id,
      orderId: order.id,
      reason: refund.reason,
    });
    if (result.status === 'pending') {
      await this.refunds.setProviderReference(em, refund.id, result.reference);
      return 'pending';
    }
    const settled = await em.transactional(async (tx) => {
      await this.orders.findById(tx, order.id, true);
      return this.lifecycle.settleRefundInTx(tx, refund.id, {
        reference: result.reference,
        status: result.status as 'succeeded' | 'failed' | 'canceled',
      });
    });
    if (settled?.status === 'succeeded' && settled.goodsReturned) {
      await this.lifecycle.restock(settled);
    }
    return settled?.status ?? 'pending';
  }

  /**
   * A payment that succeeded: the order is paid when the amount and currency are the order's and
   * its stock could be committed; a payment for an order that can no longer be filled is refunded.
   */
  private async settleSucceeded(
    order: OrderRecord,
    payment: { reference: string; amountReceivedFen: number; currency: string; event?: PaymentEventRow },
  ): Promise<PaymentEventOutcome> {
    const record = (outcome: PaymentEventOutcome) =>
      payment.event ? { ...payment.event, outcome } : undefined;
    const receipt = (reason: string): PaymentReceiptRecord => ({
      method: 'stripe',
      reference: payment.reference,
      amountFen: payment.amountReceivedFen,
      currency: payment.currency,
      receivedAt: (payment.event?.occurredAt ?? new Date()).toISOString(),
      reason,
    });
    if (payment.amountReceivedFen !== order.totalFen || payment.currency !== order.currency) {
      this.logger.error(
        `payment ${payment.reference} of order ${order.id} received ${payment.amountReceivedFen} ${payment.currency}, ` +
          `the order is ${order.totalFen} ${order.currency}: not applied, for the relief office to settle`,
      );
      await this.applyUnderLock(order.id, record('amount_mismatch'), async (tx) => {
        const reason = `received ${payment.amountReceivedFen} ${payment.currency}, the order is ${order.totalFen} ${order.currency}`;
        await this.lifecycle.reportPaymentInTx(tx, order.id, 'order.payment_unmatched', receipt(reason));
        return false;
      });
      return 'amount_mismatch';
    }
    if (order.status === 'cancelled') {
      const reason = 'paid after the order was cancelled';
      await this.refundInFull(order, payment.reference, reason);
      await this.applyUnderLock(order.id, record('refunded'), async (tx) => {
        await this.lifecycle.reportPaymentInTx(tx, order.id, 'order.payment_refunded', receipt(reason));
        return false;
      });
      return 'refunded';
    }
    if (order.status !== 'pending_payment') {
      await this.applyUnderLock(order.id, record('no_change'), async () => false);
      return 'no_change';
    }
    const stock = await this.lifecycle.commitStock(order.id);
    if (!stock.committed) {
      // The hold lapsed and its units were sold meanwhile: the buyer gets the money back.
      const reason = 'the stock held for the order ran out';
      await this.refundInFull(order, payment.reference, reason);
      const moved = await this.applyUnderLock(order.id, record('refunded'), async (tx) => {
        const cancelled = await this.lifecycle.cancelInTx(tx, order.id);
        await this.lifecycle.reportPaymentInTx(tx, order.id, 'order.payment_refunded', receipt(reason));
        return cancelled;
      });
      if (moved) {
        await this.lifecycle.releaseStock(order.id);
      }
      return 'refunded';
    }
    // Stripe's actual fee when it has settled the charge already; else null, and the ledger
    // takes the configured rate.
    const processorFeeFen = await this.provider().processorFee(payment.reference, payment.currency);
    const moved = await this.applyUnderLock(order.id, record('applied'), (tx) =>
      this.lifecycle.payInTx(tx, order.id, {
        reference: payment.reference,
        amountFen: payment.amountReceivedFen,
        processorFeeFen,
      }),
    );
    return moved ? 'applied' : 'no_change';
  }

  /** pending_payment → cancelled (the provider cancelled the payment); holds released. */
  private async cancelByProvider(orderId: string, event?: PaymentEventRow): Promise<boolean> {
    const moved = await this.applyUnderLock(orderId, event, (tx) => this.lifecycle.cancelInTx(tx, orderId));
    if (moved) {
      await this.lifecycle.releaseStock(orderId);
    }
    return moved;
  }

  /** Settles our pending refunds that the provider's charge.refunded reports final. */
  private async settleProviderRefunds(
    orderId: string,
    req: PaymentEventRequest,
    event: PaymentEventRow,
  ): Promise<boolean> {
    const settled = await this.em.fork().transactional(async (tx) => {
      await this.orders.findById(tx, orderId, true);
      if (!(await this.events.record(tx, event))) {
        return [];
      }
      const done = [];
      for (const reported of req.refunds) {
        if (
          reported.status !== 'succeeded' &&
          reported.status !== 'failed' &&
          reported.status !== 'canceled'
        ) {
          continue;
        }
        const ours = await this.refunds.findPendingByReference(tx, orderId, reported.id);
        const refund =
          ours &&
          (await this.lifecycle.settleRefundInTx(tx, ours, {
            reference: reported.id,
            status: reported.status,
          }));
        if (refund) {
          done.push(refund);
        }
      }
      return done;
    });
    for (const refund of settled) {
      if (refund.status === 'succeeded' && refund.goodsReturned) {
        await this.lifecycle.restock(refund);
      }
    }
    return settled.length > 0;
  }

  /**
   * One page of the card processor's balance history for a period (the ledger reconciling), each
   * entry with the order its payment paid: ours by `payment_reference` first, the metadata's
   * otherwise. `configured` false, and no entries, when no card processor is set up.
   */
  async listBalanceEntries(
    input: unknown,
  ): Promise<{ entries: ProviderBalanceEntry[]; hasMore: boolean; configured: boolean }> {
    const data = parseRequest(balancePageSchema, input);
    if (!this.stripe) {
      return { entries: [], hasMore: false, configured: false };
    }
    const page = await this.stripe.listBalanceEntries({
      from: data.from,
      to: data.to,
      startingAfter: data.startingAfter || undefined,
      limit: data.limit || 100,
    });
    const intents = [...new Set(page.entries.map((e) => e.paymentIntent).filter(Boolean))];
    const ours = await this.orders.idsByCardPayment(this.em.fork(), intents);
    return {
      entries: page.entries.map((e) => ({ ...e, orderId: ours.get(e.paymentIntent) ?? e.orderId })),
      hasMore: page.hasMore,
      configured: true,
    };
  }

  /**
   * Runs `change` in a transaction holding the order's lock, after recording `event` there (when
   * given); an event recorded before changes nothing. Returns what `change` returned.
   */
  private async applyUnderLock(
    orderId: string,
    event: PaymentEventRow | undefined,
    change: (tx: EntityManager) => Promise<boolean>,
  ): Promise<boolean> {
    return this.em.fork().transactional(async (tx) => {
      await this.orders.findById(tx, orderId, true);
      if (event && !(await this.events.record(tx, event))) {
        return false;
      }
      return change(tx);
    });
  }

  private async refundInFull(order: OrderRecord, reference: string, reason: string): Promise<void> {
    this.logger.warn(`order ${order.id}: ${reason}; refunding payment ${reference} in full`);
    await this.provider().refund({
      reference,
      amountFen: order.totalFen,
      currency: order.currency,
      refundId: `order:${order.id}:unfilled`,
      orderId: order.id,
      reason,
    });
  }

  private async findOrder(req: PaymentEventRequest): Promise<OrderRecord | undefined> {
    const { byId, byReference } = await this.orders.findForPayment(
      this.em.fork(),
      req.orderId,
      req.paymentIntentId,
    );
    // The metadata names the order; a PaymentIntent that another order holds wins over it.
    if (
      byId &&
      (!req.paymentIntentId || !byId.paymentReference || byId.paymentReference === req.paymentIntentId)
    ) {
      return byId;
    }
    return byReference;
  }

  private reload(orderId: string): Promise<OrderRecord | undefined> {
    return this.orders.findById(this.em.fork(), orderId);
  }

  private answer(applied: boolean, order: OrderRecord | undefined): AppliedEvent {
    return { applied, orderId: order?.id ?? '', status: order?.status ?? '' };
  }

  private provider(): PaymentProvider {
    if (!this.stripe) {
      throw new PaymentMethodUnavailable();
    }
    return this.stripe;
  }
}
