import { z } from 'zod';

import { ConfigError } from './config.errors';
import { loadConfig } from './config.loader';
import { env } from './env.schema';
import {
  isLoopbackHost,
  PUBLISHED_SECRET_VALUES,
  publishedSecretProblems,
  type SecretPolicy,
} from './published-secrets.util';

const AppConfig = z.object({
  HOST: env.string('0.0.0.0'),
  DATABASE_URL: env.url({ protocols: ['postgres'] }),
  JWT_SECRET: env.string(),
  PII_KEYS: env.string(),
  ADMIN_PASSWORD: env.optional(env.string()),
  DEMO_PASSWORD: env.string('yugong-demo-2020'),
  LOG_LEVEL: env.string('info'),
});
type AppConfig = z.infer<typeof AppConfig>;

const POLICY: SecretPolicy<AppConfig> = {
  host: 'HOST',
  secrets: ['DATABASE_URL', 'JWT_SECRET', 'PII_KEYS', 'ADMIN_PASSWORD', 'DEMO_PASSWORD'],
};

const OWN = {
  DATABASE_URL: 'postgres://yugong:own-password-0123@db:5432/app',
  JWT_SECRET: 'own-jwt-secret-0123456789-0123456789',
  PII_KEYS: 'k1:b3duLWtleS0wMTIzNDU2Nzg5LTAxMjM0NTY3ODktMDE=',
  DEMO_PASSWORD: 'own-demo-password',
};

function problems(source: Record<string, string>) {
  return publishedSecretProblems(POLICY, AppConfig.parse(source), source);
}

describe(publishedSecretProblems.name, () => {
  const sut = publishedSecretProblems;

  it('accepts own values on every address', () => {
    expect(sut(POLICY, AppConfig.parse(OWN), OWN)).toEqual([]);
    expect(problems({ ...OWN, HOST: '::' })).toEqual([]);
  });

  it.each(PUBLISHED_SECRET_VALUES.map((value) => [value]))(
    'refuses %p as a secret on 0.0.0.0, naming the variable',
    (value) => {
      expect(problems({ ...OWN, JWT_SECRET: value })).toEqual([
        expect.objectContaining({ name: 'JWT_SECRET' }),
      ]);
      expect(problems({ ...OWN, ADMIN_PASSWORD: value })).toEqual([
        expect.objectContaining({ name: 'ADMIN_PASSWORD' }),
      ]);
    },
  );

  it('says how to make a value and never shows the published one', () => {
    const [problem] = problems({ ...OWN, JWT_SECRET: 'dev-only-jwt-secret-change-me-0123456789' });

    expect(problem).toEqual({
      name: 'JWT_SECRET',
      reason: 'is a published default value; set your own (openssl rand -base64 48) or bind to 127.0.0.1',
    });
  });

  it('refuses a published password inside a URL', () => {
    expect(
      problems({ ...OWN, DATABASE_URL: 'postgres://yugong:dev-only-postgres-password@postgres:5432/app' }),
    ).toEqual([
      {
        name: 'DATABASE_URL',
        reason:
          'holds a published default password; set your own (openssl rand -hex 24) or bind to 127.0.0.1',
      },
    ]);
  });

  it('refuses a published key anywhere in an id:key list', () => {
    const published = 'k1:dev-only-pii-encryption-key-change-me-00000';

    expect(problems({ ...OWN, PII_KEYS: published })).toEqual([
      {
        name: 'PII_KEYS',
        reason:
          'holds a published default key; set your own (k1:$(openssl rand -base64 32)) or bind to 127.0.0.1',
      },
    ]);
    expect(
      problems({ ...OWN, PII_KEYS: `${OWN.PII_KEYS},k2:dev-only-pii-encryption-key-change-me-00000` }),
    ).toEqual([expect.objectContaining({ name: 'PII_KEYS' })]);
  });

  it('refuses a published value the schema defaults to (the variable unset)', () => {
    const { DEMO_PASSWORD: _unset, ...source } = OWN;

    expect(problems(source)).toEqual([expect.objectContaining({ name: 'DEMO_PASSWORD' })]);
  });

  it('names every refused variable', () => {
    const source = {
      DATABASE_URL: 'postgres://yugong:dev-only-postgres-password@postgres:5432/app',
      JWT_SECRET: 'dev-only-jwt-secret-change-me-0123456789',
      PII_KEYS: 'k1:dev-only-pii-encryption-key-change-me-00000',
      ADMIN_PASSWORD: 'dev-only-admin-password',
      DEMO_PASSWORD: 'dev-only-demo-password',
    };

    expect(problems(source).map((p) => p.name)).toEqual(POLICY.secrets);
  });

  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1'])(
    'lets every published value start on loopback %p',
    (host) => {
      const source = {
        HOST: host,
        DATABASE_URL: 'postgres://yugong:dev-only-postgres-password@postgres:5432/app',
        JWT_SECRET: 'dev-only-jwt-secret-change-me-0123456789',
        PII_KEYS: 'k1:dev-only-pii-encryption-key-change-me-00000',
        ADMIN_PASSWORD: 'dev-only-admin-password',
      };
      expect(problems(source)).toEqual([]);
    },
  );

  it.each(['0.0.0.0', '::', '[::]', '10.0.0.5', '192.168.1.10', 'fe80::1', '::ffff:10.0.0.1', 'gateway', ''])(
    'refuses published values on %p',
    (host) => {
      const source = { ...OWN, HOST: host, JWT_SECRET: 'dev-only-jwt-secret-change-me-0123456789' };
      expect(publishedSecretProblems(POLICY, { ...AppConfig.parse(OWN), HOST: host }, source)).toEqual([
        expect.objectContaining({ name: 'JWT_SECRET' }),
      ]);
    },
  );
});

describe(isLoopbackHost.name, () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.255.254', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['128.0.0.1', false],
    ['::2', false],
    ['localhost.example.com', false],
  ])('%p → %p', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe(`${loadConfig.name} with a secret policy`, () => {
  it('fails boot naming the variable, without the value', () => {
    const source = { ...OWN, JWT_SECRET: 'dev-only-jwt-secret-change-me-0123456789' };
    let error: unknown;
    try {
      loadConfig(AppConfig, source, POLICY);
    } catch (err) {
      error = err;
    }

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      [
        'Invalid configuration (1 problem):',
        '  - JWT_SECRET: is a published default value; set your own (openssl rand -base64 48) or bind to 127.0.0.1',
      ].join('\n'),
    );
  });

  it('starts with the same values on loopback', () => {
    const source = { ...OWN, HOST: '127.0.0.1', JWT_SECRET: 'dev-only-jwt-secret-change-me-0123456789' };

    expect(loadConfig(AppConfig, source, POLICY).JWT_SECRET).toBe(source.JWT_SECRET);
  });
});
