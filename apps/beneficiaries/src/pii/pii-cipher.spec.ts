import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { parseEncryptionKeys, PiiCipher } from './pii-cipher';
import { PiiDecryptionError } from './pii.errors';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const hashKey = 'h'.repeat(40);

describe(PiiCipher.name, () => {
  const sut = new PiiCipher({ encryptionKeys: new Map([['k1', k1]]), activeKeyId: 'k1', hashKey });

  it('round-trips any text, with a fresh IV each time and no plaintext in the envelope', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (text) => {
        const envelope = sut.encrypt('head_name', text);
        expect(sut.decrypt('head_name', envelope)).toBe(text);
        expect(sut.encrypt('head_name', text)).not.toBe(envelope);
        expect(sut.keyIdOf(envelope)).toBe('k1');
      }),
    );
    expect(sut.encrypt('head_name', '王小波')).not.toContain('王小波');
  });

  it('refuses a tampered envelope, another field, or an unknown key', () => {
    const envelope = sut.encrypt('national_id', '410881199001011234');
    const parts = envelope.split('.');
    const flipped = Buffer.from(parts[3], 'base64url');
    flipped[0] ^= 1;
    expect(() =>
      sut.decrypt('national_id', [...parts.slice(0, 3), flipped.toString('base64url')].join('.')),
    ).toThrow(PiiDecryptionError);
    expect(() => sut.decrypt('head_name', envelope)).toThrow(PiiDecryptionError);
    expect(() => sut.decrypt('national_id', `k9.${parts.slice(1).join('.')}`)).toThrow(/unknown key id k9/);
  });

  it('rotates: reads rows under the old key and rewrites them under the active one', () => {
    const old = sut.encrypt('payout_account', '6222020200112233445');
    const rotated = new PiiCipher({
      encryptionKeys: new Map([
        ['k1', k1],
        ['k2', k2],
      ]),
      activeKeyId: 'k2',
      hashKey,
    });
    expect(rotated.decrypt('payout_account', old)).toBe('6222020200112233445');
    const fresh = rotated.rotate('payout_account', old);
    expect(rotated.keyIdOf(fresh)).toBe('k2');
    expect(rotated.decrypt('payout_account', fresh)).toBe('6222020200112233445');
    expect(rotated.rotate('payout_account', fresh)).toBe(fresh);
    expect(() => sut.decrypt('payout_account', fresh)).toThrow(PiiDecryptionError);
  });

  it('hashes national IDs with the key: equal IDs equal, other keys differ', () => {
    const other = new PiiCipher({
      encryptionKeys: new Map([['k1', k1]]),
      activeKeyId: 'k1',
      hashKey: 'x'.repeat(40),
    });
    expect(sut.hashNationalId('410881199001011234')).toBe(sut.hashNationalId('410881199001011234'));
    expect(sut.hashNationalId('410881199001011234')).toMatch(/^[0-9a-f]{64}$/);
    expect(other.hashNationalId('410881199001011234')).not.toBe(sut.hashNationalId('410881199001011234'));
  });
});

describe(parseEncryptionKeys.name, () => {
  it('parses id:base64 pairs and refuses short keys, bad ids and repeats', () => {
    const b64 = k1.toString('base64');
    expect(parseEncryptionKeys([`k1:${b64}`, `k2:${k2.toString('base64')}`])).toBeInstanceOf(Map);
    expect(parseEncryptionKeys([`k1:${randomBytes(16).toString('base64')}`])).toBe(
      'key k1 must be 32 bytes in base64',
    );
    expect(parseEncryptionKeys([`:${b64}`])).toMatch(/each key must be/);
    expect(parseEncryptionKeys([`k1:${b64}`, `k1:${b64}`])).toBe('key k1 is listed twice');
    expect(parseEncryptionKeys([])).toMatch(/at least one key/);
  });
});
