import { BigIntType, Check, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

export type PostingSide = 'debit' | 'credit';

/** The part of a sale a posting is: which rule put the money there. */
export type PostingRole =
  | 'clearing'
  | 'household'
  | 'unallocated'
  | 'village'
  | 'licence'
  | 'fee'
  | 'producer'
  | 'donation'
  | 'suspense'
  | 'refunds_due'
  | 'distribution'
  | 'payout'
  | 'receivable'
  /** A licence commitment declared on off-platform sales: no sale a refund could reverse. */
  | 'declared_licence';

/**
 * One side of a transaction on one account, fen > 0. The trace columns (order line, product,
 * producer, lot) say which sale line and lot the money came from, so that a sale can be followed
 * to each household. Inserted only in the database transaction that created its transaction, and
 * never updated or deleted (triggers); the insert trigger moves the account's totals. Partitioned
 * by month (`posting_y2026m12`); every write goes through `posting` itself.
 */
@Entity({ tableName: 'posting' })
@Check({ name: 'posting_fen_positive', expression: 'fen > 0' })
@Check({ name: 'posting_side_known', expression: "side in ('debit', 'credit')" })
@Check({ name: 'posting_slot_known', expression: 'slot >= 0 and slot < 16' })
@Index({ name: 'posting_transaction', properties: ['transactionId'] })
@Index({ name: 'posting_account', properties: ['accountId'] })
@Index({ name: 'posting_line', properties: ['lineId'] })
@Index({ name: 'posting_lot', properties: ['lotId'] })
export class Posting {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  /**
   * The month of its transaction (`ledger_month(occurred_at)`, China's time), the key `posting` is
   * partitioned by; the posting trigger refuses any other.
   */
  @PrimaryKey({ type: 'date', defaultRaw: 'ledger_month(now())' })
  month!: string;

  @Property({ type: 'uuid' })
  transactionId!: string;

  @Property({ type: new BigIntType('number') })
  accountId!: number;

  @Property({ type: 'text' })
  side!: PostingSide;

  @Property({ type: new BigIntType('number') })
  fen!: number;

  @Property({ type: 'text' })
  role!: PostingRole;

  /** The account balance row it moves (the order's slot). */
  @Property({ type: 'smallint' })
  slot!: number;

  @Property({ type: 'uuid', nullable: true })
  lineId?: string | null;

  @Property({ type: 'uuid', nullable: true })
  productId?: string | null;

  @Property({ type: 'uuid', nullable: true })
  producerId?: string | null;

  @Property({ type: 'uuid', nullable: true })
  lotId?: string | null;
}
