import Stripe from 'stripe';
import {
  now,
  randomId,
  type ChargeRecord,
  type PaymentIntentRecord,
  type RefundRecord,
  type StripeState,
} from './state';

/** The webhook event types the fake server emits. */
export type FakeStripeEventType =
  | 'payment_intent.succeeded'
  | 'payment_intent.payment_failed'
  | 'payment_intent.canceled'
  | 'charge.refunded';

/** A Stripe snapshot event in its webhook JSON shape. */
export interface FakeStripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export const API_VERSION = Stripe.API_VERSION;

export function renderPaymentIntent(pi: PaymentIntentRecord): Record<string, unknown> {
  return {
    id: pi.id,
    object: 'payment_intent',
    amount: pi.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: pi.amountReceived,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: pi.automaticPaymentMethods
      ? { allow_redirects: 'always', enabled: true }
      : null,
    canceled_at: pi.canceledAt,
    cancellation_reason: pi.cancellationReason,
    capture_method: 'automatic_async',
    client_secret: pi.clientSecret,
    confirmation_method: 'automatic',
    created: pi.created,
    currency: pi.currency,
    customer: null,
    description: pi.description,
    last_payment_error: pi.lastPaymentError
      ? {
          type: pi.lastPaymentError.type,
          code: pi.lastPaymentError.code,
          ...(pi.lastPaymentError.decline_code ? { decline_code: pi.lastPaymentError.decline_code } : {}),
          message: pi.lastPaymentError.message,
          charge: pi.lastPaymentError.charge,
        }
      : null,
    latest_charge: pi.latestCharge,
    livemode: false,
    metadata: { ...pi.metadata },
    next_action: null,
    on_behalf_of: null,
    payment_method: pi.paymentMethod,
    payment_method_options: {},
    payment_method_types: ['card'],
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: pi.status,
    transfer_data: null,
    transfer_group: null,
  };
}

/** A balance transaction as Stripe renders it (a charge's: its amount, fee and net). */
export function renderBalanceTransaction(charge: ChargeRecord): Record<string, unknown> | null {
  const txn = charge.balanceTransaction;
  if (!txn) {
    return null;
  }
  return {
    id: txn.id,
    object: 'balance_transaction',
    amount: charge.amount,
    available_on: charge.created + 2 * 86_400,
    created: charge.created,
    currency: txn.currency,
    description: null,
    exchange_rate: null,
    fee: txn.fee,
    fee_details: [
      {
        amount: txn.fee,
        application: null,
        currency: txn.currency,
        description: 'Stripe processing fees',
        type: 'stripe_fee',
      },
    ],
    net: charge.amount - txn.fee,
    reporting_category: 'charge',
    source: charge.id,
    status: 'pending',
    type: 'charge',
  };
}

/**
 * A charge as Stripe renders it; `expandBalanceTransaction` renders its balance transaction as the
 * object (`expand[]=…balance_transaction`) rather than its id.
 */
export function renderCharge(
  state: StripeState,
  charge: ChargeRecord,
  expandBalanceTransaction = false,
): Record<string, unknown> {
  const refunds = charge.refunds.map((id) => renderRefund(state.refunds.get(id) as RefundRecord));
  return {
    id: charge.id,
    object: 'charge',
    amount: charge.amount,
    amount_captured: charge.status === 'succeeded' ? charge.amount : 0,
    amount_refunded: charge.amountRefunded,
    balance_transaction: expandBalanceTransaction
      ? renderBalanceTransaction(charge)
      : (charge.balanceTransaction?.id ?? null),
    captured: charge.status === 'succeeded',
    created: charge.created,
    currency: charge.currency,
    failure_code: charge.failureCode,
    failure_message: charge.failureMessage,
    livemode: false,
    metadata: { ...charge.metadata },
    paid: charge.status === 'succeeded',
    payment_intent: charge.paymentIntent,
    payment_method: charge.paymentMethod,
    refunded: charge.amountRefunded >= charge.amount,
    refunds: {
      object: 'list',
      data: refunds,
      has_more: false,
      total_count: refunds.length,
      url: `/v1/charges/${charge.id}/refunds`,
    },
    status: charge.status,
  };
}

export function renderRefund(refund: RefundRecord): Record<string, unknown> {
  return {
    id: refund.id,
    object: 'refund',
    amount: refund.amount,
    balance_transaction: `txn_${refund.id.slice(3)}`,
    charge: refund.charge,
    created: refund.created,
    currency: refund.currency,
    destination_details: { card: { type: 'refund' }, type: 'card' },
    metadata: { ...refund.metadata },
    payment_intent: refund.paymentIntent,
    reason: refund.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: refund.status,
    transfer_reversal: null,
  };
}

/**
 * A snapshot event of `type` built from the current state, as Stripe would send it now (not
 * added to {@link events}). `objectId` is the PaymentIntent; for `charge.refunded` the charge
 * or its PaymentIntent (whose latest charge is used).
 */
export function buildEvent(
  state: StripeState,
  type: FakeStripeEventType,
  objectId: string,
  created = now(),
): FakeStripeEvent {
  let object: Record<string, unknown>;
  if (type === 'charge.refunded') {
    const chargeId = objectId.startsWith('ch_') ? objectId : state.paymentIntentRecord(objectId).latestCharge;
    const charge = chargeId ? state.charges.get(chargeId) : undefined;
    if (!charge) {
      throw new Error(`fake Stripe: no charge for ${objectId}`);
    }
    object = renderCharge(state, charge);
  } else {
    object = renderPaymentIntent(state.paymentIntentRecord(objectId));
  }
  return {
    id: randomId('evt', 18),
    object: 'event',
    api_version: API_VERSION,
    created,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

/** Builds the event of a state change and adds it to the events emitted. */
export function emit(state: StripeState, type: FakeStripeEventType, objectId: string): FakeStripeEvent {
  const event = buildEvent(state, type, objectId);
  state.emitted.push(event);
  return event;
}
