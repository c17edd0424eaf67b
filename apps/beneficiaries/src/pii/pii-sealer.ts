import type * as NodeCrypto from 'node:crypto';

/** The personal fields of a household; each envelope is bound to its household and field (GCM associated data). */
export type PiiField = 'head_name' | 'national_id' | 'payout_account' | 'payout_details' | 'visit_note';

/** The personal data of many households, column by column: household i is `ids[i]`. */
export interface HouseholdPii {
  ids: string[];
  headNames: string[];
  nationalIds: string[];
  /** Null where the household gives no payout account. */
  payoutAccounts: (string | null)[];
}

/** The envelopes of {@link HouseholdPii}, in the same order. */
export interface SealedHouseholdPii {
  headNameEnc: string[];
  nationalIdEnc: string[];
  payoutAccountEnc: (string | null)[];
}

/** Seals values with one key: what {@link piiSealer} answers. */
export interface PiiSealer {
  /** A version 2 envelope of `plaintext`, readable only as `field` of household `householdId`. */
  encrypt(field: PiiField, plaintext: string, householdId: string): string;
  /** The head's name, national ID and payout account of each household, sealed as {@link encrypt} does. */
  sealHouseholds(households: HouseholdPii): SealedHouseholdPii;
}

/**
 * Seals values with AES-256-GCM under one key: each value gets a fresh random 96-bit IV (drawn from
 * the CSPRNG 512 at a time, every byte used once) and is bound by its associated data
 * `household:<id>:<field>` to its household and field. The envelope is
 * `<keyId>.v2.<iv>.<tag>.<ciphertext>`, base64url parts.
 *
 * Self-contained: it uses nothing but its arguments and the language's globals, because a sealing
 * worker (see `PiiSealPool`) runs it from its source text, so that the main thread and the workers
 * write envelopes with the very same code.
 *
 * @param crypto - `node:crypto`
 * @param key - the AES-256 key as a KeyObject (imported into OpenSSL once, not per value)
 * @param keyId - its id, the envelope's first part
 */
export function piiSealer(crypto: typeof NodeCrypto, key: NodeCrypto.KeyObject, keyId: string): PiiSealer {
  const IV_BYTES = 12;
  const TAG_BYTES = 16;
  /** IVs drawn per call of the CSPRNG: one call per 512 encryptions instead of one each. */
  const IV_POOL_BYTES = IV_BYTES * 512;
  const AAD_HOUSEHOLD = 'household:';
  /** Household ids up to this many characters (UUIDs are 36) have their associated data written in a reused buffer. */
  const AAD_SCRATCH_ID_CHARS = 64;
  const prefix = `${keyId}.v2.`;
  // `household:`, the id in UTF-8 (at most 3 bytes a character), `:` and the longest field name.
  // GCM reads the associated data in setAAD, before the next value, so one buffer serves every value.
  const aad = Buffer.alloc(AAD_HOUSEHOLD.length + AAD_SCRATCH_ID_CHARS * 3 + 1 + 16);
  aad.write(AAD_HOUSEHOLD, 0, 'latin1');
  let ivPool = Buffer.alloc(0);
  // The pool in base64url: 12 bytes are 16 characters exactly, so IV i is characters 16i to 16i + 16.
  let ivPoolText = '';
  let ivOffset = 0;

  function boundAssociatedData(field: PiiField, householdId: string): Buffer {
    if (householdId.length > AAD_SCRATCH_ID_CHARS) {
      return Buffer.from(`${AAD_HOUSEHOLD}${householdId}:${field}`);
    }
    let end = AAD_HOUSEHOLD.length + aad.write(householdId, AAD_HOUSEHOLD.length, 'utf8');
    end += aad.write(`:${field}`, end, 'latin1');
    return aad.subarray(0, end);
  }

  function encrypt(field: PiiField, plaintext: string, householdId: string): string {
    if (ivOffset + IV_BYTES > ivPool.length) {
      ivPool = crypto.randomFillSync(Buffer.allocUnsafe(IV_POOL_BYTES));
      ivPoolText = ivPool.toString('base64url');
      ivOffset = 0;
    }
    const at = ivOffset;
    ivOffset += IV_BYTES;
    const cipher = crypto.createCipheriv('aes-256-gcm', key, ivPool.subarray(at, at + IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(boundAssociatedData(field, householdId));
    // GCM is a stream mode: final() adds no bytes, so update() holds the whole ciphertext.
    const ciphertext = cipher.update(plaintext, 'utf8');
    cipher.final();
    return `${prefix}${ivPoolText.slice((at / 3) * 4, ((at + IV_BYTES) / 3) * 4)}.${cipher
      .getAuthTag()
      .toString('base64url')}.${ciphertext.toString('base64url')}`;
  }

  function sealHouseholds({ ids, headNames, nationalIds, payoutAccounts }: HouseholdPii): SealedHouseholdPii {
    const sealed: SealedHouseholdPii = {
      headNameEnc: new Array<string>(ids.length),
      nationalIdEnc: new Array<string>(ids.length),
      payoutAccountEnc: new Array<string | null>(ids.length),
    };
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const payout = payoutAccounts[i];
      sealed.headNameEnc[i] = encrypt('head_name', headNames[i], id);
      sealed.nationalIdEnc[i] = encrypt('national_id', nationalIds[i], id);
      sealed.payoutAccountEnc[i] = payout ? encrypt('payout_account', payout, id) : null;
    }
    return sealed;
  }

  return { encrypt, sealHouseholds };
}
