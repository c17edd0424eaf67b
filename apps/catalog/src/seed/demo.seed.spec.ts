import fc from 'fast-check';
import { demoLotSuppliers } from './demo.seed';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe(demoLotSuppliers.name, () => {
  const sut = demoLotSuppliers;

  it('names distinct households of the list, each with a positive quantity, at most the lot', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (size, lotNumber, quantity) => {
          const households = Array.from({ length: size }, (_, i) => uuid(i));
          const suppliers = sut(households, lotNumber, quantity);
          const ids = suppliers.map((s) => s.householdId);
          expect(new Set(ids).size).toBe(ids.length);
          expect(ids.every((id) => households.includes(id))).toBe(true);
          expect(suppliers.every((s) => Number.isInteger(s.quantity) && s.quantity > 0)).toBe(true);
          expect(suppliers.reduce((sum, s) => sum + s.quantity, 0)).toBeLessThanOrEqual(quantity);
        },
      ),
    );
  });

  it('shares 80% of the lot as evenly as whole units allow, turning through the households', () => {
    const households = Array.from({ length: 7 }, (_, i) => uuid(i));
    expect(sut(households, 0, 400).map((s) => s.quantity)).toEqual([64, 64, 64, 64, 64]);
    expect(sut(households, 0, 11).map((s) => s.quantity)).toEqual([2, 2, 2, 1, 1]);
    expect(sut(households, 1, 100).map((s) => s.householdId)).toEqual([5, 6, 0, 1, 2].map((i) => uuid(i)));
    expect(sut([], 0, 100)).toEqual([]);
  });
});
