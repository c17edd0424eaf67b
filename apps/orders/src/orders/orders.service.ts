import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { canReadAll, isOfficer, requireCaller, requireRole, type CallerIdentity } from '@yugong/shared/auth';
import { ValidationFailed } from '@yugong/shared/errors';
import { encodeCursor, parseRequest, type Loose } from '@yugong/shared/grpc';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { BuyerLimitsService } from '../buyers/buyer-limits.service';
import type { BuyerUsage } from '../buyers/buyer-allowance.repository';
import { HeldUnitsLimit, UnpaidOrderLimit } from '../buyers/buyers.errors';
import { CartStore, type CartLine } from '../cart/cart.store';
import { CatalogClient } from '../catalog/catalog.client';
import { CatalogUnavailable, isUnreachable } from '../catalog/catalog.errors';
import { PaymentMethodUnavailable } from '../payments/payments.errors';
import { PaymentsService } from '../payments/payments.service';
import { CheckoutLockStore } from './checkout-lock.store';
import { donationOf, orderLinesOf, type LineLicenceTerms } from './checkout-lines.util';
import { LICENSING_CLIENT, type LicensingClient } from '../licensing/licensing.client';
import { LicensingUnavailable } from '../licensing/licensing.errors';
import { checkoutRequestHash } from './checkout-request-hash.util';
import { OrderLifecycleService } from './order-lifecycle.service';
import { CheckoutLookup } from './checkout-lookup';
import { OrderPlacementWriter } from './order-placement-writer';
import { OrderRepository, type NewOrderRecord, type OrderRecord, type PlaceResult } from './order.repository';
import { transition } from './order-state';
import {
  CartEmpty,
  CheckoutInProgress,
  IdempotencyKeyReused,
  NotAManualOrder,
  OrderNotFound,
  OutOfStock,
  PaymentReferenceUsed,
} from './orders.errors';
import {
  checkoutSchema,
  listOrdersSchema,
  manualPaymentSchema,
  orderIdSchema,
  type CheckoutInput,
  type CheckoutRequest,
} from './orders.schemas';

export const ORDERS_SETTINGS = Symbol('ORDERS_SETTINGS');

export interface OrdersSettings {
  holdTtlMs: number;
}

/** How long a checkout waits for a concurrent one with the same key to finish. */
const IN_FLIGHT_WAIT_MS = 10_000;
/**
 * Life of the in-flight lock: a process that dies holding it delays a repeat at most this long.
 * Correctness does not rest on it (the unique (buyer, key) row does): it only saves a second hold.
 */
const IN_FLIGHT_LOCK_MS = 10_000;

/** The order as its reader may see it: producer staff see only their own lines. */
export type OrderView = OrderRecord;

/**
 * Checkout, payment and cancellation of orders. Stock is held in catalog before the order is
 * written, under the order id chosen first; every step is idempotent so a repeated request (same
 * Idempotency-Key) finishes what a crashed one started.
 */
@Injectable()
export class OrdersService {
  private readonly logger = new Logger(OrdersService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly catalog: CatalogClient,
    private readonly lifecycle: OrderLifecycleService,
    private readonly payments: PaymentsService,
    private readonly repo: OrderRepository,
    private readonly carts: CartStore,
    private readonly locks: CheckoutLockStore,
    private readonly limits: BuyerLimitsService,
    private readonly placements: OrderPlacementWriter,
    private readonly lookups: CheckoutLookup,
    @Inject(ORDERS_SETTINGS) private readonly settings: OrdersSettings,
    @Inject(LICENSING_CLIENT) private readonly licensing: LicensingClient | null,
  ) {}

  async checkout(caller: CallerIdentity | null, input: Loose<CheckoutInput>): Promise<OrderView> {
    const buyer = requireRole(caller, 'consumer', 'institution');
    const req = parseRequest(checkoutSchema, input);
    if (req.paymentMethod === 'stripe' && !this.payments.takesCards) {
      throw new PaymentMethodUnavailable();
    }
    const requestHash = checkoutRequestHash(req);
    // A repeat finds its order under the lock as a first request would (one look, not two).
    const order = await this.placeUnderLock(buyer, req, requestHash, Date.now() + IN_FLIGHT_WAIT_MS);
    return this.attachPayment(order);
  }

  /**
   * Places the order while holding the key's in-flight lock; while another request holds it,
   * waits for that one's order. When the lock goes without an order (that request ran out of
   * stock, found the cart empty, or its process died), this request tries itself.
   */
  private async placeUnderLock(
    buyer: CallerIdentity,
    req: CheckoutRequest,
    requestHash: string,
    deadline: number,
  ): Promise<OrderView> {
    const lock = `checkout:${buyer.userId}:${req.idempotencyKey}`;
    const owner = { userId: buyer.userId };
    // The cart is read beside the lock's acquisition (one trip to the store, not two), and used
    // only once the lock is ours; settled at once, so an unused read leaves nothing unhandled.
    const acquired = this.locks.acquire(lock, IN_FLIGHT_LOCK_MS);
    const cart = settled(this.carts.read(owner));
    if (await acquired) {
      let result: { order: OrderView; placed: boolean };
      try {
        // The holder before us may have finished between our look and our lock. With it, in
        // the same statement, the buyer's usage for the first look at its limits.
        const { existing, usage } = await this.lookups.find(buyer.userId, req.idempotencyKey);
        if (existing && existing.requestHash !== requestHash) {
          throw new IdempotencyKeyReused();
        }
        result = existing
          ? { order: existing, placed: false }
          : await this.placeOrder(buyer, req, requestHash, cart, usage);
      } catch (error) {
        await this.locks.release(lock);
        throw error;
      }
      if (!result.placed) {
        await this.locks.release(lock);
        return result.order;
      }
      // The cart emptied and the lock given up together (one trip to the store), in that order.
      await Promise.all([this.carts.clear(owner), this.locks.release(lock)]);
      return result.order;
    }
    while (Date.now() < deadline) {
      const existing = await this.replay(buyer.userId, req.idempotencyKey, requestHash);
      if (existing) {
        return existing;
      }
      if (!(await this.locks.isHeld(lock))) {
        return this.placeUnderLock(buyer, req, requestHash, deadline);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new CheckoutInProgress();
  }

  /**
   * A card order with its PaymentIntent: created after the order (so a crash between the two
   * leaves an order that the next repeat of the checkout, the reconciler or the sweeper mends,
   * never a payment without an order), the same one on every repeat.
   */
  private async attachPayment(order: OrderView): Promise<OrderView> {
    if (order.paymentMethod !== 'stripe' || order.status !== 'pending_payment' || order.clientSecret) {
      return order;
    }
    await this.payments.ensurePayment(order);
    return (await this.repo.findById(this.em.fork(), order.id))!;
  }

  async get(caller: CallerIdentity | null, id: string): Promise<OrderView> {
    parseRequest(orderIdSchema, { id });
    const order = await this.repo.findById(this.em.fork(), id);
    const view = order && this.visible(caller, order);
    if (!view) {
      throw new OrderNotFound(id);
    }
    return view;
  }

  async list(
    caller: CallerIdentity | null,
    input: Loose<z.input<typeof listOrdersSchema>>,
  ): Promise<{ items: OrderView[]; total: number; page: number; pageSize: number; nextCursor: string }> {
    const who = requireCaller(caller);
    const q = parseRequest(listOrdersSchema, input);
    const status = q.status || undefined;
    const scope = canReadAll(who)
      ? { status }
      : who.role === 'producer_staff'
        ? { producerIds: who.producerIds, status }
        : { buyerId: who.userId, status };
    const after = q.cursor && { createdAt: q.cursor[0], id: q.cursor[1] };
    const { items, total, next } = await this.repo.page(this.em.fork(), scope, { ...q.page, after });
    return {
      items: items.map((o) => this.visible(who, o)!),
      total,
      page: after ? 0 : q.page.page,
      pageSize: q.page.pageSize,
      nextCursor: next ? encodeCursor([next.createdAt, next.id]) : '',
    };
  }

  /** The buyer or an officer, before payment: the order is cancelled and its holds released. */
  async cancel(caller: CallerIdentity | null, id: string): Promise<OrderView> {
    const order = await this.get(caller, id);
    if (!isOfficer(caller) && caller?.userId !== order.buyerId) {
      throw new OrderNotFound(id);
    }
    await this.cancelOrder(id);
    const after = await this.get(caller, id);
    // Paid meanwhile (the provider said so while cancelling): refund instead.
    transition(after.status, 'cancel');
    return after;
  }

  /** A relief officer records a bank transfer or cash payment of a manual order. */
  async confirmManualPayment(
    caller: CallerIdentity | null,
    input: Loose<{ orderId: string; amountFen: number; currency: string; reference: string }>,
  ): Promise<OrderView> {
    const officer = requireRole(caller, 'relief_officer', 'admin');
    const req = parseRequest(manualPaymentSchema, input);
    const order = await this.repo.findById(this.em.fork(), req.orderId);
    if (!order) {
      throw new OrderNotFound(req.orderId);
    }
    if (order.paymentMethod !== 'manual') {
      throw new NotAManualOrder();
    }
    if (req.amountFen !== order.totalFen || req.currency !== order.currency) {
      throw new ValidationFailed([
        { field: 'amount', reason: `must be the order's total, ${order.totalFen} fen ${order.currency}` },
      ]);
    }
    const { changed } = transition(order.status, 'pay');
    if (!changed) {
      return this.get(officer, order.id);
    }
    // The reference first: one that pays another order is refused before any stock is committed,
    // and two confirmations racing with one reference meet at its unique index.
    const claim = await this.repo.claimPaymentReference(this.em.fork(), order.id, req.reference);
    if (claim === 'taken') {
      throw new PaymentReferenceUsed();
    }
    if (claim === 'other') {
      const now = await this.get(officer, order.id);
      if (now.status === 'pending_payment') {
        throw new PaymentReferenceUsed(`this order's payment is being recorded under another reference`);
      }
      return now;
    }
    // Stock next (idempotent): if this crashes before the order is marked paid, a repeat redoes both.
    const stock = await this.lifecycle.commitStock(order.id);
    if (!stock.committed) {
      await this.repo.releasePaymentReference(this.em.fork(), order.id, req.reference);
      throw new OutOfStock(
        stock.shortages.map((s) => ({
          field: `lines.${s.productId}`,
          reason: `the hold lapsed and only ${s.available} of ${s.requested} are left; cancel the order and refund`,
        })),
      );
    }
    await this.em.fork().transactional(async (tx) => {
      await this.repo.findById(tx, order.id, true);
      await this.lifecycle.payInTx(tx, order.id, { reference: req.reference, amountFen: req.amountFen });
    });
    return this.get(officer, order.id);
  }

  /** Cancels every unpaid order past its expiry; the sweeper calls this. Returns how many. */
  async cancelExpired(batch = 100): Promise<number> {
    const ids = await this.em.fork().transactional((tx) => this.repo.claimExpired(tx, batch));
    let cancelled = 0;
    for (const id of ids) {
      try {
        cancelled += (await this.cancelOrder(id)) ? 1 : 0;
      } catch (error) {
        // Stripe or catalog out of reach: the order stays pending and the next pass tries again.
        this.logger.warn(`expired order ${id} not cancelled yet: ${(error as Error).message}`);
      }
    }
    return cancelled;
  }

  /** Completes shipped or delivered orders whose last shipment or delivery is before `before`. */
  async completeSettled(before: Date, batch = 500): Promise<number> {
    return this.em.fork().transactional((tx) => this.repo.completeSettled(tx, before, batch));
  }

  /**
   * Cancels a pending order. A card order's payment is cancelled at the provider first, so that
   * it cannot succeed afterwards; if it already had, the order is paid instead. False when the
   * order was not cancelled by this call.
   */
  private async cancelOrder(id: string): Promise<boolean> {
    const order = await this.repo.findById(this.em.fork(), id);
    if (!order) {
      throw new OrderNotFound(id);
    }
    if (!transition(order.status, 'cancel').changed) {
      return false;
    }
    if (order.paymentMethod === 'stripe' && (await this.payments.cancelPayment(order)) === 'paid') {
      return false;
    }
    const moved = await this.em.fork().transactional(async (tx) => {
      await this.repo.findById(tx, id, true);
      return this.lifecycle.cancelInTx(tx, id);
    });
    // After the commit: a crash here leaves the hold to catalog's own expiry sweep.
    await this.lifecycle.releaseStock(id);
    return moved;
  }

  /**
   * The checkout itself: the cart, a first look at the buyer's limits, then the stock held in
   * catalog while licensing is asked for the licence terms (both for the cart's products, at
   * once), then the order written under the buyer's lock within its limits. Whatever fails after
   * the hold gives the hold back.
   */
  private async placeOrder(
    buyer: CallerIdentity,
    req: CheckoutRequest,
    requestHash: string,
    cartRead: Promise<Settled<CartLine[]>>,
    usage: BuyerUsage,
  ): Promise<{ order: OrderView; placed: boolean }> {
    const read = await cartRead;
    if ('error' in read) {
      throw read.error;
    }
    const cart = read.value;
    if (cart.length === 0) {
      throw new CartEmpty();
    }
    const units = cart.reduce((sum, line) => sum + line.quantity, 0);
    this.limits.assertRoomWithin(usage, units);
    const orderId = randomUUID();
    const expiresAt = new Date(Date.now() + this.settings.holdTtlMs);
    // Settled into a value at once, so that a hold that fails first leaves no rejection unhandled.
    const terms = this.licenceTerms(cart.map((l) => l.productId)).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const hold = await this.catalog.holdStock(buyer, orderId, cart, expiresAt).catch((error: unknown) => {
      throw isUnreachable(error) ? new CatalogUnavailable() : error;
    });
    if (!hold.held) {
      throw new OutOfStock(
        hold.shortages.map((s) => ({
          field: `cart.${s.productId}`,
          reason:
            s.reason === 'SHORTAGE_REASON_OUT_OF_STOCK'
              ? `only ${s.available} left, ${s.requested} asked`
              : 'is not for sale',
        })),
      );
    }
    const licences = await terms;
    if ('error' in licences) {
      await this.catalog.releaseStock(orderId).catch(() => undefined);
      throw isUnreachable(licences.error) ? new LicensingUnavailable() : licences.error;
    }
    const lines = orderLinesOf(hold.lines, () => randomUUID(), licences.value);
    const subtotalFen = lines.reduce((sum, l) => sum + l.grossFen, 0);
    const donationFen = donationOf(subtotalFen, req.donationFen, req.roundUp);
    const record: NewOrderRecord = {
      id: orderId,
      buyerId: buyer.userId,
      buyerRole: buyer.role,
      idempotencyKey: req.idempotencyKey,
      requestHash,
      status: 'pending_payment',
      paymentMethod: req.paymentMethod,
      subtotalFen,
      donationFen,
      totalFen: subtotalFen + donationFen,
      currency: hold.lines[0].unitPrice?.currency || 'CNY',
      paymentReference: null,
      clientSecret: null,
      amountReceivedFen: null,
      processorFeeFen: null,
      paidAt: null,
      expiresAt,
      cancelledAt: null,
      lines,
    };
    let placed: PlaceResult;
    try {
      placed = await this.placements.place(record, units);
    } catch (error) {
      await this.catalog.releaseStock(orderId).catch(() => undefined);
      throw error;
    }
    if (placed.outcome !== 'placed') {
      // Past a limit after all (a concurrent checkout of this buyer came first), or another
      // request with this key won (its lock had lapsed): the hold is not needed.
      await this.catalog.releaseStock(orderId).catch(() => undefined);
      if (placed.outcome === 'unpaid_limit') {
        throw new UnpaidOrderLimit(placed.maxUnpaidOrders);
      }
      if (placed.outcome === 'held_limit') {
        throw new HeldUnitsLimit(placed.maxHeldUnits, placed.heldUnits, units);
      }
      const winner = await this.replay(buyer.userId, req.idempotencyKey, requestHash);
      if (!winner) {
        throw new CheckoutInProgress();
      }
      return { order: winner, placed: false };
    }
    // Placed: the caller clears the cart, with the lock's release.
    // As a read back would return it: nothing else has touched the order yet.
    const order: OrderView = {
      ...record,
      paymentFailure: null,
      deliveredAt: null,
      completedAt: null,
      refunds: [],
      createdAt: placed.createdAt,
      updatedAt: placed.createdAt,
    };
    return { order, placed: true };
  }

  /**
   * The terms of the LOGO licences covering the products now, snapshotted on the lines (as
   * licensing told them, or as kept from it: `LicensingClient`). A licensed sale must carry its
   * commitment, so when licensing cannot be asked and the terms are not kept the checkout fails
   * (503) and its hold is given back; a deployment without licensing licenses nothing.
   */
  private async licenceTerms(productIds: string[]): Promise<ReadonlyMap<string, LineLicenceTerms>> {
    return this.licensing ? this.licensing.termsFor(productIds) : new Map<string, LineLicenceTerms>();
  }

  private async replay(buyerId: string, key: string, requestHash: string): Promise<OrderView | undefined> {
    const existing = await this.repo.findByIdempotencyKey(this.em.fork(), buyerId, key);
    if (existing && existing.requestHash !== requestHash) {
      throw new IdempotencyKeyReused();
    }
    return existing;
  }

  /** What `caller` may see of `order`, or undefined when nothing. */
  private visible(caller: CallerIdentity | null, order: OrderRecord): OrderView | undefined {
    if (!caller) {
      return undefined;
    }
    if (canReadAll(caller) || caller.userId === order.buyerId) {
      return order;
    }
    if (caller.role === 'producer_staff') {
      const own = order.lines.filter((l) => caller.producerIds.includes(l.producerId));
      if (own.length === 0) {
        return undefined;
      }
      // Refunds too: only what was refunded of their own lines.
      const ids = new Set(own.map((l) => l.id));
      const refunds = order.refunds
        .map((r) => {
          const lines = r.lines.filter((l) => ids.has(l.lineId));
          return { ...r, lines, amountFen: lines.reduce((sum, l) => sum + l.amountFen, 0) };
        })
        .filter((r) => r.lines.length > 0);
      return { ...order, lines: own, refunds };
    }
    return undefined;
  }
}

type Settled<T> = { value: T } | { error: unknown };

/** `promise` as a value that never rejects: its result or its error. */
function settled<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}
