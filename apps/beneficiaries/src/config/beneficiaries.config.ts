import { env, loadConfig, serviceIdentityEnv } from '@yugong/shared/config';
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
    SEED_DEMO: env.bool(false),
    MIGRATE_ONLY: env.bool(false),
    LOG_LEVEL: env.enum(LOG_LEVELS, 'info'),
    DB_POOL_MAX: env.int(10, { min: 1, max: 100 }),
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
