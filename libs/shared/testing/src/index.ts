/**
 * Helpers for tests that run against real PostgreSQL and Redis (provided by `npm test` through
 * `DATABASE_URL` and `REDIS_URL`): a fresh database per test file, Redis-or-skip suites with
 * per-file key prefixes, free ports; typed gRPC clients of the services and readers of their errors;
 * a fake Stripe.
 */
export { createTestDatabase, testDatabaseName, testServerUrl, type TestDatabase } from './test-database';
export { describeWithRedis, flushRedisPrefix, testRedisUrl, uniqueRedisPrefix } from './redis';
export { freePort } from './free-port';
export {
  FakeStripe,
  decodeStripeForm,
  type FakeStripeEvent,
  type FakeStripeEventType,
  type FakeStripeFault,
  type FakeStripeOptions,
  type FakeStripeRequest,
  type SignedWebhook,
} from './fake-stripe';
export { shuffled, until } from './waiting';
export {
  GRPC_SERVICES,
  TEST_PUBLIC_KEYS,
  TEST_SERVICE_KEYS,
  grpcTestClient,
  signTestAssertion,
  testIdentitySettings,
  testServiceSettings,
  type TestAssertionClaims,
  type TestPrincipal,
  type TestServiceKey,
  type TestServiceName,
  type GrpcService,
  type GrpcTestClient,
  type GrpcTestClientSettings,
  type Received,
  type Sent,
  type TestCallOptions,
  type TestCaller,
} from './grpc-client';
export {
  errorDetails,
  errorFieldNames,
  expectRejection,
  type ErrorDetails,
  type ErrorField,
} from './grpc-errors';
