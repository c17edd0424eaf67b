import fc from 'fast-check';
import { creditCodeCheckChar, creditCodeProblem } from './credit-code.util';

describe(creditCodeProblem.name, () => {
  it('accepts published codes', () => {
    // Codes printed on public business licences.
    expect(creditCodeProblem('91350100M000100Y43')).toBeNull();
    expect(creditCodeProblem('91110000802100433B')).toBeNull();
  });

  it('rejects a wrong check character', () => {
    expect(creditCodeProblem('91350100M000100Y44')).toMatch(/check character/);
  });

  it('rejects bad shapes', () => {
    expect(creditCodeProblem('')).toMatch(/18 characters/);
    expect(creditCodeProblem('91350100M000100Y4')).toMatch(/18 characters/);
    expect(creditCodeProblem('91350100M000100I43')).toMatch(/18 characters/);
    expect(creditCodeProblem('91350A00M000100Y43')).toMatch(/18 characters/);
  });

  it('accepts every code completed with its check character, and no single-character change of it', () => {
    const char = fc.constantFrom(...'0123456789ABCDEFGHJKLMNPQRTUWXY');
    const digit = fc.constantFrom(...'0123456789');
    const body = fc
      .tuple(
        fc.array(char, { minLength: 2, maxLength: 2 }),
        fc.array(digit, { minLength: 6, maxLength: 6 }),
        fc.array(char, { minLength: 9, maxLength: 9 }),
      )
      .map(([a, b, c]) => [...a, ...b, ...c].join(''));
    fc.assert(
      fc.property(body, char, (first17, other) => {
        const sut = first17 + creditCodeCheckChar(first17);
        expect(creditCodeProblem(sut)).toBeNull();
        if (other !== sut[17]) {
          expect(creditCodeProblem(first17 + other)).not.toBeNull();
        }
      }),
    );
  });
});
