import { traceHttpRequest } from '@yugong/shared/telemetry';
import Stripe from 'stripe';

/** The SDK's HTTP client contract (its type is not exported by name from the CommonJS entry). */
type HttpClient = NonNullable<Stripe.StripeConfig['httpClient']>;

/**
 * Stripe's own Node HTTP client, with a CLIENT span per request it sends when tracing (each SDK
 * retry its own span, with its status), under the span of the call that made it: a checkout's
 * trace shows its `POST /v1/payment_intents`. No trace context goes to Stripe.
 */
export class TracedStripeHttpClient implements HttpClient {
  constructor(private readonly inner: HttpClient = Stripe.createNodeHttpClient()) {}

  getClientName(): string {
    return this.inner.getClientName();
  }

  makeRequest(...args: Parameters<HttpClient['makeRequest']>) {
    const [host, port, path, method] = args;
    return traceHttpRequest(
      { peer: 'stripe', method, host, port: Number(port), path },
      () => this.inner.makeRequest(...args),
      (response) => response.getStatusCode(),
    );
  }
}
