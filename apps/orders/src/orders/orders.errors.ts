import { FailedPrecondition, NotFound } from '@yugong/shared/errors';

/** The cart is empty: nothing to check out. */
export class CartEmpty extends FailedPrecondition {
  constructor() {
    super('CART_EMPTY', 'the cart is empty', [{ field: 'cart', reason: 'is empty' }]);
  }
}

/** Some products of the cart cannot be had; nothing was held and no order made. */
export class OutOfStock extends FailedPrecondition {
  constructor(fields: { field: string; reason: string }[]) {
    super('OUT_OF_STOCK', 'some products of the cart cannot be had in the quantity asked', fields);
  }
}

export class IdempotencyKeyReused extends FailedPrecondition {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different checkout', [
      { field: 'idempotencyKey', reason: 'was already used with another request body' },
    ]);
  }
}

export class CheckoutInProgress extends FailedPrecondition {
  constructor() {
    super(
      'CHECKOUT_IN_PROGRESS',
      'a checkout with this Idempotency-Key is still running; repeat the request',
      [{ field: 'idempotencyKey', reason: 'is in use by a running checkout' }],
    );
  }
}

export class OrderNotFound extends NotFound {
  constructor(id: string) {
    super('order', id);
  }
}

/** Only a manual order is paid by an officer's confirmation. */
export class NotAManualOrder extends FailedPrecondition {
  constructor() {
    super('NOT_A_MANUAL_ORDER', 'this order is paid by card', [
      { field: 'orderId', reason: 'is paid by card' },
    ]);
  }
}

/** No paid line of the order waits for shipping (or the caller may ship none of them). */
export class NothingToShip extends FailedPrecondition {
  constructor(status: string) {
    super('NOTHING_TO_SHIP', `an order that is ${status} has no lines left to ship`, [
      { field: 'lineIds', reason: 'no paid line waits for shipping' },
    ]);
  }
}

/** Only a paid order (shipped, delivered or completed included) can be refunded. */
export class NotRefundable extends FailedPrecondition {
  constructor(status: string) {
    super('NOT_REFUNDABLE', `an order that is ${status} cannot be refunded`, [
      { field: 'orderId', reason: `is ${status}` },
    ]);
  }
}

/** Every line of the order is refunded already. */
export class NothingToRefund extends FailedPrecondition {
  constructor() {
    super('NOTHING_TO_REFUND', 'every line is refunded already', [
      { field: 'lines', reason: 'nothing left to refund' },
    ]);
  }
}

/**
 * A bank or receipt reference confirms one payment: it records another order's already, or this
 * order's payment is being recorded under another one. Nothing was written.
 */
export class PaymentReferenceUsed extends FailedPrecondition {
  constructor(reason = "records another order's payment already") {
    super('PAYMENT_REFERENCE_USED', 'this reference cannot confirm this payment', [
      { field: 'reference', reason },
    ]);
  }
}

/** Only a manual refund still pending is confirmed paid back by the relief office. */
export class NotAPendingManualRefund extends FailedPrecondition {
  constructor(status: string) {
    super('NOT_A_PENDING_MANUAL_REFUND', `a refund that is ${status} waits for no confirmation`, [
      { field: 'refundId', reason: `is ${status}` },
    ]);
  }
}
