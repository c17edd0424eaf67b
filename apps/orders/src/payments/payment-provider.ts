/**
 * The one port both payment providers stand behind. Orders never talks to Stripe except through
 * this; the manual provider (bank transfer or cash confirmed by a relief officer) implements it
 * with no remote side. Every method that changes something at the provider takes an idempotency
 * key, so a retried call (after a timeout or a crash) never charges or refunds twice.
 */
export type PaymentMethodName = 'stripe' | 'manual';

export interface CreatePaymentInput {
  orderId: string;
  buyerId: string;
  amountFen: number;
  /** ISO 4217, upper case. */
  currency: string;
  /** Stable per order (e.g. `order:<id>:payment`): a repeat returns the same payment. */
  idempotencyKey: string;
}

export interface CreatedPayment {
  /** Provider's payment id (Stripe PaymentIntent id); empty for manual payment. */
  reference: string;
  /** What the browser needs to pay (Stripe client_secret); empty for manual payment. */
  clientSecret: string;
}

/** A provider's view of one payment, as the reconciler reads it. */
export interface ProviderPayment {
  reference: string;
  status: 'requires_action' | 'processing' | 'succeeded' | 'canceled' | 'failed';
  amountFen: number;
  /** Amount actually received (0 until it succeeded). */
  amountReceivedFen: number;
  currency: string;
  /** From the payment's metadata; undefined when absent. */
  orderId: string | undefined;
  failureCode: string | undefined;
}

export interface RefundPaymentInput {
  /** The payment to refund (Stripe PaymentIntent id). */
  reference: string;
  amountFen: number;
  currency: string;
  /** Our refund id: the provider's idempotency key and its metadata. */
  refundId: string;
  orderId: string;
  reason: string;
}

export interface ProviderRefundResult {
  /** Provider's refund id (Stripe re_…); our own reference for manual refunds. */
  reference: string;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled';
}

/** One entry of the provider's balance (Stripe's balance transaction), minor units. */
export interface ProviderBalanceEntry {
  id: string;
  type: string;
  /** Signed: negative leaves the balance. */
  amountFen: number;
  feeFen: number;
  /** ISO 4217, upper case. */
  currency: string;
  created: Date;
  /** The charge or refund it belongs to; '' for none. */
  source: string;
  /** That charge's or refund's payment; '' for none. */
  paymentIntent: string;
  /** `metadata.order_id` / `metadata.refund_id` of the source, as we set them; '' when absent. */
  orderId: string;
  refundId: string;
}

export interface BalancePageInput {
  /** Created at or after `from` and before `to`. */
  from: Date;
  to: Date;
  /** The last id of the previous page. */
  startingAfter?: string;
  /** 1..100. */
  limit: number;
}

export interface PaymentProvider {
  readonly method: PaymentMethodName;
  createPayment(input: CreatePaymentInput): Promise<CreatedPayment>;
  /** Cancels a payment not yet succeeded; a no-op when it already is canceled. */
  cancelPayment(reference: string, idempotencyKey: string): Promise<void>;
  /** Current state at the provider, for the reconciler. */
  retrievePayment(reference: string): Promise<ProviderPayment>;
  refund(input: RefundPaymentInput): Promise<ProviderRefundResult>;
  /**
   * The fee the provider charged for a succeeded payment, in minor units of `currency`; null
   * when it is not known yet or is in another currency. Never throws: a fee it cannot read is null.
   */
  processorFee(reference: string, currency: string): Promise<number | null>;
  /** One page of the provider's balance history, newest first. */
  listBalanceEntries(input: BalancePageInput): Promise<{ entries: ProviderBalanceEntry[]; hasMore: boolean }>;
}

/** Nest injection token of the Stripe provider (bound only when STRIPE_SECRET_KEY is set). */
export const STRIPE_PAYMENT_PROVIDER = Symbol('STRIPE_PAYMENT_PROVIDER');
/** Nest injection token of the manual provider (always bound). */
export const MANUAL_PAYMENT_PROVIDER = Symbol('MANUAL_PAYMENT_PROVIDER');
