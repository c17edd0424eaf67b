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

/** Kinds of balance transaction the fake lists (Stripe's `type`). */
export type BalanceTransactionType = 'charge' | 'refund' | 'refund_failure' | 'stripe_fee' | 'adjustment';

/**
 * One entry of the account's balance history, in the order Stripe made it: a charge's (when its
 * balance transaction is settled), a refund's, a failed refund's return, or one a test added.
 * Amounts of charges and refunds are read from their records when listed.
 */
export interface BalanceEntry {
  id: string;
  type: BalanceTransactionType;
  /** The charge (`ch_`) or refund (`re_`) it belongs to; null for one added by a test. */
  source: string | null;
  created: number;
  /** For entries a test added: amount (negative leaves the balance) and fee, minor units. */
  amount: number;
  fee: number;
  currency: string;
  description: string | null;
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
  /** The balance history, oldest first. */
  readonly balance: BalanceEntry[] = [];

  /** Appends a balance entry (once per id). */
  record(entry: BalanceEntry): void {
    if (!this.balance.some((e) => e.id === entry.id)) {
      this.balance.push(entry);
    }
  }

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
