import { Migration } from '@mikro-orm/migrations';

// The per-account-month summary the reports read (`AccountMonth`): per account, month and kind of
// transaction, the debits, credits and number of postings of the sealed transactions. The
// sequencer adds each batch it seals, in the same database transaction as the links, so the
// summary always covers exactly the chain's sealed prefix; the posting trigger and the group write
// are untouched (a sale never waits on it). Built here from what is sealed already.
export class Migration20261203140000_account_months extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "account_month" ("account_id" bigint not null, "month" date not null, "kind" text not null,
      "debit_fen" bigint not null default 0, "credit_fen" bigint not null default 0, "postings" bigint not null default 0,
      constraint "account_month_pkey" primary key ("account_id", "month", "kind"));`);
    this.addSql(`alter table "account_month" add constraint "account_month_account_fk" foreign key ("account_id") references "account" ("id");`);
    this.addSql(`insert into account_month (account_id, month, kind, debit_fen, credit_fen, postings)
      select p.account_id, p.month, t.kind, sum(case when p.side = 'debit' then p.fen else 0 end),
             sum(case when p.side = 'credit' then p.fen else 0 end), count(*)
        from chain_link c
        join journal_transaction t on t.id = c.transaction_id
        join posting p on p.transaction_id = t.id and p.month = ledger_month(t.occurred_at)
       group by 1, 2, 3;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table "account_month";`);
  }
}
