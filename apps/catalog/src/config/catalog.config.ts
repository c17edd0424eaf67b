import { env, loadConfig, serviceIdentityEnv } from '@yugong/shared/config';
import { grpcServerEnv } from '@yugong/shared/grpc';
import { grpcMetricsEnv, telemetryEnv } from '@yugong/shared/telemetry';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Everything catalog reads from its environment, validated at boot. */
export const catalogConfigSchema = z.object({
  /** The catalog's own database. */
  DATABASE_URL: env.url({ protocols: ['postgres', 'postgresql'] }),
  REDIS_URL: env.optional(env.url({ protocols: ['redis', 'rediss'] })),
  /** Prefixes every Redis key and channel, so that several deployments (or test runs) share one Redis. */
  REDIS_KEY_PREFIX: env.string('yugong:'),
  GRPC_HOST: env.string('0.0.0.0'),
  GRPC_PORT: env.port(50051),
  ...serviceIdentityEnv,
  ...telemetryEnv,
  ...grpcMetricsEnv,
  ...grpcServerEnv,
  /** Serve gRPC server reflection (for grpcurl); off unless asked: README, "Service identity". */
  GRPC_REFLECTION: env.bool(false),
  /** The beneficiaries register, asked whether a lot's supplier households may supply it. */
  BENEFICIARIES_GRPC_URL: env.string('127.0.0.1:50052'),
  /** Deadline of each call to another service. */
  GRPC_DEADLINE_MS: env.int(3_000, { min: 50, max: 60_000 }),
  /** Retries of a read whose service is UNAVAILABLE, within the deadline. */
  GRPC_RETRIES: env.int(2, { min: 0, max: 5 }),
  /** How often abandoned stock holds are looked for. */
  HOLD_SWEEP_INTERVAL_MS: env.int(15_000, { min: 100, max: 3_600_000 }),
  /** How long after its expiry a hold nobody released is released by catalog itself. */
  HOLD_RELEASE_GRACE_MS: env.int(30_000, { min: 0, max: 3_600_000 }),
  /**
   * How far behind the lots the stock shown by cached listings may be: stock moved by checkout
   * invalidates the listing cache at most once per this period (product and lot changes at once).
   */
  LISTING_STOCK_REFRESH_MS: env.int(1_000, { min: 50, max: 300_000 }),
  /** How often certificates past their end are expired and their products taken off sale. */
  CERTIFICATE_EXPIRY_INTERVAL_MS: env.int(10_000, { min: 100, max: 3_600_000 }),
  SEED_DEMO: env.bool(false),
  MIGRATE_ONLY: env.bool(false),
  LOG_LEVEL: env.enum(LOG_LEVELS, 'info'),
  DB_POOL_MAX: env.int(10, { min: 1, max: 100 }),
  DB_POOL_IDLE_MS: env.int(30_000, { min: 100, max: 3_600_000 }),
});

export type CatalogConfig = z.infer<typeof catalogConfigSchema>;

/**
 * Reads and validates the environment; throws naming every bad variable, and every secret with a
 * published default value unless GRPC_HOST is loopback.
 */
export function catalogConfig(source?: NodeJS.ProcessEnv): CatalogConfig {
  return loadConfig(catalogConfigSchema, source, {
    host: 'GRPC_HOST',
    secrets: ['DATABASE_URL', 'REDIS_URL', 'SERVICE_KEY'],
  });
}
