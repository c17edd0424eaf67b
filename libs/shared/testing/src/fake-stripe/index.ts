/**
 * A stand-in for Stripe's HTTP API: {@link FakeStripe} (server) answers with payment intents and
 * refunds (their own files) rendered as Stripe's JSON objects (rendering), from parameters
 * decoded and checked the way Stripe does (parameters).
 */
export { FakeStripe } from './server';
export type { FakeStripeFault } from './faults';
export type { FakeStripeOptions, FakeStripeRequest, SignedWebhook } from './types';
export { decodeStripeForm } from './parameters';
export type { FakeStripeEvent, FakeStripeEventType } from './rendering';
