import { Migration } from '@mikro-orm/migrations';

// A producer's bank account for payouts, one per producer.
export class Migration20261202180000_producer_payout_account extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "producer_payout_account" ("producer_id" uuid not null, "payee_name" text not null, "account_number" text not null, "bank_name" text not null, "updated_by" uuid not null, "updated_at" timestamptz not null, constraint "producer_payout_account_pkey" primary key ("producer_id"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "producer_payout_account" cascade;`);
  }
}
