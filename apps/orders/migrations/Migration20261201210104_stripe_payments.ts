import { Migration } from '@mikro-orm/migrations';

// Written by hand: the generator would also drop and re-add check constraints it reads back in
// another spelling, and it loses the partial indexes' where clauses.
export class Migration20261201210104_stripe_payments extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "payment_event" ("event_id" text not null, "type" text not null, "order_id" uuid null, "payment_reference" text not null, "outcome" text not null, "occurred_at" timestamptz null, "received_at" timestamptz not null, constraint "payment_event_pkey" primary key ("event_id"));`);
    this.addSql(`create index "payment_event_order" on "payment_event" ("order_id", "received_at");`);

    this.addSql(`alter table "customer_order" add column "payment_failure" text null, add column "payment_failure_at" timestamptz null, add column "payment_checked_at" timestamptz null;`);
    this.addSql(`create index "customer_order_unpaid_by_card" on "customer_order" ("created_at") where status = 'pending_payment' and payment_method = 'stripe';`);
    this.addSql(`create index "customer_order_payment_reference" on "customer_order" ("payment_reference") where payment_reference is not null;`);

    this.addSql(`create index "refund_pending" on "refund" ("created_at") where status = 'pending';`);
    this.addSql(`create index "refund_reference" on "refund" ("reference");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payment_event" cascade;`);
    this.addSql(`drop index "customer_order_unpaid_by_card";`);
    this.addSql(`drop index "customer_order_payment_reference";`);
    this.addSql(`alter table "customer_order" drop column "payment_failure", drop column "payment_failure_at", drop column "payment_checked_at";`);
    this.addSql(`drop index "refund_pending";`);
    this.addSql(`drop index "refund_reference";`);
  }
}
