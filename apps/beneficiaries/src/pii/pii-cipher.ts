import { createCipheriv, createDecipheriv, createHmac, randomFillSync } from 'node:crypto';
import { PiiDecryptionError } from './pii.errors';

/** The personal fields of a household; each is bound to its field name (GCM associated data). */
export type PiiField = 'head_name' | 'national_id' | 'payout_account';

/** Keys for personal data: AES-256 keys by id, the one new values use, and the HMAC key. */
export interface PiiKeys {
  /** Key id → 32-byte AES-256 key. Old keys stay so that rows written under them stay readable. */
  encryptionKeys: ReadonlyMap<string, Buffer>;
  activeKeyId: string;
  /** Key of the HMAC-SHA256 that makes national IDs searchable without storing them. */
  hashKey: string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEPARATOR = '.';
/** IVs drawn per call of the CSPRNG: one call per 512 encryptions instead of one each (an import encrypts three fields a row). */
const IV_POOL_BYTES = IV_BYTES * 512;
/** Associated data of each field, made once. */
const AAD: Record<PiiField, Buffer> = {
  head_name: Buffer.from('head_name'),
  national_id: Buffer.from('national_id'),
  payout_account: Buffer.from('payout_account'),
};

/**
 * AES-256-GCM encryption of personal data with rotating keys. A stored value is the envelope
 * `<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts): it is decrypted with the key it names and
 * new values are encrypted with the active key, so a key can be retired once {@link rotate}d out.
 */
export class PiiCipher {
  constructor(private readonly keys: PiiKeys) {
    if (!keys.encryptionKeys.has(keys.activeKeyId)) {
      throw new Error(`PII_ACTIVE_KEY_ID ${keys.activeKeyId} is not among PII_ENCRYPTION_KEYS`);
    }
  }

  private ivPool = Buffer.alloc(0);
  private ivOffset = 0;

  /** A fresh random IV; every byte of the pool is used once. */
  private nextIv(): Buffer {
    if (this.ivOffset + IV_BYTES > this.ivPool.length) {
      this.ivPool = randomFillSync(Buffer.allocUnsafe(IV_POOL_BYTES));
      this.ivOffset = 0;
    }
    const iv = this.ivPool.subarray(this.ivOffset, this.ivOffset + IV_BYTES);
    this.ivOffset += IV_BYTES;
    return iv;
  }

  get activeKeyId(): string {
    return this.keys.activeKeyId;
  }

  encrypt(field: PiiField, plaintext: string): string {
    const key = this.keys.encryptionKeys.get(this.keys.activeKeyId)!;
    const iv = this.nextIv();
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(AAD[field]);
    // GCM is a stream mode: final() adds no bytes, so update() holds the whole ciphertext.
    const ciphertext = cipher.update(plaintext, 'utf8');
    cipher.final();
    return `${this.keys.activeKeyId}${SEPARATOR}${iv.toString('base64url')}${SEPARATOR}${cipher.getAuthTag().toString('base64url')}${SEPARATOR}${ciphertext.toString('base64url')}`;
  }

  decrypt(field: PiiField, envelope: string): string {
    const parts = envelope.split(SEPARATOR);
    if (parts.length !== 4) {
      throw new PiiDecryptionError('malformed envelope');
    }
    const [keyId, iv, tag, ciphertext] = parts;
    const key = this.keys.encryptionKeys.get(keyId);
    if (!key) {
      throw new PiiDecryptionError(`unknown key id ${keyId}`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(field));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new PiiDecryptionError('authentication failed');
    }
  }

  /** Id of the key an envelope was written with. */
  keyIdOf(envelope: string): string {
    return envelope.slice(0, envelope.indexOf(SEPARATOR));
  }

  /** The envelope under the active key (the same envelope when it already is). */
  rotate(field: PiiField, envelope: string): string {
    return this.keyIdOf(envelope) === this.keys.activeKeyId
      ? envelope
      : this.encrypt(field, this.decrypt(field, envelope));
  }

  /** HMAC-SHA256 of a normalized national ID, hex: equal IDs give equal hashes, and nothing else leaks. */
  hashNationalId(nationalId: string): string {
    return createHmac('sha256', this.keys.hashKey).update(nationalId, 'utf8').digest('hex');
  }
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Parses `k1:<base64 of 32 bytes>,k2:<…>` into key id → key; returns the reasons it is bad instead
 * (never the key material).
 */
export function parseEncryptionKeys(items: readonly string[]): Map<string, Buffer> | string {
  const keys = new Map<string, Buffer>();
  if (items.length === 0) {
    return 'must list at least one key as <id>:<base64 of 32 bytes>';
  }
  for (const item of items) {
    const colon = item.indexOf(':');
    const id = colon > 0 ? item.slice(0, colon) : '';
    if (!KEY_ID.test(id)) {
      return 'each key must be <id>:<base64 of 32 bytes>, the id of letters, digits, _ or -';
    }
    const material = Buffer.from(item.slice(colon + 1), 'base64');
    if (material.length !== 32) {
      return `key ${id} must be 32 bytes in base64`;
    }
    if (keys.has(id)) {
      return `key ${id} is listed twice`;
    }
    keys.set(id, material);
  }
  return keys;
}
