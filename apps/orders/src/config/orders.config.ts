import { SERVICE_NAMES } from '@yugong/shared/auth';
import { env, loadConfig, serviceIdentityEnv } from '@yugong/shared/config';
import { grpcServerEnv } from '@yugong/shared/grpc';
import { grpcMetricsEnv, telemetryEnv } from '@yugong/shared/telemetry';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Everything orders reads from its environment, validated at boot. */
export const ordersConfigSchema = z.object({
  /** The orders service's own database. */
  DATABASE_URL: env.url({ protocols: ['postgres', 'postgresql'] }),
  /** Carts and in-flight checkout locks; unset: they live in this process (one machine only). */
  REDIS_URL: env.optional(env.url({ protocols: ['redis', 'rediss'] })),
  REDIS_KEY_PREFIX: env.string('yugong:'),
  GRPC_HOST: env.string('0.0.0.0'),
  GRPC_PORT: env.port(50053),
  ...serviceIdentityEnv,
  ...telemetryEnv,
  ...grpcMetricsEnv,
  ...grpcServerEnv,
  /** Serve gRPC server reflection (for grpcurl); off unless asked: README, "Service identity". */
  GRPC_REFLECTION: env.bool(false),
  CATALOG_GRPC_URL: env.string('127.0.0.1:50051'),
  /** Licensing, for the LOGO licence terms snapshotted at checkout; empty: no licensing, no licences. */
  LICENSING_GRPC_URL: env.string(''),
  /**
   * Longest that licence terms licensing said may be kept are kept (they go at once when licensing
   * moves the shared terms version); this bounds only a move licensing could not announce. 0:
   * licensing is asked at every checkout batch.
   */
  LICENCE_TERMS_KEEP_MS: env.int(60_000, { min: 0, max: 3_600_000 }),
  /** Deadline of each call to another service. */
  GRPC_DEADLINE_MS: env.int(3_000, { min: 50, max: 60_000 }),
  /** Retries of an idempotent call whose service is UNAVAILABLE, within the deadline. */
  GRPC_RETRIES: env.int(2, { min: 0, max: 5 }),
  /** How long checkout holds stock for an unpaid order. */
  HOLD_TTL_MS: env.int(900_000, { min: 1_000, max: 86_400_000 }),
  /**
   * Unpaid orders one buyer may have at once (each holds stock until HOLD_TTL_MS), unless a relief
   * officer set the buyer an allowance: no account can keep a product's stock from everyone else.
   */
  MAX_UNPAID_ORDERS_PER_BUYER: env.int(5, { min: 1, max: 1_000 }),
  /** Units of stock held for one buyer's unpaid orders at once, unless an officer set an allowance. */
  MAX_HELD_UNITS_PER_BUYER: env.int(100, { min: 1, max: 1_000_000 }),
  /** How often expired unpaid orders are cancelled. */
  SWEEP_INTERVAL_MS: env.int(15_000, { min: 100, max: 3_600_000 }),
  /** Idle carts expire after this many seconds. */
  CART_TTL_SECONDS: env.int(7 * 24 * 3_600, { min: 60, max: 90 * 24 * 3_600 }),
  /**
   * The consumers of order events (OrderEventsConsumerService), as `service=host:port`: the service
   * named is the one the relay's signed calls are addressed to. None: pull only.
   */
  ORDER_EVENT_CONSUMERS: env
    .list([])
    .pipe(
      z.array(
        z
          .string()
          .regex(
            new RegExp(`^(${SERVICE_NAMES.join('|')})=\\S+$`),
            'each entry is service=host:port, e.g. ledger=127.0.0.1:50054',
          ),
      ),
    ),
  /** How often the outbox relay looks for events to deliver. */
  RELAY_INTERVAL_MS: env.int(500, { min: 10, max: 60_000 }),
  /** Card payments through Stripe (`sk_…`); unset: checkout offers manual payment only. */
  STRIPE_SECRET_KEY: env.optional(env.secret(8)),
  /** Stripe's API base (scheme, host, port); for a local fake in tests. Default Stripe's own. */
  STRIPE_API_BASE: env.optional(env.url({ protocols: ['http', 'https'] })),
  /** Per-attempt timeout of a call to Stripe. */
  STRIPE_TIMEOUT_MS: env.int(5_000, { min: 100, max: 60_000 }),
  /** Retries of a Stripe call (same idempotency key) after a network error, 409 or 5xx. */
  STRIPE_MAX_RETRIES: env.int(2, { min: 0, max: 5 }),
  /** A card order still unpaid this long after checkout is checked with Stripe (a lost webhook). */
  RECONCILE_AFTER_MS: env.int(600_000, { min: 1_000, max: 86_400_000 }),
  /** How often the reconciler looks for such orders and for refunds still pending. */
  RECONCILE_INTERVAL_MS: env.int(60_000, { min: 100, max: 3_600_000 }),
  /** A shipped or delivered order completes by itself this many days after its last shipment or delivery. */
  AUTO_COMPLETE_DAYS: env.int(14, { min: 1, max: 365 }),
  MIGRATE_ONLY: env.bool(false),
  /** Seeds the demo sales of 2020 (idempotently) at boot. */
  SEED_DEMO: env.bool(false),
  LOG_LEVEL: env.enum(LOG_LEVELS, 'info'),
  DB_POOL_MAX: env.int(10, { min: 1, max: 100 }),
  DB_POOL_IDLE_MS: env.int(30_000, { min: 100, max: 3_600_000 }),
});

export type OrdersConfig = z.infer<typeof ordersConfigSchema>;

/**
 * Reads and validates the environment; throws naming every bad variable, and every secret with a
 * published default value unless GRPC_HOST is loopback.
 */
export function ordersConfig(source?: NodeJS.ProcessEnv): OrdersConfig {
  return loadConfig(ordersConfigSchema, source, {
    host: 'GRPC_HOST',
    secrets: ['DATABASE_URL', 'REDIS_URL', 'SERVICE_KEY', 'STRIPE_SECRET_KEY'],
  });
}
