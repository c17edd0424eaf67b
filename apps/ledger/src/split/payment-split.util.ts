import { accounts } from './accounts.util';
import type { TransactionDraft } from './sale-split.util';

/** Money a provider reported for an order that it did not pay. */
export interface ReceiptInput {
  orderId: string;
  eventId: string;
  method: string;
  reference: string;
  amountFen: number;
  currency: string;
  receivedAt: Date;
  reason: string;
}

/**
 * A payment for an order that could no longer be filled, refunded in full: received into the
 * clearing account as owed back to the buyer, then paid back. Two transactions, so that the
 * journal shows both movements of the money.
 */
export function planUnfilledPayment(receipt: ReceiptInput): TransactionDraft[] {
  if (receipt.amountFen <= 0) {
    return [];
  }
  const clearing = accounts.clearing(receipt.method, receipt.currency);
  const due = accounts.buyerRefunds(receipt.currency);
  const base = {
    occurredAt: receipt.receivedAt,
    orderId: receipt.orderId,
    sourceEventId: receipt.eventId,
  };
  const fen = receipt.amountFen;
  return [
    {
      ...base,
      idempotencyKey: `payment:${receipt.method}:${receipt.reference}:received`,
      kind: 'payment_received_unfilled',
      memo: `payment ${receipt.reference} for order ${receipt.orderId}, which could not be filled: ${receipt.reason}`,
      postings: [
        { account: clearing, side: 'debit', fen, role: 'clearing' },
        { account: due, side: 'credit', fen, role: 'refunds_due' },
      ],
    },
    {
      ...base,
      idempotencyKey: `payment:${receipt.method}:${receipt.reference}:refunded`,
      kind: 'payment_refunded_unfilled',
      memo: `payment ${receipt.reference} of order ${receipt.orderId} refunded in full`,
      postings: [
        { account: due, side: 'debit', fen, role: 'refunds_due' },
        { account: clearing, side: 'credit', fen, role: 'clearing' },
      ],
    },
  ];
}

/** A payment whose amount or currency was not the order's: held in suspense for the relief office. */
export function planUnmatchedPayment(receipt: ReceiptInput): TransactionDraft[] {
  if (receipt.amountFen <= 0) {
    return [];
  }
  return [
    {
      idempotencyKey: `payment:${receipt.method}:${receipt.reference}:unmatched`,
      kind: 'payment_unmatched',
      occurredAt: receipt.receivedAt,
      orderId: receipt.orderId,
      sourceEventId: receipt.eventId,
      memo: `payment ${receipt.reference} did not match order ${receipt.orderId}: ${receipt.reason}`,
      postings: [
        {
          account: accounts.clearing(receipt.method, receipt.currency),
          side: 'debit',
          fen: receipt.amountFen,
          role: 'clearing',
        },
        {
          account: accounts.suspense(receipt.currency),
          side: 'credit',
          fen: receipt.amountFen,
          role: 'suspense',
        },
      ],
    },
  ];
}
