import { Migration } from '@mikro-orm/migrations';

export class Migration20261128192439_fulfilment_refunds extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "refund" ("id" uuid not null, "order_id" uuid not null, "idempotency_key" text not null, "lines" jsonb not null, "amount_fen" bigint not null, "reason" text not null, "goods_returned" boolean not null, "status" text not null, "reference" text not null, "requested_by" uuid not null, "created_at" timestamptz not null, constraint "refund_pkey" primary key ("id"), constraint refund_status check (status in ('pending', 'succeeded', 'failed')), constraint refund_amount_positive check (amount_fen > 0));`);
    this.addSql(`create index "refund_order" on "refund" ("order_id", "created_at");`);
    this.addSql(`alter table "refund" add constraint "refund_idempotency" unique ("order_id", "idempotency_key");`);

    this.addSql(`alter table "customer_order" add column "delivered_at" timestamptz null, add column "completed_at" timestamptz null;`);

    this.addSql(`alter table "order_line" add column "carrier" text null, add column "tracking_number" text null, add column "shipped_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "refund" cascade;`);

    this.addSql(`alter table "customer_order" drop column "delivered_at", drop column "completed_at";`);

    this.addSql(`alter table "order_line" drop column "carrier", drop column "tracking_number", drop column "shipped_at";`);
  }
}
