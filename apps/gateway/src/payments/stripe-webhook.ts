import type { common, orders } from '@yugong/contracts';
import Stripe from 'stripe';
import { StripeWebhookRejected } from './payments.errors';

/** DI token of the verifier built from STRIPE_WEBHOOK_SECRET. */
export const STRIPE_WEBHOOK_VERIFIER = Symbol('STRIPE_WEBHOOK_VERIFIER');

/** Where Stripe delivers webhooks (global prefix included). */
export const STRIPE_WEBHOOK_PATH = '/api/v1/payments/stripe/webhook';

/** The header Stripe signs every webhook delivery with. */
export const STRIPE_SIGNATURE_HEADER = 'stripe-signature';

/** How old a signed delivery may be, in seconds (Stripe's own default). */
export const STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300;

/** The event types the orders service acts on; every other type is passed on to be recorded only. */
export const APPLIED_STRIPE_EVENT_TYPES: readonly string[] = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'charge.refunded',
];

/** What {@link StripeWebhookVerifier} needs. */
export interface StripeWebhookOptions {
  /** The endpoint's signing secret (`whsec_…`, STRIPE_WEBHOOK_SECRET). */
  secret: string;
  /** Oldest accepted signature timestamp, seconds; default {@link STRIPE_WEBHOOK_TOLERANCE_SECONDS}. */
  toleranceSeconds?: number;
  /** Clock in milliseconds, for tests; default `Date.now`. */
  now?: () => number;
}

/** Why the SDK refused a signature, in words for the caller. */
function signatureReason(message: string, tolerance: number): string {
  if (message.startsWith('Timestamp outside the tolerance zone')) {
    return `timestamp is older than ${tolerance} s`;
  }
  if (message.startsWith('No signatures found matching')) {
    return 'does not match the body';
  }
  if (message.startsWith('No stripe-signature header value')) {
    return 'is required';
  }
  if (message.startsWith('No webhook payload')) {
    return 'signs an empty body';
  }
  return 'is malformed';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const count = (value: unknown): number =>
  typeof value === 'number' && Number.isSafeInteger(value) ? value : 0;

function money(fen: unknown, currency: unknown): common.Money {
  return { fen: count(fen), currency: text(currency).toUpperCase() };
}

function metadataOrderId(object: Record<string, unknown>): string {
  const metadata = object['metadata'];
  return isRecord(metadata) ? text(metadata['order_id']) : '';
}

/** `payment_intent` of a charge: an id, or the PaymentIntent itself when expanded. */
function idOf(value: unknown): string {
  return isRecord(value) ? text(value['id']) : text(value);
}

/**
 * The `ApplyPaymentEvent` request for a verified Stripe event.
 *
 * - `payment_intent.*`: the PaymentIntent's id, `metadata.order_id`, the amount received (0 unless
 *   it succeeded), and for `payment_failed` the code of `last_payment_error`;
 * - `charge.refunded`: the charge's PaymentIntent and `metadata.order_id` (Stripe copies the
 *   PaymentIntent's metadata to its charges), `amount_refunded` so far, and the refunds listed
 *   on the charge (Stripe lists them only when the charge renders its `refunds`; the total is in
 *   the amount either way);
 * - any other type: only the event id, type and time, for the orders service to record and ignore.
 *
 * Currencies are upper-cased (ISO 4217, as everywhere in Yugong).
 */
export function toApplyPaymentEventRequest(event: Stripe.Event): orders.ApplyPaymentEventRequest {
  const request: orders.ApplyPaymentEventRequest = {
    eventId: event.id,
    type: event.type,
    paymentIntentId: '',
    orderId: '',
    amount: undefined,
    createdAt: { seconds: count(event.created), nanos: 0 },
    failureCode: '',
    refunds: [],
  };
  const object: unknown = (event.data as { object?: unknown } | undefined)?.object;
  if (!isRecord(object)) {
    return request;
  }
  const type: string = event.type;
  switch (type) {
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed':
    case 'payment_intent.canceled': {
      const error = object['last_payment_error'];
      return {
        ...request,
        paymentIntentId: text(object['id']),
        orderId: metadataOrderId(object),
        amount: money(object['amount_received'], object['currency']),
        failureCode: type === 'payment_intent.payment_failed' && isRecord(error) ? text(error['code']) : '',
      };
    }
    case 'charge.refunded': {
      const list = object['refunds'];
      const refunds = isRecord(list) && Array.isArray(list['data']) ? list['data'].filter(isRecord) : [];
      return {
        ...request,
        paymentIntentId: idOf(object['payment_intent']),
        orderId: metadataOrderId(object),
        amount: money(object['amount_refunded'], object['currency']),
        refunds: refunds.map((refund) => ({
          id: text(refund['id']),
          amount: money(refund['amount'], refund['currency'] ?? object['currency']),
          status: text(refund['status']),
        })),
      };
    }
    default:
      return request;
  }
}

/**
 * Verifies Stripe webhook deliveries with the SDK (`stripe.webhooks.constructEvent`: HMAC-SHA256
 * of `<timestamp>.<raw body>` with the endpoint secret, timestamp no older than the tolerance)
 * and maps each to the orders service's `ApplyPaymentEvent` request. Dedupe on the event id is
 * the inbox's (one row per id) and the orders service's (one effect per id); this only refuses
 * what Stripe did not send.
 *
 * Give it the raw body exactly as received: any re-serialised JSON fails the signature.
 */
export class StripeWebhookVerifier {
  private readonly secret: string;
  private readonly tolerance: number;
  private readonly now: () => number;

  constructor(options: StripeWebhookOptions) {
    if (!options.secret) {
      throw new RangeError('Stripe webhook secret is required');
    }
    this.secret = options.secret;
    this.tolerance = options.toleranceSeconds ?? STRIPE_WEBHOOK_TOLERANCE_SECONDS;
    if (!Number.isInteger(this.tolerance) || this.tolerance <= 0) {
      throw new RangeError('Stripe webhook tolerance must be a positive number of seconds');
    }
    this.now = options.now ?? Date.now;
  }

  /**
   * The verified event, mapped.
   *
   * @param rawBody - the request body, byte for byte
   * @param signature - the `Stripe-Signature` header (Node gives an array when it was repeated)
   * @throws StripeWebhookRejected when the header is missing, repeated, malformed, does not
   *   match the body or is too old (field `stripe-signature`), or the body is not a Stripe event (field `body`)
   */
  verify(rawBody: Buffer, signature: string | string[] | undefined): orders.ApplyPaymentEventRequest {
    return toApplyPaymentEventRequest(this.constructEvent(rawBody, signature));
  }

  /** The verified Stripe event; throws as {@link verify} does. */
  constructEvent(rawBody: Buffer, signature: string | string[] | undefined): Stripe.Event {
    if (signature === undefined || signature === '') {
      throw new StripeWebhookRejected(STRIPE_SIGNATURE_HEADER, 'is required');
    }
    if (Array.isArray(signature)) {
      throw new StripeWebhookRejected(STRIPE_SIGNATURE_HEADER, 'must be sent once');
    }
    const receivedAt = this.now();
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(
        rawBody,
        signature,
        this.secret,
        this.tolerance,
        undefined,
        receivedAt,
      );
    } catch (error) {
      if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
        throw new StripeWebhookRejected(
          STRIPE_SIGNATURE_HEADER,
          signatureReason(error.message, this.tolerance),
        );
      }
      if (error instanceof SyntaxError) {
        throw new StripeWebhookRejected('body', 'is not JSON');
      }
      throw error;
    }
    // The SDK accepts any timestamp that is not too old; one far ahead of our clock is as suspect.
    const timestamp = Number(/(?:^|,)\s*t=(\d+)/.exec(signature)?.[1]);
    if (timestamp * 1000 > receivedAt + this.tolerance * 1000) {
      throw new StripeWebhookRejected(
        STRIPE_SIGNATURE_HEADER,
        `timestamp is more than ${this.tolerance} s ahead`,
      );
    }
    const parsed: unknown = event;
    if (
      !isRecord(parsed) ||
      typeof parsed['id'] !== 'string' ||
      parsed['id'] === '' ||
      typeof parsed['type'] !== 'string' ||
      parsed['type'] === '' ||
      !isRecord(parsed['data'])
    ) {
      throw new StripeWebhookRejected('body', 'is not a Stripe event (id, type and data are required)');
    }
    return event;
  }
}
