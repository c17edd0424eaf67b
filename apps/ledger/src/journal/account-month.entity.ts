import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * What the postings of sealed transactions of one kind did to one account in one month (China's
 * time): the per-account-month summary the reports read instead of every posting. Only the
 * sequencer writes it, in the database transaction that seals those transactions into the hash
 * chain, so it covers exactly the sealed prefix of the journal, in commit order; a report adds the
 * postings of the transactions after the chain's head (a quarter of a second of them) to be exact.
 * Off the write path: a sale never waits on it. Derived, not the journal: it can be rebuilt from
 * the postings of the sealed transactions at any time (`ledger:verify` compares them).
 */
@Entity({ tableName: 'account_month' })
export class AccountMonth {
  @PrimaryKey({ type: new BigIntType('number') })
  accountId!: number;

  /** The first day of the month, as `posting.month`. */
  @PrimaryKey({ type: 'date' })
  month!: string;

  /** The transactions' kind (`sale`, `refund`, `payout`, ...): reports leave payouts out. */
  @PrimaryKey({ type: 'text' })
  kind!: string;

  @Property({ type: new BigIntType('number') })
  debitFen = 0;

  @Property({ type: new BigIntType('number') })
  creditFen = 0;

  @Property({ type: new BigIntType('number') })
  postings = 0;
}
