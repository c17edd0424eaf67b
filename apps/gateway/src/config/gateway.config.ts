import { env, loadConfig, serviceIdentityEnv } from '@yugong/shared/config';
import { telemetryEnv } from '@yugong/shared/telemetry';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Everything the gateway reads from its environment, validated at boot. */
export const gatewayConfigSchema = z.object({
  PORT: env.port(3000),
  HOST: env.string('0.0.0.0'),
  /** The gateway's own database (users and sessions). */
  DATABASE_URL: env.url({ protocols: ['postgres', 'postgresql'] }),
  REDIS_URL: env.optional(env.url({ protocols: ['redis', 'rediss'] })),
  /** Prefixes every Redis key and channel, so that several deployments (or test runs) share one Redis. */
  REDIS_KEY_PREFIX: env.string('yugong:'),
  /** `host:port`, or `dns:///name:port` to balance over a headless Service. */
  CATALOG_GRPC_URL: env.string('127.0.0.1:50051'),
  /** The beneficiary register, like CATALOG_GRPC_URL. */
  BENEFICIARIES_GRPC_URL: env.string('127.0.0.1:50052'),
  /** Carts, checkout and orders, like CATALOG_GRPC_URL. */
  ORDERS_GRPC_URL: env.string('127.0.0.1:50053'),
  /** The ledger (traces, reports, the public summary), like CATALOG_GRPC_URL. */
  LEDGER_GRPC_URL: env.string('127.0.0.1:50054'),
  /** Licensing (LOGO licences and their review), like CATALOG_GRPC_URL. */
  LICENSING_GRPC_URL: env.string('127.0.0.1:50055'),
  /**
   * Licensing's key of label tags, so that the gateway refuses forged codes and answers repeat
   * scans itself. Unset: every scan is asked of licensing.
   */
  LABEL_TAG_KEY: env.optional(env.secret(32)),
  /** How often the scans the gateway answered are sent to licensing. */
  LABEL_SCAN_FLUSH_MS: env.int(200, { min: 10, max: 60_000 }),
  /**
   * The signing secret (`whsec_…`) of the Stripe webhook endpoint. Unset: the deployment takes no
   * card payments and POST /api/v1/payments/stripe/webhook does not exist (404); Stripe retries
   * refused deliveries for days, so an event sent while it was missing is not lost once it is set.
   */
  STRIPE_WEBHOOK_SECRET: env.optional(env.secret(16)),
  /**
   * Inserts into the Stripe inbox in flight at once from the webhook route; deliveries that arrive
   * meanwhile wait and go together in the next insert (one statement and one commit for many).
   */
  STRIPE_INBOX_WRITES: env.int(4, { min: 1, max: 100 }),
  /** Most deliveries written by one insert of the webhook route. */
  STRIPE_INBOX_WRITE_BATCH: env.int(64, { min: 1, max: 1_000 }),
  /** How often the Stripe inbox applier looks for deliveries to apply. */
  STRIPE_INBOX_INTERVAL_MS: env.int(250, { min: 10, max: 60_000 }),
  /** Deliveries the applier claims per transaction. */
  STRIPE_INBOX_BATCH: env.int(64, { min: 1, max: 1_000 }),
  /** Of a batch, how many events go to orders in one ApplyPaymentEvents call. */
  STRIPE_INBOX_EVENTS_PER_CALL: env.int(32, { min: 1, max: 1_000 }),
  /**
   * Of a batch, how many ApplyPaymentEvents calls are in flight at once. Low, so that a burst of
   * deliveries is acknowledged first and applied at a steady pace behind it.
   */
  STRIPE_INBOX_CONCURRENCY: env.int(2, { min: 1, max: 100 }),
  /** First wait after a failed apply; doubles per attempt up to STRIPE_INBOX_MAX_BACKOFF_MS. */
  STRIPE_INBOX_BACKOFF_MS: env.int(1_000, { min: 1, max: 3_600_000 }),
  STRIPE_INBOX_MAX_BACKOFF_MS: env.int(600_000, { min: 1, max: 86_400_000 }),
  /** Failed attempts after which a delivery is parked (logged, counted, left for a person). */
  STRIPE_INBOX_MAX_ATTEMPTS: env.int(20, { min: 1, max: 1_000 }),
  /**
   * Stripe's publishable key (`pk_…`; public by design): the web app offers card payment with
   * Stripe's Payment Element, and the content security policy lets Stripe.js load. Unset: bank
   * transfer only. Set it together with the orders service's STRIPE_SECRET_KEY.
   */
  STRIPE_PUBLISHABLE_KEY: env.optional(
    z.string().regex(/^pk_(test|live)_[A-Za-z0-9]+$/, { error: 'must be a Stripe publishable key (pk_…)' }),
  ),
  ...serviceIdentityEnv,
  ...telemetryEnv,
  JWT_SECRET: env.secret(32),
  /** Lifetime of an access token: short, since a refresh token gets the next one. */
  JWT_TTL_SECONDS: env.int(900, { min: 60, max: 30 * 86_400 }),
  /** Lifetime of a refresh token; each use replaces it with a new one of the same lifetime. */
  REFRESH_TTL_SECONDS: env.int(30 * 86_400, { min: 60, max: 365 * 86_400 }),
  /**
   * How long a gateway process may go on trusting what it last read of a signed-in user (role,
   * producers, disabled): the longest a disabled or demoted user keeps their old access.
   */
  SESSION_RECHECK_SECONDS: env.int(30, { min: 0, max: 60 }),
  /** Failed sign-ins one email may have in SIGN_IN_FAILURE_WINDOW_SECONDS before it is slowed. */
  SIGN_IN_FAILURES_BEFORE_BACKOFF: env.int(5, { min: 1, max: 1_000 }),
  SIGN_IN_FAILURE_WINDOW_SECONDS: env.int(900, { min: 1, max: 86_400 }),
  /** The first back-off once an email is slowed; it doubles with every further failure. */
  SIGN_IN_BACKOFF_SECONDS: env.int(30, { min: 1, max: 86_400 }),
  SIGN_IN_BACKOFF_MAX_SECONDS: env.int(900, { min: 1, max: 86_400 }),
  ADMIN_EMAIL: env.optional(z.email({ error: 'must be an email address' })),
  ADMIN_PASSWORD: env.optional(env.secret(10)),
  /** Seeds the demo accounts, all with DEMO_PASSWORD (then required: no password is built in). */
  SEED_DEMO: env.bool(false),
  DEMO_PASSWORD: env.optional(env.string()),
  MIGRATE_ONLY: env.bool(false),
  /**
   * The built web app (`dist/apps/web`), served at `/` with every page path falling back to its
   * index.html. Unset, or a folder without index.html: the gateway serves the API only.
   */
  WEB_ROOT: env.optional(env.string()),
  LOG_LEVEL: env.enum(LOG_LEVELS, 'info'),
  /** Connections of the gateway's pool (users and sessions). */
  DB_POOL_MAX: env.int(10, { min: 1, max: 100 }),
  DB_POOL_IDLE_MS: env.int(30_000, { min: 100, max: 3_600_000 }),
  BODY_LIMIT_BYTES: env.int(64 * 1_024, { min: 1_024, max: 10 * 1_024 * 1_024 }),
  /** The largest register file POST /households/import takes (20 MiB: about 190,000 rows). */
  IMPORT_MAX_FILE_BYTES: env.int(20 * 1_048_576, { min: 1_024, max: 512 * 1_048_576 }),
  RATE_LIMIT_PER_MINUTE: env.int(600, { min: 1 }),
  AUTH_RATE_LIMIT_PER_MINUTE: env.int(20, { min: 1 }),
  /**
   * How long one readiness answer serves every caller of GET /readyz, counted from when its check
   * finished: probes and balancers may poll at will without loading the dependencies.
   */
  READINESS_CACHE_MS: env.int(1_000, { min: 0, max: 60_000 }),
  GRPC_DEADLINE_MS: env.int(3_000, { min: 50, max: 60_000 }),
  GRPC_RETRIES: env.int(2, { min: 0, max: 5 }),
  TRUST_PROXY: env.bool(false),
  /**
   * When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>` (else 401). With neither
   * this nor METRICS_PORT, metrics are open on PORT (as under `npm start`, bound to loopback).
   */
  METRICS_TOKEN: env.optional(env.secret(16)),
  /** When set, GET /metrics is served only on this port (bound to HOST), not on PORT. */
  METRICS_PORT: env.optional(env.port()),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

const withDemoPassword = gatewayConfigSchema.superRefine((config, ctx) => {
  if (config.SEED_DEMO && !config.DEMO_PASSWORD) {
    ctx.addIssue({ code: 'custom', path: ['DEMO_PASSWORD'], message: 'is required when SEED_DEMO=true' });
  }
});

/**
 * Reads and validates the environment; throws naming every bad variable, and every secret with a
 * published default value unless HOST is loopback.
 */
export function gatewayConfig(source?: NodeJS.ProcessEnv): GatewayConfig {
  return loadConfig(withDemoPassword, source, {
    host: 'HOST',
    secrets: [
      'DATABASE_URL',
      'REDIS_URL',
      'SERVICE_KEY',
      'JWT_SECRET',
      'ADMIN_PASSWORD',
      'DEMO_PASSWORD',
      'STRIPE_WEBHOOK_SECRET',
      'LABEL_TAG_KEY',
    ],
  });
}

/** DI token of the validated config. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
