import { invalidRequest, missing } from './api-error';
import { enumParam, integerParam, metadataParam, onlyKnown, stringParam } from './parameters';
import { emit, renderRefund } from './rendering';
import {
  now,
  randomId,
  type ChargeRecord,
  type RefundRecord,
  type RefundStatus,
  type StripeState,
} from './state';

const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'];
export function createRefund(state: StripeState, params: Record<string, unknown>): Record<string, unknown> {
  onlyKnown(params, ['payment_intent', 'charge', 'amount', 'metadata', 'reason', 'expand']);
  const piId = stringParam(params, 'payment_intent');
  const chargeId = stringParam(params, 'charge');
  if (piId === undefined && chargeId === undefined) {
    throw invalidRequest(
      'One of the following params should be provided for this request: payment_intent or charge.',
      {
        code: 'parameter_missing',
      },
    );
  }
  const amount = integerParam(params, 'amount', false);
  if (amount !== undefined && amount < 1) {
    throw invalidRequest('Invalid positive integer', {
      code: 'parameter_invalid_integer',
      param: 'amount',
    });
  }
  const reason = enumParam(params, 'reason', REFUND_REASONS);
  const metadata = metadataParam(params);
  let charge: ChargeRecord | undefined;
  if (chargeId !== undefined) {
    charge = state.charges.get(chargeId);
    if (!charge) {
      throw missing('charge', chargeId, 'charge');
    }
  } else {
    const pi = state.paymentIntents.get(piId as string);
    if (!pi) {
      throw missing('payment_intent', piId as string, 'payment_intent');
    }
    charge = pi.status === 'succeeded' && pi.latestCharge ? state.charges.get(pi.latestCharge) : undefined;
    if (!charge) {
      throw invalidRequest(
        `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
        {
          code: 'charge_not_refundable',
        },
        true,
      );
    }
  }
  if (charge.status !== 'succeeded') {
    throw invalidRequest(
      `Charge ${charge.id} has not succeeded and cannot be refunded.`,
      {
        code: 'charge_not_refundable',
      },
      true,
    );
  }
  const left = charge.amount - charge.amountRefunded;
  if (left <= 0) {
    throw invalidRequest(
      `Charge ${charge.id} has already been refunded.`,
      {
        code: 'charge_already_refunded',
      },
      true,
    );
  }
  const refunded = amount ?? left;
  if (refunded > left) {
    throw invalidRequest(
      `Refund amount (${refunded} ${charge.currency}) is greater than unrefunded amount on charge (${left} ${charge.currency})`,
      { code: 'amount_too_large', param: 'amount' },
      true,
    );
  }
  const refund: RefundRecord = {
    id: randomId('re', 12),
    amount: refunded,
    charge: charge.id,
    paymentIntent: charge.paymentIntent,
    currency: charge.currency,
    status: 'succeeded',
    metadata,
    reason: reason ?? null,
    created: now(),
  };
  state.refunds.set(refund.id, refund);
  state.record({
    id: `txn_${refund.id.slice(3)}`,
    type: 'refund',
    source: refund.id,
    created: refund.created,
    amount: 0,
    fee: 0,
    currency: refund.currency,
    description: null,
  });
  charge.refunds.unshift(refund.id);
  charge.amountRefunded += refunded;
  emit(state, 'charge.refunded', charge.id);
  return renderRefund(refund);
}

/**
 * Moves a refund to a later status (a pending refund that succeeds or fails); a failed or
 * canceled refund gives its amount back to the charge. Emits `charge.refunded` when it
 * succeeds. Returns the refund as Stripe renders it.
 */
export function setRefundStatus(
  state: StripeState,
  refundId: string,
  status: RefundStatus,
): Record<string, unknown> {
  const refund = state.refunds.get(refundId);
  if (!refund) {
    throw new Error(`fake Stripe: no refund ${refundId}`);
  }
  const charge = state.charges.get(refund.charge) as ChargeRecord;
  const counted = (s: RefundStatus): boolean => s !== 'failed' && s !== 'canceled';
  if (counted(refund.status) && !counted(status)) {
    charge.amountRefunded -= refund.amount;
    // Stripe gives a failed refund's amount back to the balance in an entry of its own.
    state.record({
      id: `txn_rf${refund.id.slice(3)}`,
      type: 'refund_failure',
      source: refund.id,
      created: now(),
      amount: 0,
      fee: 0,
      currency: refund.currency,
      description: null,
    });
  } else if (!counted(refund.status) && counted(status)) {
    charge.amountRefunded += refund.amount;
  }
  refund.status = status;
  if (status === 'succeeded') {
    emit(state, 'charge.refunded', charge.id);
  }
  return renderRefund(refund);
}
