import { env, loadConfig } from '@yugong/shared/config';
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
  /**
   * The signing secret (`whsec_…`) of the Stripe webhook endpoint. Unset: the deployment takes no
   * card payments and POST /api/v1/payments/stripe/webhook does not exist (404); Stripe retries
   * refused deliveries for days, so an event sent while it was missing is not lost once it is set.
   */
  STRIPE_WEBHOOK_SECRET: env.optional(env.secret(16)),
  SERVICE_TOKEN: env.secret(16),
  JWT_SECRET: env.secret(32),
  JWT_TTL_SECONDS: env.int(3_600, { min: 60, max: 30 * 86_400 }),
  ADMIN_EMAIL: env.optional(z.email({ error: 'must be an email address' })),
  ADMIN_PASSWORD: env.optional(env.secret(10)),
  SEED_DEMO: env.bool(false),
  DEMO_PASSWORD: env.string('yugong-demo-2020'),
  MIGRATE_ONLY: env.bool(false),
  LOG_LEVEL: env.enum(LOG_LEVELS, 'info'),
  BODY_LIMIT_BYTES: env.int(64 * 1_024, { min: 1_024, max: 10 * 1_024 * 1_024 }),
  /** The largest register file POST /households/import takes (20 MiB: about 190,000 rows). */
  IMPORT_MAX_FILE_BYTES: env.int(20 * 1_048_576, { min: 1_024, max: 512 * 1_048_576 }),
  RATE_LIMIT_PER_MINUTE: env.int(600, { min: 1 }),
  AUTH_RATE_LIMIT_PER_MINUTE: env.int(20, { min: 1 }),
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

/** Reads and validates the environment; throws naming every bad variable. */
export function gatewayConfig(source?: NodeJS.ProcessEnv): GatewayConfig {
  return loadConfig(gatewayConfigSchema, source);
}

/** DI token of the validated config. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
