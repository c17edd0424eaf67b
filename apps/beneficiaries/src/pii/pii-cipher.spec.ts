import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { parseEncryptionKeys, PiiCipher } from './pii-cipher';
import { PiiDecryptionError } from './pii.errors';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const hashKey = 'h'.repeat(40);

describe(PiiCipher.name, () => {
  const sut = new PiiCipher({ encryptionKeys: new Map([['k1', k1]]), activeKeyId: 'k1', hashKey });
  const a = '00000000-0000-4000-8000-00000000000a';
  const b = '00000000-0000-4000-8000-00000000000b';

  /** A version 1 envelope (bound to the field only), as written before households were bound. */
  function v1Envelope(key: Buffer, keyId: string, field: string, text: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    cipher.setAAD(Buffer.from(field));
    const ciphertext = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return [keyId, iv, cipher.getAuthTag(), ciphertext]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  it('round-trips any text, with a fresh IV each time and no plaintext in the envelope', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (text) => {
        const envelope = sut.encrypt('head_name', text, a);
        expect(sut.decrypt('head_name', envelope, a)).toBe(text);
        expect(sut.encrypt('head_name', text, a)).not.toBe(envelope);
        expect(sut.keyIdOf(envelope)).toBe('k1');
        expect(sut.isCurrent(envelope)).toBe(true);
      }),
    );
    expect(sut.encrypt('head_name', '王小波', a)).not.toContain('王小波');
  });

  it('refuses a tampered envelope, another field, another household, or an unknown key', () => {
    const envelope = sut.encrypt('national_id', '410881199001011234', a);
    const parts = envelope.split('.');
    const flipped = Buffer.from(parts[4], 'base64url');
    flipped[0] ^= 1;
    expect(() =>
      sut.decrypt('national_id', [...parts.slice(0, 4), flipped.toString('base64url')].join('.'), a),
    ).toThrow(PiiDecryptionError);
    expect(() => sut.decrypt('head_name', envelope, a)).toThrow(PiiDecryptionError);
    expect(() => sut.decrypt('national_id', envelope, b)).toThrow(`household ${b} cannot be decrypted`);
    expect(() => sut.decrypt('national_id', `k9.${parts.slice(1).join('.')}`, a)).toThrow(
      /unknown key id k9/,
    );
  });

  it('never puts the plaintext or the key in its error', () => {
    const envelope = sut.encrypt('head_name', '王小波', a);
    const error = (() => {
      try {
        sut.decrypt('head_name', envelope, b);
      } catch (e) {
        return e as PiiDecryptionError;
      }
    })()!;
    expect(error.code).toBe('PII_UNREADABLE');
    expect(error.message).not.toContain('王小波');
    expect(error.message).not.toContain(k1.toString('base64'));
  });

  it('reads version 1 envelopes (bound to the field only), and rotates them to version 2', () => {
    const old = v1Envelope(k1, 'k1', 'head_name', '王小波');
    expect(sut.decrypt('head_name', old, a)).toBe('王小波');
    expect(() => sut.decrypt('national_id', old, a)).toThrow(PiiDecryptionError);
    expect(sut.isCurrent(old)).toBe(false);
    const fresh = sut.rotate('head_name', old, a);
    expect(fresh.startsWith('k1.v2.')).toBe(true);
    expect(sut.decrypt('head_name', fresh, a)).toBe('王小波');
    expect(() => sut.decrypt('head_name', fresh, b)).toThrow(PiiDecryptionError);
  });

  it('rotates: reads rows under the old key and rewrites them under the active one', () => {
    const old = sut.encrypt('payout_account', '6222020200112233445', a);
    const rotated = new PiiCipher({
      encryptionKeys: new Map([
        ['k1', k1],
        ['k2', k2],
      ]),
      activeKeyId: 'k2',
      hashKey,
    });
    expect(rotated.decrypt('payout_account', old, a)).toBe('6222020200112233445');
    const fresh = rotated.rotate('payout_account', old, a);
    expect(rotated.keyIdOf(fresh)).toBe('k2');
    expect(rotated.decrypt('payout_account', fresh, a)).toBe('6222020200112233445');
    expect(rotated.rotate('payout_account', fresh, a)).toBe(fresh);
    expect(() => sut.decrypt('payout_account', fresh, a)).toThrow(PiiDecryptionError);
  });

  it('binds value after value to its own household and field, whatever the id before it', () => {
    // More values than one draw of IVs (512), so the pool is refilled twice.
    const count = 1_200;
    const fields = ['head_name', 'national_id', 'payout_account'] as const;
    const long = `${'长'.repeat(70)}-household`;
    const households = [a, b, long, 'h-1'];
    const sealed = Array.from({ length: count }, (_, i) => {
      const field = fields[i % fields.length];
      const householdId = households[i % households.length];
      const plaintext = `王${i}芳`;
      return { i, field, householdId, plaintext, envelope: sut.encrypt(field, plaintext, householdId) };
    });
    expect(new Set(sealed.map((s) => s.envelope.split('.')[2])).size).toBe(count);
    for (const { i, field, householdId, plaintext, envelope } of sealed) {
      expect(sut.isCurrent(envelope)).toBe(true);
      expect(envelope).not.toContain(plaintext);
      expect(sut.decrypt(field, envelope, householdId)).toBe(plaintext);
      const otherHousehold = households[(i + 1) % households.length];
      expect(() => sut.decrypt(field, envelope, otherHousehold)).toThrow(PiiDecryptionError);
      const otherField = fields[(i + 1) % fields.length];
      expect(() => sut.decrypt(otherField, envelope, householdId)).toThrow(PiiDecryptionError);
    }
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

  it('hashes as HMAC-SHA256 under the UTF-8 bytes of the key, so stored hashes keep matching', () => {
    const pinned = new PiiCipher({
      encryptionKeys: new Map([['k1', k1]]),
      activeKeyId: 'k1',
      hashKey: 'national-id-hash-key-0123456789abcdef',
    });
    expect(pinned.hashNationalId('410881199001011234')).toBe(
      createHmac('sha256', 'national-id-hash-key-0123456789abcdef')
        .update('410881199001011234')
        .digest('hex'),
    );
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
