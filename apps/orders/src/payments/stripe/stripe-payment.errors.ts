import { DomainError, FailedPrecondition, NotFound } from '@yugong/shared/errors';
import Stripe from 'stripe';

/**
 * Stripe could not be reached or failed on its side (connection error, timeout, 5xx, rate
 * limit, a key still in flight) after the SDK's bounded retries: UNAVAILABLE, HTTP 503. The
 * same call with the same idempotency key may be tried again later.
 */
export class PaymentProviderUnavailable extends DomainError {
  /** @inheritDoc */
  readonly kind = 'unavailable';

  constructor() {
    super('PAYMENT_PROVIDER_UNAVAILABLE', 'The payment provider is unavailable; try again later');
  }
}

/** Stripe refused our credentials (wrong or revoked key, missing permission): INTERNAL. */
export class PaymentProviderMisconfigured extends DomainError {
  /** @inheritDoc */
  readonly kind = 'internal';

  constructor() {
    super('PAYMENT_PROVIDER_MISCONFIGURED', 'The payment provider refused our credentials');
  }
}

/** The card or payment method was declined; `declineCode` is Stripe's code (`card_declined`, `expired_card`…). */
export class PaymentDeclined extends FailedPrecondition {
  constructor(readonly declineCode: string) {
    super('PAYMENT_DECLINED', `The payment was declined (${declineCode})`);
  }
}

/** A payment that already succeeded cannot be cancelled; it can only be refunded. */
export class PaymentAlreadySucceeded extends FailedPrecondition {
  constructor(readonly reference: string) {
    super('PAYMENT_ALREADY_SUCCEEDED', `Payment ${reference} has already succeeded; refund it instead`);
  }
}

/** Stripe knows no such payment: code `PAYMENT_NOT_FOUND`. */
export class PaymentNotFoundAtProvider extends NotFound {
  constructor(reference: string) {
    super('payment', reference);
  }
}

/**
 * Stripe refused the request for the state it is in (a refund beyond what is left, a payment
 * with no successful charge to refund…); `providerCode` is Stripe's error code.
 */
export class PaymentProviderRejected extends FailedPrecondition {
  constructor(readonly providerCode: string) {
    super('PAYMENT_PROVIDER_REJECTED', `The payment provider refused the request (${providerCode})`);
  }
}

/** An idempotency key was used again with other parameters (e.g. another amount for one order). */
export class PaymentIdempotencyConflict extends FailedPrecondition {
  constructor() {
    super(
      'PAYMENT_IDEMPOTENCY_CONFLICT',
      'The payment provider saw this idempotency key before with other parameters',
    );
  }
}

/**
 * The domain error for an error thrown by the Stripe SDK; anything that is not a Stripe error is
 * returned unchanged. The Stripe error is kept as `cause` (for logs); its message never reaches
 * the caller.
 *
 * @param error - what a Stripe call threw
 * @param reference - the payment the call was about, for not-found errors
 */
export function toPaymentError(error: unknown, reference = ''): unknown {
  if (!(error instanceof Stripe.errors.StripeError)) {
    return error;
  }
  const mapped = mapStripeError(error, reference);
  mapped.cause = error;
  return mapped;
}

function mapStripeError(error: InstanceType<typeof Stripe.errors.StripeError>, reference: string): Error {
  if (error instanceof Stripe.errors.StripeCardError) {
    return new PaymentDeclined(error.code ?? 'card_declined');
  }
  if (error instanceof Stripe.errors.StripeIdempotencyError) {
    return error.statusCode === 409 ? new PaymentProviderUnavailable() : new PaymentIdempotencyConflict();
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError) {
    if (error.code === 'resource_missing' || error.statusCode === 404) {
      return new PaymentNotFoundAtProvider(reference || error.param || 'unknown');
    }
    return new PaymentProviderRejected(error.code ?? 'invalid_request');
  }
  if (
    error instanceof Stripe.errors.StripeAuthenticationError ||
    error instanceof Stripe.errors.StripePermissionError
  ) {
    return new PaymentProviderMisconfigured();
  }
  // Connection errors and timeouts, 5xx (StripeAPIError), 429, 409 lock timeouts.
  return new PaymentProviderUnavailable();
}
