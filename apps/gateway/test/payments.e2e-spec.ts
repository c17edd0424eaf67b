import { status as GrpcStatus } from '@grpc/grpc-js';
import { orders } from '@yugong/contracts';
import { FakeStripe, type SignedWebhook, until } from '@yugong/shared/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import Stripe from 'stripe';
import request from 'supertest';
import { OrdersClient } from '../src/orders/orders.client';
import { DEMO_PASSWORD, startPlatform, type Platform } from './support/platform';

type ApplyPaymentEvent = (
  request: orders.ApplyPaymentEventRequest,
) => Promise<orders.ApplyPaymentEventResponse>;

/**
 * The Stripe webhook route: raw bytes checked against the signature, only genuine fresh events
 * stored in the gateway's inbox (once per event id) and acknowledged, then forwarded by the inbox
 * applier. The orders service's side of ApplyPaymentEvents is stood in for by `answer` (per event) here, and
 * an unreachable MergeCart by `cartsAway`.
 */
describe('Stripe webhook through the gateway', () => {
  let platform: Platform;
  let fake: FakeStripe;
  let stripe: Stripe;
  const forwarded: orders.ApplyPaymentEventRequest[] = [];
  let answer: ApplyPaymentEvent;
  let cartsAway = false;
  let sql: Client;

  beforeAll(async () => {
    fake = await FakeStripe.start();
    stripe = new Stripe(fake.secretKey, { ...fake.clientConfig, maxNetworkRetries: 0, timeout: 5_000 });
    platform = await startPlatform('payments_e2e', {
      STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
      RATE_LIMIT_PER_MINUTE: '100000',
      // Quick retries, and few of them, so that back-off and parking show within a test.
      STRIPE_INBOX_INTERVAL_MS: '20',
      STRIPE_INBOX_BACKOFF_MS: '50',
      STRIPE_INBOX_MAX_ATTEMPTS: '3',
    });
    sql = new Client({ connectionString: platform.gatewayDatabaseUrl });
    await sql.connect();
    const client = platform.app.get(OrdersClient);
    const call = client.call.bind(client);
    jest.spyOn(client, 'call').mockImplementation(((method: string, req: unknown, options: unknown) => {
      if (method === 'mergeCart' && cartsAway) {
        return Promise.reject(Object.assign(new Error('no connection'), { code: GrpcStatus.UNAVAILABLE }));
      }
      if (method !== 'applyPaymentEvents') {
        return (call as (m: string, r: unknown, o: unknown) => Promise<unknown>)(method, req, options);
      }
      // Each event of the batch answered by `answer`; one it throws for fails alone, with its code.
      const { events } = req as orders.ApplyPaymentEventsRequest;
      forwarded.push(...events);
      return Promise.all(
        events.map(async (event): Promise<orders.AppliedPaymentEvent> => {
          try {
            const res = await answer(event);
            return { eventId: event.eventId, ...res, errorCode: 0, errorMessage: '' };
          } catch (error) {
            const { code, message } = error as { code?: number; message: string };
            return {
              eventId: event.eventId,
              applied: false,
              orderId: '',
              status: orders.OrderStatus.ORDER_STATUS_UNSPECIFIED,
              errorCode: code ?? GrpcStatus.INTERNAL,
              errorMessage: message,
            };
          }
        }),
      ).then((results) => ({ results }));
    }) as typeof client.call);
  }, 120_000);

  beforeEach(() => {
    forwarded.length = 0;
    answer = async (req) => ({
      applied: true,
      orderId: req.orderId,
      status: orders.OrderStatus.ORDER_STATUS_PAID,
    });
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await sql?.end();
    await platform?.stop();
    await fake?.close();
  });

  /** A PaymentIntent for a (made-up) order that the customer then pays: Stripe's event, signed. */
  async function paidIntent(): Promise<{ orderId: string; intent: string; webhook: SignedWebhook }> {
    const orderId = randomUUID();
    const intent = await stripe.paymentIntents.create({
      amount: 12_345,
      currency: 'cny',
      metadata: { order_id: orderId },
    });
    const event = fake.succeed(intent.id);
    return { orderId, intent: intent.id, webhook: fake.signWebhook(event) };
  }

  /** The inbox row of an event, or undefined when none was written. */
  async function inboxRow(eventId: string) {
    const { rows } = await sql.query<{
      attempts: number;
      applied: boolean;
      parked: boolean;
      last_error: string | null;
    }>(
      `select attempts, applied_at is not null as applied, parked_at is not null as parked, last_error
         from stripe_inbox_event where event_id = $1`,
      [eventId],
    );
    return rows[0];
  }

  const eventIdOf = (webhook: { payload: string }) => JSON.parse(webhook.payload).id as string;

  /** Waits until the applier is done with the event: applied or parked. */
  function settled(webhook: { payload: string }) {
    return until(
      async () => {
        const row = await inboxRow(eventIdOf(webhook));
        return row && (row.applied || row.parked) ? row : undefined;
      },
      10_000,
      `event ${eventIdOf(webhook)} applied or parked`,
    );
  }

  async function metric(name: string): Promise<number> {
    const res = await request(platform.http).get('/metrics').expect(200);
    const line = (res.text as string).split('\n').find((l) => l.startsWith(`${name} `));
    return Number(line?.split(' ')[1]);
  }

  function deliver(webhook: { payload: string; signature?: string }) {
    const req = request(platform.http)
      .post('/api/v1/payments/stripe/webhook')
      .set('Content-Type', 'application/json; charset=utf-8');
    if (webhook.signature !== undefined) {
      void req.set('Stripe-Signature', webhook.signature);
    }
    return req.send(webhook.payload);
  }

  it('forwards a genuine event, mapped, and answers received', async () => {
    const { orderId, intent, webhook } = await paidIntent();
    const res = await deliver(webhook).expect(200);
    expect(res.body).toEqual({ received: true });
    expect(await settled(webhook)).toMatchObject({ applied: true, attempts: 0 });
    expect(forwarded).toEqual([
      expect.objectContaining({
        eventId: JSON.parse(webhook.payload).id,
        type: 'payment_intent.succeeded',
        paymentIntentId: intent,
        orderId,
        amount: { fen: 12_345, currency: 'CNY' },
      }),
    ]);
  });

  it('answers received to every duplicate, stores the event once and forwards it once', async () => {
    const { webhook } = await paidIntent();
    const first = await Promise.all(Array.from({ length: 5 }, () => deliver(webhook)));
    expect(first.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    await settled(webhook);
    for (let i = 0; i < 5; i++) {
      await deliver(webhook).expect(200, { received: true });
    }
    const { rows } = await sql.query(
      'select count(*)::int as n from stripe_inbox_event where event_id = $1',
      [eventIdOf(webhook)],
    );
    expect(rows[0].n).toBe(1);
    expect(forwarded.map((f) => f.eventId)).toEqual([eventIdOf(webhook)]);
  });

  it('refuses what Stripe did not sign, naming why, and forwards nothing', async () => {
    const { webhook } = await paidIntent();
    const reasonOf = async (delivery: { payload: string; signature?: string }) => {
      const res = await deliver(delivery).expect(400);
      expect(res.body.error).toBe('VALIDATION_FAILED');
      return res.body.fields as { field: string; reason: string }[];
    };
    const otherSecret = fake.signWebhook(webhook.payload, { secret: 'whsec_not_the_endpoint_secret' });
    expect(await reasonOf(otherSecret)).toEqual([
      { field: 'stripe-signature', reason: 'does not match the body' },
    ]);
    const changedByte = { ...webhook, payload: webhook.payload.replace('12345', '12346') };
    expect(changedByte.payload).not.toBe(webhook.payload);
    expect(await reasonOf(changedByte)).toEqual([
      { field: 'stripe-signature', reason: 'does not match the body' },
    ]);
    const stale = fake.signWebhook(webhook.payload, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(await reasonOf(stale)).toEqual([
      { field: 'stripe-signature', reason: 'timestamp is older than 300 s' },
    ]);
    const ahead = fake.signWebhook(webhook.payload, { timestamp: Math.floor(Date.now() / 1000) + 600 });
    expect(await reasonOf(ahead)).toEqual([
      { field: 'stripe-signature', reason: 'timestamp is more than 300 s ahead' },
    ]);
    expect(await reasonOf({ payload: webhook.payload })).toEqual([
      { field: 'stripe-signature', reason: 'is required' },
    ]);
    expect(await reasonOf({ payload: webhook.payload, signature: 'garbage' })).toEqual([
      { field: 'stripe-signature', reason: expect.any(String) },
    ]);
    const notAnEvent = fake.signWebhook('{"hello":"world"}');
    expect(await reasonOf(notAnEvent)).toEqual([
      { field: 'body', reason: expect.stringContaining('not a Stripe event') },
    ]);
    expect(await reasonOf(fake.signWebhook('{not json'))).toEqual([{ field: 'body', reason: 'is not JSON' }]);
    const tooBig = await deliver({ ...webhook, payload: `${webhook.payload}${' '.repeat(70_000)}` }).expect(
      413,
    );
    expect(tooBig.body).toMatchObject({ error: 'PAYLOAD_TOO_LARGE', fields: [{ field: 'body' }] });
    // Nothing was stored.
    const { rows } = await sql.query(
      'select count(*)::int as n from stripe_inbox_event where event_id = $1',
      [eventIdOf(webhook)],
    );
    expect(rows[0].n).toBe(0);
    expect(forwarded).toEqual([]);
    // The untouched delivery still goes through.
    await deliver(webhook).expect(200);
    await settled(webhook);
    expect(forwarded).toHaveLength(1);
  });

  it('acknowledges while the orders service cannot apply, retries with back-off, then applies once', async () => {
    const { webhook } = await paidIntent();
    let away = true;
    answer = async (req) => {
      if (away) {
        throw Object.assign(new Error('ApplyPaymentEvent is not served yet'), {
          code: GrpcStatus.UNAVAILABLE,
        });
      }
      return { applied: true, orderId: req.orderId, status: orders.OrderStatus.ORDER_STATUS_PAID };
    };
    await deliver(webhook).expect(200, { received: true });
    // Tried and failed, waiting for its next attempt: the backlog shows on /metrics.
    await until(async () => ((await inboxRow(eventIdOf(webhook)))?.attempts ?? 0) >= 1 || undefined, 10_000);
    expect(await inboxRow(eventIdOf(webhook))).toMatchObject({ applied: false, parked: false });
    expect(await metric('yugong_gateway_stripe_inbox_pending')).toBe(1);
    expect(await metric('yugong_gateway_stripe_inbox_oldest_pending_seconds')).toBeGreaterThan(0);
    away = false;
    const row = await settled(webhook);
    expect(row).toMatchObject({ applied: true, parked: false });
    expect(row.attempts).toBeLessThan(3);
    expect(forwarded.filter((f) => f.eventId === eventIdOf(webhook)).length).toBe(row.attempts + 1);
    expect(await metric('yugong_gateway_stripe_inbox_pending')).toBe(0);
  });

  it('parks a poison event, visible on /metrics, instead of retrying it forever', async () => {
    const parkedBefore = await metric('yugong_gateway_stripe_inbox_parked');
    // An error no retry can fix: parked at the first attempt.
    const invalid = (await paidIntent()).webhook;
    answer = async () => {
      throw Object.assign(new Error('orderId: must be a UUID'), { code: GrpcStatus.INVALID_ARGUMENT });
    };
    await deliver(invalid).expect(200);
    expect(await settled(invalid)).toMatchObject({
      applied: false,
      parked: true,
      attempts: 1,
      last_error: expect.stringContaining('must be a UUID'),
    });
    // An error that might pass but never does: parked after STRIPE_INBOX_MAX_ATTEMPTS (3).
    const failing = (await paidIntent()).webhook;
    answer = async () => {
      throw Object.assign(new Error('orders is down'), { code: GrpcStatus.UNAVAILABLE });
    };
    await deliver(failing).expect(200);
    expect(await settled(failing)).toMatchObject({ applied: false, parked: true, attempts: 3 });
    const tries = forwarded.filter((f) => f.eventId === eventIdOf(failing)).length;
    expect(await metric('yugong_gateway_stripe_inbox_parked')).toBe(parkedBefore + 2);
    // Parked means left alone: no attempt after the last.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(forwarded.filter((f) => f.eventId === eventIdOf(failing)).length).toBe(tries);
  });

  it('signs a buyer in while carts are away, leaving the anonymous cart to merge later', async () => {
    cartsAway = true;
    try {
      const res = await request(platform.http)
        .post('/api/v1/auth/login')
        .set('Cart-Token', 'A'.repeat(43))
        .send({ email: 'consumer@example.com', password: DEMO_PASSWORD })
        .expect(200);
      expect(res.body.accessToken).toEqual(expect.any(String));
      expect(res.body.cart).toBeNull();
    } finally {
      cartsAway = false;
    }
  });

  it('lists the webhook in the OpenAPI document', async () => {
    const doc = await request(platform.http).get('/api/docs/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).toContain('/api/v1/payments/stripe/webhook');
  });
});
