import { createHash } from 'node:crypto';

/** The hash before the first link. */
export const GENESIS_HASH = '0'.repeat(64);

/** A transaction's fields as the chain covers them (timestamps as UTC text with microseconds). */
export interface SealableTransaction {
  id: string;
  idempotencyKey: string;
  kind: string;
  occurredAt: string;
  sourceEventId: string | null;
  orderId: string | null;
  memo: string;
  reversesId: string | null;
  postings: SealablePosting[];
}

export interface SealablePosting {
  accountCode: string;
  currency: string;
  side: string;
  fen: number;
  role: string;
  lineId: string | null;
  productId: string | null;
  producerId: string | null;
  lotId: string | null;
}

function postingTuple(p: SealablePosting): (string | number)[] {
  return [
    p.accountCode,
    p.currency,
    p.side,
    p.fen,
    p.role,
    p.lineId ?? '',
    p.productId ?? '',
    p.producerId ?? '',
    p.lotId ?? '',
  ];
}

function compareTuples(a: (string | number)[], b: (string | number)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

/**
 * The canonical form of a transaction: its fields and its postings, the postings sorted, as one
 * JSON array. Two transactions have the same form exactly when they record the same money.
 */
export function canonicalForm(tx: SealableTransaction): string {
  const postings = tx.postings.map(postingTuple).sort(compareTuples);
  return JSON.stringify([
    'yugong.ledger.v1',
    tx.id,
    tx.idempotencyKey,
    tx.kind,
    tx.occurredAt,
    tx.sourceEventId ?? '',
    tx.orderId ?? '',
    tx.memo,
    tx.reversesId ?? '',
    postings,
  ]);
}

/** SHA-256 (hex) of the previous hash and the transaction's canonical form. */
export function chainHash(prevHash: string, tx: SealableTransaction): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalForm(tx)).digest('hex');
}
