import { Migration } from '@mikro-orm/migrations';

/**
 * Quarterly declarations of off-platform sales and their payments. The generator's noise about
 * the existing hand-written foreign keys, CHECKs and the partial index was trimmed; the foreign
 * keys of the new tables are written by hand, as the earlier migrations do.
 */
export class Migration20261202164858_declarations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "sales_declaration" ("id" uuid not null, "licence_id" uuid not null, "producer_id" uuid not null, "quarter" text not null, "units" bigint not null, "revenue_fen" bigint not null, "commitment_bps" int not null, "min_per_unit_fen" bigint not null, "commitment_fen" bigint not null, "paid_fen" bigint not null default 0, "note" text not null default '', "declared_by" uuid not null, "declared_at" timestamptz not null default now(), "posted_at" timestamptz null, constraint "sales_declaration_pkey" primary key ("id"), constraint sales_declaration_paid_within_due check (paid_fen >= 0 and paid_fen <= commitment_fen), constraint sales_declaration_amounts check (units >= 0 and revenue_fen >= 0 and commitment_fen >= 0), constraint sales_declaration_quarter_form check (quarter ~ '^[0-9]{4}-Q[1-4]\$'));`);
    this.addSql(`create index "sales_declaration_producer" on "sales_declaration" ("producer_id", "quarter");`);
    this.addSql(`alter table "sales_declaration" add constraint "sales_declaration_licence_quarter" unique ("licence_id", "quarter");`);
    this.addSql(`alter table "sales_declaration" add constraint "sales_declaration_licence_fk" foreign key ("licence_id") references "licence" ("id");`);

    this.addSql(`create table "declaration_payment" ("id" uuid not null, "declaration_id" uuid not null, "amount_fen" bigint not null, "reference" text not null, "idempotency_key" text not null, "recorded_by" uuid not null, "recorded_at" timestamptz not null default now(), "posted_at" timestamptz null, constraint "declaration_payment_pkey" primary key ("id"), constraint declaration_payment_positive check (amount_fen > 0));`);
    this.addSql(`create index "declaration_payment_unposted" on "declaration_payment" ("posted_at");`);
    this.addSql(`alter table "declaration_payment" add constraint "declaration_payment_key" unique ("declaration_id", "idempotency_key");`);
    this.addSql(`alter table "declaration_payment" add constraint "declaration_payment_declaration_fk" foreign key ("declaration_id") references "sales_declaration" ("id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "declaration_payment" cascade;`);
    this.addSql(`drop table if exists "sales_declaration" cascade;`);
  }
}
