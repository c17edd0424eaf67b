/**
 * The three-way match, pure: the ledger's card clearing and fees against the processor's balance
 * entries, and payout batches against their journal postings and settlements. Every item is a fen
 * one side has and the other lacks, or holds in another amount; when all agree there is none.
 */

export type ItemKind =
  | 'charge_missing_in_ledger'
  | 'charge_missing_at_processor'
  | 'charge_amount_differs'
  | 'fee_differs'
  | 'refund_missing_in_ledger'
  | 'refund_missing_at_processor'
  | 'refund_amount_differs'
  | 'processor_entry_unexplained'
  | 'ledger_entry_unexplained'
  | 'payout_unsettled'
  | 'payout_settlement_differs'
  | 'payout_posting_differs';

export interface ReconciliationItem {
  kind: ItemKind;
  /** Payment intent, refund (`re_…` or ours), processor entry, or payout line (`PB3-0002`) / batch. */
  reference: string;
  orderId: string;
  ledgerFen: number;
  /** The processor's figure, or the bank's (what the settlement says was paid). */
  externalFen: number;
  /** externalFen − ledgerFen. */
  differenceFen: number;
  currency: string;
  occurredAt: Date;
  note: string;
}

/** A journal transaction that moved the card processor's clearing account. */
export interface LedgerClearingEntry {
  transactionId: string;
  kind: string;
  idempotencyKey: string;
  orderId: string | null;
  occurredAt: Date;
  currency: string;
  /** Debits less credits of the clearing account: what came in (negative: went out). */
  clearingFen: number;
  /** Credits less debits of the processor's fee account in it. */
  feeFen: number;
}

/** One balance entry of the processor (Stripe's balance transaction), minor units. */
export interface ProcessorEntry {
  id: string;
  type: string;
  amountFen: number;
  feeFen: number;
  currency: string;
  created: Date;
  source: string;
  paymentIntent: string;
  orderId: string;
  refundId: string;
}

/** A payout line still in transit at the period's end. */
export interface UnsettledLine {
  batchId: string;
  reference: string;
  amountFen: number;
  sentAt: Date;
}

/** A batch's lines against what its journal transactions posted. */
export interface BatchFigures {
  batchId: string;
  number: number;
  state: string;
  at: Date;
  /** Sum of the lines that pay (not skipped), the batch's `total_fen`. */
  linesFen: number;
  totalFen: number;
  paidLinesFen: number;
  failedLinesFen: number;
  /** What the reserve, send and settle transactions posted (null: no such transaction). */
  reservedFen: number | null;
  sentFen: number | null;
  paidFen: number | null;
  returnedFen: number | null;
}

/** Charges and refunds the ledger posts (transaction kinds); what else touches clearing is listed. */
const CHARGE_KINDS = new Set(['sale', 'payment_received_unfilled', 'payment_unmatched']);
/** Money moved between the processor and our bank: the ledger has no bank account yet. */
const TRANSFER_TYPES = new Set(['payout', 'payout_cancel', 'payout_failure', 'transfer']);

const within = (at: Date, from: Date, to: Date) => at >= from && at < to;

interface Side {
  fen: number;
  fee: number;
  at: Date;
  currency: string;
  reference: string;
  orderId: string;
}

function add(map: Map<string, Side>, key: string, side: Side): void {
  const seen = map.get(key);
  if (seen) {
    seen.fen += side.fen;
    seen.fee += side.fee;
    seen.at = seen.at < side.at ? seen.at : side.at;
    seen.reference ||= side.reference;
    seen.orderId ||= side.orderId;
  } else {
    map.set(key, { ...side });
  }
}

function item(
  kind: ItemKind,
  side: Side,
  ledgerFen: number,
  externalFen: number,
  note: string,
  reference = side.reference,
): ReconciliationItem {
  return {
    kind,
    reference,
    orderId: side.orderId,
    ledgerFen,
    externalFen,
    differenceFen: externalFen - ledgerFen,
    currency: side.currency,
    occurredAt: side.at,
    note,
  };
}

/** The refund key the ledger's transaction stands for: our refund id, or the unfilled order's. */
function ledgerRefundKey(entry: LedgerClearingEntry): string | null {
  const ours = /^order:[^:]+:refund:(.+)$/.exec(entry.idempotencyKey);
  if (entry.kind === 'refund' && ours) {
    return ours[1] as string;
  }
  if (entry.kind === 'payment_refunded_unfilled' && entry.orderId) {
    return `order:${entry.orderId}:unfilled`;
  }
  return null;
}

/**
 * Matches the ledger's clearing entries with the processor's balance entries. Both lists may
 * reach past `from`..`to` (a payment posted a second after the processor's midnight): a charge,
 * fee or refund is compared when either side of it falls in the period, so one booked on each
 * side of a boundary is matched, not reported twice.
 */
export function reconcileProcessor(
  ledgerEntries: LedgerClearingEntry[],
  processorEntries: ProcessorEntry[],
  from: Date,
  to: Date,
): ReconciliationItem[] {
  const ledgerCharges = new Map<string, Side>();
  const ledgerRefunds = new Map<string, Side>();
  const items: ReconciliationItem[] = [];
  for (const e of ledgerEntries) {
    const side = {
      fen: e.clearingFen,
      fee: e.feeFen,
      at: e.occurredAt,
      currency: e.currency,
      reference: '',
      orderId: e.orderId ?? '',
    };
    const refundKey = ledgerRefundKey(e);
    if (CHARGE_KINDS.has(e.kind) && e.orderId) {
      add(ledgerCharges, e.orderId, side);
    } else if (refundKey) {
      add(ledgerRefunds, refundKey, { ...side, fen: -e.clearingFen, fee: 0, reference: refundKey });
    } else if (within(e.occurredAt, from, to) && e.clearingFen !== 0) {
      items.push(
        item('ledger_entry_unexplained', { ...side, reference: e.idempotencyKey }, e.clearingFen, 0, e.kind),
      );
    }
  }

  const stripeCharges = new Map<string, Side>();
  const stripeRefunds = new Map<string, Side>();
  const refundKeyOfSource = new Map<string, string>();
  for (const p of processorEntries) {
    if (p.type === 'refund' && p.refundId) {
      refundKeyOfSource.set(p.source, p.refundId);
    }
  }
  for (const p of processorEntries) {
    const side = {
      fen: p.amountFen,
      fee: p.feeFen,
      at: p.created,
      currency: p.currency,
      reference: p.paymentIntent || p.source || p.id,
      orderId: p.orderId,
    };
    if (p.type === 'charge' || p.type === 'payment') {
      add(stripeCharges, p.orderId || `pi:${side.reference}`, side);
    } else if (p.type === 'refund' || p.type === 'refund_failure') {
      const key = refundKeyOfSource.get(p.source) ?? `stripe:${p.source}`;
      add(stripeRefunds, key, { ...side, fen: -p.amountFen, fee: 0, reference: p.source });
    } else if (!TRANSFER_TYPES.has(p.type) && within(p.created, from, to)) {
      items.push(
        item('processor_entry_unexplained', { ...side, reference: p.id }, 0, p.amountFen - p.feeFen, p.type),
      );
    }
  }

  for (const key of new Set([...ledgerCharges.keys(), ...stripeCharges.keys()])) {
    const mine = ledgerCharges.get(key);
    const theirs = stripeCharges.get(key);
    const inPeriod = [mine, theirs].some((s) => s && within(s.at, from, to));
    if (!inPeriod) {
      continue;
    }
    if (!theirs) {
      items.push(item('charge_missing_at_processor', mine!, mine!.fen, 0, 'no charge at the processor'));
    } else if (!mine) {
      items.push(item('charge_missing_in_ledger', theirs, 0, theirs.fen, 'no payment posted'));
    } else {
      const both = { ...mine, reference: theirs.reference, at: theirs.at };
      if (mine.fen !== theirs.fen) {
        items.push(item('charge_amount_differs', both, mine.fen, theirs.fen, 'clearing against the charge'));
      }
      if (mine.fee !== theirs.fee) {
        items.push(item('fee_differs', both, mine.fee, theirs.fee, 'processor fee posted against charged'));
      }
    }
  }
  for (const key of new Set([...ledgerRefunds.keys(), ...stripeRefunds.keys()])) {
    const mine = ledgerRefunds.get(key);
    const theirs = stripeRefunds.get(key);
    const inPeriod = [mine, theirs].some((s) => s && within(s.at, from, to));
    if (!inPeriod || (theirs && !mine && theirs.fen === 0)) {
      // Out of the period, or a refund that failed at the processor and so never was.
      continue;
    }
    if (!theirs) {
      items.push(item('refund_missing_at_processor', mine!, mine!.fen, 0, `refund ${key}`));
    } else if (!mine) {
      items.push(item('refund_missing_in_ledger', theirs, 0, theirs.fen, 'no refund posted'));
    } else if (mine.fen !== theirs.fen) {
      items.push(
        item(
          'refund_amount_differs',
          { ...mine, reference: theirs.reference },
          mine.fen,
          theirs.fen,
          `refund ${key}`,
        ),
      );
    }
  }
  return sortItems(items);
}

/**
 * Payout lines still in transit at the period's end, and batches whose lines disagree with what
 * their transactions posted (reserved, sent, paid, returned) or with their own total.
 */
export function reconcilePayouts(unsettled: UnsettledLine[], batches: BatchFigures[]): ReconciliationItem[] {
  const items: ReconciliationItem[] = unsettled.map((l) => ({
    kind: 'payout_unsettled',
    reference: l.reference,
    orderId: '',
    ledgerFen: l.amountFen,
    externalFen: 0,
    differenceFen: -l.amountFen,
    currency: 'CNY',
    occurredAt: l.sentAt,
    note: `batch ${l.batchId} sent, not settled by the period's end`,
  }));
  for (const b of batches) {
    const side: Side = { fen: 0, fee: 0, at: b.at, currency: 'CNY', reference: `PB${b.number}`, orderId: '' };
    const posted = (what: string, ledgerFen: number, externalFen: number | null, kind: ItemKind) => {
      if (externalFen !== null && ledgerFen !== externalFen) {
        items.push(item(kind, side, ledgerFen, externalFen, what));
      }
    };
    posted('batch total against its lines', b.linesFen, b.totalFen, 'payout_posting_differs');
    posted('reserved posting against the lines', b.reservedFen ?? 0, b.linesFen, 'payout_posting_differs');
    if (b.state !== 'draft') {
      posted('sent posting against the lines', b.sentFen ?? 0, b.linesFen, 'payout_posting_differs');
    }
    if (b.state === 'settled') {
      posted(
        'paid posting against the paid lines',
        b.paidFen ?? 0,
        b.paidLinesFen,
        'payout_settlement_differs',
      );
      posted(
        'returned posting against the failed lines',
        b.returnedFen ?? 0,
        b.failedLinesFen,
        'payout_settlement_differs',
      );
    }
  }
  return sortItems(items);
}

/** Oldest first, then by kind and reference: the same report reads the same way every time. */
export function sortItems(items: ReconciliationItem[]): ReconciliationItem[] {
  return [...items].sort(
    (a, b) =>
      a.occurredAt.getTime() - b.occurredAt.getTime() ||
      a.kind.localeCompare(b.kind) ||
      a.reference.localeCompare(b.reference),
  );
}
