import { Migration } from '@mikro-orm/migrations';

export class Migration20261128191817_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "customer_order" ("id" uuid not null, "buyer_id" uuid not null, "buyer_role" text not null, "idempotency_key" text not null, "request_hash" text not null, "status" text not null, "payment_method" text not null, "subtotal_fen" bigint not null, "donation_fen" bigint not null, "total_fen" bigint not null, "currency" varchar(3) not null, "payment_reference" text null, "client_secret" text null, "amount_received_fen" bigint null, "paid_at" timestamptz null, "expires_at" timestamptz not null, "cancelled_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "customer_order_pkey" primary key ("id"), constraint customer_order_method check (payment_method in ('stripe', 'manual')), constraint customer_order_status check (status in ('pending_payment', 'paid', 'shipped', 'delivered', 'completed', 'cancelled', 'refunded')), constraint customer_order_amounts check (subtotal_fen > 0 and donation_fen >= 0 and total_fen = subtotal_fen + donation_fen));`);
    this.addSql(`create index "customer_order_expiring" on "customer_order" ("expires_at") where status = 'pending_payment';`);
    this.addSql(`create index "customer_order_buyer" on "customer_order" ("buyer_id", "created_at");`);
    this.addSql(`alter table "customer_order" add constraint "customer_order_idempotency" unique ("buyer_id", "idempotency_key");`);

    this.addSql(`create table "order_line" ("id" uuid not null, "order_id" uuid not null, "position" int not null, "product_id" uuid not null, "product_name_zh" text not null, "product_name_en" text not null, "unit" text not null, "producer_id" uuid not null, "producer_name" text not null, "unit_price_fen" bigint not null, "quantity" bigint not null, "gross_fen" bigint not null, "household_share_bps" int not null, "allocations" jsonb not null, "status" text not null, "refunded_quantity" bigint not null, "refunded_fen" bigint not null, constraint "order_line_pkey" primary key ("id"), constraint order_line_refunded check (refunded_quantity between 0 and quantity), constraint order_line_share check (household_share_bps between 0 and 10000), constraint order_line_amounts check (quantity > 0 and unit_price_fen > 0 and gross_fen = unit_price_fen * quantity));`);
    this.addSql(`create index "order_line_producer" on "order_line" ("producer_id", "order_id");`);
    this.addSql(`alter table "order_line" add constraint "order_line_position" unique ("order_id", "position");`);

    this.addSql(`create table "outbox_event" ("id" bigserial primary key, "event_id" uuid not null, "type" text not null, "order_id" uuid not null, "sequence" int not null, "payload" jsonb not null, "occurred_at" timestamptz not null, "delivered_at" timestamptz null, "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "last_error" text null);`);
    this.addSql(`alter table "outbox_event" add constraint "outbox_event_event_id_unique" unique ("event_id");`);
    this.addSql(`create index "outbox_event_pending" on "outbox_event" ("next_attempt_at", "id") where delivered_at is null;`);
    this.addSql(`alter table "outbox_event" add constraint "outbox_event_order_sequence" unique ("order_id", "sequence");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "customer_order" cascade;`);

    this.addSql(`drop table if exists "order_line" cascade;`);

    this.addSql(`drop table if exists "outbox_event" cascade;`);
  }

}
