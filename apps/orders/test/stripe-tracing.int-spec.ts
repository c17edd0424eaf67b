import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing } from '@yugong/shared/telemetry';
import { FakeStripe } from '@yugong/shared/testing';
import { StripePaymentProvider } from '../src/payments/stripe/stripe-payment.provider';

// Stripe's HTTP calls as spans: the real SDK against the local fake, spans kept in memory.
describe('tracing the calls to Stripe', () => {
  const spans = new InMemorySpanExporter();
  let tracing: Tracing;
  let stripe: FakeStripe;
  let sut: StripePaymentProvider;

  /** Runs `work` inside a span standing for the request that calls Stripe; answers that span's id. */
  const inRequest = (work: () => Promise<unknown>) =>
    trace.getTracer('test').startActiveSpan('request', async (span) => {
      try {
        await work();
      } finally {
        span.end();
      }
      return span.spanContext();
    });
  const childrenOf = (spanId: string): ReadableSpan[] =>
    spans.getFinishedSpans().filter((span) => span.parentSpanContext?.spanId === spanId);

  beforeAll(async () => {
    tracing = startTracing({ service: 'orders', exporter: spans });
    stripe = await FakeStripe.start();
    sut = new StripePaymentProvider({
      secretKey: stripe.secretKey,
      apiBase: stripe.url,
      maxNetworkRetries: 2,
    });
  });

  afterAll(async () => {
    await stripe?.close();
    await tracing?.shutdown();
  });

  beforeEach(() => spans.reset());

  it('records each request as a CLIENT span of the calling trace, named by its path template', async () => {
    let reference = '';
    const parent = await inRequest(async () => {
      reference = (await sut.createPayment(paymentOf('o-1'))).reference;
      await sut.cancelPayment(reference, 'order:o-1:cancel');
    });

    const calls = childrenOf(parent.spanId);
    expect(calls.map((span) => span.name)).toEqual([
      'POST /v1/payment_intents',
      'POST /v1/payment_intents/{id}/cancel',
    ]);
    for (const span of calls) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.spanContext().traceId).toBe(parent.traceId);
      expect(span.attributes).toMatchObject({
        'http.response.status_code': 200,
        'peer.service': 'stripe',
        'server.address': '127.0.0.1',
      });
    }
    // The object's id is in no span name (one name per endpoint, not per payment).
    expect(JSON.stringify(calls.map((span) => span.name))).not.toContain(reference);
  });

  it("makes one span per attempt when the SDK retries, each with Stripe's status", async () => {
    stripe.failNext(2, 500);
    const parent = await inRequest(() => sut.createPayment(paymentOf('o-2')));

    const attempts = childrenOf(parent.spanId);
    expect(attempts.map((span) => span.attributes['http.response.status_code'])).toEqual([500, 500, 200]);
    expect(attempts.map((span) => span.status.code)).toEqual([
      SpanStatusCode.ERROR,
      SpanStatusCode.ERROR,
      SpanStatusCode.UNSET,
    ]);
    expect(stripe.requests.filter((r) => r.idempotencyKey === 'order:o-2:payment')).toHaveLength(3);
  });

  it('records a request that got no answer as an error', async () => {
    stripe.injectFaults(3, { reset: true });
    const parent = await inRequest(() => sut.createPayment(paymentOf('o-3')).catch(() => undefined));

    const attempts = childrenOf(parent.spanId);
    expect(attempts).toHaveLength(3);
    expect(attempts.every((span) => span.status.code === SpanStatusCode.ERROR)).toBe(true);
    expect(attempts.every((span) => span.attributes['http.response.status_code'] === undefined)).toBe(true);
  });
});

function paymentOf(orderId: string) {
  return {
    orderId,
    buyerId: 'buyer-1',
    amountFen: 1_000,
    currency: 'CNY',
    idempotencyKey: `order:${orderId}:payment`,
  };
}
