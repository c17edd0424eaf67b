import { Migration } from '@mikro-orm/migrations';

// Only this change: the generator would also drop and re-add check constraints it reads back in
// another spelling, and writes the down of a partial unique index as a constraint.
export class Migration20261202044758_buyer_limits_payment_reference extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "buyer_allowance" ("buyer_id" uuid not null, "max_unpaid_orders" int not null, "max_held_units" int not null, "expires_at" timestamptz null, "granted_by" uuid not null, "granted_at" timestamptz not null, constraint "buyer_allowance_pkey" primary key ("buyer_id"), constraint buyer_allowance_limits check (max_unpaid_orders > 0 and max_held_units > 0));`);
    this.addSql(`create unique index "customer_order_payment_reference_unique" on "customer_order" ("payment_method", "payment_reference") where payment_reference is not null and status <> 'cancelled';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "customer_order_payment_reference_unique";`);
    this.addSql(`drop table if exists "buyer_allowance" cascade;`);
  }
}
