import { FakeStripe } from '@yugong/shared/testing';

import type { CreatePaymentInput } from '../src/payments/payment-provider';
import {
  PaymentAlreadySucceeded,
  PaymentNotFoundAtProvider,
  PaymentProviderMisconfigured,
  PaymentProviderRejected,
  PaymentProviderUnavailable,
} from '../src/payments/stripe/stripe-payment.errors';
import {
  STRIPE_API_VERSION,
  StripePaymentProvider,
  stripeClientConfig,
  type StripePaymentProviderConfig,
} from '../src/payments/stripe/stripe-payment.provider';

// Stripe is faked at its HTTP boundary only: the real SDK talks to a local server speaking
// Stripe's wire format. Nothing here reaches the network beyond 127.0.0.1.
describe(StripePaymentProvider.name, () => {
  let stripe: FakeStripe;
  let sut: StripePaymentProvider;

  const provider = (config: Partial<StripePaymentProviderConfig> = {}): StripePaymentProvider =>
    new StripePaymentProvider({ secretKey: stripe.secretKey, apiBase: stripe.url, ...config });

  const payment = (orderId: string, amountFen = 12_345): CreatePaymentInput => ({
    orderId,
    buyerId: 'buyer-1',
    amountFen,
    currency: 'CNY',
    idempotencyKey: `order:${orderId}:payment`,
  });

  beforeEach(async () => {
    stripe = await FakeStripe.start();
    sut = provider();
  });

  afterEach(async () => {
    await stripe.close();
  });

  describe('createPayment', () => {
    it('creates one PaymentIntent for the order, keyed by the input key, on the pinned API version', async () => {
      const created = await sut.createPayment(payment('o-1'));

      expect(created.reference).toMatch(/^pi_/);
      expect(created.clientSecret).toBe(stripe.paymentIntent(created.reference)['client_secret']);
      expect(stripe.requests).toEqual([
        expect.objectContaining({
          method: 'POST',
          path: '/v1/payment_intents',
          idempotencyKey: 'order:o-1:payment',
          stripeVersion: STRIPE_API_VERSION,
          status: 200,
          params: {
            amount: '12345',
            currency: 'cny',
            metadata: { order_id: 'o-1' },
            automatic_payment_methods: { enabled: 'true' },
          },
        }),
      ]);
      expect(stripe.paymentIntent(created.reference)).toMatchObject({
        amount: 12_345,
        currency: 'cny',
        status: 'requires_payment_method',
        metadata: { order_id: 'o-1' },
      });
    });

    it('returns the same payment when repeated with the same key (Stripe replays it)', async () => {
      const first = await sut.createPayment(payment('o-2'));
      const again = await sut.createPayment(payment('o-2'));

      expect(again).toEqual(first);
      expect(stripe.requests.map((r) => [r.idempotencyKey, r.replayed])).toEqual([
        ['order:o-2:payment', false],
        ['order:o-2:payment', true],
      ]);
    });

    it('rides out two 500s with SDK retries under the same key, and creates one payment', async () => {
      stripe.failNext(2, 500);

      const created = await sut.createPayment(payment('o-3'));

      expect(stripe.requests.map((r) => [r.status, r.idempotencyKey])).toEqual([
        [500, 'order:o-3:payment'],
        [500, 'order:o-3:payment'],
        [200, 'order:o-3:payment'],
      ]);
      expect(stripe.paymentIntent(created.reference)).toMatchObject({ metadata: { order_id: 'o-3' } });
    });

    it('gives up after 1 + maxNetworkRetries attempts with PaymentProviderUnavailable', async () => {
      stripe.failNext(10, 503);

      const error = await sut.createPayment(payment('o-4')).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PaymentProviderUnavailable);
      expect(error).toMatchObject({ kind: 'unavailable', code: 'PAYMENT_PROVIDER_UNAVAILABLE' });
      expect(stripe.requests).toHaveLength(3);
    });

    it('times out a stalled attempt and reports the provider unavailable', async () => {
      const impatient = provider({ timeoutMs: 200, maxNetworkRetries: 0 });
      stripe.delayNext(1, 1000);

      const error = await impatient.createPayment(payment('o-5')).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PaymentProviderUnavailable);
    });

    it('reports a wrong secret key as misconfiguration, without retrying', async () => {
      const wrong = provider({ secretKey: 'sk_test_not_the_right_key' });

      const error = await wrong.createPayment(payment('o-6')).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PaymentProviderMisconfigured);
      expect(error).toMatchObject({ kind: 'internal' });
      expect(stripe.requests.map((r) => r.status)).toEqual([401]);
    });

    it('reports an amount Stripe refuses as rejected with Stripe’s code', async () => {
      const error = await sut.createPayment(payment('o-7', 0)).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PaymentProviderRejected);
      expect(error).toMatchObject({ providerCode: 'amount_too_small', kind: 'failed_precondition' });
    });
  });

  describe('retrievePayment', () => {
    it('maps each Stripe status to the port’s, with amounts and the order id', async () => {
      const { reference } = await sut.createPayment(payment('o-10'));
      const base = { reference, amountFen: 12_345, currency: 'CNY', orderId: 'o-10' };

      await expect(sut.retrievePayment(reference)).resolves.toEqual({
        ...base,
        status: 'requires_action',
        amountReceivedFen: 0,
        failureCode: undefined,
      });
      stripe.fail(reference, 'expired_card');
      await expect(sut.retrievePayment(reference)).resolves.toEqual({
        ...base,
        status: 'failed',
        amountReceivedFen: 0,
        failureCode: 'expired_card',
      });
      stripe.succeed(reference);
      await expect(sut.retrievePayment(reference)).resolves.toEqual({
        ...base,
        status: 'succeeded',
        amountReceivedFen: 12_345,
        failureCode: undefined,
      });
    });

    it('reports a canceled payment, and an unknown one as not found', async () => {
      const { reference } = await sut.createPayment(payment('o-11'));
      await sut.cancelPayment(reference, 'order:o-11:cancel');

      await expect(sut.retrievePayment(reference)).resolves.toMatchObject({ status: 'canceled' });
      const error = await sut.retrievePayment('pi_unknown').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaymentNotFoundAtProvider);
      expect(error).toMatchObject({ code: 'PAYMENT_NOT_FOUND', kind: 'not_found' });
    });
  });

  describe('cancelPayment', () => {
    it('cancels with the key given, and is a no-op when already canceled', async () => {
      const { reference } = await sut.createPayment(payment('o-20'));

      await sut.cancelPayment(reference, 'order:o-20:cancel');
      await sut.cancelPayment(reference, 'order:o-20:cancel');
      await sut.cancelPayment(reference, 'another-key');

      const cancels = stripe.requests.filter((r) => r.path.endsWith('/cancel'));
      expect(cancels.map((r) => [r.idempotencyKey, r.status, r.replayed])).toEqual([
        ['order:o-20:cancel', 200, false],
        ['order:o-20:cancel', 200, true],
        ['another-key', 400, false],
      ]);
      expect(cancels[0]?.params).toEqual({ cancellation_reason: 'abandoned' });
      expect(stripe.paymentIntent(reference)).toMatchObject({ status: 'canceled' });
    });

    it('refuses to cancel a payment that succeeded', async () => {
      const { reference } = await sut.createPayment(payment('o-21'));
      stripe.succeed(reference);

      const error = await sut.cancelPayment(reference, 'order:o-21:cancel').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PaymentAlreadySucceeded);
      expect(error).toMatchObject({ code: 'PAYMENT_ALREADY_SUCCEEDED', kind: 'failed_precondition' });
      expect(stripe.paymentIntent(reference)).toMatchObject({ status: 'succeeded' });
    });
  });

  describe('refund', () => {
    const refundOf = (reference: string, refundId: string, amountFen: number) => ({
      reference,
      amountFen,
      currency: 'CNY',
      refundId,
      orderId: 'o-30',
      reason: '退货 returned goods',
    });

    it('refunds by payment intent, keyed and labelled by our refund id, once per key', async () => {
      const { reference } = await sut.createPayment(payment('o-30'));
      stripe.succeed(reference);

      const first = await sut.refund(refundOf(reference, 'refund-1', 2_000));
      const again = await sut.refund(refundOf(reference, 'refund-1', 2_000));

      expect(first.reference).toMatch(/^re_/);
      expect(first).toEqual({ reference: first.reference, status: 'succeeded' });
      expect(again).toEqual(first);
      const refunds = stripe.requests.filter((r) => r.path === '/v1/refunds');
      expect(refunds.map((r) => [r.idempotencyKey, r.replayed])).toEqual([
        ['refund-1', false],
        ['refund-1', true],
      ]);
      expect(refunds[0]?.params).toEqual({
        payment_intent: reference,
        amount: '2000',
        metadata: { refund_id: 'refund-1', order_id: 'o-30', reason: '退货 returned goods' },
      });
      expect(stripe.refund(first.reference)).toMatchObject({ amount: 2_000, payment_intent: reference });
    });

    it('reports a refund beyond what is left, or of an unpaid payment, as rejected', async () => {
      const { reference } = await sut.createPayment(payment('o-31'));
      const unpaid = await sut.refund(refundOf(reference, 'refund-2', 100)).catch((e: unknown) => e);
      stripe.succeed(reference);
      const tooMuch = await sut.refund(refundOf(reference, 'refund-3', 12_346)).catch((e: unknown) => e);

      expect(unpaid).toBeInstanceOf(PaymentProviderRejected);
      expect(unpaid).toMatchObject({ providerCode: 'charge_not_refundable' });
      expect(tooMuch).toBeInstanceOf(PaymentProviderRejected);
      expect(tooMuch).toMatchObject({ providerCode: 'amount_too_large' });
    });

    it('retries a refund on a dropped connection under the same key and refunds once', async () => {
      const { reference } = await sut.createPayment(payment('o-32'));
      stripe.succeed(reference);
      stripe.injectFaults(1, { reset: true, match: /^POST \/v1\/refunds$/ });

      const result = await sut.refund(refundOf(reference, 'refund-4', 500));

      const refunds = stripe.requests.filter((r) => r.path === '/v1/refunds');
      expect(refunds.map((r) => [r.fault, r.idempotencyKey])).toEqual([
        ['reset', 'refund-4'],
        [undefined, 'refund-4'],
      ]);
      expect(stripe.charge(stripe.paymentIntent(reference)['latest_charge'] as string)).toMatchObject({
        amount_refunded: 500,
      });
      expect(result.status).toBe('succeeded');
    });
  });
});

describe(stripeClientConfig.name, () => {
  it('points the SDK at a local base URL, with the pinned version, a timeout and bounded retries', () => {
    expect(stripeClientConfig({ secretKey: 'sk_test_x', apiBase: 'http://127.0.0.1:12345' })).toMatchObject({
      host: '127.0.0.1',
      port: '12345',
      protocol: 'http',
      apiVersion: STRIPE_API_VERSION,
      timeout: 5000,
      maxNetworkRetries: 2,
    });
    expect(stripeClientConfig({ secretKey: 'sk_test_x' })).not.toHaveProperty('host');
  });

  it.each([
    [{ apiBase: 'ftp://127.0.0.1:1' }, /apiBase/],
    [{ apiBase: 'http://127.0.0.1:1/v1' }, /apiBase/],
    [{ apiBase: 'not a url' }, /apiBase/],
    [{ maxNetworkRetries: 6 }, /maxNetworkRetries/],
    [{ maxNetworkRetries: -1 }, /maxNetworkRetries/],
    [{ timeoutMs: 0 }, /timeoutMs/],
    [{ secretKey: '' }, /secretKey/],
  ])('refuses %p naming the setting', (bad, message) => {
    expect(() => stripeClientConfig({ secretKey: 'sk_test_x', ...bad })).toThrow(message);
  });
});
