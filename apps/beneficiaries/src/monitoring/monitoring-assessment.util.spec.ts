import fc from 'fast-check';
import { assessHousehold } from './monitoring-assessment.util';

const policy = { povertyLineFen: 40_000, dropThresholdBps: 3_000, windowMonths: 12 };

describe(assessHousehold.name, () => {
  it('flags a household whose income halved, even above the line', () => {
    const sut = assessHousehold({ recentFen: 500_000, priorFen: 1_000_000, members: 2 }, policy);
    expect(sut).toEqual({ perMemberFen: 250_000, dropBps: 5_000, reasons: ['income_drop'] });
  });

  it('does not flag a household above the line whose income held', () => {
    const sut = assessHousehold({ recentFen: 90_000, priorFen: 100_000, members: 2 }, policy);
    expect(sut.reasons).toEqual([]);
    expect(sut.perMemberFen).toBe(45_000);
    expect(sut.dropBps).toBe(1_000);
  });

  it('flags below the line per member, annualising a shorter window', () => {
    const sut = assessHousehold(
      { recentFen: 30_000, priorFen: 0, members: 3 },
      { ...policy, windowMonths: 6 },
    );
    expect(sut).toEqual({ perMemberFen: 20_000, dropBps: 0, reasons: ['below_line'] });
  });

  it('never flags a drop without prior income, and the drop is at most 10,000 bps', () => {
    fc.assert(
      fc.property(
        fc.nat(10_000_000),
        fc.nat(10_000_000),
        fc.integer({ min: 1, max: 20 }),
        (recentFen, priorFen, members) => {
          const sut = assessHousehold({ recentFen, priorFen, members }, policy);
          expect(sut.dropBps).toBeGreaterThanOrEqual(0);
          expect(sut.dropBps).toBeLessThanOrEqual(10_000);
          if (priorFen === 0) {
            expect(sut.reasons).not.toContain('income_drop');
          }
          expect(sut.reasons.includes('below_line')).toBe(sut.perMemberFen < policy.povertyLineFen);
        },
      ),
    );
  });
});
