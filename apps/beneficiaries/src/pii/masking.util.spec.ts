import fc from 'fast-check';
import { maskAccount, maskName, maskNationalId } from './masking.util';

describe('masking', () => {
  it('keeps the first and last character of a name', () => {
    expect(maskName('王小波')).toBe('王*波');
    expect(maskName('欧阳小波')).toBe('欧**波');
    expect(maskName('王波')).toBe('王*');
    expect(maskName('王')).toBe('*');
    expect(maskName('')).toBe('');
  });

  it('never shows the middle of a name of three or more characters', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...'王李张刘陈杨赵黄周吴小波明华'), { minLength: 3, maxLength: 6 }),
        (chars) => {
          const sut = maskName(chars.join(''));
          expect(Array.from(sut)).toHaveLength(chars.length);
          expect(sut.slice(1, -1)).toMatch(/^\*+$/);
        },
      ),
    );
  });

  it('keeps the first and last four of a national ID and the last four of an account', () => {
    expect(maskNationalId('410881199001011234')).toBe('4108**********1234');
    expect(maskAccount('6222020200112233445')).toBe('****3445');
    expect(maskAccount('')).toBe('');
  });
});
