import { assertFen, type Fen } from './money.util';

const SYMBOLS: Readonly<Record<string, string>> = { CNY: '¥', USD: '$', EUR: '€', HKD: 'HK$' };

const YUAN_PATTERN = /^(-)?¥?(\d+)(?:\.(\d{1,2}))?$/;

/**
 * Formats fen as a display string with two decimals, e.g. `1234` → `"¥12.34"`, `-5` → `"-¥0.05"`.
 * No thousands separators, so the output parses back with {@link parseYuan}.
 *
 * @param fen - the amount in fen
 * @param currency - ISO 4217 code; known codes get their symbol, others a `"XXX "` prefix
 */
export function formatYuan(fen: Fen, currency = 'CNY'): string {
  assertFen(fen, 'fen');
  const symbol = SYMBOLS[currency] ?? `${currency} `;
  const abs = Math.abs(fen);
  const whole = Math.trunc(abs / 100);
  const cents = String(abs % 100).padStart(2, '0');
  return `${fen < 0 ? '-' : ''}${symbol}${whole}.${cents}`;
}

/**
 * Parses a yuan amount strictly into fen: `"12.34"` → `1234`, `"-0.5"` → `-50`, `"¥12.34"` → `1234`.
 *
 * Accepts an optional leading `-`, an optional `¥`, digits, and at most two decimals. Rejects
 * exponents (`"1e3"`), blanks and surrounding spaces, a third decimal (`"12.345"`, never rounded
 * away silently), a bare `"."`, and amounts beyond the safe integer range.
 *
 * @param text - the amount in yuan
 * @returns the amount in fen
 * @throws RangeError when `text` is not a valid amount
 */
export function parseYuan(text: string): Fen {
  const match = typeof text === 'string' ? YUAN_PATTERN.exec(text) : null;
  if (!match) {
    throw new RangeError(`not a yuan amount with at most 2 decimals: ${JSON.stringify(text)}`);
  }
  const [, minus, whole = '0', decimals = ''] = match;
  const fen = BigInt(whole) * 100n + BigInt(decimals.padEnd(2, '0'));
  if (fen > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`yuan amount out of range: ${JSON.stringify(text)}`);
  }
  const value = Number(fen);
  return minus && value !== 0 ? -value : value;
}
