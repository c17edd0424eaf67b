import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** What a transaction records. */
export type TransactionKind =
  | 'sale'
  | 'refund'
  | 'payment_received_unfilled'
  | 'payment_refunded_unfilled'
  | 'payment_unmatched'
  | 'reversal'
  | 'allocation'
  | 'suspense_settlement'
  | 'distribution'
  | 'payout'
  | 'commitment_declared'
  | 'commitment_paid';

/**
 * A journal transaction: a set of postings whose debits equal their credits, checked by a
 * deferred constraint trigger at commit. Rows are never updated or deleted (a trigger refuses
 * it); a mistake is corrected by a transaction that names the one it reverses. `txid` is the
 * database transaction that wrote it: the sequencer seals transactions into the hash chain in
 * that order once no earlier one can still commit.
 */
@Entity({ tableName: 'journal_transaction' })
@Index({ name: 'journal_transaction_order', properties: ['orderId'] })
@Index({ name: 'journal_transaction_txid', properties: ['txid'] })
export class JournalTransaction {
  [OptionalProps]?: 'recordedAt' | 'txid';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** `order:<id>:paid`, `order:<id>:refund:<refundId>`, …: a second posting of one fact is refused. */
  @Property({ type: 'text', unique: true })
  idempotencyKey!: string;

  @Property({ type: 'text' })
  kind!: TransactionKind;

  /** When the fact happened (the payment, the refund). */
  @Property({ type: 'timestamptz' })
  occurredAt!: Date;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  recordedAt!: Date;

  /** The order event it was posted from. */
  @Property({ type: 'uuid', nullable: true })
  sourceEventId?: string | null;

  @Property({ type: 'uuid', nullable: true })
  orderId?: string | null;

  @Property({ type: 'text' })
  memo!: string;

  @Property({ type: 'uuid', nullable: true })
  reversesId?: string | null;

  @Property({ type: 'xid8', defaultRaw: 'pg_current_xact_id()' })
  txid!: string;
}
