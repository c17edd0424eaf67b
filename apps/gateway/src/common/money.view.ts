import { formatYuan } from '@yugong/shared/money';

/** An amount as every REST answer shows it: integer fen, its currency and a display string. */
export interface MoneyJson {
  fen: number;
  currency: string;
  display: string;
}

/** `fen` of `currency` (CNY unless named) as the REST API shows it. */
export function moneyJson(fen: number, currency = 'CNY'): MoneyJson {
  return { fen, currency, display: formatYuan(fen, currency) };
}

/** A gRPC `Money` (absent: zero CNY; int64 fen may arrive as a string) as the REST API shows it. */
export function moneyOf(m: { fen: number | string; currency: string } | undefined): MoneyJson {
  return moneyJson(Number(m?.fen ?? 0), m?.currency || 'CNY');
}
