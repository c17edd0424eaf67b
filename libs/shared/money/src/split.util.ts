import { assertFen, type Fen } from './money.util';

/**
 * Converts non-negative finite weights to bigints with the same ratios, exactly.
 *
 * Integer weights convert directly. A fractional double is `m × 2^-k` for an integer `m`, so
 * doubling it `k` times is exact and yields an integer; every weight is then scaled by the same
 * power of two, which keeps the ratios exact without any decimal rounding.
 */
function exactWeights(weights: readonly number[] | readonly bigint[]): bigint[] {
  const scaled: { value: bigint; shift: number }[] = [];
  weights.forEach((weight: number | bigint, i: number) => {
    if (typeof weight === 'bigint') {
      if (weight < 0n) {
        throw new RangeError(`weights[${i}] must be non-negative, got ${weight}`);
      }
      scaled.push({ value: weight, shift: 0 });
      return;
    }
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      throw new RangeError(`weights[${i}] must be a non-negative finite number, got ${String(weight)}`);
    }
    let value = weight;
    let shift = 0;
    while (!Number.isInteger(value)) {
      value *= 2;
      shift += 1;
    }
    scaled.push({ value: BigInt(value), shift });
  });
  const maxShift = Math.max(0, ...scaled.map((s) => s.shift));
  return scaled.map((s) => s.value << BigInt(maxShift - s.shift));
}

/**
 * Splits a total into parts proportional to weights by the largest-remainder (Hamilton) method.
 *
 * Each part first gets the floor of its exact quota `total × weight / Σweights`; the fen left over
 * (fewer than the number of parts) go one each to the parts with the largest remainders, ties going
 * to the lower index so that the result is deterministic. The parts therefore always sum exactly to
 * `total`, each lies within one fen of its exact quota, a larger weight never gets a smaller part,
 * and a zero weight gets nothing. All arithmetic is in bigint, so large totals and weights lose no
 * precision.
 *
 * A negative total is split symmetrically: `split(-x, w)` is `split(x, w)` negated, so a refund
 * reverses exactly the parts of the sale it refunds.
 *
 * @param totalFen - the amount to split, a safe integer
 * @param weights - non-negative finite weights (numbers, fractions allowed, or bigints), not all zero
 * @returns one part per weight, in the same order
 * @throws RangeError when the total is not fen, a weight is invalid, or all weights are zero
 */
export function splitByLargestRemainder(
  totalFen: Fen,
  weights: readonly number[] | readonly bigint[],
): Fen[] {
  assertFen(totalFen, 'totalFen');
  const w = exactWeights(weights);
  const totalWeight = w.reduce((a, b) => a + b, 0n);
  if (totalWeight === 0n) {
    throw new RangeError('weights must not all be zero (nothing to split by)');
  }
  const sign = totalFen < 0 ? -1n : 1n;
  const total = BigInt(totalFen) * sign;

  const floors = w.map((wi) => (total * wi) / totalWeight);
  const remainders = w.map((wi) => (total * wi) % totalWeight);
  let leftover = total - floors.reduce((a, b) => a + b, 0n);

  const order = w
    .map((_, i) => i)
    .sort((a, b) => {
      const ra = remainders[a] as bigint;
      const rb = remainders[b] as bigint;
      return ra === rb ? a - b : ra > rb ? -1 : 1;
    });
  for (const i of order) {
    if (leftover === 0n) {
      break;
    }
    floors[i] = (floors[i] as bigint) + 1n;
    leftover -= 1n;
  }
  return floors.map((part) => {
    const value = Number(part * sign);
    return value === 0 ? 0 : value; // never -0
  });
}
