import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A producer's bank account for payouts: the payee, the account number and the bank, one per
 * producer. A producer is a business, not a household, and catalog has no PII cipher: the
 * account is stored as typed, and every answer but the bank file masks it (`****1234`).
 */
@Entity({ tableName: 'producer_payout_account' })
export class ProducerPayoutAccount {
  [OptionalProps]?: 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  producerId!: string;

  @Property({ type: 'text' })
  payeeName!: string;

  /** Digits only. */
  @Property({ type: 'text' })
  accountNumber!: string;

  @Property({ type: 'text' })
  bankName!: string;

  /** The officer who set it last. */
  @Property({ type: 'uuid' })
  updatedBy!: string;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
