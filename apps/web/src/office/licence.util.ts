import type { Licence } from '../api/views';
import { yuan } from '../format.util';

/** "2.00% · at least ¥0.50 a unit", whichever parts the licence commits. */
export function commitment(
  l: Licence,
  t: (key: string, options?: Record<string, unknown>) => string,
): string {
  const parts = [
    l.commitment.bps > 0 ? `${(l.commitment.bps / 100).toFixed(2)}%` : undefined,
    l.commitment.minPerUnit.fen > 0
      ? t('review.licence.perUnit', { amount: yuan(l.commitment.minPerUnit.fen) })
      : undefined,
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : '–';
}
