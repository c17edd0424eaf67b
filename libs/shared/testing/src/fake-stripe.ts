import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Stripe from 'stripe';

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

/**
 * A fault for the next requests (see {@link FakeStripe.injectFaults}). Faults happen before the
 * request reaches the API logic: nothing changes and no idempotent result is stored, like a
 * load balancer or network failure in front of Stripe.
 */
export interface FakeStripeFault {
  /** Answer with this status and a Stripe `api_error` body. */
  status?: number;
  /** Wait this long before handling (or failing) the request. */
  delayMs?: number;
  /** Destroy the connection without answering (a connection error for the SDK). */
  reset?: boolean;
  /** Only requests whose `METHOD /path` matches count; others pass untouched. */
  match?: RegExp;
}

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

/** A webhook delivery as Stripe sends it: the raw body and its `Stripe-Signature` header. */
export interface SignedWebhook {
  /** The JSON text that was signed. */
  payload: string;
  /** The same bytes, as a raw request body. */
  body: Buffer;
  /** The `Stripe-Signature` header value. */
  signature: string;
}

type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

type RefundStatus = 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';

interface PaymentError {
  type: 'card_error';
  code: string;
  decline_code: string | undefined;
  message: string;
  charge: string;
}

interface PaymentIntentRecord {
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

interface ChargeRecord {
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
}

interface RefundRecord {
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

interface StoredResult {
  fingerprint: string;
  status: number;
  body: string;
}

interface ApiResult {
  status: number;
  body: unknown;
  /** Whether Stripe would store it for idempotent replays (no: the request failed validation). */
  store: boolean;
}

/** An answer in Stripe's error shape, thrown by the route handlers. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: Record<string, unknown>,
    readonly store = true,
  ) {
    super(String(error['message']));
  }
}

const API_VERSION = Stripe.API_VERSION;
const CANCELABLE: readonly PaymentIntentStatus[] = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];
const CANCELLATION_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'];
const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'];
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

const now = (): number => Math.floor(Date.now() / 1000);
const randomId = (prefix: string, bytes = 12): string =>
  `${prefix}_${randomBytes(bytes).toString('base64url').replace(/[-_]/g, '0')}`;

function invalidRequest(message: string, extra: Record<string, unknown> = {}, store = false): ApiError {
  return new ApiError(400, { type: 'invalid_request_error', message, ...extra }, store);
}

function missing(kind: string, id: string, param: string): ApiError {
  return new ApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    param,
    message: `No such ${kind}: '${id}'`,
  });
}

/**
 * Decodes a Stripe form body or query (`a[b][0]=x`) into nested objects and arrays, the way the
 * Stripe API reads what the SDK encodes. Every leaf stays a string, as on the wire.
 */
export function decodeStripeForm(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const match = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(key);
    const path = match
      ? [match[1] as string, ...[...(match[2] ?? '').matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] as string)]
      : [key];
    let node: Record<string, unknown> = root;
    path.forEach((segment, i) => {
      const name = segment === '' ? String(Object.keys(node).length) : segment;
      if (i === path.length - 1) {
        node[name] = value;
        return;
      }
      const next = node[name];
      if (typeof next === 'object' && next !== null) {
        node = next as Record<string, unknown>;
      } else {
        const child: Record<string, unknown> = {};
        node[name] = child;
        node = child;
      }
    });
  }
  return arraysOf(root) as Record<string, unknown>;
}

/** Objects whose keys are exactly 0..n-1 become arrays. */
function arraysOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, arraysOf(v)] as const);
  const indexed = entries.length > 0 && entries.every(([k], i) => k === String(i));
  return indexed ? entries.map(([, v]) => v) : Object.fromEntries(entries);
}

/** Canonical JSON (sorted keys) of decoded parameters, to compare two requests' parameters. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function onlyKnown(params: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(params)) {
    if (!known.includes(key)) {
      throw invalidRequest(`Received unknown parameter: ${key}`, { code: 'parameter_unknown', param: key });
    }
  }
}

function integerParam(params: Record<string, unknown>, name: string, required: boolean): number | undefined {
  const raw = params[name];
  if (raw === undefined) {
    if (required) {
      throw invalidRequest(`Missing required param: ${name}.`, { code: 'parameter_missing', param: name });
    }
    return undefined;
  }
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw)) {
    throw invalidRequest(`Invalid integer: ${String(raw)}`, {
      code: 'parameter_invalid_integer',
      param: name,
    });
  }
  return Number(raw);
}

function stringParam(params: Record<string, unknown>, name: string): string | undefined {
  const raw = params[name];
  if (raw === undefined) {
    return undefined;
  }
  if (typeof raw !== 'string') {
    throw invalidRequest(`Invalid string: ${name}`, { code: 'parameter_invalid_string', param: name });
  }
  return raw;
}

function enumParam(
  params: Record<string, unknown>,
  name: string,
  values: readonly string[],
): string | undefined {
  const raw = stringParam(params, name);
  if (raw !== undefined && !values.includes(raw)) {
    throw invalidRequest(`Invalid ${name}: must be one of ${values.join(', ')}`, { param: name });
  }
  return raw;
}

function metadataParam(params: Record<string, unknown>): Record<string, string> {
  const raw = params['metadata'];
  if (raw === undefined || raw === '') {
    return {};
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalidRequest('Invalid metadata: must be an object', { param: 'metadata' });
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > 50) {
    throw invalidRequest('Invalid metadata: cannot have more than 50 keys', { param: 'metadata' });
  }
  for (const [key, value] of entries) {
    if (key.length > 40) {
      throw invalidRequest(
        `Metadata keys can have up to 40 characters, but you passed in a key that is ${key.length} characters long.`,
        { param: `metadata[${key}]` },
      );
    }
    if (typeof value !== 'string') {
      throw invalidRequest('Invalid metadata: values must be strings', { param: `metadata[${key}]` });
    }
    if (value.length > 500) {
      throw invalidRequest(
        `Metadata values can have up to 500 characters, but you passed in a value that is ${value.length} characters long.`,
        { param: `metadata[${key}]` },
      );
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A stand-in for Stripe's API on 127.0.0.1 that speaks its wire format for what the payment port
 * uses, so tests run the real Stripe SDK (pointed here with `host`, `port`, `protocol: 'http'`)
 * and never reach Stripe:
 *
 * - `POST /v1/payment_intents`, `GET /v1/payment_intents/:id`, `POST /v1/payment_intents/:id/cancel`,
 *   `POST /v1/payment_intents/:id/confirm` (Stripe's test payment methods: `pm_card_visa` pays,
 *   `pm_card_chargeDeclined…` declines), `POST /v1/refunds`, `GET /v1/refunds/:id`;
 * - form-encoded parameters checked like Stripe (unknown, missing or malformed ones are 400s);
 * - `Authorization: Bearer <secretKey>` required (401 otherwise);
 * - `Idempotency-Key` on POSTs: the same key with the same parameters replays the stored answer
 *   (`Idempotent-Replayed: true`), with other parameters or another endpoint it is a 400
 *   `idempotency_error`, while the first is still running a 409; requests that fail validation
 *   store nothing;
 * - errors as `{ error: { type, code, message, param? } }` with Stripe's status codes.
 *
 * Test controls move payments the way Stripe would ({@link succeed}, {@link fail}), build webhook
 * events from the current state ({@link buildEvent}; every change also appends to
 * {@link events}) and sign them with the SDK's own `generateTestHeaderString`
 * ({@link signWebhook}). {@link requests} logs every request; {@link injectFaults} fails or delays
 * the next ones for retry tests.
 */
export class FakeStripe {
  private readonly paymentIntents = new Map<string, PaymentIntentRecord>();
  private readonly charges = new Map<string, ChargeRecord>();
  private readonly refunds = new Map<string, RefundRecord>();
  private readonly idempotent = new Map<string, StoredResult>();
  private readonly inFlight = new Set<string>();
  private readonly log: FakeStripeRequest[] = [];
  private readonly emitted: FakeStripeEvent[] = [];
  private readonly faults: { fault: FakeStripeFault; left: number }[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    /** The secret key requests must carry. */
    readonly secretKey: string,
    /** The secret {@link signWebhook} signs with by default. */
    readonly webhookSecret: string,
  ) {}

  /** Starts a fake Stripe on 127.0.0.1 at a port the OS picks. Stop it with {@link close}. */
  static async start(options: FakeStripeOptions = {}): Promise<FakeStripe> {
    const server = createServer();
    const sut = new FakeStripe(
      server,
      options.secretKey ?? randomId('sk_test', 18),
      options.webhookSecret ?? randomId('whsec', 24),
    );
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      sut.handle(request, response).catch((error: unknown) => {
        response.destroy(error instanceof Error ? error : undefined);
      });
    });
    server.on('connection', (socket: Socket) => {
      sut.sockets.add(socket);
      socket.once('close', () => sut.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return sut;
  }

  /** The port it listens on (127.0.0.1). */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The Stripe SDK settings that point a client here: `{ host, port, protocol }`. */
  get clientConfig(): { host: string; port: number; protocol: 'http' } {
    return { host: '127.0.0.1', port: this.port, protocol: 'http' };
  }

  /** Every request received so far, oldest first (copies). */
  get requests(): FakeStripeRequest[] {
    return this.log.map((entry) => ({ ...entry }));
  }

  /** Forgets the request log (state and idempotent results stay). */
  clearRequests(): void {
    this.log.length = 0;
  }

  /** Every event the state changes emitted so far, oldest first. */
  get events(): FakeStripeEvent[] {
    return [...this.emitted];
  }

  /** The PaymentIntent as `GET /v1/payment_intents/:id` answers it. Throws when unknown. */
  paymentIntent(id: string): Record<string, unknown> {
    return this.renderPaymentIntent(this.paymentIntentRecord(id));
  }

  /** The Charge as Stripe renders it, with its refunds list. Throws when unknown. */
  charge(id: string): Record<string, unknown> {
    const charge = this.charges.get(id);
    if (!charge) {
      throw new Error(`fake Stripe: no charge ${id}`);
    }
    return this.renderCharge(charge);
  }

  /** The Refund as `GET /v1/refunds/:id` answers it. Throws when unknown. */
  refund(id: string): Record<string, unknown> {
    const refund = this.refunds.get(id);
    if (!refund) {
      throw new Error(`fake Stripe: no refund ${id}`);
    }
    return this.renderRefund(refund);
  }

  /**
   * The customer pays: the PaymentIntent succeeds with a new charge (`amount_received`,
   * `latest_charge`, `payment_method` set) and `payment_intent.succeeded` is emitted.
   * Returns that event.
   */
  succeed(paymentIntentId: string, paymentMethod = 'pm_card_visa'): FakeStripeEvent {
    const pi = this.paymentIntentRecord(paymentIntentId);
    if (pi.status === 'succeeded' || pi.status === 'canceled') {
      throw new Error(`fake Stripe: ${pi.id} is ${pi.status}; it cannot succeed`);
    }
    const charge = this.newCharge(pi, paymentMethod, 'succeeded', null, null);
    pi.status = 'succeeded';
    pi.amountReceived = pi.amount;
    pi.latestCharge = charge.id;
    pi.lastPaymentError = null;
    pi.paymentMethod = paymentMethod;
    return this.emit('payment_intent.succeeded', pi.id);
  }

  /**
   * A payment attempt fails with `code` (`card_declined`, `insufficient_funds`, `expired_card`,
   * `incorrect_cvc`, `processing_error`): a failed charge, `last_payment_error` set, the
   * PaymentIntent back to `requires_payment_method` (the customer may try again), and
   * `payment_intent.payment_failed` emitted. Returns that event.
   */
  fail(paymentIntentId: string, code = 'card_declined'): FakeStripeEvent {
    const pi = this.paymentIntentRecord(paymentIntentId);
    if (pi.status === 'succeeded' || pi.status === 'canceled') {
      throw new Error(`fake Stripe: ${pi.id} is ${pi.status}; it cannot fail`);
    }
    this.decline(pi, 'pm_card_chargeDeclined', code);
    return this.emit('payment_intent.payment_failed', pi.id);
  }

  /**
   * Moves a refund to a later status (a pending refund that succeeds or fails); a failed or
   * canceled refund gives its amount back to the charge. Emits `charge.refunded` when it
   * succeeds. Returns the refund as Stripe renders it.
   */
  setRefundStatus(refundId: string, status: RefundStatus): Record<string, unknown> {
    const refund = this.refunds.get(refundId);
    if (!refund) {
      throw new Error(`fake Stripe: no refund ${refundId}`);
    }
    const charge = this.charges.get(refund.charge) as ChargeRecord;
    const counted = (s: RefundStatus): boolean => s !== 'failed' && s !== 'canceled';
    if (counted(refund.status) && !counted(status)) {
      charge.amountRefunded -= refund.amount;
    } else if (!counted(refund.status) && counted(status)) {
      charge.amountRefunded += refund.amount;
    }
    refund.status = status;
    if (status === 'succeeded') {
      this.emit('charge.refunded', charge.id);
    }
    return this.renderRefund(refund);
  }

  /**
   * A snapshot event of `type` built from the current state, as Stripe would send it now (not
   * added to {@link events}). `objectId` is the PaymentIntent; for `charge.refunded` the charge
   * or its PaymentIntent (whose latest charge is used).
   */
  buildEvent(type: FakeStripeEventType, objectId: string, created = now()): FakeStripeEvent {
    let object: Record<string, unknown>;
    if (type === 'charge.refunded') {
      const chargeId = objectId.startsWith('ch_')
        ? objectId
        : this.paymentIntentRecord(objectId).latestCharge;
      const charge = chargeId ? this.charges.get(chargeId) : undefined;
      if (!charge) {
        throw new Error(`fake Stripe: no charge for ${objectId}`);
      }
      object = this.renderCharge(charge);
    } else {
      object = this.renderPaymentIntent(this.paymentIntentRecord(objectId));
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

  /**
   * Signs an event (or any payload text) the way Stripe signs a webhook delivery, with the SDK's
   * `stripe.webhooks.generateTestHeaderString`.
   *
   * @param event - the event object (serialised with 2-space indentation, as Stripe does) or the exact payload
   * @param options - `timestamp` in Unix seconds (default now), `secret` (default {@link webhookSecret})
   */
  signWebhook(
    event: FakeStripeEvent | string,
    options: { timestamp?: number; secret?: string } = {},
  ): SignedWebhook {
    const payload = typeof event === 'string' ? event : JSON.stringify(event, null, 2);
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret ?? this.webhookSecret,
      timestamp: options.timestamp ?? now(),
    });
    return { payload, body: Buffer.from(payload, 'utf8'), signature };
  }

  /**
   * The next `count` requests (matching `fault.match`, if given) fail or wait as `fault` says.
   * Faults queue: a second call applies after the first is used up.
   */
  injectFaults(count: number, fault: FakeStripeFault): void {
    if (count > 0) {
      this.faults.push({ fault, left: count });
    }
  }

  /** The next `count` requests (matching `match`) answer `status` (500) with an `api_error` body. */
  failNext(count: number, status = 500, match?: RegExp): void {
    this.injectFaults(count, { status, match });
  }

  /** The next `count` requests (matching `match`) are handled after `ms` milliseconds. */
  delayNext(count: number, ms: number, match?: RegExp): void {
    this.injectFaults(count, { delayMs: ms, match });
  }

  /** Stops listening and drops open connections. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await closed;
  }

  // ---------------------------------------------------------------- HTTP

  private takeFault(method: string, path: string): FakeStripeFault | undefined {
    const index = this.faults.findIndex(({ fault }) => !fault.match || fault.match.test(`${method} ${path}`));
    const entry = this.faults[index];
    if (!entry) {
      return undefined;
    }
    entry.left -= 1;
    if (entry.left <= 0) {
      this.faults.splice(index, 1);
    }
    return entry.fault;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const text = await readBody(request);
    const params = decodeStripeForm(method === 'GET' ? url.search.slice(1) : text);
    const idempotencyKey = header(request, 'idempotency-key');
    const entry: FakeStripeRequest = {
      method,
      path: url.pathname,
      params,
      idempotencyKey,
      stripeVersion: header(request, 'stripe-version'),
      status: 0,
      replayed: false,
      fault: undefined,
    };
    this.log.push(entry);
    const requestId = randomId('req', 10);
    const send = (status: number, body: string, extra: Record<string, string> = {}): void => {
      entry.status = status;
      response.writeHead(status, {
        'content-type': 'application/json',
        'request-id': requestId,
        'stripe-version': entry.stripeVersion ?? API_VERSION,
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
        ...extra,
      });
      response.end(body);
    };

    const fault = this.takeFault(method, url.pathname);
    const key = method === 'POST' ? idempotencyKey : undefined;
    if (key !== undefined && this.inFlight.has(key)) {
      send(
        409,
        JSON.stringify({
          error: {
            type: 'idempotency_error',
            code: 'idempotency_key_in_use',
            message: `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
          },
        }),
      );
      return;
    }
    if (fault?.delayMs !== undefined) {
      entry.fault = 'delay';
      if (key !== undefined) {
        this.inFlight.add(key);
      }
      try {
        await sleep(fault.delayMs);
      } finally {
        if (key !== undefined) {
          this.inFlight.delete(key);
        }
      }
    }
    if (fault?.reset) {
      entry.fault = 'reset';
      request.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      entry.fault = 'status';
      send(
        fault.status,
        JSON.stringify({
          error: {
            type: 'api_error',
            message: 'An unknown error occurred (injected by the fake Stripe server).',
          },
        }),
      );
      return;
    }

    const auth = this.authenticate(header(request, 'authorization'));
    if (auth) {
      send(auth.status, JSON.stringify({ error: auth.error }), {
        'www-authenticate': 'Bearer realm="Stripe"',
      });
      return;
    }

    const fingerprint = `${method} ${url.pathname} ${canonical(params)}`;
    if (key !== undefined) {
      const stored = this.idempotent.get(key);
      if (stored && stored.fingerprint !== fingerprint) {
        send(
          400,
          JSON.stringify({
            error: {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
            },
          }),
        );
        return;
      }
      if (stored) {
        entry.replayed = true;
        send(stored.status, stored.body, { 'idempotent-replayed': 'true' });
        return;
      }
    }

    const result = this.route(method, url.pathname, params);
    const body = JSON.stringify(result.body, null, 2);
    if (key !== undefined && result.store) {
      this.idempotent.set(key, { fingerprint, status: result.status, body });
    }
    send(result.status, body);
  }

  private authenticate(authorization: string | undefined): ApiError | undefined {
    if (!authorization) {
      return new ApiError(401, {
        type: 'invalid_request_error',
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      });
    }
    const key = authorization.replace(/^Bearer\s+/i, '');
    if (key !== this.secretKey) {
      return new ApiError(401, {
        type: 'invalid_request_error',
        code: 'api_key_invalid',
        message: `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`,
      });
    }
    return undefined;
  }

  private route(method: string, path: string, params: Record<string, unknown>): ApiResult {
    try {
      const segments = path.split('/').filter(Boolean);
      const [version, resource, id, action] = segments;
      if (version === 'v1' && resource === 'payment_intents' && segments.length <= 4) {
        if (method === 'POST' && id === undefined) {
          return { status: 200, body: this.createPaymentIntent(params), store: true };
        }
        if (method === 'GET' && id !== undefined && action === undefined) {
          onlyKnown(params, ['expand']);
          return { status: 200, body: this.paymentIntent(this.existingPaymentIntent(id).id), store: true };
        }
        if (method === 'POST' && id !== undefined && action === 'cancel') {
          return { status: 200, body: this.cancelPaymentIntent(id, params), store: true };
        }
        if (method === 'POST' && id !== undefined && action === 'confirm') {
          return { status: 200, body: this.confirmPaymentIntent(id, params), store: true };
        }
      }
      if (version === 'v1' && resource === 'refunds' && segments.length <= 3) {
        if (method === 'POST' && id === undefined) {
          return { status: 200, body: this.createRefund(params), store: true };
        }
        if (method === 'GET' && id !== undefined) {
          onlyKnown(params, ['expand']);
          const refund = this.refunds.get(id);
          if (!refund) {
            throw missing('refund', id, 'id');
          }
          return { status: 200, body: this.renderRefund(refund), store: true };
        }
      }
      throw new ApiError(
        404,
        {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        },
        false,
      );
    } catch (error) {
      if (error instanceof ApiError) {
        return { status: error.status, body: { error: error.error }, store: error.store };
      }
      throw error;
    }
  }

  // ---------------------------------------------------------------- API

  private createPaymentIntent(params: Record<string, unknown>): Record<string, unknown> {
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
    if (
      apm !== undefined &&
      (typeof apm !== 'object' || !['true', 'false'].includes(String(apm['enabled'])))
    ) {
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
    this.paymentIntents.set(id, pi);
    return this.renderPaymentIntent(pi);
  }

  private cancelPaymentIntent(id: string, params: Record<string, unknown>): Record<string, unknown> {
    onlyKnown(params, ['cancellation_reason', 'expand']);
    const reason = enumParam(params, 'cancellation_reason', CANCELLATION_REASONS);
    const pi = this.existingPaymentIntent(id);
    if (!CANCELABLE.includes(pi.status)) {
      throw invalidRequest(
        `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
        { code: 'payment_intent_unexpected_state', payment_intent: this.renderPaymentIntent(pi) },
        true,
      );
    }
    pi.status = 'canceled';
    pi.canceledAt = now();
    pi.cancellationReason = reason ?? null;
    this.emit('payment_intent.canceled', pi.id);
    return this.renderPaymentIntent(pi);
  }

  private confirmPaymentIntent(id: string, params: Record<string, unknown>): Record<string, unknown> {
    onlyKnown(params, ['payment_method', 'return_url', 'expand']);
    const pi = this.existingPaymentIntent(id);
    const paymentMethod = stringParam(params, 'payment_method') ?? pi.paymentMethod;
    if (!paymentMethod) {
      throw invalidRequest(
        'You cannot confirm this PaymentIntent because it\u2019s missing a payment method.',
        { code: 'payment_intent_unexpected_state', payment_intent: this.renderPaymentIntent(pi) },
        true,
      );
    }
    if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(pi.status)) {
      throw invalidRequest(
        `This PaymentIntent's payment_method could not be updated because it has a status of ${pi.status}.`,
        { code: 'payment_intent_unexpected_state', payment_intent: this.renderPaymentIntent(pi) },
        true,
      );
    }
    const decline = DECLINING_PAYMENT_METHODS[paymentMethod];
    if (decline) {
      const error = this.decline(pi, paymentMethod, decline);
      this.emit('payment_intent.payment_failed', pi.id);
      throw new ApiError(402, { ...error, payment_intent: this.renderPaymentIntent(pi) });
    }
    this.succeed(pi.id, paymentMethod);
    return this.renderPaymentIntent(pi);
  }

  private createRefund(params: Record<string, unknown>): Record<string, unknown> {
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
      charge = this.charges.get(chargeId);
      if (!charge) {
        throw missing('charge', chargeId, 'charge');
      }
    } else {
      const pi = this.paymentIntents.get(piId as string);
      if (!pi) {
        throw missing('payment_intent', piId as string, 'payment_intent');
      }
      charge = pi.status === 'succeeded' && pi.latestCharge ? this.charges.get(pi.latestCharge) : undefined;
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
    this.refunds.set(refund.id, refund);
    charge.refunds.unshift(refund.id);
    charge.amountRefunded += refunded;
    this.emit('charge.refunded', charge.id);
    return this.renderRefund(refund);
  }

  // ---------------------------------------------------------------- state

  private paymentIntentRecord(id: string): PaymentIntentRecord {
    const pi = this.paymentIntents.get(id);
    if (!pi) {
      throw new Error(`fake Stripe: no payment intent ${id}`);
    }
    return pi;
  }

  private existingPaymentIntent(id: string): PaymentIntentRecord {
    const pi = this.paymentIntents.get(id);
    if (!pi) {
      throw missing('payment_intent', id, 'intent');
    }
    return pi;
  }

  private newCharge(
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
    };
    this.charges.set(charge.id, charge);
    return charge;
  }

  /** Records a declined attempt on `pi`; returns the error Stripe reports for it. */
  private decline(pi: PaymentIntentRecord, paymentMethod: string, failure: string): Record<string, unknown> {
    const [code, declineCode, message] = DECLINES[failure] ?? [failure, undefined, 'Your card was declined.'];
    const charge = this.newCharge(pi, paymentMethod, 'failed', code, message);
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

  private emit(type: FakeStripeEventType, objectId: string): FakeStripeEvent {
    const event = this.buildEvent(type, objectId);
    this.emitted.push(event);
    return event;
  }

  // ---------------------------------------------------------------- rendering

  private renderPaymentIntent(pi: PaymentIntentRecord): Record<string, unknown> {
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

  private renderCharge(charge: ChargeRecord): Record<string, unknown> {
    const refunds = charge.refunds.map((id) => this.renderRefund(this.refunds.get(id) as RefundRecord));
    return {
      id: charge.id,
      object: 'charge',
      amount: charge.amount,
      amount_captured: charge.status === 'succeeded' ? charge.amount : 0,
      amount_refunded: charge.amountRefunded,
      balance_transaction: charge.status === 'succeeded' ? `txn_${charge.id.slice(3)}` : null,
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

  private renderRefund(refund: RefundRecord): Record<string, unknown> {
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
}
