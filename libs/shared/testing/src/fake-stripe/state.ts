import { randomBytes } from 'node:crypto';
import type { FakeStripeEvent } from './rendering';
import { missing } from './api-error';

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

export type RefundStatus = 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';

export interface PaymentError {
  type: 'card_error';
  code: string;
  decline_code: string | undefined;
  message: string;
  charge: string;
}

export interface PaymentIntentRecord {
  id: string;
  amount: number;
  currency: string;
  metadata: Record<string, string>;
  description: string | null;
  automaticPaymentMethods: boolean;
  status: PaymentIntentStatus;
  amountReceived: number;
  latestCharge: string | null;
  lastPaymentError: PaymentError | null;
  paymentMethod: string | null;
  clientSecret: string;
  created: number;
  canceledAt: number | null;
  cancellationReason: string | null;
}

export interface ChargeRecord {
  id: string;
  paymentIntent: string;
  amount: number;
  amountRefunded: number;
  currency: string;
  status: 'succeeded' | 'failed';
  metadata: Record<string, string>;
  paymentMethod: string;
  failureCode: string | null;
  failureMessage: string | null;
  created: number;
  refunds: string[];
  /**
   * The charge's balance transaction (what Stripe took as its fee), or null while Stripe has not
   * made it yet (it does so asynchronously after the charge succeeds).
   */
  balanceTransaction: BalanceTransactionRecord | null;
}

export interface BalanceTransactionRecord {
  id: string;
  /** Stripe's fee, minor units of `currency`. */
  fee: number;
  /** The account's settlement currency, lower case. */
  currency: string;
}

export interface RefundRecord {
  id: string;
  amount: number;
  charge: string;
  paymentIntent: string;
  currency: string;
  status: RefundStatus;
  metadata: Record<string, string>;
  reason: string | null;
  created: number;
}

export const now = (): number => Math.floor(Date.now() / 1000);
export const randomId = (prefix: string, bytes = 12): string =>
  `${prefix}_${randomBytes(bytes).toString('base64url').replace(/[-_]/g, '0')}`;

/** What the fake Stripe holds: its objects by id and the events their changes emitted. */
export class StripeState {
  readonly paymentIntents = new Map<string, PaymentIntentRecord>();
  readonly charges = new Map<string, ChargeRecord>();
  readonly refunds = new Map<string, RefundRecord>();
  readonly emitted: FakeStripeEvent[] = [];

  paymentIntentRecord(id: string): PaymentIntentRecord {
    const pi = this.paymentIntents.get(id);
    if (!pi) {
      throw new Error(`fake Stripe: no payment intent ${id}`);
    }
    return pi;
  }

  existingPaymentIntent(id: string): PaymentIntentRecord {
    const pi = this.paymentIntents.get(id);
    if (!pi) {
      throw missing('payment_intent', id, 'intent');
    }
    return pi;
  }

  newCharge(
    pi: PaymentIntentRecord,
    paymentMethod: string,
    status: ChargeRecord['status'],
    failureCode: string | null,
    failureMessage: string | null,
  ): ChargeRecord {
    const charge: ChargeRecord = {
      id: randomId('ch', 12),
      paymentIntent: pi.id,
      amount: pi.amount,
      amountRefunded: 0,
      currency: pi.currency,
      status,
      metadata: { ...pi.metadata },
      paymentMethod,
      failureCode,
      failureMessage,
      created: now(),
      refunds: [],
      balanceTransaction: null,
    };
    this.charges.set(charge.id, charge);
    return charge;
  }
}
