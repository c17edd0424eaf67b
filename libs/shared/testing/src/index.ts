/**
 * Helpers for tests that run against real PostgreSQL and Redis (provided by `npm test` through
 * `DATABASE_URL` and `REDIS_URL`): a fresh database per test file, Redis-or-skip suites with
 * per-file key prefixes, free ports.
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
