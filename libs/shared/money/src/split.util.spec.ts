import fc from 'fast-check';

import { splitByLargestRemainder } from './split.util';

const totals = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -1e12, max: 1e12 }));
// Small weights sometimes, so that equal weights and tied remainders are common.
const weightLists = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1_000_000 })), {
    minLength: 1,
    maxLength: 12,
  })
  .filter((ws) => ws.some((w) => w > 0));

/** The exact remainder `total × w mod Σw` of each part, as the method sees it. */
function remainders(total: number, weights: number[]): bigint[] {
  const sum = BigInt(weights.reduce((a, b) => a + b, 0));
  return weights.map((w) => (BigInt(Math.abs(total)) * BigInt(w)) % sum);
}

describe(splitByLargestRemainder.name, () => {
  const sut = splitByLargestRemainder;

  it('gives the leftover fen to the largest remainders, ties to the lower index', () => {
    expect(sut(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(sut(2, [1, 3])).toEqual([1, 1]); // remainders tie at 0.5: lower index wins
    expect(sut(10, [0, 1, 0])).toEqual([0, 10, 0]);
    expect(sut(0, [1, 2])).toEqual([0, 0]);
  });

  it('splits a negative total symmetrically', () => {
    expect(sut(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
    expect(sut(-1, [1, 1])).toEqual([-1, 0]);
  });

  it('accepts bigint and fractional weights exactly', () => {
    expect(sut(3, [1n, 2n])).toEqual([1, 2]);
    expect(sut(3, [0.1, 0.2])).toEqual([1, 2]);
    expect(sut(4, [0.5, 1.5])).toEqual([1, 3]);
  });

  it('keeps precision for large totals and weights', () => {
    const max = Number.MAX_SAFE_INTEGER;
    expect(sut(max, [max, max])).toEqual([(max + 1) / 2, (max - 1) / 2]);
    expect(sut(max, [2n ** 80n, 1n])).toEqual([max, 0]);
  });

  it.each([
    ['all weights zero', 10, [0, 0]],
    ['no weights', 10, []],
    ['a negative weight', 10, [1, -1]],
    ['a non-finite weight', 10, [1, Infinity]],
    ['a NaN weight', 10, [NaN]],
    ['a fractional total', 1.5, [1]],
  ])('rejects %s', (_, total, weights) => {
    expect(() => sut(total as number, weights as number[])).toThrow(RangeError);
  });

  it('parts always sum exactly to the total', () => {
    fc.assert(
      fc.property(totals, weightLists, (total, weights) => {
        expect(sut(total, weights).reduce((a, b) => a + b, 0)).toBe(total);
      }),
    );
  });

  it('each part lies within one fen of its exact quota', () => {
    fc.assert(
      fc.property(totals, weightLists, (total, weights) => {
        const sum = BigInt(weights.reduce((a, b) => a + b, 0));
        sut(total, weights).forEach((part, i) => {
          const diff = BigInt(part) * sum - BigInt(total) * BigInt(weights[i] as number);
          expect(diff < sum && -diff < sum).toBe(true);
        });
      }),
    );
  });

  it('a larger weight never gets a smaller part (in magnitude)', () => {
    fc.assert(
      fc.property(totals, weightLists, (total, weights) => {
        const parts = sut(total, weights).map(Math.abs);
        weights.forEach((wi, i) =>
          weights.forEach((wj, j) => {
            if (wi > wj) {
              expect(parts[i]).toBeGreaterThanOrEqual(parts[j] as number);
            }
          }),
        );
      }),
    );
  });

  it('is the negation of the positive split for negative totals', () => {
    fc.assert(
      fc.property(totals, weightLists, (total, weights) => {
        expect(sut(-total, weights)).toEqual(sut(total, weights).map((p) => -p || 0));
      }),
    );
  });

  it('permuting the weights permutes the parts, except where remainders tie', () => {
    const permuted = weightLists.chain((ws) =>
      fc.tuple(
        fc.constant(ws),
        fc.shuffledSubarray(
          ws.map((_, i) => i),
          { minLength: ws.length },
        ),
      ),
    );
    fc.assert(
      fc.property(totals, permuted, (total, [weights, perm]) => {
        const parts = sut(total, weights);
        const permutedParts = sut(
          total,
          perm.map((i) => weights[i] as number),
        );
        const rems = remainders(total, weights);
        perm.forEach((from, to) => {
          const tied = rems.filter((r) => r === rems[from]).length > 1;
          if (!tied) {
            expect(permutedParts[to]).toBe(parts[from]);
          } else {
            expect(Math.abs((permutedParts[to] as number) - (parts[from] as number))).toBeLessThanOrEqual(1);
          }
        });
      }),
    );
  });
});
