import { env, loadConfig, serviceIdentityEnv } from '@yugong/shared/config';
import { grpcServerEnv } from '@yugong/shared/grpc';
import { grpcMetricsEnv, telemetryEnv } from '@yugong/shared/telemetry';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Everything the licensing service reads from its environment, validated at boot. */
export const licensingConfigSchema = z.object({
  /** The licensing service's own database. */
  DATABASE_URL: env.url({ protocols: ['postgres', 'postgresql'] }),
  /** Counterfeit counters shared by every instance; unset: they live in this process (one machine only). */
  REDIS_URL: env.optional(env.url({ protocols: ['redis', 'rediss'] })),
  REDIS_KEY_PREFIX: env.string('yugong:'),
  GRPC_HOST: env.string('0.0.0.0'),
  GRPC_PORT: env.port(50055),
  ...serviceIdentityEnv,
  ...telemetryEnv,
  ...grpcMetricsEnv,
  ...grpcServerEnv,
  /** Serve gRPC server reflection (for grpcurl); off unless asked: README, "Service identity". */
  GRPC_REFLECTION: env.bool(false),
  CATALOG_GRPC_URL: env.string('127.0.0.1:50051'),
  /** The ledger: declared commitments of off-platform sales and their payments are posted there. */
  LEDGER_GRPC_URL: env.string('127.0.0.1:50054'),
  /** Deadline of each call to another service. */
  GRPC_DEADLINE_MS: env.int(3_000, { min: 50, max: 60_000 }),
  /** Retries of an idempotent call whose service is UNAVAILABLE, within the deadline. */
  GRPC_RETRIES: env.int(2, { min: 0, max: 5 }),
  /**
   * How often licences past their end are expired, and catalog told of every licence it has not
   * heard of yet.
   */
  LICENCE_EXPIRY_INTERVAL_MS: env.int(10_000, { min: 50, max: 3_600_000 }),
  /** HMAC key of label codes' tags. Changing it makes every printed label refused as forged. */
  LABEL_TAG_KEY: env.secret(32),
  /** Where the web app answers: printed QR codes point at `<PUBLIC_WEB_URL>/v/<code>`. */
  PUBLIC_WEB_URL: env.url({ protocols: ['http', 'https'], fallback: 'http://localhost:3000' }),
  /** A TrueType font (or collection) with Chinese glyphs that PDF label sheets embed (Debian's fonts-wqy-microhei). */
  LABEL_FONT_FILE: env.string('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc'),
  /** Scans of one code beyond which it is a counterfeit signal (a package is scanned a few times). */
  LABEL_OVER_SCAN_THRESHOLD: env.int(20, { min: 1, max: 1_000_000 }),
  /** Days after a quarter's end a live licence's declaration of it is overdue. */
  DECLARATION_GRACE_DAYS: env.int(30, { min: 0, max: 365 }),
  /** Places (client networks, /24 or /48) one code may be scanned from before it is a signal. */
  LABEL_OVER_PLACE_THRESHOLD: env.int(5, { min: 1, max: 1_000_000 }),
  /** How often scans counted in memory are written to their codes' rows. */
  LABEL_SCAN_FLUSH_MS: env.int(200, { min: 10, max: 60_000 }),
  MIGRATE_ONLY: env.bool(false),
  LOG_LEVEL: env.enum(LOG_LEVELS, 'info'),
  DB_POOL_MAX: env.int(10, { min: 1, max: 100 }),
  DB_POOL_IDLE_MS: env.int(30_000, { min: 100, max: 3_600_000 }),
});

export type LicensingConfig = z.infer<typeof licensingConfigSchema>;

/**
 * Reads and validates the environment; throws naming every bad variable, and every secret with a
 * published default value unless GRPC_HOST is loopback.
 */
export function licensingConfig(source?: NodeJS.ProcessEnv): LicensingConfig {
  return loadConfig(licensingConfigSchema, source, {
    host: 'GRPC_HOST',
    secrets: ['DATABASE_URL', 'REDIS_URL', 'SERVICE_KEY', 'LABEL_TAG_KEY'],
  });
}
