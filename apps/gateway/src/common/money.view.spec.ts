import { moneyJson, moneyOf } from './money.view';

describe(moneyJson.name, () => {
  it('shows fen as yuan with two decimals in the currency named, CNY by default', () => {
    expect(moneyJson(123456)).toEqual({ fen: 123456, currency: 'CNY', display: '¥1234.56' });
    expect(moneyJson(5, 'CNY').display).toBe('¥0.05');
  });
});

describe(moneyOf.name, () => {
  it('reads an absent amount as zero CNY and int64 fen sent as a string as a number', () => {
    expect(moneyOf(undefined)).toEqual({ fen: 0, currency: 'CNY', display: '¥0.00' });
    expect(moneyOf({ fen: '250', currency: '' })).toEqual({ fen: 250, currency: 'CNY', display: '¥2.50' });
  });
});
