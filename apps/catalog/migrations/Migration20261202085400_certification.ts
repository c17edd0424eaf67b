import { Migration } from '@mikro-orm/migrations';

// The generator's noise about the existing `*_check` constraints (read back in another spelling)
// is left out. Each producer's status so far becomes the first step of its history, recorded by
// the platform. Products active today hold no certificate, so they go off sale until certified.
export class Migration20261202085400_certification extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "certificate_status" as enum ('valid', 'revoked', 'expired');`);
    this.addSql(`create table "producer_status_change" ("id" uuid not null, "producer_id" uuid not null, "from_status" "producer_status" null, "to_status" "producer_status" not null, "reason" text not null default '', "changed_by" uuid null, "created_at" timestamptz not null, constraint "producer_status_change_pkey" primary key ("id"));`);
    this.addSql(`create index "producer_status_change_producer_id_created_at_index" on "producer_status_change" ("producer_id", "created_at");`);
    this.addSql(`create table "product_certificate" ("id" uuid not null, "number" text not null, "product_id" uuid not null, "valid_from" timestamptz not null, "valid_to" timestamptz not null, "status" "certificate_status" not null default 'valid', "certified_by" uuid null, "created_at" timestamptz not null, "ended_at" timestamptz null, "revoked_by" uuid null, "revocation_reason" text not null default '', constraint "product_certificate_pkey" primary key ("id"), constraint product_certificate_period check (valid_from < valid_to));`);
    this.addSql(`alter table "product_certificate" add constraint "product_certificate_number_unique" unique ("number");`);
    this.addSql(`create index "product_certificate_status_valid_to_index" on "product_certificate" ("status", "valid_to");`);
    // At most one valid certificate per product: two officers certifying at once get one.
    this.addSql(`create unique index "product_certificate_one_valid" on "product_certificate" ("product_id") where "status" = 'valid';`);
    this.addSql(`create sequence "product_certificate_number_seq";`);
    this.addSql(`alter table "producer_status_change" add constraint "producer_status_change_producer_id_foreign" foreign key ("producer_id") references "producer" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "product_certificate" add constraint "product_certificate_product_id_foreign" foreign key ("product_id") references "product" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "producer" add column "documents" text[] not null default '{}', add column "applied_by" uuid null;`);
    this.addSql(`insert into "producer_status_change" ("id", "producer_id", "from_status", "to_status", "reason", "changed_by", "created_at")
      select gen_random_uuid(), "id", null, "status", 'status before review history', null, "created_at" from "producer";`);
    this.addSql(`update "product" set "status" = 'draft', "relief_certification" = '' where "status" = 'active';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "producer_status_change" cascade;`);
    this.addSql(`drop table if exists "product_certificate" cascade;`);
    this.addSql(`drop sequence if exists "product_certificate_number_seq";`);
    this.addSql(`alter table "producer" drop column "documents", drop column "applied_by";`);
    this.addSql(`drop type "certificate_status";`);
  }
}
