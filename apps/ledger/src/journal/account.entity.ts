import { BigIntType, Check, Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** Debit-normal accounts (what we hold or spend) and credit-normal ones (what we owe). */
export type AccountType = 'asset' | 'liability' | 'expense';

/** Whom an account stands for. */
export type OwnerKind =
  | 'producer'
  | 'producer_commitment'
  | 'household'
  | 'household_unallocated'
  | 'village_collective'
  | 'household_recoverable'
  | 'producer_recoverable'
  | 'village_recoverable'
  | 'relief_fund'
  | 'relief_fund_declared'
  | 'payment_clearing'
  | 'processor_fees'
  | 'suspense'
  | 'buyer_refunds'
  | 'payout_pending'
  | 'payout_transit'
  | 'payout_paid';

/**
 * An account of the journal (`household:<id>:benefit`, `clearing:stripe`, …): whom it stands for.
 * Its running totals are its {@link AccountBalance} rows (the view `account_totals` sums them).
 */
@Entity({ tableName: 'account' })
@Check({ name: 'account_type_known', expression: "type in ('asset', 'liability', 'expense')" })
@Index({ name: 'account_owner', properties: ['ownerKind', 'ownerId'] })
export class Account {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @Property({ type: 'text', unique: true })
  code!: string;

  @Property({ type: 'text' })
  type!: AccountType;

  @Property({ type: 'text' })
  ownerKind!: OwnerKind;

  /** The producer, household or village id; the provider for clearing and fees; null otherwise. */
  @Property({ type: 'text', nullable: true })
  ownerId?: string | null;

  @Property({ type: 'string', columnType: 'char(3)' })
  currency!: string;

  /** Households and village collectives: where they are, for the reports (ids only). */
  @Property({ type: 'uuid', nullable: true })
  villageId?: string | null;

  @Property({ type: 'uuid', nullable: true })
  townId?: string | null;

  @Property({ type: 'boolean' })
  nonNegative!: boolean;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
