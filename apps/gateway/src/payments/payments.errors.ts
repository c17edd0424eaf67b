import { DomainError } from '@yugong/shared/errors';

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
