/** What monitoring holds a household's relief income against. */
export interface MonitoringPolicy {
  /** Relief income per member per year below which a household is flagged, fen. */
  povertyLineFen: number;
  /** A fall from the prior window of at least this many basis points flags a household. */
  dropThresholdBps: number;
  /** Length of each of the two windows, months. */
  windowMonths: number;
}

/** One household's relief income in the two windows, and its members. */
export interface MonitoringInput {
  recentFen: number;
  priorFen: number;
  members: number;
}

export type FlagReason = 'below_line' | 'income_drop';

/** The assessment of one household. */
export interface Assessment {
  /** Recent relief income per member, per year (rounded down). */
  perMemberFen: number;
  /** How far the recent window fell below the prior one, basis points (rounded down); 0 when it did not. */
  dropBps: number;
  /** Empty when the household is not flagged. */
  reasons: FlagReason[];
}

/**
 * Assesses a household: flagged `below_line` when its recent relief income, per member and per
 * year, is under the poverty line; `income_drop` when it fell from the prior window by the
 * threshold or more (a household with no prior income cannot have fallen). Integer fen and basis
 * points only: the same figures on every machine.
 */
export function assessHousehold(input: MonitoringInput, policy: MonitoringPolicy): Assessment {
  const members = Math.max(1, input.members);
  const recent = Math.max(0, input.recentFen);
  const prior = Math.max(0, input.priorFen);
  const perMemberFen = Math.floor((recent * 12) / (policy.windowMonths * members));
  const dropBps = prior > recent ? Math.floor(((prior - recent) * 10_000) / prior) : 0;
  const reasons: FlagReason[] = [];
  if (perMemberFen < policy.povertyLineFen) {
    reasons.push('below_line');
  }
  if (prior > 0 && dropBps >= policy.dropThresholdBps) {
    reasons.push('income_drop');
  }
  return { perMemberFen, dropBps, reasons };
}
