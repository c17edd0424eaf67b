import { FailedPrecondition } from '@yugong/shared/errors';

/** Card payment is not configured here (no STRIPE_SECRET_KEY). */
export class PaymentMethodUnavailable extends FailedPrecondition {
  constructor() {
    super('PAYMENT_METHOD_UNAVAILABLE', 'card payment is not configured on this platform; pay manually', [
      { field: 'paymentMethod', reason: 'stripe is not configured' },
    ]);
  }
}
