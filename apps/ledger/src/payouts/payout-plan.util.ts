import type { AccountRef } from '../split/accounts.util';
import type { PostingDraft, TransactionDraft } from '../split/sale-split.util';
import type { PayeeKind } from './payout-line.entity';

const CURRENCY = 'CNY';

const payoutAccount = (
  code: string,
  ownerKind: AccountRef['ownerKind'],
  ownerId: string | null,
): AccountRef => ({
  code,
  type: 'liability',
  ownerKind,
  ownerId,
  currency: CURRENCY,
  villageId: null,
  nonNegative: true,
});

/** The accounts a payout passes through: reserved per batch, in transit, paid. */
export const payoutAccounts = {
  pending: (batchId: string) => payoutAccount(`payouts:pending:${batchId}`, 'payout_pending', batchId),
  inTransit: () => payoutAccount('payouts:in_transit', 'payout_transit', null),
  /** Paid by the bank; reconciliation clears it against the bank's statement. */
  paid: () => payoutAccount('payouts:paid', 'payout_paid', null),
};

/**
 * A payee's account as the journal holds it (a household's benefit account, a producer's
 * payable), with what each balance row holds.
 */
export interface PayeeFunds {
  payeeKind: PayeeKind;
  payeeId: string;
  account: AccountRef;
  slots: { slot: number; fen: number }[];
}

export const fundsOf = (h: PayeeFunds) => h.slots.reduce((s, r) => s + r.fen, 0);

/** `PB<number>-<seq>`: unique across batches, what the bank's return file names. */
export const lineReference = (batchNumber: number, seq: number) =>
  `PB${batchNumber}-${String(seq).padStart(4, '0')}`;

const memoOf = (batchId: string, what: string) => `payout batch ${batchId}${what ? `: ${what}` : ''}`;

/** Reserves each payee's whole balance: debits every balance row it holds, credits the batch's pending account. */
export function reserveDraft(batchId: string, households: PayeeFunds[], at: Date): TransactionDraft {
  const total = households.reduce((s, h) => s + fundsOf(h), 0);
  const postings: PostingDraft[] = households.flatMap((h) =>
    h.slots
      .filter((s) => s.fen > 0)
      .map((s) => ({
        account: h.account,
        side: 'debit' as const,
        fen: s.fen,
        role: 'payout' as const,
        slot: s.slot,
      })),
  );
  postings.push({
    account: payoutAccounts.pending(batchId),
    side: 'credit',
    fen: total,
    role: 'payout',
    slot: 0,
  });
  return {
    idempotencyKey: `payout:${batchId}:reserved`,
    kind: 'payout',
    occurredAt: at,
    orderId: null,
    sourceEventId: null,
    memo: memoOf(batchId, ''),
    postings: total > 0 ? postings : [],
  };
}

/** The batch's reserved total leaves for the bank: pending → in transit. */
export function sentDraft(batchId: string, totalFen: number, at: Date): TransactionDraft {
  return {
    idempotencyKey: `payout:${batchId}:sent`,
    kind: 'payout',
    occurredAt: at,
    orderId: null,
    sourceEventId: null,
    memo: memoOf(batchId, 'sent to the bank'),
    postings:
      totalFen > 0
        ? [
            {
              account: payoutAccounts.pending(batchId),
              side: 'debit',
              fen: totalFen,
              role: 'payout',
              slot: 0,
            },
            { account: payoutAccounts.inTransit(), side: 'credit', fen: totalFen, role: 'payout', slot: 0 },
          ]
        : [],
  };
}

/**
 * Settles what is in transit: the paid lines to `payouts:paid`, each failed line back to its
 * payee's account, household or producer (its balance row 0). Debits exactly the batch's total.
 */
export function settleDraft(
  batchId: string,
  paidFen: number,
  failed: { account: AccountRef; fen: number }[],
  at: Date,
): TransactionDraft {
  const failedFen = failed.reduce((s, f) => s + f.fen, 0);
  const total = paidFen + failedFen;
  const postings: PostingDraft[] = [
    { account: payoutAccounts.inTransit(), side: 'debit', fen: total, role: 'payout', slot: 0 },
    ...failed.map((f) => ({
      account: f.account,
      side: 'credit' as const,
      fen: f.fen,
      role: 'payout' as const,
      slot: 0,
    })),
  ];
  if (paidFen > 0) {
    postings.push({ account: payoutAccounts.paid(), side: 'credit', fen: paidFen, role: 'payout', slot: 0 });
  }
  return {
    idempotencyKey: `payout:${batchId}:settled`,
    kind: 'payout',
    occurredAt: at,
    orderId: null,
    sourceEventId: null,
    memo: memoOf(batchId, failedFen > 0 ? 'settled; failed lines returned to the payees' : 'settled'),
    postings: total > 0 ? postings : [],
  };
}
