import { ConfigError } from '@yugong/shared/config';
import { testIdentitySettings } from '@yugong/shared/testing';
import { randomBytes } from 'node:crypto';
import { beneficiariesConfig } from './beneficiaries.config';

const key = randomBytes(32).toString('base64');
const valid = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/yugong_beneficiaries',
  ...testIdentitySettings('beneficiaries'),
  PII_ENCRYPTION_KEYS: `k1:${key}`,
  PII_ACTIVE_KEY_ID: 'k1',
  PII_HASH_KEY: 'hash-key-0123456789-0123456789-01',
};

describe(beneficiariesConfig.name, () => {
  it('reads the keys and defaults the port to 50052', () => {
    const sut = beneficiariesConfig(valid);
    expect(sut.GRPC_PORT).toBe(50052);
    expect(sut.PII_ENCRYPTION_KEYS.get('k1')).toHaveLength(32);
  });

  it('names every missing or bad secret without printing it', () => {
    let error: unknown;
    try {
      beneficiariesConfig({
        ...valid,
        PII_ENCRYPTION_KEYS: 'k1:c2hvcnQ=',
        PII_ACTIVE_KEY_ID: 'k2',
        PII_HASH_KEY: undefined,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/PII_ENCRYPTION_KEYS/);
    expect(message).toMatch(/PII_HASH_KEY/);
    expect(message).not.toContain('c2hvcnQ=');
  });

  it('requires the active key to be one of the keys', () => {
    expect(() => beneficiariesConfig({ ...valid, PII_ACTIVE_KEY_ID: 'k2' })).toThrow(/PII_ACTIVE_KEY_ID/);
  });
});
