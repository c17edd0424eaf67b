import { ValidationFailed } from '@yugong/shared/errors';
import type { STRIPE_SIGNATURE_HEADER } from './stripe-webhook';

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
