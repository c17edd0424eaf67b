import fc from 'fast-check';

import { addFen, assertFen, bpsOf, multiplyFen } from './money.util';

const MAX = Number.MAX_SAFE_INTEGER;

describe(assertFen.name, () => {
  const sut = assertFen;

  it.each([0, 1, -1, MAX, -MAX])('accepts the safe integer %p', (value) => {
    expect(() => sut(value)).not.toThrow();
  });

  it.each([1.5, NaN, Infinity, MAX + 1, '12', null, undefined, 10n])(
    'rejects %p naming the field',
    (value) => {
      expect(() => sut(value, 'price.fen')).toThrow(RangeError);
      expect(() => sut(value, 'price.fen')).toThrow(/price\.fen/);
    },
  );
});

describe(addFen.name, () => {
  const sut = addFen;

  it('adds exactly and returns 0 for no addends', () => {
    expect(sut(1, 2, 3)).toBe(6);
    expect(sut()).toBe(0);
  });

  it('throws on overflow and on non-fen addends', () => {
    expect(() => sut(MAX, 1)).toThrow(RangeError);
    expect(() => sut(1, 0.5)).toThrow(/amounts\[1\]/);
  });

  it('equals the bigint sum whenever that is safe', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e12, max: 1e12 })), (xs) => {
        expect(sut(...xs)).toBe(Number(xs.reduce((a, x) => a + BigInt(x), 0n)));
      }),
    );
  });
});

describe(multiplyFen.name, () => {
  const sut = multiplyFen;

  it('multiplies a unit price by a quantity', () => {
    expect(sut(1234, 3)).toBe(3702);
    expect(sut(-5, 2)).toBe(-10);
    expect(sut(0, 7)).toBe(0);
  });

  it('throws on overflow instead of losing precision', () => {
    expect(() => sut(2 ** 30, 2 ** 30)).toThrow(/overflow/);
  });

  it('rejects a fractional quantity', () => {
    expect(() => sut(100, 1.5)).toThrow(/quantity/);
  });
});

describe(bpsOf.name, () => {
  const sut = bpsOf;

  it('rounds toward zero so a share never exceeds the rate', () => {
    expect(sut(999, 1500)).toBe(149); // 149.85
    expect(sut(10_000, 1)).toBe(1);
    expect(sut(9_999, 1)).toBe(0);
    expect(sut(12_345, 10_000)).toBe(12_345);
    expect(sut(12_345, 0)).toBe(0);
  });

  it.each([-1, 10_001, 1.5, NaN])('rejects the rate %p', (bps) => {
    expect(() => sut(100, bps)).toThrow(RangeError);
  });

  it('never promises more than the rate and loses less than one fen', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.integer({ min: 0, max: 10_000 }), (amount, bps) => {
        const share = BigInt(sut(amount, bps));
        const exactTimes10k = BigInt(amount) * BigInt(bps);
        expect(share * 10_000n <= exactTimes10k).toBe(true);
        expect(exactTimes10k - share * 10_000n < 10_000n).toBe(true);
      }),
    );
  });

  it('is symmetric for refunds', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 0, max: 10_000 }), (amount, bps) => {
        expect(sut(-amount, bps)).toBe(-sut(amount, bps) || 0);
      }),
    );
  });
});
