import { BigIntType, Check, Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';

export const LINE_STATUSES = ['reserved', 'in_transit', 'paid', 'failed', 'skipped'] as const;
export type LineStatus = (typeof LINE_STATUSES)[number];

export const PAYEE_KINDS = ['household', 'producer'] as const;
export type PayeeKind = (typeof PAYEE_KINDS)[number];

/**
 * One payee of a payout batch: a household (its benefit balance) or a producer (its payable). A
 * payee is once in a batch (the primary key) and in one open batch at most (a partial unique index
 * over `reserved` and `in_transit` lines): the same fen is never reserved twice. A skipped line
 * (no payout account) moved nothing and has no reference.
 */
@Entity({ tableName: 'payout_line' })
@Check({
  name: 'payout_line_status_known',
  expression: "status in ('reserved', 'in_transit', 'paid', 'failed', 'skipped')",
})
@Check({
  name: 'payout_line_amount',
  expression: "(status = 'skipped') = (amount_fen = 0 and reference is null) and amount_fen >= 0",
})
@Check({ name: 'payout_line_payee_kind', expression: "payee_kind in ('household', 'producer')" })
@Index({ name: 'payout_line_payee', properties: ['payeeId'] })
export class PayoutLine {
  @PrimaryKey({ type: 'uuid' })
  batchId!: string;

  @PrimaryKey({ type: 'text' })
  payeeKind!: PayeeKind;

  /** The household's or the producer's id. */
  @PrimaryKey({ type: 'uuid' })
  payeeId!: string;

  /** Order in the file, from 1. */
  @Property({ type: 'int' })
  seq!: number;

  @Property({ type: 'text', nullable: true })
  @Unique({ name: 'payout_line_reference_unique' })
  reference?: string | null;

  @Property({ type: new BigIntType('number') })
  amountFen!: number;

  @Property({ type: 'text' })
  status!: LineStatus;

  @Property({ type: 'text', nullable: true })
  skipReason?: string | null;
}
