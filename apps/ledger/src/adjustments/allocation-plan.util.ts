import { splitByLargestRemainder } from '@yugong/shared/money';
import { accounts } from '../split/accounts.util';
import type { PostingDraft, TransactionDraft } from '../split/sale-split.util';

/** What stands of one sale line's unallocated household share, on the balance row of its order. */
export interface UnallocatedPart {
  lineId: string;
  productId: string | null;
  producerId: string | null;
  lotId: string | null;
  slot: number;
  fen: number;
}

export interface AllocationTarget {
  householdId: string;
  villageId: string | null;
  weight: number;
}

export interface AllocationPlan {
  draft: TransactionDraft;
  /** Each household's fen, in the order given. */
  perHousehold: { householdId: string; villageId: string | null; fen: number }[];
}

/**
 * Moves `amountFen` of a producer's unallocated household share to households by weight, in one
 * transaction. The households' fen are one largest-remainder split of the amount; the money is
 * taken from the sale lines oldest first, each household filled in turn (the north-west corner of
 * lines × households), and every posting keeps its line, product, lot and order's balance row: the
 * line's household share now names these households, so its trace shows them and a later refund
 * of the line takes back from them, exactly as if they had been known at the sale.
 */
export function planAllocation(input: {
  producerId: string;
  parts: UnallocatedPart[];
  households: AllocationTarget[];
  amountFen: number;
  idempotencyKey: string;
  occurredAt: Date;
  memo: string;
}): AllocationPlan {
  const fen = splitByLargestRemainder(
    input.amountFen,
    input.households.map((h) => h.weight),
  );
  const perHousehold = input.households.map((h, i) => ({
    householdId: h.householdId,
    villageId: h.villageId,
    fen: fen[i]!,
  }));
  const from = accounts.unallocated(input.producerId);
  const postings: PostingDraft[] = [];
  let part = 0;
  let leftInPart = input.parts[0]?.fen ?? 0;
  for (const h of perHousehold) {
    let owed = h.fen;
    while (owed > 0) {
      const p = input.parts[part];
      if (!p) {
        throw new RangeError(`allocation of ${input.amountFen} fen exceeds the unallocated share`);
      }
      const take = Math.min(owed, leftInPart);
      if (take > 0) {
        const trace = {
          lineId: p.lineId,
          productId: p.productId,
          producerId: p.producerId,
          lotId: p.lotId,
          slot: p.slot,
        };
        postings.push({ account: from, side: 'debit', fen: take, role: 'unallocated', ...trace });
        postings.push({
          account: accounts.household(h.householdId, h.villageId),
          side: 'credit',
          fen: take,
          role: 'household',
          ...trace,
        });
      }
      owed -= take;
      leftInPart -= take;
      if (leftInPart === 0) {
        part += 1;
        leftInPart = input.parts[part]?.fen ?? 0;
      }
    }
  }
  return {
    perHousehold,
    draft: {
      idempotencyKey: `allocation:${input.idempotencyKey}`,
      kind: 'allocation',
      occurredAt: input.occurredAt,
      orderId: null,
      sourceEventId: null,
      memo: input.memo,
      postings,
    },
  };
}
