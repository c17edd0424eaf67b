// The HTTP side of the fake: request log, faults, idempotency, authentication and routing, with
// the test controls; over 400 lines only because the class's TSDoc documents every control.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Stripe from 'stripe';
import { ApiError, missing } from './api-error';
import { FaultQueue, type FakeStripeFault } from './faults';
import { canonical, decodeStripeForm, onlyKnown } from './parameters';
import {
  cancelPaymentIntent,
  confirmPaymentIntent,
  createPaymentIntent,
  failPaymentIntent,
  succeedPaymentIntent,
} from './payment-intents';
import { createRefund, setRefundStatus } from './refunds';
import { listBalanceTransactions } from './balance-transactions';
import {
  API_VERSION,
  buildEvent,
  renderCharge,
  renderPaymentIntent,
  renderRefund,
  type FakeStripeEvent,
  type FakeStripeEventType,
} from './rendering';
import { now, randomId, StripeState, type BalanceTransactionType, type RefundStatus } from './state';
import type { FakeStripeOptions, FakeStripeRequest, SignedWebhook } from './types';

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
 *   `pm_card_chargeDeclined…` declines), `POST /v1/refunds`, `GET /v1/refunds/:id`,
 *   `GET /v1/balance_transactions` (`created[…]`, `type`, `limit`, `starting_after`, `expand[]=data.source`);
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
  private readonly state = new StripeState();
  private readonly idempotent = new Map<string, StoredResult>();
  private readonly inFlight = new Set<string>();
  private readonly log: FakeStripeRequest[] = [];
  private readonly faults = new FaultQueue();
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
    return [...this.state.emitted];
  }

  /** The PaymentIntent as `GET /v1/payment_intents/:id` answers it. Throws when unknown. */
  paymentIntent(id: string): Record<string, unknown> {
    return renderPaymentIntent(this.state.paymentIntentRecord(id));
  }

  /**
   * The PaymentIntent with what `expand` asks for expanded: `latest_charge` (the charge object)
   * and `latest_charge.balance_transaction` (with its balance transaction object too).
   */
  private expandedPaymentIntent(id: string, expand: unknown): Record<string, unknown> {
    const paths = Array.isArray(expand) ? expand.map(String) : typeof expand === 'string' ? [expand] : [];
    const body = this.paymentIntent(id);
    const pi = this.state.paymentIntentRecord(id);
    const charge = pi.latestCharge ? this.state.charges.get(pi.latestCharge) : undefined;
    const withTxn = paths.includes('latest_charge.balance_transaction');
    if (charge && (withTxn || paths.includes('latest_charge'))) {
      body.latest_charge = renderCharge(this.state, charge, withTxn);
    }
    return body;
  }

  /**
   * Stripe makes the balance transaction of the PaymentIntent's latest charge (asynchronously,
   * after it succeeded): its fee in minor units of `currency` (the payment's by default).
   */
  settleBalanceTransaction(paymentIntentId: string, fee: number, currency?: string): void {
    const pi = this.state.paymentIntentRecord(paymentIntentId);
    const charge = pi.latestCharge ? this.state.charges.get(pi.latestCharge) : undefined;
    if (!charge || charge.status !== 'succeeded') {
      throw new Error(`fake Stripe: ${paymentIntentId} has no succeeded charge`);
    }
    charge.balanceTransaction = {
      id: `txn_${charge.id.slice(3)}`,
      fee,
      currency: (currency ?? charge.currency).toLowerCase(),
    };
    this.state.record({
      id: charge.balanceTransaction.id,
      type: 'charge',
      source: charge.id,
      created: charge.created,
      amount: 0,
      fee: 0,
      currency: charge.balanceTransaction.currency,
      description: null,
    });
  }

  /**
   * Stripe books an entry of its own on the balance, with no charge or refund behind it (a
   * `stripe_fee` for a billing fee, an `adjustment`): `amount` in minor units, negative when it
   * leaves the balance. Returns its id.
   */
  addBalanceTransaction(entry: {
    type: Extract<BalanceTransactionType, 'stripe_fee' | 'adjustment'>;
    amount: number;
    currency?: string;
    description?: string;
    created?: number;
  }): string {
    const id = randomId('txn', 12);
    this.state.record({
      id,
      type: entry.type,
      source: null,
      created: entry.created ?? now(),
      amount: entry.amount,
      fee: 0,
      currency: entry.currency ?? 'cny',
      description: entry.description ?? null,
    });
    return id;
  }

  /** The Charge as Stripe renders it, with its refunds list. Throws when unknown. */
  charge(id: string): Record<string, unknown> {
    const charge = this.state.charges.get(id);
    if (!charge) {
      throw new Error(`fake Stripe: no charge ${id}`);
    }
    return renderCharge(this.state, charge);
  }

  /** The Refund as `GET /v1/refunds/:id` answers it. Throws when unknown. */
  refund(id: string): Record<string, unknown> {
    const refund = this.state.refunds.get(id);
    if (!refund) {
      throw new Error(`fake Stripe: no refund ${id}`);
    }
    return renderRefund(refund);
  }

  /**
   * The customer pays: the PaymentIntent succeeds with a new charge (`amount_received`,
   * `latest_charge`, `payment_method` set) and `payment_intent.succeeded` is emitted.
   * Returns that event.
   */
  succeed(paymentIntentId: string, paymentMethod = 'pm_card_visa'): FakeStripeEvent {
    return succeedPaymentIntent(this.state, paymentIntentId, paymentMethod);
  }

  /**
   * A payment attempt fails with `code` (`card_declined`, `insufficient_funds`, `expired_card`,
   * `incorrect_cvc`, `processing_error`): a failed charge, `last_payment_error` set, the
   * PaymentIntent back to `requires_payment_method` (the customer may try again), and
   * `payment_intent.payment_failed` emitted. Returns that event.
   */
  fail(paymentIntentId: string, code = 'card_declined'): FakeStripeEvent {
    return failPaymentIntent(this.state, paymentIntentId, code);
  }

  /**
   * Moves a refund to a later status (a pending refund that succeeds or fails); a failed or
   * canceled refund gives its amount back to the charge. Emits `charge.refunded` when it
   * succeeds. Returns the refund as Stripe renders it.
   */
  setRefundStatus(refundId: string, status: RefundStatus): Record<string, unknown> {
    return setRefundStatus(this.state, refundId, status);
  }

  /**
   * A snapshot event of `type` built from the current state, as Stripe would send it now (not
   * added to {@link events}). `objectId` is the PaymentIntent; for `charge.refunded` the charge
   * or its PaymentIntent (whose latest charge is used).
   */
  buildEvent(type: FakeStripeEventType, objectId: string, created = now()): FakeStripeEvent {
    return buildEvent(this.state, type, objectId, created);
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
    this.faults.add(count, fault);
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

    const fault = this.faults.take(method, url.pathname);
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
          return { status: 200, body: createPaymentIntent(this.state, params), store: true };
        }
        if (method === 'GET' && id !== undefined && action === undefined) {
          onlyKnown(params, ['expand']);
          return {
            status: 200,
            body: this.expandedPaymentIntent(this.state.existingPaymentIntent(id).id, params.expand),
            store: true,
          };
        }
        if (method === 'POST' && id !== undefined && action === 'cancel') {
          return { status: 200, body: cancelPaymentIntent(this.state, id, params), store: true };
        }
        if (method === 'POST' && id !== undefined && action === 'confirm') {
          return { status: 200, body: confirmPaymentIntent(this.state, id, params), store: true };
        }
      }
      if (
        version === 'v1' &&
        resource === 'balance_transactions' &&
        segments.length === 2 &&
        method === 'GET'
      ) {
        return { status: 200, body: listBalanceTransactions(this.state, params), store: true };
      }
      if (version === 'v1' && resource === 'refunds' && segments.length <= 3) {
        if (method === 'POST' && id === undefined) {
          return { status: 200, body: createRefund(this.state, params), store: true };
        }
        if (method === 'GET' && id !== undefined) {
          onlyKnown(params, ['expand']);
          const refund = this.state.refunds.get(id);
          if (!refund) {
            throw missing('refund', id, 'id');
          }
          return { status: 200, body: renderRefund(refund), store: true };
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
}
