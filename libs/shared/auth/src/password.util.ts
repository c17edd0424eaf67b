import * as argon2 from 'argon2';

/** Fewest characters in a password. */
export const PASSWORD_MIN_LENGTH = 10;

/** Most characters in a password; bounds the cost of hashing what a stranger sends. */
export const PASSWORD_MAX_LENGTH = 256;

/**
 * Hashes a password with argon2id (the `argon2` package's defaults: 64 MiB, 3 passes), salted;
 * the result is a self-describing PHC string to store as is.
 *
 * @param plain - the password
 */
export function hashPassword(plain: string): Promise<string> {
  return argon2.hash(plain, { type: argon2.argon2id });
}

/**
 * Whether a password matches a stored hash. A malformed hash is a mismatch, not an error.
 *
 * @param hash - the PHC string from {@link hashPassword}
 * @param plain - the password to check
 */
export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, plain);
  } catch {
    return false;
  }
}

/**
 * What is wrong with a new password, as reasons for a `password` field error; empty when fine.
 * Length is counted in characters (code points), so `密码` counts as 2.
 *
 * @param plain - the proposed password
 */
export function passwordProblems(plain: string): string[] {
  const length = [...plain].length;
  const problems: string[] = [];
  if (length < PASSWORD_MIN_LENGTH) {
    problems.push(`must be at least ${PASSWORD_MIN_LENGTH} characters`);
  }
  if (length > PASSWORD_MAX_LENGTH) {
    problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters`);
  }
  return problems;
}
