import fc from 'fast-check';
import { z } from 'zod';

import { ConfigError } from './config.errors';
import { isSensitiveName, loadConfig } from './config.loader';
import { env } from './env.schema';

const AppConfig = z.object({
  GRPC_PORT: env.port(5001),
  DATABASE_URL: env.url({ protocols: ['postgres', 'postgresql'] }),
  JWT_SECRET: env.secret(32),
  STRIPE_SECRET_KEY: env.optional(env.secret(8)),
  SEED_DEMO: env.bool(false),
  LOG_LEVEL: env.enum(['debug', 'info', 'warn'], 'info'),
});

const GOOD = {
  DATABASE_URL: 'postgres://yugong:pw@localhost:5432/catalog',
  JWT_SECRET: 'x'.repeat(32),
};

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) {
      return err;
    }
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe(loadConfig.name, () => {
  const sut = loadConfig;

  it('returns the typed config, with defaults for unset and blank variables', () => {
    const config = sut(AppConfig, { ...GOOD, SEED_DEMO: 'yes', LOG_LEVEL: '', UNRELATED: 'x' });

    expect(config).toEqual({
      GRPC_PORT: 5001,
      DATABASE_URL: GOOD.DATABASE_URL,
      JWT_SECRET: GOOD.JWT_SECRET,
      STRIPE_SECRET_KEY: undefined,
      SEED_DEMO: true,
      LOG_LEVEL: 'info',
    });
  });

  it('supports a transform into the shape the app likes', () => {
    const schema = z.object({ PORT: env.port(3000) }).transform((e) => ({ http: { port: e.PORT } }));

    expect(sut(schema, {})).toEqual({ http: { port: 3000 } });
  });

  it('reads process.env by default', () => {
    process.env['YUGONG_CONFIG_SPEC_PORT'] = '4321';
    try {
      expect(sut(z.object({ YUGONG_CONFIG_SPEC_PORT: env.port() }))).toEqual({
        YUGONG_CONFIG_SPEC_PORT: 4321,
      });
    } finally {
      delete process.env['YUGONG_CONFIG_SPEC_PORT'];
    }
  });

  it('names every bad or missing variable with its reason', () => {
    const err = errorOf(() =>
      sut(AppConfig, {
        GRPC_PORT: 'http',
        JWT_SECRET: 'short-secret-value',
        SEED_DEMO: 'maybe',
        LOG_LEVEL: 'loud',
      }),
    );

    expect(err.problems).toEqual([
      { name: 'GRPC_PORT', reason: 'must be a port number 0..65535 (got "http")' },
      { name: 'DATABASE_URL', reason: 'is missing' },
      { name: 'JWT_SECRET', reason: 'must be at least 32 characters' },
      { name: 'SEED_DEMO', reason: 'must be true, false, 1, 0, yes or no (got "maybe")' },
      { name: 'LOG_LEVEL', reason: 'must be one of debug, info, warn (got "loud")' },
    ]);
    expect(err.message).toBe(
      [
        'Invalid configuration (5 problems):',
        '  - GRPC_PORT: must be a port number 0..65535 (got "http")',
        '  - DATABASE_URL: is missing',
        '  - JWT_SECRET: must be at least 32 characters',
        '  - SEED_DEMO: must be true, false, 1, 0, yes or no (got "maybe")',
        '  - LOG_LEVEL: must be one of debug, info, warn (got "loud")',
      ].join('\n'),
    );
  });

  it('masks the password of a URL it shows', () => {
    const err = errorOf(() => sut(AppConfig, { ...GOOD, DATABASE_URL: 'mysql://root:hunter2@db/x' }));

    expect(err.message).toContain(
      'DATABASE_URL: must be a postgres or postgresql URL (got "mysql://root:***@db/x")',
    );
    expect(err.message).not.toContain('hunter2');
  });

  it('never prints the value of a variable named like a secret', () => {
    const name = fc.constantFrom(
      'JWT_SECRET',
      'STRIPE_SECRET_KEY',
      'API_TOKEN',
      'DB_PASSWORD',
      'PII_KEY',
      'key',
    );
    const value = fc.string({ minLength: 3, maxLength: 7 }).filter((v) => v.trim() !== '');
    fc.assert(
      fc.property(name, value, (n, v) => {
        const err = errorOf(() => sut(z.object({ [n]: env.secret(8) }), { [n]: v }));
        expect(err.problems).toEqual([{ name: n, reason: 'must be at least 8 characters' }]);
        expect(err.message).not.toContain(JSON.stringify(v));
      }),
    );
  });

  it('names a problem outside any variable as (config)', () => {
    const schema = z.object({ A: env.int(1), B: env.int(2) }).refine((c) => c.A < c.B, 'A must be below B');

    expect(errorOf(() => sut(schema, { A: '5' })).problems).toEqual([
      { name: '(config)', reason: 'A must be below B' },
    ]);
  });
});

describe(isSensitiveName.name, () => {
  it.each([
    ['JWT_SECRET', true],
    ['SERVICE_TOKEN', true],
    ['PGPASSWORD', true],
    ['PII_ENCRYPTION_KEY', true],
    ['stripe_secret_key', true],
    ['DATABASE_URL', false],
    ['PORT', false],
  ])('%p → %p', (name, sensitive) => {
    expect(isSensitiveName(name)).toBe(sensitive);
  });
});
