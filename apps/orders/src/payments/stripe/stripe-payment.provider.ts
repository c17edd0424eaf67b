import { Logger } from '@nestjs/common';
import Stripe from 'stripe';

import type {
  BalancePageInput,
  CreatedPayment,
  ProviderBalanceEntry,
  CreatePaymentInput,
  PaymentProvider,
  ProviderPayment,
  ProviderRefundResult,
  RefundPaymentInput,
} from '../payment-provider';
import { PaymentAlreadySucceeded, toPaymentError } from './stripe-payment.errors';
import { TracedStripeHttpClient } from './traced-http-client';

/**
 * The Stripe API version this code is written against. Pinned so that an account's default
 * version never changes the shapes we read; the SDK's types only describe this one, so an SDK
 * upgrade that moves it fails to compile here until the code is reviewed.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive' satisfies Stripe.LatestApiVersion;

/** Most SDK retries (with backoff, same idempotency key) allowed by {@link StripePaymentProviderConfig}. */
export const MAX_STRIPE_NETWORK_RETRIES = 5;

/**
 * The fee read runs while a payment is applied (a webhook waits on it): at most this long per
 * attempt, and at most {@link FEE_READ_RETRIES} retry; a fee not read by then is left unknown.
 */
export const FEE_READ_TIMEOUT_MS = 1_000;
export const FEE_READ_RETRIES = 1;

/** How the orders service reaches Stripe. */
export interface StripePaymentProviderConfig {
  /** `sk_live_…` / `sk_test_…` (STRIPE_SECRET_KEY). */
  secretKey: string;
  /**
   * Base URL of the API, e.g. `http://127.0.0.1:12345` for a local fake in tests; Stripe's own
   * (`https://api.stripe.com`) when absent. Scheme, host and port only.
   */
  apiBase?: string;
  /** Per-attempt timeout in milliseconds; default 5000. */
  timeoutMs?: number;
  /** SDK retries of connection errors, 409s and 5xx with the same idempotency key: 0..5, default 2. */
  maxNetworkRetries?: number;
}

/** The SDK settings for `config`; throws naming the setting that is wrong. */
export function stripeClientConfig(config: StripePaymentProviderConfig): Stripe.StripeConfig {
  const retries = config.maxNetworkRetries ?? 2;
  if (!Number.isInteger(retries) || retries < 0 || retries > MAX_STRIPE_NETWORK_RETRIES) {
    throw new RangeError(`Stripe maxNetworkRetries must be an integer 0..${MAX_STRIPE_NETWORK_RETRIES}`);
  }
  const timeout = config.timeoutMs ?? 5000;
  if (!Number.isInteger(timeout) || timeout <= 0) {
    throw new RangeError('Stripe timeoutMs must be a positive integer');
  }
  if (!config.secretKey) {
    throw new RangeError('Stripe secretKey is required');
  }
  const base: Stripe.StripeConfig = {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: retries,
    timeout,
    telemetry: false,
    appInfo: { name: 'yugong-orders' },
  };
  if (config.apiBase === undefined) {
    return base;
  }
  let url: URL;
  try {
    url = new URL(config.apiBase);
  } catch {
    throw new RangeError(`Stripe apiBase is not a URL: ${config.apiBase}`);
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    (url.pathname !== '/' && url.pathname !== '')
  ) {
    throw new RangeError(`Stripe apiBase must be http(s)://host[:port] with no path: ${config.apiBase}`);
  }
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return {
    ...base,
    host: url.hostname,
    port: url.port || (protocol === 'http' ? 80 : 443),
    protocol,
  };
}

function paymentStatus(pi: Stripe.PaymentIntent): ProviderPayment['status'] {
  switch (pi.status) {
    case 'succeeded':
      return 'succeeded';
    case 'canceled':
      return 'canceled';
    case 'processing':
    case 'requires_capture':
      return 'processing';
    case 'requires_payment_method':
      // Back here after an attempt failed; before any attempt the customer still has to pay.
      return pi.last_payment_error ? 'failed' : 'requires_action';
    case 'requires_confirmation':
    case 'requires_action':
      return 'requires_action';
    default:
      return 'processing';
  }
}

function refundStatus(status: string | null): ProviderRefundResult['status'] {
  switch (status) {
    case 'succeeded':
    case 'failed':
    case 'canceled':
      return status;
    case 'pending':
    case 'requires_action':
    case null:
    default:
      // Or a status this code does not know yet: not final.
      return 'pending';
  }
}

/**
 * The payment port over Stripe (PaymentIntents with automatic payment methods, refunds), through
 * the official SDK with a pinned API version, a timeout and bounded retries. Every call that
 * changes something carries the caller's idempotency key, so a retry (by the SDK or by the
 * caller after a crash) never charges or refunds twice. Stripe errors become domain errors
 * (see {@link toPaymentError}): unreachable → {@link PaymentProviderUnavailable}, declined →
 * `PaymentDeclined`, refused for the state → `PaymentProviderRejected`, unknown → not found.
 */
export class StripePaymentProvider implements PaymentProvider {
  readonly method = 'stripe' as const;
  private readonly stripe: Stripe;
  private readonly logger = new Logger(StripePaymentProvider.name);

  private readonly feeRead: Stripe.RequestOptions;

  constructor(config: StripePaymentProviderConfig) {
    const settings = stripeClientConfig(config);
    // Each request Stripe is sent is a CLIENT span of the trace that made it (when tracing).
    this.stripe = new Stripe(config.secretKey, { ...settings, httpClient: new TracedStripeHttpClient() });
    this.feeRead = {
      timeout: Math.min(settings.timeout ?? FEE_READ_TIMEOUT_MS, FEE_READ_TIMEOUT_MS),
      maxNetworkRetries: Math.min(settings.maxNetworkRetries ?? FEE_READ_RETRIES, FEE_READ_RETRIES),
    };
  }

  /** One PaymentIntent per order: amount in minor units, `metadata.order_id`, automatic payment methods. */
  async createPayment(input: CreatePaymentInput): Promise<CreatedPayment> {
    try {
      const pi = await this.stripe.paymentIntents.create(
        {
          amount: input.amountFen,
          currency: input.currency.toLowerCase(),
          metadata: { order_id: input.orderId },
          automatic_payment_methods: { enabled: true },
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return { reference: pi.id, clientSecret: pi.client_secret ?? '' };
    } catch (error) {
      throw toPaymentError(error);
    }
  }

  /**
   * Cancels a payment that has not succeeded; a no-op when it is already canceled.
   *
   * @throws PaymentAlreadySucceeded when the customer has paid (refund it instead)
   */
  async cancelPayment(reference: string, idempotencyKey: string): Promise<void> {
    try {
      await this.stripe.paymentIntents.cancel(
        reference,
        { cancellation_reason: 'abandoned' },
        { idempotencyKey },
      );
    } catch (error) {
      if (
        error instanceof Stripe.errors.StripeInvalidRequestError &&
        error.code === 'payment_intent_unexpected_state'
      ) {
        const status = error.payment_intent?.status ?? (await this.retrievePayment(reference)).status;
        if (status === 'canceled') {
          return;
        }
        if (status === 'succeeded') {
          throw new PaymentAlreadySucceeded(reference);
        }
      }
      throw toPaymentError(error, reference);
    }
  }

  /** The payment as Stripe sees it now, in the port's terms (currency upper case). */
  async retrievePayment(reference: string): Promise<ProviderPayment> {
    let pi: Stripe.PaymentIntent;
    try {
      pi = await this.stripe.paymentIntents.retrieve(reference);
    } catch (error) {
      throw toPaymentError(error, reference);
    }
    return {
      reference: pi.id,
      status: paymentStatus(pi),
      amountFen: pi.amount,
      amountReceivedFen: pi.amount_received,
      currency: pi.currency.toUpperCase(),
      orderId: pi.metadata['order_id'] || undefined,
      failureCode: pi.last_payment_error?.code ?? undefined,
    };
  }

  /**
   * Stripe's fee for a succeeded payment: the balance transaction of its latest charge (one call,
   * expanded; {@link FEE_READ_TIMEOUT_MS} per attempt, {@link FEE_READ_RETRIES} retry). Null when Stripe has not made the
   * balance transaction yet (it does so asynchronously), when it settles in another currency than
   * the payment's (the fee would not be in the order's fen), or when Stripe does not answer.
   */
  async processorFee(reference: string, currency: string): Promise<number | null> {
    let pi: Stripe.PaymentIntent;
    try {
      pi = await this.stripe.paymentIntents.retrieve(
        reference,
        { expand: ['latest_charge.balance_transaction'] },
        this.feeRead,
      );
    } catch (error) {
      this.logger.warn(`fee of payment ${reference} not read: ${(error as Error).message}`);
      return null;
    }
    const charge = pi.latest_charge;
    const txn = charge && typeof charge !== 'string' ? charge.balance_transaction : null;
    if (!txn || typeof txn === 'string' || txn.currency.toUpperCase() !== currency.toUpperCase()) {
      return null;
    }
    return Number.isSafeInteger(txn.fee) && txn.fee >= 0 ? txn.fee : null;
  }

  /**
   * One page of the account's balance transactions created in `from`..`to` (Unix seconds, `to`
   * exclusive), newest first, with their charge or refund expanded to name the payment and our
   * order and refund. A read: the SDK's timeout and bounded retries apply.
   */
  async listBalanceEntries(
    input: BalancePageInput,
  ): Promise<{ entries: ProviderBalanceEntry[]; hasMore: boolean }> {
    let page: Stripe.ApiList<Stripe.BalanceTransaction>;
    try {
      page = await this.stripe.balanceTransactions.list({
        created: { gte: Math.floor(input.from.getTime() / 1000), lt: Math.ceil(input.to.getTime() / 1000) },
        limit: input.limit,
        expand: ['data.source'],
        ...(input.startingAfter ? { starting_after: input.startingAfter } : {}),
      });
    } catch (error) {
      throw toPaymentError(error);
    }
    return { entries: page.data.map(balanceEntryOf), hasMore: page.has_more };
  }

  /**
   * Refunds part or all of a payment; our refund id is Stripe's idempotency key and, with the
   * order and the reason, its metadata. Stripe refunds in the payment's own currency.
   */
  async refund(input: RefundPaymentInput): Promise<ProviderRefundResult> {
    try {
      const refund = await this.stripe.refunds.create(
        {
          payment_intent: input.reference,
          amount: input.amountFen,
          metadata: { refund_id: input.refundId, order_id: input.orderId, reason: input.reason },
        },
        { idempotencyKey: input.refundId },
      );
      return { reference: refund.id, status: refundStatus(refund.status) };
    } catch (error) {
      throw toPaymentError(error, input.reference);
    }
  }
}

function balanceEntryOf(txn: Stripe.BalanceTransaction): ProviderBalanceEntry {
  const source = txn.source;
  const object = source && typeof source !== 'string' ? (source as { object?: string }) : null;
  let paymentIntent = '';
  let metadata: Record<string, string> = {};
  if (object?.object === 'charge' || object?.object === 'refund') {
    const owner = object as Stripe.Charge | Stripe.Refund;
    const pi = owner.payment_intent;
    paymentIntent = typeof pi === 'string' ? pi : (pi?.id ?? '');
    metadata = owner.metadata ?? {};
  }
  return {
    id: txn.id,
    type: txn.type,
    amountFen: txn.amount,
    feeFen: txn.fee,
    currency: txn.currency.toUpperCase(),
    created: new Date(txn.created * 1000),
    source: typeof source === 'string' ? source : ((source as { id?: string } | null)?.id ?? ''),
    paymentIntent,
    orderId: metadata['order_id'] ?? '',
    refundId: metadata['refund_id'] ?? '',
  };
}
