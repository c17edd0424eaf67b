import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A household's bank account for payouts: the payee, the account number and the bank, one
 * AES-256-GCM envelope (see PiiCipher, field `payout_details`) bound to the household. Nothing
 * of it is stored in clear, not even the last four digits: masks are made from the plaintext.
 */
@Entity({ tableName: 'household_payout_account' })
@Index({ properties: ['piiKeyId'] })
export class HouseholdPayoutAccount {
  [OptionalProps]?: 'updatedAt';

  /** The household (its register row); one account each. */
  @PrimaryKey({ type: 'uuid' })
  householdId!: string;

  /** JSON `{payeeName, accountNumber, bankName}`, encrypted. */
  @Property({ type: 'text' })
  detailsEnc!: string;

  @Property({ type: 'text' })
  piiKeyId!: string;

  /** The officer who set it last. */
  @Property({ type: 'text' })
  updatedBy!: string;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
