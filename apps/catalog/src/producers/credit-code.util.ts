/**
 * 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters from a 31-character
 * alphabet (digits and capitals without I, O, Z, S, V); the 18th is a check character computed
 * from the first 17 with fixed weights, modulo 31.
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const SHAPE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/** The check character for the first 17 characters of a code. */
export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += ALPHABET.indexOf(first17[i]) * WEIGHTS[i];
  }
  return ALPHABET[(31 - (sum % 31)) % 31];
}

/** Why a code is not valid, or null when it is. */
export function creditCodeProblem(code: string): string | null {
  if (!SHAPE.test(code)) {
    return 'must be 18 characters: digits and capitals except I, O, Z, S, V, with digits in places 3-8';
  }
  if (creditCodeCheckChar(code.slice(0, 17)) !== code[17]) {
    return 'check character does not match (GB 32100-2015)';
  }
  return null;
}
