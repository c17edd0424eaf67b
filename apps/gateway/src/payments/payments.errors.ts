import { DomainError, ValidationFailed } from '@yugong/shared/errors';
import type { STRIPE_SIGNATURE_HEADER } from './stripe-webhook';

/**
 * The orders service cannot apply payment events (it does not serve them yet): HTTP 503, so that
 * Stripe delivers the event again later instead of dropping it.
 */
export class PaymentEventsUnavailable extends DomainError {
  readonly kind = 'unavailable';

  constructor() {
    super('PAYMENT_EVENTS_UNAVAILABLE', 'Payment events cannot be applied right now');
  }
}

/**
 * A webhook delivery that is not a genuine, fresh Stripe event: INVALID_ARGUMENT, HTTP 400
 * `VALIDATION_FAILED` with the field at fault (`stripe-signature` or `body`) and why. Stripe
 * retries a 400 like any failure, so a delivery refused by mistake is not lost.
 */
export class StripeWebhookRejected extends ValidationFailed {
  constructor(field: typeof STRIPE_SIGNATURE_HEADER | 'body', reason: string) {
    super([{ field, reason }], 'Stripe webhook rejected');
  }
}
