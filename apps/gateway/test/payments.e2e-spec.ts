import { status as GrpcStatus } from '@grpc/grpc-js';
import { orders } from '@yugong/contracts';
import { FakeStripe, type SignedWebhook } from '@yugong/shared/testing';
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import request from 'supertest';
import { OrdersClient } from '../src/orders/orders.client';
import { DEMO_PASSWORD, startPlatform, type Platform } from './support/platform';

type ApplyPaymentEvent = (
  request: orders.ApplyPaymentEventRequest,
) => Promise<orders.ApplyPaymentEventResponse>;

/**
 * The Stripe webhook route: raw bytes checked against the signature, only genuine fresh events
 * forwarded. The orders service's side of ApplyPaymentEvent is stood in for by `answer` here, and
 * an unreachable MergeCart by `cartsAway`.
 */
describe('Stripe webhook through the gateway', () => {
  let platform: Platform;
  let fake: FakeStripe;
  let stripe: Stripe;
  const forwarded: orders.ApplyPaymentEventRequest[] = [];
  let answer: ApplyPaymentEvent;
  let cartsAway = false;

  beforeAll(async () => {
    fake = await FakeStripe.start();
    stripe = new Stripe(fake.secretKey, { ...fake.clientConfig, maxNetworkRetries: 0, timeout: 5_000 });
    platform = await startPlatform('payments_e2e', {
      STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
      RATE_LIMIT_PER_MINUTE: '100000',
    });
    const client = platform.app.get(OrdersClient);
    const call = client.call.bind(client);
    jest.spyOn(client, 'call').mockImplementation(((method: string, req: unknown, options: unknown) => {
      if (method === 'mergeCart' && cartsAway) {
        return Promise.reject(Object.assign(new Error('no connection'), { code: GrpcStatus.UNAVAILABLE }));
      }
      if (method !== 'applyPaymentEvent') {
        return (call as (m: string, r: unknown, o: unknown) => Promise<unknown>)(method, req, options);
      }
      forwarded.push(req as orders.ApplyPaymentEventRequest);
      return answer(req as orders.ApplyPaymentEventRequest);
    }) as typeof client.call);
  });

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

  it('answers received to a duplicate the orders service has already applied', async () => {
    const { webhook } = await paidIntent();
    answer = async (req) => ({
      applied: forwarded.length === 1,
      orderId: req.orderId,
      status: orders.OrderStatus.ORDER_STATUS_PAID,
    });
    for (let i = 0; i < 5; i++) {
      await deliver(webhook).expect(200, { received: true });
    }
    expect(new Set(forwarded.map((f) => f.eventId)).size).toBe(1);
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
    const notJson = await deliver(fake.signWebhook('{not json')).expect(400);
    expect(notJson.body.error).toBe('MALFORMED_JSON');
    expect(forwarded).toEqual([]);
    // The untouched delivery still goes through.
    await deliver(webhook).expect(200);
    expect(forwarded).toHaveLength(1);
  });

  it('answers 503 while the orders service cannot apply payment events, so that Stripe retries', async () => {
    const { webhook } = await paidIntent();
    answer = async () => {
      throw Object.assign(new Error('ApplyPaymentEvent is not served yet'), {
        code: GrpcStatus.UNIMPLEMENTED,
      });
    };
    const res = await deliver(webhook).expect(503);
    expect(res.body.error).toBe('PAYMENT_EVENTS_UNAVAILABLE');
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
