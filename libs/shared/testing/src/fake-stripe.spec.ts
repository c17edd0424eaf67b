import Stripe from 'stripe';

import { decodeStripeForm, FakeStripe } from './fake-stripe';

describe(decodeStripeForm.name, () => {
  it('nests bracketed keys and turns indexed ones into arrays, leaves stay strings', () => {
    const sut = decodeStripeForm(
      'amount=1500&metadata[order_id]=o%201&automatic_payment_methods[enabled]=true&expand[0]=latest_charge&expand[1]=customer',
    );

    expect(sut).toEqual({
      amount: '1500',
      metadata: { order_id: 'o 1' },
      automatic_payment_methods: { enabled: 'true' },
      expand: ['latest_charge', 'customer'],
    });
  });
});

describe(FakeStripe.name, () => {
  let sut: FakeStripe;
  let stripe: Stripe;

  beforeEach(async () => {
    sut = await FakeStripe.start();
    stripe = new Stripe(sut.secretKey, { ...sut.clientConfig, maxNetworkRetries: 0, timeout: 5000 });
  });

  afterEach(async () => {
    await sut.close();
  });

  async function createIntent(key = `k-${Math.random()}`, amount = 1500): Promise<Stripe.PaymentIntent> {
    return stripe.paymentIntents.create(
      {
        amount,
        currency: 'cny',
        metadata: { order_id: 'order-1' },
        automatic_payment_methods: { enabled: true },
      },
      { idempotencyKey: key },
    );
  }

  it('creates and retrieves a PaymentIntent in Stripe’s shape, recording the form parameters', async () => {
    const created = await createIntent('order:1:payment');
    const fetched = await stripe.paymentIntents.retrieve(created.id);

    expect(created).toMatchObject({
      object: 'payment_intent',
      amount: 1500,
      amount_received: 0,
      currency: 'cny',
      status: 'requires_payment_method',
      metadata: { order_id: 'order-1' },
      automatic_payment_methods: { enabled: true },
      latest_charge: null,
    });
    expect(created.id).toMatch(/^pi_/);
    expect(created.client_secret).toMatch(new RegExp(`^${created.id}_secret_`));
    expect(fetched).toEqual(created);
    const [post, get] = sut.requests;
    expect(post).toMatchObject({
      method: 'POST',
      path: '/v1/payment_intents',
      idempotencyKey: 'order:1:payment',
      stripeVersion: Stripe.API_VERSION,
      status: 200,
      replayed: false,
      params: {
        amount: '1500',
        currency: 'cny',
        metadata: { order_id: 'order-1' },
        automatic_payment_methods: { enabled: 'true' },
      },
    });
    expect(get).toMatchObject({ method: 'GET', path: `/v1/payment_intents/${created.id}`, status: 200 });
  });

  it('replays the same key with the same parameters and refuses it with others', async () => {
    const first = await createIntent('same-key');
    const again = await createIntent('same-key');

    expect(again).toEqual(first);
    expect(sut.requests.map((r) => r.replayed)).toEqual([false, true]);
    const error = await createIntent('same-key', 999).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error).toMatchObject({ statusCode: 400, type: 'StripeIdempotencyError' });
    expect((error as Error).message).toMatch(/same parameters/);
  });

  it('answers Stripe’s error shapes and statuses', async () => {
    const missing = await stripe.paymentIntents.retrieve('pi_nope').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'intent' });

    const unknownParam = await stripe.paymentIntents
      .create({ amount: 100, currency: 'cny', confirm: true })
      .catch((e: unknown) => e);
    expect(unknownParam).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'confirm' });

    const noAmount = await stripe.paymentIntents
      .create({ currency: 'cny' } as Stripe.PaymentIntentCreateParams)
      .catch((e: unknown) => e);
    expect(noAmount).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'amount' });

    const wrongKey = new Stripe('sk_test_wrong_key_0000', { ...sut.clientConfig, maxNetworkRetries: 0 });
    const unauthenticated = await wrongKey.paymentIntents.retrieve('pi_x').catch((e: unknown) => e);
    expect(unauthenticated).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(unauthenticated).toMatchObject({ statusCode: 401 });
  });

  it('does not store a request that failed validation: the key may be used again', async () => {
    await stripe.paymentIntents
      .create({ currency: 'cny' } as Stripe.PaymentIntentCreateParams, { idempotencyKey: 'retry-me' })
      .catch(() => undefined);

    await expect(createIntent('retry-me')).resolves.toMatchObject({ status: 'requires_payment_method' });
  });

  it('moves a payment to succeeded like Stripe and emits the event', async () => {
    const pi = await createIntent();

    const event = sut.succeed(pi.id);

    const after = await stripe.paymentIntents.retrieve(pi.id);
    expect(after).toMatchObject({ status: 'succeeded', amount_received: 1500, last_payment_error: null });
    expect(after.latest_charge).toMatch(/^ch_/);
    expect(event).toMatchObject({ object: 'event', type: 'payment_intent.succeeded' });
    expect(event.data.object).toEqual(after);
    expect(sut.events).toEqual([event]);
  });

  it('records a failed attempt with its code, and the customer may pay after', async () => {
    const pi = await createIntent();

    const event = sut.fail(pi.id, 'insufficient_funds');

    expect(event.type).toBe('payment_intent.payment_failed');
    expect(event.data.object).toMatchObject({
      status: 'requires_payment_method',
      amount_received: 0,
      last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds' },
    });
    sut.succeed(pi.id);
    expect(sut.paymentIntent(pi.id)).toMatchObject({ status: 'succeeded', last_payment_error: null });
  });

  it('confirms with Stripe’s test payment methods: a decline is a 402 card error', async () => {
    const declined = await createIntent();
    const paid = await createIntent();

    const error = await stripe.paymentIntents
      .confirm(declined.id, { payment_method: 'pm_card_chargeDeclined' })
      .catch((e: unknown) => e);
    const ok = await stripe.paymentIntents.confirm(paid.id, { payment_method: 'pm_card_visa' });

    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline' });
    expect(ok).toMatchObject({ status: 'succeeded', amount_received: 1500 });
  });

  it('cancels a payment, and refuses to cancel a canceled or succeeded one', async () => {
    const pi = await createIntent();
    const paid = await createIntent();
    sut.succeed(paid.id);

    const canceled = await stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'abandoned' });
    const twice = await stripe.paymentIntents.cancel(pi.id).catch((e: unknown) => e);
    const succeeded = await stripe.paymentIntents.cancel(paid.id).catch((e: unknown) => e);

    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
    expect(twice).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
    expect(succeeded).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
    expect((succeeded as Stripe.errors.StripeError).payment_intent?.status).toBe('succeeded');
    expect(sut.events.map((e) => e.type)).toEqual(['payment_intent.succeeded', 'payment_intent.canceled']);
  });

  it('refunds in parts up to the amount received, replays by key, and reports charge.refunded with the refunds', async () => {
    const pi = await createIntent();
    sut.succeed(pi.id);

    const first = await stripe.refunds.create(
      { payment_intent: pi.id, amount: 500, metadata: { refund_id: 'r1' } },
      { idempotencyKey: 'r1' },
    );
    const replay = await stripe.refunds.create(
      { payment_intent: pi.id, amount: 500, metadata: { refund_id: 'r1' } },
      { idempotencyKey: 'r1' },
    );
    const tooMuch = await stripe.refunds
      .create({ payment_intent: pi.id, amount: 1001 }, { idempotencyKey: 'r2' })
      .catch((e: unknown) => e);
    const rest = await stripe.refunds.create({ payment_intent: pi.id }, { idempotencyKey: 'r3' });
    const again = await stripe.refunds
      .create({ payment_intent: pi.id }, { idempotencyKey: 'r4' })
      .catch((e: unknown) => e);

    expect(first).toMatchObject({
      object: 'refund',
      amount: 500,
      status: 'succeeded',
      payment_intent: pi.id,
    });
    expect(first.id).toMatch(/^re_/);
    expect(replay).toEqual(first);
    expect(tooMuch).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount' });
    expect(rest.amount).toBe(1000);
    expect(again).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });
    await expect(stripe.refunds.retrieve(first.id)).resolves.toEqual(first);
    const refunded = sut.events.filter((e) => e.type === 'charge.refunded');
    expect(refunded).toHaveLength(2);
    expect(refunded[1]?.data.object).toMatchObject({
      object: 'charge',
      payment_intent: pi.id,
      amount_refunded: 1500,
      refunded: true,
      metadata: { order_id: 'order-1' },
      refunds: {
        data: [
          { id: rest.id, amount: 1000 },
          { id: first.id, amount: 500 },
        ],
      },
    });
  });

  it('refuses to refund a payment that has not succeeded', async () => {
    const pi = await createIntent();

    const error = await stripe.refunds.create({ payment_intent: pi.id }).catch((e: unknown) => e);

    expect(error).toMatchObject({ statusCode: 400, code: 'charge_not_refundable' });
  });

  it('signs webhooks that the SDK verifies, and the signature breaks with a changed byte', async () => {
    const pi = await createIntent();
    const event = sut.succeed(pi.id);

    const { body, signature } = sut.signWebhook(event);

    const verified = stripe.webhooks.constructEvent(body, signature, sut.webhookSecret, 300);
    expect(verified).toEqual(event);
    const tampered = Buffer.from(body);
    tampered[tampered.indexOf('1500')] = '2'.charCodeAt(0);
    expect(() => stripe.webhooks.constructEvent(tampered, signature, sut.webhookSecret, 300)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
  });

  it('builds an event from the current state on demand', async () => {
    const pi = await createIntent();
    await stripe.paymentIntents.cancel(pi.id);

    const event = sut.buildEvent('payment_intent.canceled', pi.id, 1_700_000_000);

    expect(event).toMatchObject({ type: 'payment_intent.canceled', created: 1_700_000_000 });
    expect(event.data.object).toMatchObject({ id: pi.id, status: 'canceled' });
    expect(event.id).not.toBe(sut.events[0]?.id);
  });

  it('fails the next requests with 500 so that the SDK retries them, with the same key', async () => {
    const retrying = new Stripe(sut.secretKey, { ...sut.clientConfig, maxNetworkRetries: 2 });
    sut.failNext(2, 500);

    const pi = await retrying.paymentIntents.create(
      { amount: 100, currency: 'cny' },
      { idempotencyKey: 'with-retries' },
    );

    expect(pi.status).toBe('requires_payment_method');
    expect(sut.requests.map((r) => [r.status, r.fault, r.idempotencyKey])).toEqual([
      [500, 'status', 'with-retries'],
      [500, 'status', 'with-retries'],
      [200, undefined, 'with-retries'],
    ]);
  });

  it('delays, resets, and only counts requests matching a pattern', async () => {
    const pi = await createIntent();
    sut.clearRequests();
    sut.delayNext(1, 300, /^GET /);
    // The SDK retries a closed connection once even with retries off.
    sut.injectFaults(2, { reset: true, match: /cancel$/ });

    const started = Date.now();
    await stripe.paymentIntents.retrieve(pi.id);
    const waited = Date.now() - started;
    const reset = await stripe.paymentIntents.cancel(pi.id).catch((e: unknown) => e);

    expect(waited).toBeGreaterThanOrEqual(290);
    expect(reset).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(sut.requests.map((r) => r.fault)).toEqual(['delay', 'reset', 'reset']);
    expect(sut.paymentIntent(pi.id)).toMatchObject({ status: 'requires_payment_method' });
  });

  it('answers 409 to a request whose key is still in flight', async () => {
    sut.delayNext(1, 300);

    const [slow, fast] = await Promise.allSettled([
      createIntent('busy-key'),
      new Promise((resolve) => setTimeout(resolve, 50)).then(() => createIntent('busy-key')),
    ]);

    expect(slow.status).toBe('fulfilled');
    expect(fast).toMatchObject({ status: 'rejected', reason: { statusCode: 409 } });
  });

  it('lists balance transactions newest first in pages, with charges, refunds, failed refunds and fees', async () => {
    const pi = await createIntent('bt-1', 5000);
    sut.succeed(pi.id);
    sut.settleBalanceTransaction(pi.id, 173);
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 1200 });
    const other = await stripe.refunds.create({ payment_intent: pi.id, amount: 300 });
    sut.setRefundStatus(other.id, 'failed');
    sut.addBalanceTransaction({ type: 'stripe_fee', amount: -500, description: 'Billing' });

    const seen: Stripe.BalanceTransaction[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await stripe.balanceTransactions.list({
        created: { gte: 0, lt: 4_000_000_000 },
        limit: 2,
        expand: ['data.source'],
        ...(after ? { starting_after: after } : {}),
      });
      seen.push(...page.data);
      if (!page.has_more) {
        break;
      }
      after = page.data.at(-1)!.id;
    }

    expect(seen.map((t) => [t.type, t.amount, t.fee])).toEqual([
      ['stripe_fee', -500, 0],
      ['refund_failure', 300, 0],
      ['refund', -300, 0],
      ['refund', -1200, 0],
      ['charge', 5000, 173],
    ]);
    expect((seen[3]!.source as Stripe.Refund).id).toBe(refund.id);
    expect((seen[4]!.source as Stripe.Charge).payment_intent).toBe(pi.id);
    const none = await stripe.balanceTransactions.list({ created: { lt: 1 } });
    expect(none.data).toEqual([]);
  });
});
