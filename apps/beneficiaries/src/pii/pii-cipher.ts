import * as nodeCrypto from 'node:crypto';
import { createDecipheriv, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import {
  piiSealer,
  type HouseholdPii,
  type PiiField,
  type PiiSealer,
  type SealedHouseholdPii,
} from './pii-sealer';
import { PiiDecryptionError } from './pii.errors';

export type { PiiField } from './pii-sealer';

/** Keys for personal data: AES-256 keys by id, the one new values use, and the HMAC key. */
export interface PiiKeys {
  /** Key id → 32-byte AES-256 key. Old keys stay so that rows written under them stay readable. */
  encryptionKeys: ReadonlyMap<string, Buffer>;
  activeKeyId: string;
  /** Key of the HMAC-SHA256 that makes national IDs searchable without storing them. */
  hashKey: string;
}

const TAG_BYTES = 16;
const SEPARATOR = '.';
/** Marks an envelope bound to its household (second part); version 1 envelopes have no marker. */
const V2 = 'v2';
const AAD_HOUSEHOLD = 'household:';

/**
 * Associated data of an envelope. Version 2 binds the household and the field, so a ciphertext
 * copied onto another household or into another field fails authentication; version 1 (written
 * before households were bound) binds the field only.
 */
function associatedData(field: PiiField, householdId: string | undefined): Buffer {
  return Buffer.from(householdId === undefined ? field : `${AAD_HOUSEHOLD}${householdId}:${field}`);
}

/** The parts of an envelope, or undefined when it is not one. */
function parseEnvelope(
  envelope: string,
): { version: 1 | 2; keyId: string; iv: string; tag: string; ciphertext: string } | undefined {
  const parts = envelope.split(SEPARATOR);
  if (parts.length === 5 && parts[1] === V2) {
    return { version: 2, keyId: parts[0], iv: parts[2], tag: parts[3], ciphertext: parts[4] };
  }
  if (parts.length === 4) {
    return { version: 1, keyId: parts[0], iv: parts[1], tag: parts[2], ciphertext: parts[3] };
  }
  return undefined;
}

/**
 * AES-256-GCM encryption of personal data with rotating keys. A stored value is the envelope
 * `<keyId>.v2.<iv>.<tag>.<ciphertext>` (base64url parts), its associated data
 * `household:<id>:<field>`: it is decrypted with the key it names and only for the household and
 * field it was written for. New values are encrypted with the active key, so a key can be retired
 * once {@link rotate}d out. Envelopes of version 1 (`<keyId>.<iv>.<tag>.<ciphertext>`, bound to
 * the field only) stay readable, and {@link rotate} rewrites them as version 2.
 */
export class PiiCipher {
  /**
   * The keys imported once into OpenSSL: a cipher made from a KeyObject skips copying and checking
   * raw key bytes on every call, which an import of thousands of rows pays three times a row.
   */
  private readonly keyObjects: ReadonlyMap<string, KeyObject>;
  private readonly activeKey: KeyObject;
  /** Every envelope written now begins with this (`<keyId>.v2.`). */
  private readonly prefix: string;
  /** The HMAC key, imported once like the AES keys (a national ID is hashed once a row). */
  private readonly hashKey: KeyObject;
  /** Writes every envelope of the active key (the code sealing workers run too). */
  private readonly sealer: PiiSealer;

  constructor(private readonly keys: PiiKeys) {
    if (!keys.encryptionKeys.has(keys.activeKeyId)) {
      throw new Error(`PII_ACTIVE_KEY_ID ${keys.activeKeyId} is not among PII_ENCRYPTION_KEYS`);
    }
    this.keyObjects = new Map([...keys.encryptionKeys].map(([id, key]) => [id, createSecretKey(key)]));
    this.activeKey = this.keyObjects.get(keys.activeKeyId)!;
    this.prefix = `${keys.activeKeyId}${SEPARATOR}${V2}${SEPARATOR}`;
    this.hashKey = createSecretKey(Buffer.from(keys.hashKey, 'utf8'));
    this.sealer = piiSealer(nodeCrypto, this.activeKey, keys.activeKeyId);
  }

  get activeKeyId(): string {
    return this.keys.activeKeyId;
  }

  /**
   * The active key and its id, for a sealing worker (`PiiSealPool`) to write what {@link encrypt}
   * writes; a KeyObject crosses to a worker thread without its bytes being exposed.
   */
  get activeSealingKey(): { key: KeyObject; keyId: string } {
    return { key: this.activeKey, keyId: this.keys.activeKeyId };
  }

  /** A version 2 envelope of `plaintext`, readable only as `field` of household `householdId`. */
  encrypt(field: PiiField, plaintext: string, householdId: string): string {
    return this.sealer.encrypt(field, plaintext, householdId);
  }

  /** The head's name, national ID and payout account of each household, sealed in place as {@link encrypt} does. */
  sealHouseholds(households: HouseholdPii): SealedHouseholdPii {
    return this.sealer.sealHouseholds(households);
  }

  /** The plaintext of `field` of household `householdId`; PiiDecryptionError when it is not that. */
  decrypt(field: PiiField, envelope: string, householdId: string): string {
    const parsed = parseEnvelope(envelope);
    if (!parsed) {
      throw new PiiDecryptionError(householdId, 'malformed envelope');
    }
    const key = this.keyObjects.get(parsed.keyId);
    if (!key) {
      throw new PiiDecryptionError(householdId, `unknown key id ${parsed.keyId}`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parsed.iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(associatedData(field, parsed.version === 2 ? householdId : undefined));
      decipher.setAuthTag(Buffer.from(parsed.tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(parsed.ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new PiiDecryptionError(
        householdId,
        'it was not written for this household and field, or was altered',
      );
    }
  }

  /** Id of the key an envelope was written with. */
  keyIdOf(envelope: string): string {
    return envelope.slice(0, envelope.indexOf(SEPARATOR));
  }

  /** How every envelope {@link encrypt} writes now begins: the active key id and version 2. */
  get currentPrefix(): string {
    return this.prefix;
  }

  /** Whether an envelope is already what {@link encrypt} writes now: version 2 under the active key. */
  isCurrent(envelope: string): boolean {
    return envelope.startsWith(this.currentPrefix);
  }

  /** The envelope as version 2 under the active key (the same envelope when it already is). */
  rotate(field: PiiField, envelope: string, householdId: string): string {
    return this.isCurrent(envelope)
      ? envelope
      : this.encrypt(field, this.decrypt(field, envelope, householdId), householdId);
  }

  /** HMAC-SHA256 of a normalized national ID, hex: equal IDs give equal hashes, and nothing else leaks. */
  hashNationalId(nationalId: string): string {
    return createHmac('sha256', this.hashKey).update(nationalId, 'utf8').digest('hex');
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
