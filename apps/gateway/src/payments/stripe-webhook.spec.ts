import { toHttpError } from '@yugong/shared/errors';
import { FakeStripe, type FakeStripeEvent } from '@yugong/shared/testing';
import Stripe from 'stripe';

import { StripeWebhookRejected } from './payments.errors';
import {
  StripeWebhookVerifier,
  toApplyPaymentEventRequest,
  type StripeWebhookOptions,
} from './stripe-webhook';

// Events come from the fake Stripe server (its state, Stripe's shapes) and are signed with the
// SDK's own generateTestHeaderString; nothing leaves 127.0.0.1.
describe(StripeWebhookVerifier.name, () => {
  const NOW = 1_790_000_000_000;
  let stripe: FakeStripe;
  let client: Stripe;
  let sut: StripeWebhookVerifier;

  const verifier = (options: Partial<StripeWebhookOptions> = {}): StripeWebhookVerifier =>
    new StripeWebhookVerifier({
      secret: stripe.webhookSecret,
      toleranceSeconds: 300,
      now: () => NOW,
      ...options,
    });
  const signedAt = (event: FakeStripeEvent | string, secondsAgo = 0) =>
    stripe.signWebhook(event, { timestamp: NOW / 1000 - secondsAgo });

  beforeAll(async () => {
    stripe = await FakeStripe.start();
    client = new Stripe(stripe.secretKey, { ...stripe.clientConfig, maxNetworkRetries: 0 });
  });

  afterAll(async () => {
    await stripe.close();
  });

  beforeEach(() => {
    sut = verifier();
  });

  async function paymentIntent(orderId: string, amount = 8_800): Promise<string> {
    const pi = await client.paymentIntents.create({
      amount,
      currency: 'cny',
      metadata: { order_id: orderId },
      automatic_payment_methods: { enabled: true },
    });
    return pi.id;
  }

  describe('maps verified events', () => {
    it('payment_intent.succeeded: the amount received, the order id, upper-case currency', async () => {
      const pi = await paymentIntent('order-1');
      const event = stripe.succeed(pi);
      const { body, signature } = signedAt(event);

      expect(sut.verify(body, signature)).toEqual({
        eventId: event.id,
        type: 'payment_intent.succeeded',
        paymentIntentId: pi,
        orderId: 'order-1',
        amount: { fen: 8_800, currency: 'CNY' },
        createdAt: { seconds: event.created, nanos: 0 },
        failureCode: '',
        refunds: [],
      });
    });

    it('payment_intent.payment_failed: the failure code, nothing received', async () => {
      const pi = await paymentIntent('order-2');
      const { body, signature } = signedAt(stripe.fail(pi, 'expired_card'));

      expect(sut.verify(body, signature)).toMatchObject({
        type: 'payment_intent.payment_failed',
        paymentIntentId: pi,
        orderId: 'order-2',
        amount: { fen: 0, currency: 'CNY' },
        failureCode: 'expired_card',
      });
    });

    it('payment_intent.canceled', async () => {
      const pi = await paymentIntent('order-3');
      await client.paymentIntents.cancel(pi);
      const event = stripe.events.find((e) => e.type === 'payment_intent.canceled')!;
      const { body, signature } = signedAt(event);

      expect(sut.verify(body, signature)).toMatchObject({
        type: 'payment_intent.canceled',
        paymentIntentId: pi,
        orderId: 'order-3',
        failureCode: '',
      });
    });

    it('charge.refunded: refunded so far and every refund listed on the charge', async () => {
      const pi = await paymentIntent('order-4');
      stripe.succeed(pi);
      const first = await client.refunds.create({ payment_intent: pi, amount: 1_000 });
      const second = await client.refunds.create({ payment_intent: pi, amount: 300 });
      const event = stripe.events.filter((e) => e.type === 'charge.refunded').at(-1)!;
      const { body, signature } = signedAt(event);

      expect(sut.verify(body, signature)).toMatchObject({
        eventId: event.id,
        type: 'charge.refunded',
        paymentIntentId: pi,
        orderId: 'order-4',
        amount: { fen: 1_300, currency: 'CNY' },
        refunds: [
          { id: second.id, amount: { fen: 300, currency: 'CNY' }, status: 'succeeded' },
          { id: first.id, amount: { fen: 1_000, currency: 'CNY' }, status: 'succeeded' },
        ],
      });
    });

    it('charge.refunded without a refunds list (Stripe omits it unless expanded) still carries the total', async () => {
      const pi = await paymentIntent('order-5');
      stripe.succeed(pi);
      await client.refunds.create({ payment_intent: pi, amount: 500 });
      const event = stripe.buildEvent('charge.refunded', pi);
      const charge = {
        ...event.data.object,
        refunds: undefined,
        payment_intent: { id: pi, object: 'payment_intent' },
      };
      const { body, signature } = signedAt({ ...event, data: { object: charge } });

      expect(sut.verify(body, signature)).toMatchObject({
        paymentIntentId: pi,
        orderId: 'order-5',
        amount: { fen: 500, currency: 'CNY' },
        refunds: [],
      });
    });

    it('any other type: only id, type and time, for the orders service to record and ignore', async () => {
      const pi = await paymentIntent('order-6');
      const event = { ...stripe.buildEvent('payment_intent.succeeded', pi), type: 'payment_intent.created' };
      const { body, signature } = signedAt(event);

      expect(sut.verify(body, signature)).toEqual({
        eventId: event.id,
        type: 'payment_intent.created',
        paymentIntentId: '',
        orderId: '',
        amount: undefined,
        createdAt: { seconds: event.created, nanos: 0 },
        failureCode: '',
        refunds: [],
      });
    });

    it('accepts a signature exactly as old as the tolerance', async () => {
      const { body, signature } = signedAt(
        stripe.buildEvent('payment_intent.canceled', await paymentIntent('o')),
        300,
      );

      expect(sut.verify(body, signature).type).toBe('payment_intent.canceled');
    });
  });

  describe('rejects deliveries Stripe did not send, as 400 naming the field and the reason', () => {
    let body: Buffer;
    let signature: string;
    let event: FakeStripeEvent;

    beforeAll(async () => {
      event = stripe.succeed(await paymentIntent('order-bad'));
      ({ body, signature } = signedAt(event));
    });

    function rejection(run: () => unknown): { field: string; reason: string } {
      let thrown: unknown;
      try {
        run();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(StripeWebhookRejected);
      const { status, body: answer } = toHttpError(thrown);
      expect(status).toBe(400);
      expect(answer.error).toBe('VALIDATION_FAILED');
      expect(answer.fields).toHaveLength(1);
      return answer.fields![0]!;
    }

    it.each([
      ['a missing header', undefined, 'is required'],
      ['an empty header', '', 'is required'],
      ['a repeated header', ['t=1,v1=a', 't=1,v1=b'], 'must be sent once'],
      ['a header with no timestamp', 'v1=abc', 'is malformed'],
      ['a header with no v1 signature', `t=${NOW / 1000},v0=abc`, 'is malformed'],
      ['garbage', 'not a signature', 'is malformed'],
    ])('%s', (_name, header, reason) => {
      expect(rejection(() => sut.verify(body, header))).toEqual({ field: 'stripe-signature', reason });
    });

    it('a signature made with another secret', () => {
      const forged = stripe.signWebhook(event, { timestamp: NOW / 1000, secret: 'whsec_someone_else' });

      expect(rejection(() => sut.verify(body, forged.signature))).toEqual({
        field: 'stripe-signature',
        reason: 'does not match the body',
      });
    });

    it('one changed byte of the body', () => {
      const changed = Buffer.from(body);
      const at = changed.indexOf('8800');
      changed[at] = '9'.charCodeAt(0);

      expect(rejection(() => sut.verify(changed, signature))).toEqual({
        field: 'stripe-signature',
        reason: 'does not match the body',
      });
    });

    it('the same event re-serialised (not the raw body)', () => {
      const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString())));

      expect(rejection(() => sut.verify(reserialised, signature)).reason).toBe('does not match the body');
    });

    it('a stale timestamp (older than the tolerance)', () => {
      const stale = signedAt(event, 301);

      expect(rejection(() => sut.verify(stale.body, stale.signature))).toEqual({
        field: 'stripe-signature',
        reason: 'timestamp is older than 300 s',
      });
    });

    it('a timestamp far in the future', () => {
      const ahead = signedAt(event, -301);

      expect(rejection(() => sut.verify(ahead.body, ahead.signature))).toEqual({
        field: 'stripe-signature',
        reason: 'timestamp is more than 300 s ahead',
      });
    });

    it('an empty body', () => {
      expect(rejection(() => sut.verify(Buffer.alloc(0), signature)).field).toBe('stripe-signature');
    });

    it('a correctly signed body that is not JSON', () => {
      const notJson = signedAt('{"id": "evt_1", oops');

      expect(rejection(() => sut.verify(notJson.body, notJson.signature))).toEqual({
        field: 'body',
        reason: 'is not JSON',
      });
    });

    it.each([
      ['[]'],
      ['42'],
      ['null'],
      ['{"id":"evt_1","type":"payment_intent.succeeded"}'],
      ['{"type":"x","data":{}}'],
    ])('a correctly signed body that is not an event: %s', (payload) => {
      const signed = signedAt(payload);

      expect(rejection(() => sut.verify(signed.body, signed.signature))).toEqual({
        field: 'body',
        reason: 'is not a Stripe event (id, type and data are required)',
      });
    });
  });

  it('refuses to be built without a secret or with a bad tolerance', () => {
    expect(() => new StripeWebhookVerifier({ secret: '' })).toThrow(/secret/);
    expect(() => new StripeWebhookVerifier({ secret: 'whsec_x', toleranceSeconds: 0 })).toThrow(/tolerance/);
  });
});

describe(toApplyPaymentEventRequest.name, () => {
  it('survives an event whose object is missing', () => {
    const event = {
      id: 'evt_1',
      type: 'payment_intent.succeeded',
      created: 5,
      data: {},
    } as unknown as Stripe.Event;

    expect(toApplyPaymentEventRequest(event)).toMatchObject({
      eventId: 'evt_1',
      paymentIntentId: '',
      createdAt: { seconds: 5, nanos: 0 },
    });
  });
});
