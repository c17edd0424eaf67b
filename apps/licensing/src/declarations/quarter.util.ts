const CHINA_OFFSET_MS = 8 * 3600 * 1000;
const QUARTER = /^(\d{4})-Q([1-4])$/;

/** A calendar quarter in China time: `2020-Q3` runs from 1 July 00:00 (UTC+8) to 1 October 00:00. */
export interface Quarter {
  label: string;
  start: Date;
  /** Exclusive. */
  end: Date;
}

/** The quarter a `YYYY-Qn` label names; undefined when it names none. */
export function parseQuarter(label: string): Quarter | undefined {
  const m = QUARTER.exec(label);
  if (!m) {
    return undefined;
  }
  const year = Number(m[1]);
  const q = Number(m[2]);
  return {
    label,
    start: new Date(Date.UTC(year, (q - 1) * 3, 1) - CHINA_OFFSET_MS),
    end: new Date(Date.UTC(year, q * 3, 1) - CHINA_OFFSET_MS),
  };
}

/** Basis points in a whole. */
const BPS = 10_000;

/**
 * The commitment a licence's terms make of a quarter's declared sales, integer fen: the larger of
 * `bps` of the revenue (rounded half up to the fen, as a sale's per-unit rate is) and the minimum
 * per unit times the units. Inputs are bounded by the schema (revenue ≤ 10^12 fen, so the product
 * stays below 2^53).
 */
export function declaredCommitmentOf(terms: {
  commitmentBps: number;
  minPerUnitFen: number;
  units: number;
  revenueFen: number;
}): number {
  const byRate = Math.floor((terms.revenueFen * terms.commitmentBps + BPS / 2) / BPS);
  return Math.max(byRate, terms.minPerUnitFen * terms.units);
}
