import { DomainError } from '@yugong/shared/errors';
import Stripe from 'stripe';

import {
  PaymentDeclined,
  PaymentIdempotencyConflict,
  PaymentNotFoundAtProvider,
  PaymentProviderMisconfigured,
  PaymentProviderRejected,
  PaymentProviderUnavailable,
  toPaymentError,
} from './stripe-payment.errors';

describe(toPaymentError.name, () => {
  const sut = toPaymentError;
  const { errors } = Stripe;

  it.each([
    [
      new errors.StripeCardError({ code: 'expired_card', statusCode: 402 }),
      PaymentDeclined,
      'failed_precondition',
    ],
    [
      new errors.StripeConnectionError({ message: 'socket hang up' }),
      PaymentProviderUnavailable,
      'unavailable',
    ],
    [new errors.StripeAPIError({ statusCode: 500 }), PaymentProviderUnavailable, 'unavailable'],
    [new errors.StripeRateLimitError({ statusCode: 429 }), PaymentProviderUnavailable, 'unavailable'],
    [new errors.StripeIdempotencyError({ statusCode: 409 }), PaymentProviderUnavailable, 'unavailable'],
    [
      new errors.StripeIdempotencyError({ statusCode: 400 }),
      PaymentIdempotencyConflict,
      'failed_precondition',
    ],
    [new errors.StripeAuthenticationError({ statusCode: 401 }), PaymentProviderMisconfigured, 'internal'],
    [new errors.StripePermissionError({ statusCode: 403 }), PaymentProviderMisconfigured, 'internal'],
    [
      new errors.StripeInvalidRequestError({ statusCode: 404, code: 'resource_missing' }),
      PaymentNotFoundAtProvider,
      'not_found',
    ],
    [
      new errors.StripeInvalidRequestError({ statusCode: 400, code: 'amount_too_large' }),
      PaymentProviderRejected,
      'failed_precondition',
    ],
  ])('maps %p to a domain error', (error, type, kind) => {
    const mapped = sut(error, 'pi_1');

    expect(mapped).toBeInstanceOf(type);
    expect(mapped).toBeInstanceOf(DomainError);
    expect(mapped).toMatchObject({ kind, cause: error });
  });

  it('keeps Stripe’s codes where the caller may branch on them, but never Stripe’s message', () => {
    const declined = sut(
      new errors.StripeCardError({
        code: 'card_declined',
        message: 'Your card was declined.',
        statusCode: 402,
      }),
    );
    const missing = sut(
      new errors.StripeInvalidRequestError({ statusCode: 404, code: 'resource_missing' }),
      'pi_9',
    );

    expect(declined).toMatchObject({ code: 'PAYMENT_DECLINED', declineCode: 'card_declined' });
    expect((declined as Error).message).not.toContain('Your card');
    expect(missing).toMatchObject({ code: 'PAYMENT_NOT_FOUND', message: 'payment pi_9 not found' });
  });

  it('returns anything that is not a Stripe error unchanged', () => {
    const error = new TypeError('bug');

    expect(sut(error)).toBe(error);
  });
});
