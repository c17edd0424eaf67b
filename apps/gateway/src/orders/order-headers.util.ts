import { ValidationFailed } from '@yugong/shared/errors';
import { randomBytes } from 'node:crypto';

/** The header an anonymous cart travels in, both ways. */
export const CART_TOKEN_HEADER = 'Cart-Token';

/** The header that makes checkout (required) and refunds (optional) safe to repeat. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

const CART_TOKEN = /^[A-Za-z0-9_-]{32,128}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{8,128}$/;

/**
 * The anonymous cart named by a `Cart-Token` header; `''` when there is none.
 *
 * @throws ValidationFailed naming `Cart-Token` when it is not a token this gateway could have issued
 */
export function cartTokenOf(header: string | undefined): string {
  if (header === undefined || header === '') {
    return '';
  }
  if (!CART_TOKEN.test(header)) {
    throw new ValidationFailed([
      { field: CART_TOKEN_HEADER, reason: 'must be the token this platform issued' },
    ]);
  }
  return header;
}

/** A new anonymous cart token: 32 random bytes, base64url (43 characters). */
export function newCartToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The `Idempotency-Key` header; `''` when absent and optional.
 *
 * @throws ValidationFailed naming `Idempotency-Key` when it is required and absent, or not 8 to
 *   128 printable ASCII characters
 */
export function idempotencyKeyOf(header: string | undefined, required: boolean): string {
  if (header === undefined || header === '') {
    if (required) {
      throw new ValidationFailed([{ field: IDEMPOTENCY_KEY_HEADER, reason: 'header is required' }]);
    }
    return '';
  }
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw new ValidationFailed([
      {
        field: IDEMPOTENCY_KEY_HEADER,
        reason: 'must be 8 to 128 printable ASCII characters without spaces',
      },
    ]);
  }
  return header;
}
