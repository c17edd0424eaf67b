import { env, loadConfig, serviceIdentityEnv } from '@yugong/shared/config';
import { grpcServerEnv } from '@yugong/shared/grpc';
import { grpcMetricsEnv, telemetryEnv } from '@yugong/shared/telemetry';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Everything the ledger reads from its environment, validated at boot. */
export const ledgerConfigSchema = z.object({
  /** The ledger's own database. */
  DATABASE_URL: env.url({ protocols: ['postgres', 'postgresql'] }),
  /**
   * Where traces and reports read (a streaming replica of DATABASE_URL; README, "Past one
   * machine"); unset: the primary. Nothing read to decide a write goes there.
   */
  LEDGER_READ_DATABASE_URL: env.optional(env.url({ protocols: ['postgres', 'postgresql'] })),
  GRPC_HOST: env.string('0.0.0.0'),
  GRPC_PORT: env.port(50054),
  ...serviceIdentityEnv,
  ...telemetryEnv,
  ...grpcMetricsEnv,
  ...grpcServerEnv,
  /** Serve gRPC server reflection (for grpcurl); off unless asked: README, "Service identity". */
  GRPC_REFLECTION: env.bool(false),
  ORDERS_GRPC_URL: env.string('127.0.0.1:50053'),
  CATALOG_GRPC_URL: env.string('127.0.0.1:50051'),
  BENEFICIARIES_GRPC_URL: env.string('127.0.0.1:50052'),
  /** Deadline of each call to another service. */
  GRPC_DEADLINE_MS: env.int(3_000, { min: 50, max: 60_000 }),
  /** Retries of an idempotent call whose service is UNAVAILABLE, within the deadline. */
  GRPC_RETRIES: env.int(2, { min: 0, max: 5 }),
  /**
   * Processor fee of a card payment when the provider's own figure is not known, basis points of
   * each line's gross (Stripe's standard card rate for China-issued cards is about 3.4 %).
   */
  CARD_FEE_BPS: env.int(340, { min: 0, max: 2_000 }),
  /** How often committed transactions are sealed into the hash chain. */
  SEAL_INTERVAL_MS: env.int(250, { min: 10, max: 60_000 }),
  /** How often the ledger pulls order events it may have missed (and once at start). */
  CATCH_UP_INTERVAL_MS: env.int(30_000, { min: 100, max: 3_600_000 }),
  /** How often the balance rows are vacuumed (`BalanceVacuumJob`); 0: never. */
  BALANCE_VACUUM_INTERVAL_MS: env.int(1_000, { min: 0, max: 3_600_000 }),
  MIGRATE_ONLY: env.bool(false),
  LOG_LEVEL: env.enum(LOG_LEVELS, 'info'),
  DB_POOL_MAX: env.int(10, { min: 1, max: 100 }),
  DB_POOL_IDLE_MS: env.int(30_000, { min: 100, max: 3_600_000 }),
});

export type LedgerConfig = z.infer<typeof ledgerConfigSchema>;

/**
 * Reads and validates the environment; throws naming every bad variable, and every secret with a
 * published default value unless GRPC_HOST is loopback.
 */
export function ledgerConfig(source?: NodeJS.ProcessEnv): LedgerConfig {
  return loadConfig(ledgerConfigSchema, source, {
    host: 'GRPC_HOST',
    secrets: ['DATABASE_URL', 'LEDGER_READ_DATABASE_URL', 'SERVICE_KEY'],
  });
}
