import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Label codes: 10 random bytes (80 bits) and a 5-byte tag, the first bytes of
 * HMAC-SHA256(LABEL_TAG_KEY, random), 15 bytes written as 24 characters of Crockford base32
 * (no I, L, O, U; read case-insensitively, I and L as 1, O as 0, hyphens and spaces ignored).
 * A code whose tag does not verify is refused here, before any database is asked: a forger
 * guessing a tag succeeds once in 2^40 tries.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_BYTES = 10;
const TAG_BYTES = 5;
const CODE_BYTES = RANDOM_BYTES + TAG_BYTES;
/** Characters of a code: 15 bytes, 120 bits, 24 characters of 5 bits. */
export const LABEL_CODE_LENGTH = (CODE_BYTES * 8) / 5;

const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) {
  DECODE[ALPHABET.charCodeAt(i)] = i;
  DECODE[ALPHABET.toLowerCase().charCodeAt(i)] = i;
}
for (const [alias, value] of [
  ['I', 1],
  ['L', 1],
  ['O', 0],
] as const) {
  DECODE[alias.charCodeAt(0)] = value;
  DECODE[alias.toLowerCase().charCodeAt(0)] = value;
}

function encode(bytes: Buffer): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/** The bytes of a code's text, or null if it is not 24 base32 characters. */
function decode(text: string): Buffer | null {
  const clean = text.replace(/[-\s]/g, '');
  if (clean.length !== LABEL_CODE_LENGTH) {
    return null;
  }
  const out = Buffer.alloc(CODE_BYTES);
  let buffer = 0;
  let bits = 0;
  let at = 0;
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    const v = c < 128 ? DECODE[c]! : -1;
    if (v < 0) {
      return null;
    }
    buffer = (buffer << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out[at++] = (buffer >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/** Issues and checks label codes under one key. */
export class LabelCodec {
  private readonly key: Buffer;

  constructor(key: string) {
    this.key = Buffer.from(key, 'utf8');
  }

  private tag(random: Buffer): Buffer {
    return createHmac('sha256', this.key).update(random).digest().subarray(0, TAG_BYTES);
  }

  /** A new code: fresh random bits and their tag, canonical text (upper case, no hyphens). */
  issue(): string {
    const random = randomBytes(RANDOM_BYTES);
    return encode(Buffer.concat([random, this.tag(random)]));
  }

  /**
   * The canonical text of a code whose tag verifies (compared in constant time), or null: a
   * forged, mistyped or truncated code.
   */
  verify(text: string): string | null {
    if (typeof text !== 'string' || text.length > 64) {
      return null;
    }
    const bytes = decode(text);
    if (!bytes) {
      return null;
    }
    const random = bytes.subarray(0, RANDOM_BYTES);
    return timingSafeEqual(bytes.subarray(RANDOM_BYTES), this.tag(random)) ? encode(bytes) : null;
  }
}
