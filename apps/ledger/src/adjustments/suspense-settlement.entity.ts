import { Check, Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

export const SETTLEMENT_OUTCOMES = ['returned', 'accepted'] as const;
export type SettlementOutcome = (typeof SETTLEMENT_OUTCOMES)[number];

/**
 * How a payment held in suspense was settled: one row per suspense transaction (its primary
 * key), so PostgreSQL itself refuses a second settlement; written in the database transaction
 * that posts the settlement.
 */
@Entity({ tableName: 'suspense_settlement' })
@Check({ name: 'suspense_settlement_outcome_known', expression: "outcome in ('returned', 'accepted')" })
export class SuspenseSettlement {
  [OptionalProps]?: 'settledAt';

  /** The transaction that put the payment in suspense. */
  @PrimaryKey({ type: 'uuid' })
  suspenseTransactionId!: string;

  @Property({ type: 'text' })
  outcome!: SettlementOutcome;

  @Property({ type: 'text' })
  reason!: string;

  @Property({ type: 'uuid' })
  settledBy!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  settledAt!: Date;

  @Property({ type: 'uuid' })
  transactionId!: string;
}
