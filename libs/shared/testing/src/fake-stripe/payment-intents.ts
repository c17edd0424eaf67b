import { randomBytes } from 'node:crypto';
import { ApiError, invalidRequest } from './api-error';
import { enumParam, integerParam, metadataParam, onlyKnown, stringParam } from './parameters';
import { emit, renderPaymentIntent, type FakeStripeEvent } from './rendering';
import { now, randomId, type PaymentIntentRecord, type PaymentIntentStatus, type StripeState } from './state';

const CANCELABLE: readonly PaymentIntentStatus[] = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];
const CANCELLATION_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'];
const DECLINES: Readonly<Record<string, [code: string, declineCode: string | undefined, message: string]>> = {
  card_declined: ['card_declined', 'generic_decline', 'Your card was declined.'],
  insufficient_funds: ['card_declined', 'insufficient_funds', 'Your card has insufficient funds.'],
  expired_card: ['expired_card', undefined, 'Your card has expired.'],
  incorrect_cvc: ['incorrect_cvc', undefined, "Your card's security code is incorrect."],
  processing_error: ['processing_error', undefined, 'An error occurred while processing your card.'],
};
/** Stripe's test payment methods that decline, with the failure they cause. */
const DECLINING_PAYMENT_METHODS: Readonly<Record<string, string>> = {
  pm_card_chargeDeclined: 'card_declined',
  pm_card_visa_chargeDeclined: 'card_declined',
  pm_card_chargeDeclinedInsufficientFunds: 'insufficient_funds',
  pm_card_chargeDeclinedExpiredCard: 'expired_card',
  pm_card_chargeDeclinedIncorrectCvc: 'incorrect_cvc',
  pm_card_chargeDeclinedProcessingError: 'processing_error',
};

export function createPaymentIntent(
  state: StripeState,
  params: Record<string, unknown>,
): Record<string, unknown> {
  onlyKnown(params, [
    'amount',
    'currency',
    'metadata',
    'automatic_payment_methods',
    'description',
    'receipt_email',
    'statement_descriptor_suffix',
    'expand',
  ]);
  const amount = integerParam(params, 'amount', true) as number;
  if (amount < 1) {
    throw invalidRequest('Amount must be at least 1', { code: 'amount_too_small', param: 'amount' });
  }
  if (amount > 99_999_999) {
    throw invalidRequest('Amount must be no more than 99,999,999', {
      code: 'amount_too_large',
      param: 'amount',
    });
  }
  const currency = stringParam(params, 'currency');
  if (currency === undefined) {
    throw invalidRequest('Missing required param: currency.', {
      code: 'parameter_missing',
      param: 'currency',
    });
  }
  if (!/^[a-z]{3}$/.test(currency)) {
    throw invalidRequest(`Invalid currency: ${currency}. Stripe currently supports these currencies: …`, {
      param: 'currency',
    });
  }
  const apm = params['automatic_payment_methods'] as Record<string, unknown> | undefined;
  if (apm !== undefined && (typeof apm !== 'object' || !['true', 'false'].includes(String(apm['enabled'])))) {
    throw invalidRequest('Invalid boolean: automatic_payment_methods[enabled]', {
      param: 'automatic_payment_methods[enabled]',
    });
  }
  const id = randomId('pi', 12);
  const pi: PaymentIntentRecord = {
    id,
    amount,
    currency,
    metadata: metadataParam(params),
    description: stringParam(params, 'description') ?? null,
    automaticPaymentMethods: apm?.['enabled'] === 'true',
    status: 'requires_payment_method',
    amountReceived: 0,
    latestCharge: null,
    lastPaymentError: null,
    paymentMethod: null,
    clientSecret: `${id}_secret_${randomBytes(12).toString('base64url').replace(/[-_]/g, '0')}`,
    created: now(),
    canceledAt: null,
    cancellationReason: null,
  };
  state.paymentIntents.set(id, pi);
  return renderPaymentIntent(pi);
}

export function cancelPaymentIntent(
  state: StripeState,
  id: string,
  params: Record<string, unknown>,
): Record<string, unknown> {
  onlyKnown(params, ['cancellation_reason', 'expand']);
  const reason = enumParam(params, 'cancellation_reason', CANCELLATION_REASONS);
  const pi = state.existingPaymentIntent(id);
  if (!CANCELABLE.includes(pi.status)) {
    throw invalidRequest(
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
      { code: 'payment_intent_unexpected_state', payment_intent: renderPaymentIntent(pi) },
      true,
    );
  }
  pi.status = 'canceled';
  pi.canceledAt = now();
  pi.cancellationReason = reason ?? null;
  emit(state, 'payment_intent.canceled', pi.id);
  return renderPaymentIntent(pi);
}

export function confirmPaymentIntent(
  state: StripeState,
  id: string,
  params: Record<string, unknown>,
): Record<string, unknown> {
  onlyKnown(params, ['payment_method', 'return_url', 'expand']);
  const pi = state.existingPaymentIntent(id);
  const paymentMethod = stringParam(params, 'payment_method') ?? pi.paymentMethod;
  if (!paymentMethod) {
    throw invalidRequest(
      'You cannot confirm this PaymentIntent because it\u2019s missing a payment method.',
      { code: 'payment_intent_unexpected_state', payment_intent: renderPaymentIntent(pi) },
      true,
    );
  }
  if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(pi.status)) {
    throw invalidRequest(
      `This PaymentIntent's payment_method could not be updated because it has a status of ${pi.status}.`,
      { code: 'payment_intent_unexpected_state', payment_intent: renderPaymentIntent(pi) },
      true,
    );
  }
  const decline = DECLINING_PAYMENT_METHODS[paymentMethod];
  if (decline) {
    const error = recordDecline(state, pi, paymentMethod, decline);
    emit(state, 'payment_intent.payment_failed', pi.id);
    throw new ApiError(402, { ...error, payment_intent: renderPaymentIntent(pi) });
  }
  succeedPaymentIntent(state, pi.id, paymentMethod);
  return renderPaymentIntent(pi);
}

/**
 * The customer pays: the PaymentIntent succeeds with a new charge (`amount_received`,
 * `latest_charge`, `payment_method` set) and `payment_intent.succeeded` is emitted.
 * Returns that event.
 */
export function succeedPaymentIntent(
  state: StripeState,
  paymentIntentId: string,
  paymentMethod = 'pm_card_visa',
): FakeStripeEvent {
  const pi = state.paymentIntentRecord(paymentIntentId);
  if (pi.status === 'succeeded' || pi.status === 'canceled') {
    throw new Error(`fake Stripe: ${pi.id} is ${pi.status}; it cannot succeed`);
  }
  const charge = state.newCharge(pi, paymentMethod, 'succeeded', null, null);
  pi.status = 'succeeded';
  pi.amountReceived = pi.amount;
  pi.latestCharge = charge.id;
  pi.lastPaymentError = null;
  pi.paymentMethod = paymentMethod;
  return emit(state, 'payment_intent.succeeded', pi.id);
}

/**
 * A payment attempt fails with `code` (`card_declined`, `insufficient_funds`, `expired_card`,
 * `incorrect_cvc`, `processing_error`): a failed charge, `last_payment_error` set, the
 * PaymentIntent back to `requires_payment_method` (the customer may try again), and
 * `payment_intent.payment_failed` emitted. Returns that event.
 */
export function failPaymentIntent(
  state: StripeState,
  paymentIntentId: string,
  code = 'card_declined',
): FakeStripeEvent {
  const pi = state.paymentIntentRecord(paymentIntentId);
  if (pi.status === 'succeeded' || pi.status === 'canceled') {
    throw new Error(`fake Stripe: ${pi.id} is ${pi.status}; it cannot fail`);
  }
  recordDecline(state, pi, 'pm_card_chargeDeclined', code);
  return emit(state, 'payment_intent.payment_failed', pi.id);
}

/** Records a declined attempt on `pi`; returns the error Stripe reports for it. */
function recordDecline(
  state: StripeState,
  pi: PaymentIntentRecord,
  paymentMethod: string,
  failure: string,
): Record<string, unknown> {
  const [code, declineCode, message] = DECLINES[failure] ?? [failure, undefined, 'Your card was declined.'];
  const charge = state.newCharge(pi, paymentMethod, 'failed', code, message);
  pi.status = 'requires_payment_method';
  pi.latestCharge = charge.id;
  pi.paymentMethod = null;
  pi.lastPaymentError = { type: 'card_error', code, decline_code: declineCode, message, charge: charge.id };
  return {
    type: 'card_error',
    code,
    ...(declineCode ? { decline_code: declineCode } : {}),
    message,
    charge: charge.id,
  };
}
