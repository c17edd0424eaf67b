import { BigIntType, Check, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** Balance rows per account; a transaction moves the slot of its order, so that sales run side by side. */
export const BALANCE_SLOTS = 16;

/**
 * One of an account's balance rows. Only the posting trigger writes them, in the transaction that
 * inserts the posting (a direct UPDATE or DELETE is refused); CHECK constraints keep the balance
 * equal to the totals on the account's normal side and, where `nonNegative`, at or above zero.
 * Every transaction of one order moves the same slot (the order id's hash), so a refund takes
 * from the very row its sale credited: no refund can take out more than its order put in, and
 * concurrent sales of different orders seldom wait on one row (every sale credits the clearing
 * account, the relief fund and its producer).
 */
@Entity({ tableName: 'account_balance' })
@Check({
  name: 'account_balance_matches_totals',
  expression:
    'balance_fen = case when normal_debit then debit_fen - credit_fen else credit_fen - debit_fen end',
})
@Check({ name: 'account_balance_non_negative', expression: 'not non_negative or balance_fen >= 0' })
export class AccountBalance {
  @PrimaryKey({ type: new BigIntType('number') })
  accountId!: number;

  @PrimaryKey({ type: 'smallint' })
  slot!: number;

  /** Assets and expenses: debits add. */
  @Property({ type: 'boolean' })
  normalDebit!: boolean;

  @Property({ type: 'boolean' })
  nonNegative!: boolean;

  @Property({ type: new BigIntType('number') })
  debitFen = 0;

  @Property({ type: new BigIntType('number') })
  creditFen = 0;

  @Property({ type: new BigIntType('number') })
  balanceFen = 0;
}
