import fc from 'fast-check';
import { declaredCommitmentOf, parseQuarter } from './quarter.util';

describe(parseQuarter.name, () => {
  it('names a calendar quarter in China time, its end exclusive', () => {
    expect(parseQuarter('2020-Q3')).toEqual({
      label: '2020-Q3',
      start: new Date('2020-06-30T16:00:00Z'),
      end: new Date('2020-09-30T16:00:00Z'),
    });
    expect(parseQuarter('2020-Q4')!.end).toEqual(new Date('2020-12-31T16:00:00Z'));
  });

  it('refuses what is not YYYY-Qn', () => {
    for (const bad of ['2020-Q5', '2020-Q0', '2020Q1', '20-Q1', '2020-q1', '']) {
      expect(parseQuarter(bad)).toBeUndefined();
    }
  });
});

describe(declaredCommitmentOf.name, () => {
  it('is the larger of the rate on the revenue (half up) and the minimum per unit', () => {
    // 2 % of ¥1,234.25 = 2468.5 fen → 2469; 100 units at ¥0.20 = 2000.
    expect(
      declaredCommitmentOf({ commitmentBps: 200, minPerUnitFen: 20, units: 100, revenueFen: 123_425 }),
    ).toBe(2_469);
    expect(
      declaredCommitmentOf({ commitmentBps: 200, minPerUnitFen: 50, units: 100, revenueFen: 123_425 }),
    ).toBe(5_000);
    expect(declaredCommitmentOf({ commitmentBps: 0, minPerUnitFen: 0, units: 0, revenueFen: 0 })).toBe(0);
  });

  it('is whole fen, never below either term, and at most half a fen above the exact rate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 1_000_000_000 }),
        fc.integer({ min: 0, max: 1_000_000_000_000 }),
        (commitmentBps, minPerUnitFen, units, revenueFen) => {
          const c = declaredCommitmentOf({ commitmentBps, minPerUnitFen, units, revenueFen });
          expect(Number.isSafeInteger(c)).toBe(true);
          expect(c).toBeGreaterThanOrEqual(minPerUnitFen * units);
          const exact = (revenueFen * commitmentBps) / 10_000;
          expect(c).toBeGreaterThanOrEqual(Math.min(exact - 0.5, c));
          expect(c === minPerUnitFen * units || Math.abs(c - exact) <= 0.5).toBe(true);
        },
      ),
    );
  });
});
