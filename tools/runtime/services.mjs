// The services `npm start` runs, in start order. To add one: its compiled entry, its own database,
// how the launcher knows it is ready, which services it needs up first, and the env it gets.
// This table is the one place that knows a service's environment: the launcher, the benchmarks
// and the tests that boot services (the gateway's e2e platform, orders' crash test) all take it
// from `serviceEnv()` below, with their own context and overrides.
//
// Contract every service keeps with the launcher:
// - reads its settings from the env below only; migrates its own database and seeds the demo
//   region (idempotently) at boot when SEED_DEMO=true;
// - runs without Redis (REDIS_URL unset): in-process stores that only work on a single machine;
// - with MIGRATE_ONLY=true: applies migrations and exits 0 (non-zero on failure);
// - readiness: gRPC services serve `grpc.health.v1.Health/Check` and answer SERVING for the
//   service '' once ready; HTTP services answer `GET /readyz` with 200;
// - stops cleanly on SIGTERM (the launcher sends SIGKILL after a grace period).

/**
 * @typedef {'catalog' | 'beneficiaries' | 'orders' | 'ledger' | 'licensing' | 'gateway'} ServiceName
 *
 * @typedef {{ privateKey: string, publicKey: string }} ServiceKey  base64 DER: PKCS#8, SPKI
 *
 * @typedef {object} Secrets
 * @property {Record<ServiceName, ServiceKey>} SERVICE_KEYS  each service's own P-256 key pair
 * @property {string} JWT_SECRET                          signs users' tokens (gateway)
 * @property {string} PII_ENCRYPTION_KEYS                 `id:base64key,…` (beneficiaries)
 * @property {string} PII_ACTIVE_KEY_ID
 * @property {string} PII_HASH_KEY
 * @property {string} LABEL_TAG_KEY                       HMAC key of label codes' tags (licensing, gateway)
 *
 * @typedef {object} LaunchContext
 * @property {(service: ServiceName) => string} databaseUrl  URL of the service's own database
 * @property {(service: ServiceName) => string | undefined} [readDatabaseUrl]  its read replica (the ledger's
 *                                                        traces and reports); unset: the primary
 * @property {string | undefined} redisUrl               undefined: in-process stores
 * @property {string} [redisKeyPrefix]                   keys of this run only (tests, benchmarks)
 * @property {Secrets} secrets
 * @property {Record<ServiceName, number>} ports          resolved port of every service
 * @property {string} logLevel
 * @property {string} host                                interface services bind to
 * @property {string} demoPassword
 * @property {string} [adminPassword]                     the demo password when unset
 * @property {string} [webRoot]                           the built web app the gateway serves at /
 *
 * @typedef {object} ServiceSpec
 * @property {ServiceName} name
 * @property {string} entry                               relative to the repository root
 * @property {string} database
 * @property {'grpc' | 'http'} protocol
 * @property {(env: NodeJS.ProcessEnv) => number} port    the port it listens on
 * @property {ServiceName[]} needs                        services that must be ready first
 * @property {(ctx: LaunchContext) => Record<string, string | undefined>} env
 */

import { generateKeyPairSync, randomBytes } from 'node:crypto';

const portFrom = (value, fallback) => {
  const port = Number.parseInt(value ?? '', 10);
  return Number.isInteger(port) && port > 0 && port < 65_536 ? port : fallback;
};

/**
 * @param {LaunchContext} ctx
 * @param {ServiceName} service
 */
const common = (ctx, service) => ({
  DATABASE_URL: ctx.databaseUrl(service),
  REDIS_URL: ctx.redisUrl,
  REDIS_KEY_PREFIX: ctx.redisKeyPrefix,
  SERVICE_KEY: ctx.secrets.SERVICE_KEYS[service].privateKey,
  SERVICE_PUBLIC_KEYS: publicKeyList(ctx.secrets.SERVICE_KEYS),
  SEED_DEMO: 'true',
  LOG_LEVEL: ctx.logLevel,
});

/**
 * `SERVICE_PUBLIC_KEYS`: `name:base64,…` for every service of `keys`.
 *
 * @param {Record<string, ServiceKey>} keys
 */
export function publicKeyList(keys) {
  return Object.entries(keys)
    .map(([name, key]) => `${name}:${key.publicKey}`)
    .join(',');
}

/**
 * A new P-256 key pair for a service, as its environment carries it.
 *
 * @returns {ServiceKey}
 */
export function newServiceKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

/**
 * A new key pair for every service of the table, or only those `keep` lacks.
 *
 * @param {Partial<Record<ServiceName, ServiceKey>>} [keep]
 * @returns {Record<ServiceName, ServiceKey>}
 */
export function newServiceKeys(keep = {}) {
  return /** @type {Record<ServiceName, ServiceKey>} */ (
    Object.fromEntries(SERVICES.map(({ name }) => [name, keep[name] ?? newServiceKey()]))
  );
}

/**
 * A fresh set of every secret in the shape `npm start` keeps in .data/secrets.json, for a run
 * that keeps nothing (a benchmark, the browser tests).
 *
 * @returns {Secrets}
 */
export function randomSecrets() {
  return {
    SERVICE_KEYS: newServiceKeys(),
    JWT_SECRET: randomBytes(36).toString('base64url'),
    PII_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    PII_ACTIVE_KEY_ID: 'k1',
    PII_HASH_KEY: randomBytes(48).toString('base64url'),
    LABEL_TAG_KEY: randomBytes(48).toString('base64url'),
  };
}

/** @type {ServiceSpec[]} */
export const SERVICES = [
  {
    name: 'catalog',
    entry: 'dist/apps/catalog/src/main.js',
    database: 'yugong_catalog',
    protocol: 'grpc',
    port: (env) => portFrom(env.CATALOG_GRPC_PORT, 50051),
    needs: [],
    env: (ctx) => ({
      ...common(ctx, 'catalog'),
      GRPC_HOST: ctx.host,
      GRPC_PORT: String(ctx.ports.catalog),
      // Loopback only (npm start, tests): for grpcurl. Compose and k8s leave it off.
      GRPC_REFLECTION: 'true',
      BENEFICIARIES_GRPC_URL: `127.0.0.1:${ctx.ports.beneficiaries}`,
    }),
  },
  {
    name: 'beneficiaries',
    entry: 'dist/apps/beneficiaries/src/main.js',
    database: 'yugong_beneficiaries',
    protocol: 'grpc',
    port: (env) => portFrom(env.BENEFICIARIES_GRPC_PORT, 50052),
    needs: [],
    env: (ctx) => ({
      ...common(ctx, 'beneficiaries'),
      GRPC_HOST: ctx.host,
      GRPC_PORT: String(ctx.ports.beneficiaries),
      // Loopback only (npm start, tests): for grpcurl. Compose and k8s leave it off.
      GRPC_REFLECTION: 'true',
      PII_ENCRYPTION_KEYS: ctx.secrets.PII_ENCRYPTION_KEYS,
      PII_ACTIVE_KEY_ID: ctx.secrets.PII_ACTIVE_KEY_ID,
      PII_HASH_KEY: ctx.secrets.PII_HASH_KEY,
      // Monitoring reads relief income from the ledger (where a ledger runs).
      LEDGER_GRPC_URL: ctx.ports.ledger ? `127.0.0.1:${ctx.ports.ledger}` : undefined,
      // The demo's sales are all of 2020: monitoring compares its two halves, as of its end.
      MONITORING_AS_OF: '2021-01-01T00:00:00+08:00',
      MONITORING_WINDOW_MONTHS: '6',
      // Cases open by themselves shortly after the ledger has posted the demo's sales.
      MONITORING_REFRESH_INTERVAL_MS: ctx.ports.ledger ? '60000' : undefined,
    }),
  },
  {
    name: 'orders',
    entry: 'dist/apps/orders/src/main.js',
    database: 'yugong_orders',
    protocol: 'grpc',
    port: (env) => portFrom(env.ORDERS_GRPC_PORT, 50053),
    needs: [],
    env: (ctx) => ({
      ...common(ctx, 'orders'),
      GRPC_HOST: ctx.host,
      GRPC_PORT: String(ctx.ports.orders),
      // Loopback only (npm start, tests): for grpcurl. Compose and k8s leave it off.
      GRPC_REFLECTION: 'true',
      CATALOG_GRPC_URL: `127.0.0.1:${ctx.ports.catalog}`,
      // The outbox relay delivers every order event to the ledger (where a ledger runs).
      ORDER_EVENT_CONSUMERS: ctx.ports.ledger ? `ledger=127.0.0.1:${ctx.ports.ledger}` : undefined,
      // Checkout snapshots the LOGO licence terms (where licensing runs; without it, none).
      LICENSING_GRPC_URL: ctx.ports.licensing ? `127.0.0.1:${ctx.ports.licensing}` : undefined,
    }),
  },
  {
    name: 'ledger',
    entry: 'dist/apps/ledger/src/main.js',
    database: 'yugong_ledger',
    protocol: 'grpc',
    port: (env) => portFrom(env.LEDGER_GRPC_PORT, 50054),
    // Catches up with orders' outbox by itself once orders answers: it needs nothing up first.
    needs: [],
    env: (ctx) => ({
      ...common(ctx, 'ledger'),
      LEDGER_READ_DATABASE_URL: ctx.readDatabaseUrl?.('ledger'),
      GRPC_HOST: ctx.host,
      GRPC_PORT: String(ctx.ports.ledger),
      // Loopback only (npm start, tests): for grpcurl. Compose and k8s leave it off.
      GRPC_REFLECTION: 'true',
      ORDERS_GRPC_URL: `127.0.0.1:${ctx.ports.orders}`,
      CATALOG_GRPC_URL: `127.0.0.1:${ctx.ports.catalog}`,
      BENEFICIARIES_GRPC_URL: `127.0.0.1:${ctx.ports.beneficiaries}`,
    }),
  },
  {
    name: 'licensing',
    entry: 'dist/apps/licensing/src/main.js',
    database: 'yugong_licensing',
    protocol: 'grpc',
    port: (env) => portFrom(env.LICENSING_GRPC_PORT, 50055),
    // Tells catalog what each licence covers, retrying by itself: it needs nothing up first.
    needs: [],
    env: (ctx) => ({
      ...common(ctx, 'licensing'),
      GRPC_HOST: ctx.host,
      GRPC_PORT: String(ctx.ports.licensing),
      // Loopback only (npm start, tests): for grpcurl. Compose and k8s leave it off.
      GRPC_REFLECTION: 'true',
      CATALOG_GRPC_URL: `127.0.0.1:${ctx.ports.catalog}`,
      // Declared commitments are posted there, retried by the posting job when it is not up.
      LEDGER_GRPC_URL: ctx.ports.ledger ? `127.0.0.1:${ctx.ports.ledger}` : undefined,
      LABEL_TAG_KEY: ctx.secrets.LABEL_TAG_KEY,
      // Printed labels point at the web app the gateway serves.
      PUBLIC_WEB_URL: `http://127.0.0.1:${ctx.ports.gateway}`,
    }),
  },
  {
    name: 'gateway',
    entry: 'dist/apps/gateway/src/main.js',
    database: 'yugong_gateway',
    protocol: 'http',
    port: (env) => portFrom(env.PORT, 3000),
    // Boots alongside catalog: its /readyz waits for catalog's health, so "ready" still means both.
    needs: [],
    env: (ctx) => ({
      ...common(ctx, 'gateway'),
      HOST: ctx.host,
      PORT: String(ctx.ports.gateway),
      CATALOG_GRPC_URL: `127.0.0.1:${ctx.ports.catalog}`,
      BENEFICIARIES_GRPC_URL: `127.0.0.1:${ctx.ports.beneficiaries}`,
      ORDERS_GRPC_URL: `127.0.0.1:${ctx.ports.orders}`,
      LEDGER_GRPC_URL: ctx.ports.ledger ? `127.0.0.1:${ctx.ports.ledger}` : undefined,
      LICENSING_GRPC_URL: ctx.ports.licensing ? `127.0.0.1:${ctx.ports.licensing}` : undefined,
      // Licensing's key of label tags: forged codes are refused, repeat scans answered, here.
      LABEL_TAG_KEY: ctx.secrets.LABEL_TAG_KEY,
      JWT_SECRET: ctx.secrets.JWT_SECRET,
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: ctx.adminPassword || ctx.demoPassword,
      DEMO_PASSWORD: ctx.demoPassword,
      WEB_ROOT: ctx.webRoot,
    }),
  },
];

/**
 * The environment service `name` gets in `ctx`: the table's, then `overrides` (what one test or
 * benchmark sets on top, e.g. `HOLD_TTL_MS` or the Stripe settings; `undefined` removes a
 * variable). Variables left undefined are not in the result.
 *
 * @param {ServiceName} name
 * @param {LaunchContext} ctx
 * @param {Record<string, string | undefined>} [overrides]
 * @returns {Record<string, string>}
 */
export function serviceEnv(name, ctx, overrides = {}) {
  const spec = SERVICES.find((s) => s.name === name);
  if (!spec) {
    throw new Error(`no service named ${name} in tools/runtime/services.mjs`);
  }
  /** @type {Record<string, string>} */
  const env = {};
  for (const [key, value] of Object.entries({ ...spec.env(ctx), ...overrides })) {
    if (value !== undefined) {
      env[key] = value;
    }
  }
  return env;
}

/** The service that serves HTTP to users (its URL is the one printed). */
export const PUBLIC_SERVICE = 'gateway';

/** Demo accounts the services seed; all share the demo password. */
export const DEMO_ACCOUNTS = [
  ['admin@example.com', 'admin'],
  ['officer@example.com', 'relief officer (扶贫办)'],
  ['officer2@example.com', 'second relief officer (approves distribution runs)'],
  ['auditor@example.com', 'auditor (read-only)'],
  ['consumer@example.com', 'consumer'],
  ['institution@example.com', 'institutional buyer (预算单位)'],
  ['yangguang@example.com', 'staff of 阳光兔业 (Yangguang Rabbit)'],
  ['ruixing@example.com', 'staff of 瑞星牧业 (Ruixing Livestock)'],
  ['fengzhiyuan@example.com', 'staff of 丰之源 (Fengzhiyuan)'],
];
