import { splitByLargestRemainder } from '@yugong/shared/money';
import { accounts, recoverableOf } from './accounts.util';
import type { PostingDraft, TransactionDraft } from './sale-split.util';

/** A part of a line still standing: its sale credits less what earlier refunds took back. */
export type RemainingPart = Omit<PostingDraft, 'side'>;

/** One line of a refund. */
export interface RefundLineInput {
  lineId: string;
  /** What left the clearing account for this line. */
  amountFen: number;
  /** Every part of the line still standing (sale credits net of earlier refunds), fen > 0. */
  remaining: RemainingPart[];
}

export interface RefundInput {
  orderId: string;
  refundId: string;
  eventId: string;
  refundedAt: Date;
  method: string;
  currency: string;
  lines: RefundLineInput[];
  /** The sale this refund partly reverses. */
  saleTransactionId: string;
  /**
   * What each household and village collective account still holds in the order's balance slot,
   * by account code, read under the lock of that row. Absent: holds every share it reverses.
   */
  held?: Map<string, number>;
}

/**
 * Takes from each household's or village collective's account at most what it still holds; the
 * rest of its reversal (a share paid out or distributed since) is debited to the owner's
 * receivable, with the same line, role and lot, so the transaction still balances and what stands
 * of the part counts both debits.
 */
function claimShortfalls(debits: PostingDraft[], held: Map<string, number>): PostingDraft[] {
  const left = new Map<string, number>();
  const out: PostingDraft[] = [];
  for (const debit of debits) {
    const recoverable = recoverableOf(debit.account);
    if (!recoverable) {
      out.push(debit);
      continue;
    }
    const code = debit.account.code;
    const available = Math.max(0, left.get(code) ?? held.get(code) ?? Number.MAX_SAFE_INTEGER);
    const taken = Math.min(debit.fen, available);
    left.set(code, available - taken);
    if (taken > 0) {
      out.push({ ...debit, fen: taken });
    }
    if (debit.fen > taken) {
      out.push({ ...debit, account: recoverable, fen: debit.fen - taken });
    }
  }
  return out;
}

/**
 * Reverses a refund's share of every part of the lines it refunds. A line's refund amount is split
 * over what remains of its parts by largest remainder — each part's reversal lies within a fen of
 * its proportion, and never exceeds what remains of it while the line is not refunded in full —
 * and the refund that takes a line's last units takes exactly what remains, so a line refunded in
 * full, in any number of refunds, nets to zero in every account it touched — a household's or
 * village collective's account counted together with its receivable, which takes what the account
 * no longer holds (`held`).
 */
export function planRefund(refund: RefundInput): TransactionDraft {
  const debits: PostingDraft[] = [];
  let total = 0;
  for (const line of refund.lines) {
    const remaining = line.remaining.filter((p) => p.fen > 0);
    const standing = remaining.reduce((sum, p) => sum + p.fen, 0);
    // Refunds are unit price × units, so what stands is the price of the units not yet refunded:
    // an amount reaching it takes the line's last units.
    const amount = Math.min(line.amountFen, standing);
    if (amount <= 0) {
      continue;
    }
    const parts =
      amount === standing
        ? remaining.map((p) => p.fen)
        : splitByLargestRemainder(
            amount,
            remaining.map((p) => p.fen),
          );
    parts.forEach((fen, i) => {
      if (fen > 0) {
        debits.push({ ...remaining[i]!, side: 'debit', fen });
      }
    });
    total += amount;
  }
  const credit: PostingDraft[] =
    total > 0
      ? [
          {
            account: accounts.clearing(refund.method, refund.currency),
            side: 'credit',
            fen: total,
            role: 'clearing',
          },
        ]
      : [];
  return {
    idempotencyKey: `order:${refund.orderId}:refund:${refund.refundId}`,
    kind: 'refund',
    occurredAt: refund.refundedAt,
    orderId: refund.orderId,
    sourceEventId: refund.eventId,
    memo: `refund ${refund.refundId} of order ${refund.orderId}`,
    postings: [...(refund.held ? claimShortfalls(debits, refund.held) : debits), ...credit],
  };
}
