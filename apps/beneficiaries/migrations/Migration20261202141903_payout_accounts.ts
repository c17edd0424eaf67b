import { Migration } from '@mikro-orm/migrations';

// Households' payout accounts (payee, account number, bank: one encrypted envelope). Generated,
// then trimmed of the generator's noise about constraints it does not model, and given the
// household foreign key.
export class Migration20261202141903_payout_accounts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "household_payout_account" ("household_id" uuid not null, "details_enc" text not null, "pii_key_id" text not null, "updated_by" text not null, "updated_at" timestamptz not null, constraint "household_payout_account_pkey" primary key ("household_id"));`);
    this.addSql(`create index "household_payout_account_pii_key_id_index" on "household_payout_account" ("pii_key_id");`);
    this.addSql(`alter table "household_payout_account" add constraint "household_payout_account_household_foreign" foreign key ("household_id") references "household" ("id") on delete restrict;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "household_payout_account" cascade;`);
  }
}
