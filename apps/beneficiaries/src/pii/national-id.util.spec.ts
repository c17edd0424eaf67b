import fc from 'fast-check';
import { nationalIdCheckCharacter, nationalIdProblem } from './national-id.util';

const TODAY = new Date('2026-01-01T00:00:00Z');

/** 17 digits with a real birth date between 1900 and 2025. */
const first17 = fc
  .tuple(
    fc.integer({ min: 110_000, max: 999_999 }),
    fc.date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date('2025-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.integer({ min: 0, max: 999 }),
  )
  .map(
    ([area, birth, order]) =>
      `${area}${birth.toISOString().slice(0, 10).replace(/-/g, '')}${String(order).padStart(3, '0')}`,
  );

describe(nationalIdProblem.name, () => {
  it('accepts every ID with a valid check character', () => {
    fc.assert(
      fc.property(first17, (digits) => {
        const sut = digits + nationalIdCheckCharacter(digits);
        expect(nationalIdProblem(sut, TODAY)).toBeUndefined();
      }),
    );
  });

  it('refuses every single-digit change of a valid ID', () => {
    fc.assert(
      fc.property(
        first17,
        fc.integer({ min: 0, max: 16 }),
        fc.integer({ min: 1, max: 9 }),
        (digits, at, delta) => {
          const valid = digits + nationalIdCheckCharacter(digits);
          const changed = String((Number(valid[at]) + delta) % 10);
          const sut = valid.slice(0, at) + changed + valid.slice(at + 1);
          expect(nationalIdProblem(sut, TODAY)).toBeDefined();
        },
      ),
    );
  });

  it('refuses a changed check character', () => {
    fc.assert(
      fc.property(first17, fc.constantFrom(...'0123456789X'), (digits, check) => {
        fc.pre(check !== nationalIdCheckCharacter(digits));
        expect(nationalIdProblem(digits + check, TODAY)).toBe('has a wrong check character (GB 11643)');
      }),
    );
  });

  it('knows the published example and names each problem without repeating the value', () => {
    expect(nationalIdCheckCharacter('11010519491231002')).toBe('X');
    expect(nationalIdProblem('11010519491231002X', TODAY)).toBeUndefined();
    expect(nationalIdProblem('1101051949123100', TODAY)).toBe('must be 18 characters');
    expect(nationalIdProblem('11010519491231002A', TODAY)).toBe('must be 17 digits and a final digit or X');
    expect(nationalIdProblem('110105194902300021', TODAY)).toBe('has no valid birth date (characters 7-14)');
    expect(nationalIdProblem('110105203001010021', TODAY)).toBe(
      'has an implausible birth date (characters 7-14)',
    );
  });
});
