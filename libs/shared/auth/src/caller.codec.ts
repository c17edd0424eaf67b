import { createHash, timingSafeEqual } from 'node:crypto';

import { callerIdentitySchema, type CallerIdentity } from './caller.model';

/** Longest `x-caller` value accepted: far above any real caller, far below a gRPC header limit. */
const MAX_ENCODED_LENGTH = 64 * 1024;

/**
 * Encodes the caller for the `x-caller` gRPC metadata header: JSON of
 * `{ userId, role, producerIds }` with non-ASCII escaped (metadata values must be ASCII).
 *
 * @param caller - the end user on whose behalf a service is called
 */
export function encodeCaller(caller: CallerIdentity): string {
  const { userId, role, producerIds } = caller;
  return JSON.stringify({ userId, role, producerIds }).replace(
    /[\u007f-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Decodes an `x-caller` header strictly: anything but a well-formed identity with a known role and
 * no extra keys is `null` (anonymous), so a malformed header never grants access.
 *
 * @param value - the header's value, if any
 * @returns the caller, or `null` for absent or malformed values
 */
export function decodeCaller(value: string | undefined): CallerIdentity | null {
  if (typeof value !== 'string' || value === '' || value.length > MAX_ENCODED_LENGTH) {
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  const result = callerIdentitySchema.safeParse(parsed);
  return result.success ? result.data : null;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

// The configured token is the same on every call: hash it once.
const expectedDigests = new Map<string, Buffer>();
function expectedDigest(expected: string): Buffer {
  let value = expectedDigests.get(expected);
  if (!value) {
    value = digest(expected);
    expectedDigests.set(expected, value);
  }
  return value;
}

/**
 * Whether the service credential presented on an internal gRPC call is the expected one, compared
 * in constant time (`crypto.timingSafeEqual` on SHA-256 digests, so lengths leak nothing either).
 * An empty expected token never matches: a missing configuration must not open the door.
 *
 * @param presented - the token sent by the caller, if any
 * @param expected - the token this service was configured with
 */
export function serviceTokenMatches(presented: string | undefined, expected: string): boolean {
  if (typeof presented !== 'string' || typeof expected !== 'string' || expected === '') {
    return false;
  }
  return timingSafeEqual(digest(presented), expectedDigest(expected));
}
