import fc from 'fast-check';

import { formatYuan, parseYuan } from './yuan.util';

describe(formatYuan.name, () => {
  const sut = formatYuan;

  it.each([
    [1234, '¥12.34'],
    [-5, '-¥0.05'],
    [0, '¥0.00'],
    [-0, '¥0.00'],
    [100, '¥1.00'],
    [1282300, '¥12823.00'],
  ])('formats %p as %p', (fen, text) => {
    expect(sut(fen)).toBe(text);
  });

  it('uses the symbol or code of another currency', () => {
    expect(sut(150, 'USD')).toBe('$1.50');
    expect(sut(150, 'JPY')).toBe('JPY 1.50');
  });

  it('rejects non-fen', () => {
    expect(() => sut(1.5)).toThrow(RangeError);
  });
});

describe(parseYuan.name, () => {
  const sut = parseYuan;

  it.each([
    ['12.34', 1234],
    ['12.3', 1230],
    ['12', 1200],
    ['0.05', 5],
    ['-0.05', -5],
    ['¥12.34', 1234],
    ['-¥0.05', -5],
    ['-0', 0],
  ])('parses %p as %p', (text, fen) => {
    expect(sut(text)).toBe(fen);
  });

  it.each([
    '1e3',
    ' ',
    '',
    '12.345',
    ' 12.34',
    '12.34 ',
    '.5',
    '12.',
    '+1',
    '1,000.00',
    'NaN',
    '0x10',
    '99999999999999999',
  ])('rejects %p', (text) => {
    expect(() => sut(text)).toThrow(RangeError);
  });

  it('round-trips every amount through formatYuan', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (fen) => {
        expect(sut(formatYuan(fen))).toBe(fen || 0);
      }),
    );
  });
});
