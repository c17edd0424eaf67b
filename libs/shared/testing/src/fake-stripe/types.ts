// What a test sees of the fake Stripe: its options, its request log and signed webhooks.

/** Options of {@link FakeStripe.start}. */
export interface FakeStripeOptions {
  /** The key every request must carry as `Authorization: Bearer …`; a random `sk_test_…` by default. */
  secretKey?: string;
  /** The secret webhooks are signed with; a random `whsec_…` by default. */
  webhookSecret?: string;
}

/** One request the fake server received, in arrival order. */
export interface FakeStripeRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/payment_intents/pi_123/cancel`. */
  path: string;
  /** Decoded form body (POST) or query (GET), nested like Stripe reads it: `metadata[order_id]` → `{ metadata: { order_id } }`. */
  params: Record<string, unknown>;
  /** The `Idempotency-Key` header, when sent. */
  idempotencyKey: string | undefined;
  /** The `Stripe-Version` header, when sent. */
  stripeVersion: string | undefined;
  /** Status answered; 0 when the connection was reset by an injected fault. */
  status: number;
  /** Whether the answer was a replay of a stored idempotent result (`Idempotent-Replayed: true`). */
  replayed: boolean;
  /** The injected fault that shaped the answer, if any. */
  fault: 'status' | 'delay' | 'reset' | undefined;
}

/** A webhook delivery as Stripe sends it: the raw body and its `Stripe-Signature` header. */
export interface SignedWebhook {
  /** The JSON text that was signed. */
  payload: string;
  /** The same bytes, as a raw request body. */
  body: Buffer;
  /** The `Stripe-Signature` header value. */
  signature: string;
}
