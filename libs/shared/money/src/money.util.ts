/**
 * Money as integer minor units. One yuan is 100 fen; every amount on the platform is a whole
 * number of fen held in a JavaScript `number` that is a safe integer, never a float of yuan.
 */

/** An amount of money in fen (1/100 yuan). Always a safe integer; may be negative (refunds). */
export type Fen = number;

/** Basis points in one whole: 10,000 bps = 100 %. */
export const BPS_PER_WHOLE = 10_000;

/**
 * The highest unit price a product may be listed at: one hundred million yuan (10,000,000,000
 * fen). Far above any real listing, and far enough below 2^53 that a line total of any allowed
 * quantity stays a safe integer. Catalog validates it and the gateway documents it.
 */
export const MAX_PRICE_FEN: Fen = 10_000_000_000;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Asserts that `value` is a safe integer number of fen.
 *
 * @param value - the value to check
 * @param field - the name reported in the error, e.g. `'price.fen'`
 * @throws RangeError naming `field` when `value` is not a safe integer
 */
export function assertFen(value: unknown, field = 'amount'): asserts value is Fen {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new RangeError(`${field} must be a safe integer number of fen, got ${String(value)}`);
  }
}

/** Converts an exact bigint result back to fen, throwing when it leaves the safe range. */
function toFen(value: bigint, what: string): Fen {
  if (value > MAX_SAFE || value < -MAX_SAFE) {
    throw new RangeError(`${what} overflows the safe integer range`);
  }
  return Number(value);
}

/**
 * Adds amounts of fen exactly.
 *
 * @param amounts - the addends, each a safe integer
 * @returns their sum (0 for no addends)
 * @throws RangeError when an addend is not fen or the sum is not a safe integer
 */
export function addFen(...amounts: readonly Fen[]): Fen {
  let sum = 0n;
  amounts.forEach((amount, i) => {
    assertFen(amount, `amounts[${i}]`);
    sum += BigInt(amount);
  });
  return toFen(sum, 'sum');
}

/**
 * Multiplies a unit price by a whole quantity, e.g. the gross of an order line.
 *
 * @param unitFen - price of one unit in fen
 * @param quantity - number of units, a safe integer
 * @returns `unitFen × quantity`
 * @throws RangeError when an input is not a safe integer or the product overflows
 */
export function multiplyFen(unitFen: Fen, quantity: number): Fen {
  assertFen(unitFen, 'unitFen');
  assertFen(quantity, 'quantity');
  return toFen(BigInt(unitFen) * BigInt(quantity), 'product');
}

/**
 * The share of an amount given by a rate in basis points (1 bps = 0.01 %), rounded toward zero.
 *
 * Rounding is toward zero (down in magnitude) so that a share never promises more than the rate:
 * a producer committing 1,500 bps to households never owes 15.01 % of a sale, and the fen the
 * rounding drops stays with the payer rather than being created from nothing. Rounding toward zero
 * (rather than toward −∞) keeps refunds symmetric: `bpsOf(-x, r) === -bpsOf(x, r)`, so a full
 * refund reverses exactly what the sale posted.
 *
 * @param amountFen - the amount in fen (negative for refunds)
 * @param bps - the rate, an integer in 0..10000
 * @returns `trunc(amountFen × bps / 10000)`
 * @throws RangeError when `bps` is outside 0..10000 or not an integer
 */
export function bpsOf(amountFen: Fen, bps: number): Fen {
  assertFen(amountFen, 'amountFen');
  if (!Number.isInteger(bps) || bps < 0 || bps > BPS_PER_WHOLE) {
    throw new RangeError(`bps must be an integer in 0..${BPS_PER_WHOLE}, got ${String(bps)}`);
  }
  // bigint division truncates toward zero, which is the rounding documented above.
  const share = Number((BigInt(amountFen) * BigInt(bps)) / BigInt(BPS_PER_WHOLE));
  return share === 0 ? 0 : share; // never -0
}
