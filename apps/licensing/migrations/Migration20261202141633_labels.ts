import { Migration } from '@mikro-orm/migrations';

/**
 * Label batches and their codes. Trimmed of the generator's noise about the existing `licence`
 * checks, foreign keys and the partial index it does not model; the foreign keys below are
 * written by hand, as the first migration's.
 */
export class Migration20261202141633_labels extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "label_batch" ("id" uuid not null, "licence_id" uuid not null, "producer_id" uuid not null, "product_id" uuid not null, "lot_id" uuid not null, "lot_code" text not null, "quantity" int not null, "product_name_zh" text not null, "product_name_en" text not null, "producer_name" text not null, "origin_village" text not null, "ordered_by" uuid not null, "created_at" timestamptz not null, constraint "label_batch_pkey" primary key ("id"), constraint label_batch_quantity check (quantity between 1 and 10000), constraint "label_batch_licence_fk" foreign key ("licence_id") references "licence" ("id"));`);
    this.addSql(`create index "label_batch_licence" on "label_batch" ("licence_id", "created_at");`);

    this.addSql(`create table "label_code" ("code" text not null, "batch_id" uuid not null, "position" int not null, "scans" bigint not null default 0, "revoked_scans" bigint not null default 0, "last_scanned_at" timestamptz null, constraint "label_code_pkey" primary key ("code"), constraint "label_code_batch_fk" foreign key ("batch_id") references "label_batch" ("id"), constraint label_code_scans_non_negative check (scans >= 0 and revoked_scans >= 0));`);
    this.addSql(`create index "label_code_scans" on "label_code" ("scans");`);
    this.addSql(`create unique index "label_code_batch" on "label_code" ("batch_id", "position");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "label_code" cascade;`);
    this.addSql(`drop table if exists "label_batch" cascade;`);
  }
}
