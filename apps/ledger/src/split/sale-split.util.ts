import { BPS_PER_WHOLE, splitByLargestRemainder } from '@yugong/shared/money';
import type { PostingRole, PostingSide } from '../journal/posting.entity';
import type { TransactionKind } from '../journal/journal-transaction.entity';
import { accounts, type AccountRef } from './accounts.util';

/** A household that supplied part of a lot. */
export interface SupplierShare {
  householdId: string;
  villageId: string | null;
  quantity: number;
}

/** A lot a line's units came from, with its suppliers (empty when none were recorded). */
export interface LineLot {
  lotId: string;
  lotCode: string;
  quantity: number;
  suppliers: SupplierShare[];
}

/** A household holding a benefit agreement with the producer at the payment time. */
export interface AgreementShare {
  householdId: string;
  villageId: string | null;
  weight: number;
}

/** A village collective promised a part of the producer's sales, basis points of the gross. */
export interface VillageCollectiveShare {
  villageId: string;
  bps: number;
}

/** Everything the split of one order line depends on, fixed at the payment time. */
export interface SaleLineInput {
  lineId: string;
  productId: string;
  producerId: string;
  quantity: number;
  grossFen: number;
  /** The producer's household share snapshotted on the line. */
  householdShareBps: number;
  lots: LineLot[];
  agreementShares: AgreementShare[];
  villageCollectives: VillageCollectiveShare[];
  /** The LOGO licence's commitment snapshotted at checkout: basis points of the unit price… */
  licenceCommitmentBps: number;
  /** …and at least this much per unit, fen (0 on unlicensed lines). See {@link licenceCommitmentOf}. */
  licenceMinPerUnitFen: number;
  /** Processor fee of the line by the configured rate; 0 for manual payments. */
  feeBps: number;
  /**
   * The line's part of the processor's actual fee, fen, when it is known (see
   * {@link SaleInput.processorFeeFen}); it then replaces `feeBps`.
   */
  feeFen?: number | null;
}

export interface SaleInput {
  orderId: string;
  eventId: string;
  paidAt: Date;
  /** `stripe` or `manual`. */
  method: string;
  currency: string;
  donationFen: number;
  lines: SaleLineInput[];
  /**
   * The fee the processor actually charged for the payment (Stripe's balance transaction), fen;
   * null or absent when not known, and the lines' `feeBps` apply.
   */
  processorFeeFen?: number | null;
}

/** One side of a planned transaction. */
export interface PostingDraft {
  account: AccountRef;
  side: PostingSide;
  fen: number;
  role: PostingRole;
  lineId?: string | null;
  productId?: string | null;
  producerId?: string | null;
  lotId?: string | null;
  /** The balance row it moves, when not its transaction's order's (money taken from many orders' rows). */
  slot?: number;
}

/** A transaction as the rules plan it, before it is written. */
export interface TransactionDraft {
  idempotencyKey: string;
  kind: TransactionKind;
  occurredAt: Date;
  orderId: string | null;
  sourceEventId: string | null;
  memo: string;
  postings: PostingDraft[];
}

/** How the household share of a line was shared out. */
export type HouseholdBasis = 'lots' | 'agreements' | 'unallocated' | 'mixed';

/** The credits of one line and how its household share was decided. */
export interface LineSplit {
  credits: PostingDraft[];
  basis: HouseholdBasis;
}

/**
 * What a licensed line commits to the relief fund, in fen: per unit, the larger of
 * `licenceCommitmentBps` of the unit price (rounded half up) and `licenceMinPerUnitFen`; times the
 * units. Per unit, so that a refund of k units, which reverses every part of the line in
 * proportion, reverses exactly k units' commitment.
 */
export function licenceCommitmentOf(
  line: Pick<SaleLineInput, 'grossFen' | 'quantity' | 'licenceCommitmentBps' | 'licenceMinPerUnitFen'>,
): number {
  if (line.quantity <= 0 || (line.licenceCommitmentBps <= 0 && line.licenceMinPerUnitFen <= 0)) {
    return 0;
  }
  const unitFen = line.grossFen / line.quantity;
  const byRate = Math.floor((unitFen * line.licenceCommitmentBps + BPS_PER_WHOLE / 2) / BPS_PER_WHOLE);
  return Math.max(byRate, line.licenceMinPerUnitFen) * line.quantity;
}

/**
 * A line's gross shared out by basis points (largest remainder): the household share, the village
 * collectives, the processor fee and the rest. A known fee in fen (`feeFen`) is taken whole out of
 * what the shares by rate leave, never more than that (the line's credits always sum to its gross).
 */
function shareOut(line: SaleLineInput): { household: number; villages: number; fee: number; rest: number } {
  const village = line.villageCollectives.reduce((sum, v) => sum + v.bps, 0);
  if (line.feeFen !== undefined && line.feeFen !== null) {
    const [household, villages, left] = splitByLargestRemainder(line.grossFen, [
      line.householdShareBps,
      village,
      Math.max(0, BPS_PER_WHOLE - line.householdShareBps - village),
    ]) as [number, number, number];
    const fee = Math.min(Math.max(line.feeFen, 0), left);
    return { household, villages, fee, rest: left - fee };
  }
  const fixed = line.householdShareBps + village + line.feeBps;
  const [household, villages, fee, rest] = splitByLargestRemainder(line.grossFen, [
    line.householdShareBps,
    village,
    line.feeBps,
    Math.max(0, BPS_PER_WHOLE - fixed),
  ]) as [number, number, number, number];
  return { household, villages, fee, rest };
}

/**
 * The processor's actual fee of a sale shared over its lines in proportion to their gross
 * (largest remainder); null for each line when the fee is not known or the sale has no gross.
 */
export function lineFeesOf(sale: Pick<SaleInput, 'lines' | 'processorFeeFen'>): (number | null)[] {
  const gross = sale.lines.map((l) => Math.max(l.grossFen, 0));
  if (sale.processorFeeFen === undefined || sale.processorFeeFen === null || gross.every((g) => g === 0)) {
    return sale.lines.map(() => null);
  }
  return splitByLargestRemainder(sale.processorFeeFen, gross);
}

/**
 * Splits one order line's gross, exact to the fen (largest remainder at every step):
 * household share, village collectives and processor fee by their basis points (the fee in fen
 * when the processor's actual fee is known, see {@link lineFeesOf}); the licence
 * commitment ({@link licenceCommitmentOf}) out of what remains, never more than it (the
 * licensee commits part of its own revenue); the rest to the producer. The household share goes to the lots the units came from in
 * proportion to their units; a lot's part to its supplier households by supplied quantity, else
 * to the households of the producer's benefit agreements by weight, else to the producer's
 * unallocated household share. The credits always sum to the gross; none is zero.
 */
export function splitLine(line: SaleLineInput, method: string, currency: string): LineSplit {
  const { household, villages, fee, rest } = shareOut(line);
  const licence = Math.min(rest, licenceCommitmentOf(line));
  const producer = rest - licence;
  const dims = { lineId: line.lineId, productId: line.productId, producerId: line.producerId };
  const credits: PostingDraft[] = [];
  const credit = (account: AccountRef, fen: number, role: PostingRole, lotId: string | null = null) => {
    if (fen > 0) {
      credits.push({ account, side: 'credit', fen, role, ...dims, lotId });
    }
  };

  const bases = new Set<HouseholdBasis>();
  const lots: { lotId: string | null; quantity: number; suppliers: SupplierShare[] }[] =
    line.lots.length > 0 ? line.lots : [{ lotId: null, quantity: line.quantity, suppliers: [] }];
  const perLot =
    household > 0
      ? splitByLargestRemainder(
          household,
          lots.map((l) => Math.max(l.quantity, 0) || 1),
        )
      : [];
  lots.forEach((lot, i) => {
    const part = perLot[i] ?? 0;
    if (part === 0) {
      return;
    }
    const suppliers = lot.suppliers.filter((s) => s.quantity > 0);
    if (suppliers.length > 0) {
      bases.add('lots');
      splitByLargestRemainder(
        part,
        suppliers.map((s) => s.quantity),
      ).forEach((fen, j) =>
        credit(
          accounts.household(suppliers[j]!.householdId, suppliers[j]!.villageId, currency),
          fen,
          'household',
          lot.lotId,
        ),
      );
      return;
    }
    const holders = line.agreementShares.filter((s) => s.weight > 0);
    if (holders.length > 0) {
      bases.add('agreements');
      splitByLargestRemainder(
        part,
        holders.map((s) => s.weight),
      ).forEach((fen, j) =>
        credit(
          accounts.household(holders[j]!.householdId, holders[j]!.villageId, currency),
          fen,
          'household',
          lot.lotId,
        ),
      );
      return;
    }
    bases.add('unallocated');
    credit(accounts.unallocated(line.producerId, currency), part, 'unallocated', lot.lotId);
  });

  if (villages > 0) {
    splitByLargestRemainder(
      villages,
      line.villageCollectives.map((v) => v.bps),
    ).forEach((fen, j) =>
      credit(accounts.village(line.villageCollectives[j]!.villageId, currency), fen, 'village'),
    );
  }
  credit(accounts.reliefFund(currency), licence, 'licence');
  credit(accounts.processorFees(method, currency), fee, 'fee');
  credit(accounts.producer(line.producerId, currency), producer, 'producer');
  return {
    credits,
    basis: bases.size === 0 ? 'unallocated' : bases.size === 1 ? [...bases][0]! : 'mixed',
  };
}

/**
 * The sale transaction of a paid order: the clearing account of the payment method is debited
 * with what the buyer paid; each line's split and the donation (to the relief fund) are credited.
 */
export function planSale(sale: SaleInput): { draft: TransactionDraft; bases: Map<string, HouseholdBasis> } {
  const bases = new Map<string, HouseholdBasis>();
  const credits: PostingDraft[] = [];
  let total = sale.donationFen;
  const fees = lineFeesOf(sale);
  for (const [i, line] of sale.lines.entries()) {
    const fee = fees[i];
    const split = splitLine(
      fee === null || fee === undefined ? line : { ...line, feeFen: fee },
      sale.method,
      sale.currency,
    );
    bases.set(line.lineId, split.basis);
    total += line.grossFen;
    credits.push(...split.credits);
  }
  if (sale.donationFen > 0) {
    credits.push({
      account: accounts.reliefFund(sale.currency),
      side: 'credit',
      fen: sale.donationFen,
      role: 'donation',
    });
  }
  const debit: PostingDraft[] =
    total > 0
      ? [
          {
            account: accounts.clearing(sale.method, sale.currency),
            side: 'debit',
            fen: total,
            role: 'clearing',
          },
        ]
      : [];
  return {
    draft: {
      idempotencyKey: `order:${sale.orderId}:paid`,
      kind: 'sale',
      occurredAt: sale.paidAt,
      orderId: sale.orderId,
      sourceEventId: sale.eventId,
      memo: `sale of order ${sale.orderId}`,
      postings: [...debit, ...credits],
    },
    bases,
  };
}
