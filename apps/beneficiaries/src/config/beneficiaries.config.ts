import { env, loadConfig, serviceIdentityEnv } from '@yugong/shared/config';
import { grpcServerEnv } from '@yugong/shared/grpc';
import { grpcMetricsEnv, telemetryEnv } from '@yugong/shared/telemetry';
import { z } from 'zod';
import { parseEncryptionKeys } from '../pii/pii-cipher';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Everything beneficiaries reads from its environment, validated at boot. */
export const beneficiariesConfigSchema = z
  .object({
    /** The register's own database. */
    DATABASE_URL: env.url({ protocols: ['postgres', 'postgresql'] }),
    GRPC_HOST: env.string('0.0.0.0'),
    GRPC_PORT: env.port(50052),
    ...serviceIdentityEnv,
    ...telemetryEnv,
    ...grpcMetricsEnv,
    ...grpcServerEnv,
    /** Serve gRPC server reflection (for grpcurl); off unless asked: README, "Service identity". */
    GRPC_REFLECTION: env.bool(false),
    /** `k1:<base64 of 32 bytes>,k2:<…>`: every AES-256-GCM key rows may be written with. */
    PII_ENCRYPTION_KEYS: env.list().transform((items, ctx) => {
      const keys = parseEncryptionKeys(items);
      if (typeof keys === 'string') {
        ctx.addIssue({ code: 'custom', message: keys });
        return z.NEVER;
      }
      return keys;
    }),
    /** Id of the key new values are encrypted with. */
    PII_ACTIVE_KEY_ID: env.string(),
    /** HMAC key of the national-ID hash. Changing it makes every stored hash unfindable. */
    PII_HASH_KEY: env.secret(32),
    /**
     * Worker threads that seal a register import's personal data beside its event loop; 0 seals on
     * the event loop. Unset: the cores but one, at most two (set it where a CPU limit is below the
     * cores the process sees).
     */
    IMPORT_SEAL_WORKERS: env.optional(env.int(undefined, { min: 0, max: 8 })),
    SEED_DEMO: env.bool(false),
    /** Where the ledger answers (return-to-poverty monitoring reads relief income from it). */
    LEDGER_GRPC_URL: env.string('127.0.0.1:50054'),
    /** Deadline of each call to another service, and retries of a read that found it UNAVAILABLE. */
    GRPC_DEADLINE_MS: env.int(3_000, { min: 50, max: 60_000 }),
    GRPC_RETRIES: env.int(2, { min: 0, max: 5 }),
    /**
     * Monitoring's poverty line: relief income through the platform per member per year below which
     * a household is flagged, fen (default 200 yuan).
     */
    MONITORING_POVERTY_LINE_FEN: env.int(20_000, { min: 0, max: 100_000_000 }),
    /** A fall of relief income from the prior window by this many basis points or more flags a household. */
    MONITORING_DROP_THRESHOLD_BPS: env.int(3_000, { min: 1, max: 10_000 }),
    /** Length of each of the two windows compared, months. */
    MONITORING_WINDOW_MONTHS: env.int(12, { min: 1, max: 60 }),
    /** How often a job refreshes the monitoring cases by itself; 0: only when an officer asks. */
    MONITORING_REFRESH_INTERVAL_MS: env.int(0, { min: 0, max: 604_800_000 }),
    /**
     * The instant the windows end at, ISO 8601 (e.g. `2021-01-01T00:00:00+08:00`); unset: now. Set
     * for data of the past, such as the demo's 2020 sales.
     */
    MONITORING_AS_OF: env.optional(
      z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant with its offset' }),
    ),
    MIGRATE_ONLY: env.bool(false),
    LOG_LEVEL: env.enum(LOG_LEVELS, 'info'),
    DB_POOL_MAX: env.int(10, { min: 1, max: 100 }),
    DB_POOL_IDLE_MS: env.int(30_000, { min: 100, max: 3_600_000 }),
  })
  .superRefine((config, ctx) => {
    if (!config.PII_ENCRYPTION_KEYS.has(config.PII_ACTIVE_KEY_ID)) {
      ctx.addIssue({
        code: 'custom',
        path: ['PII_ACTIVE_KEY_ID'],
        message: 'must be the id of one of PII_ENCRYPTION_KEYS',
      });
    }
  });

export type BeneficiariesConfig = z.infer<typeof beneficiariesConfigSchema>;

/**
 * Reads and validates the environment; throws naming every bad variable, and every secret with a
 * published default value unless GRPC_HOST is loopback.
 */
export function beneficiariesConfig(source?: NodeJS.ProcessEnv): BeneficiariesConfig {
  return loadConfig(beneficiariesConfigSchema, source, {
    host: 'GRPC_HOST',
    secrets: ['DATABASE_URL', 'SERVICE_KEY', 'PII_ENCRYPTION_KEYS', 'PII_HASH_KEY'],
  });
}
