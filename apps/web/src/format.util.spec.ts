import { chinaDateTime, chinaDayStart, fenOf, percent, yuan } from './format.util';

describe(yuan.name, () => {
  it.each([
    [0, '¥0.00'],
    [5, '¥0.05'],
    [6800, '¥68.00'],
    [123456789, '¥1,234,567.89'],
    [-1050, '-¥10.50'],
  ])('shows %i fen as %s', (fen, text) => {
    expect(yuan(fen)).toBe(text);
  });

  it('round-trips every amount typed in yuan', () => {
    for (let fen = 0; fen < 100_000; fen += 37) {
      expect(fenOf(yuan(fen).replace(/[¥,]/g, ''))).toBe(fen);
    }
  });
});

describe(fenOf.name, () => {
  it.each([
    ['12', 1200],
    ['12.5', 1250],
    ['0.05', 5],
    [' 3.10 ', 310],
  ])('reads %s yuan as %i fen', (text, fen) => {
    expect(fenOf(text)).toBe(fen);
  });

  it.each(['', 'abc', '1.234', '-1', '1e3'])('refuses %s', (text) => {
    expect(fenOf(text)).toBeUndefined();
  });
});

describe(chinaDateTime.name, () => {
  it('shows an instant in China time whatever the machine zone', () => {
    expect(chinaDateTime('2020-05-16T16:30:00.000Z')).toBe('2020/05/17 00:30');
  });
});

describe(percent.name, () => {
  it('shows basis points as percent', () => {
    expect(percent(1500)).toBe('15%');
    expect(percent(1234)).toBe('12.34%');
  });
});

describe(chinaDayStart.name, () => {
  it('starts a day at midnight in China, whatever the zone of the browser', () => {
    expect(chinaDayStart('2020-05-16')).toBe('2020-05-15T16:00:00.000Z');
    expect(chinaDayStart('2020-05-31', 1)).toBe('2020-05-31T16:00:00.000Z');
  });

  it.each(['', '2020-5-1', '2020-13-45', 'yesterday'])('refuses %p', (text) => {
    expect(chinaDayStart(text)).toBeUndefined();
  });
});
