import { splitByLargestRemainder } from '@yugong/shared/money';
import { accounts } from '../split/accounts.util';
import type { PostingDraft, TransactionDraft } from '../split/sale-split.util';
import type { RunPolicy } from './distribution-run.entity';

/** A household a run may reach, as beneficiaries answers it: ids and counts only. */
export interface Candidate {
  householdId: string;
  villageId: string;
  townId: string;
  members: number;
  /** `registered`, `exited`, `monitored_edge`, `monitored_unstable`. */
  status: string;
}

export interface PlannedShare extends Candidate {
  weight: number;
  fen: number;
}

/** Under `by_status`, households at risk of falling back come first: they weigh more. */
export const DEFAULT_STATUS_WEIGHTS: Readonly<Record<string, number>> = {
  monitored_unstable: 3,
  monitored_edge: 2,
  registered: 1,
  exited: 1,
};

/** The weight of a household under the policy: 1 each, its members, or its status's weight. */
export function weightOf(policy: RunPolicy, c: Candidate, statusWeights: Record<string, number>): number {
  switch (policy) {
    case 'equal':
      return 1;
    case 'per_member':
      return Math.max(0, c.members);
    case 'by_status':
      return statusWeights[c.status] ?? DEFAULT_STATUS_WEIGHTS[c.status] ?? 0;
  }
}

/**
 * Every candidate's fen of `totalFen` under the policy, by largest remainder over the candidates
 * in household id order: the shares sum to the total exactly and each is within one fen of its
 * exact quota. Undefined when every weight is zero (nobody to share by).
 */
export function planShares(
  policy: RunPolicy,
  candidates: Candidate[],
  totalFen: number,
  statusWeights: Record<string, number>,
): PlannedShare[] | undefined {
  const sorted = [...candidates].sort((a, b) => (a.householdId < b.householdId ? -1 : 1));
  const weights = sorted.map((c) => weightOf(policy, c, statusWeights));
  if (weights.every((w) => w === 0)) {
    return undefined;
  }
  const fen = splitByLargestRemainder(totalFen, weights);
  return sorted.map((c, i) => ({ ...c, weight: weights[i]!, fen: fen[i]! }));
}

/** What one balance row of the fund can give. */
export interface SlotFunds {
  slot: number;
  fen: number;
}

/**
 * Which balance rows of the fund pay `totalFen`: the fullest first (then the lower slot), never
 * more than a row can give. Undefined when all of them together cannot pay it.
 */
export function planFundDebits(available: SlotFunds[], totalFen: number): SlotFunds[] | undefined {
  const rows = available.filter((r) => r.fen > 0).sort((a, b) => b.fen - a.fen || a.slot - b.slot);
  const out: SlotFunds[] = [];
  let left = totalFen;
  for (const row of rows) {
    if (left === 0) {
      break;
    }
    const take = Math.min(row.fen, left);
    out.push({ slot: row.slot, fen: take });
    left -= take;
  }
  return left === 0 ? out.sort((a, b) => a.slot - b.slot) : undefined;
}

/** The one transaction an approved run posts: the fund's rows debited, each household credited. */
export function distributionDraft(
  run: { id: string; memo: string; currency: string },
  shares: PlannedShare[],
  debits: SlotFunds[],
  approvedAt: Date,
): TransactionDraft {
  const fund = accounts.reliefFund(run.currency);
  const postings: PostingDraft[] = [
    ...debits.map((d) => ({
      account: fund,
      side: 'debit' as const,
      fen: d.fen,
      role: 'distribution' as const,
      slot: d.slot,
    })),
    ...shares
      .filter((s) => s.fen > 0)
      .map((s) => ({
        account: accounts.household(s.householdId, s.villageId, run.currency),
        side: 'credit' as const,
        fen: s.fen,
        role: 'distribution' as const,
      })),
  ];
  return {
    idempotencyKey: `distribution:${run.id}`,
    kind: 'distribution',
    occurredAt: approvedAt,
    orderId: null,
    sourceEventId: null,
    memo: `distribution run ${run.id}${run.memo ? `: ${run.memo}` : ''}`,
    postings,
  };
}
