/** Weights of the first 17 characters of a resident identity number (GB 11643-1999). */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** Check character by the weighted sum mod 11. */
const CHECK_CHARACTERS = '10X98765432';
const SHAPE = /^[1-9]\d{16}[\dX]$/;
const EARLIEST_BIRTH_YEAR = 1900;

/** Trimmed and upper-cased (a trailing `x` becomes `X`). */
export function normalizeNationalId(value: string): string {
  return value.trim().toUpperCase();
}

/**
 * The GB 11643 check character of the first 17 digits of a national ID.
 *
 * @param first17 - the 17 digits before the check character
 */
export function nationalIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += Number(first17[i]) * WEIGHTS[i];
  }
  return CHECK_CHARACTERS[sum % 11];
}

function birthDateProblem(yyyymmdd: string, today: Date): string | undefined {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return 'has no valid birth date (characters 7-14)';
  }
  if (year < EARLIEST_BIRTH_YEAR || date.getTime() > today.getTime()) {
    return 'has an implausible birth date (characters 7-14)';
  }
  return undefined;
}

/**
 * Why a national ID (居民身份证号码) is not valid, or undefined when it is: 18 characters, digits with
 * a final digit or X, a real birth date that is not in the future, and the GB 11643 check character.
 * Messages never repeat the value.
 *
 * @param value - the ID, already normalized
 * @param today - the present, for the birth-date check
 */
export function nationalIdProblem(value: string, today: Date = new Date()): string | undefined {
  if (value.length !== 18) {
    return 'must be 18 characters';
  }
  if (!SHAPE.test(value)) {
    return 'must be 17 digits and a final digit or X';
  }
  const birth = birthDateProblem(value.slice(6, 14), today);
  if (birth) {
    return birth;
  }
  if (nationalIdCheckCharacter(value.slice(0, 17)) !== value[17]) {
    return 'has a wrong check character (GB 11643)';
  }
  return undefined;
}
