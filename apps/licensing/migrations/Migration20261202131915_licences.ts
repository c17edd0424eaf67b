import { Migration } from '@mikro-orm/migrations';

export class Migration20261202131915_licences extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "licence_status" as enum ('pending', 'approved', 'rejected', 'suspended', 'revoked', 'expired');`);
    this.addSql(`create table "licence" ("id" uuid not null, "number" text null, "producer_id" uuid not null, "commitment_bps" int not null, "min_per_unit_fen" bigint not null, "status" "licence_status" not null default 'pending', "valid_from" timestamptz null, "valid_to" timestamptz null, "note" text not null default '', "applied_by" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 0, "synced_version" int not null default 0, constraint "licence_pkey" primary key ("id"), constraint licence_approved_has_period check (status in ('pending', 'rejected') or (number is not null and valid_to is not null)), constraint licence_period check ((valid_from is null and valid_to is null) or valid_from < valid_to), constraint licence_commitment_stated check (commitment_bps > 0 or min_per_unit_fen > 0), constraint licence_min_per_unit check (min_per_unit_fen >= 0), constraint licence_commitment_bps check (commitment_bps between 0 and 3000));`);
    this.addSql(`alter table "licence" add constraint "licence_number_unique" unique ("number");`);
    this.addSql(`create index "licence_status_end" on "licence" ("status", "valid_to");`);
    this.addSql(`create index "licence_producer" on "licence" ("producer_id", "created_at");`);

    this.addSql(`create table "licence_product" ("licence_id" uuid not null, "product_id" uuid not null, "live" boolean not null default false, constraint "licence_product_pkey" primary key ("licence_id", "product_id"));`);
    this.addSql(`create index "licence_product_product" on "licence_product" ("product_id");`);

    this.addSql(`create table "licence_status_change" ("id" uuid not null, "licence_id" uuid not null, "from_status" text null, "to_status" text not null, "changed_by" uuid null, "reason" text not null default '', "changed_at" timestamptz not null, constraint "licence_status_change_pkey" primary key ("id"));`);
    this.addSql(`create index "licence_status_change_licence" on "licence_status_change" ("licence_id", "changed_at");`);

    // A product is covered by one live licence at most, also when officers approve at once.
    this.addSql(`create unique index "licence_product_live" on "licence_product" ("product_id") where "live";`);
    this.addSql(`alter table "licence_product" add constraint "licence_product_licence_fk" foreign key ("licence_id") references "licence" ("id") on delete cascade deferrable initially deferred;`);
    this.addSql(`alter table "licence_status_change" add constraint "licence_status_change_licence_fk" foreign key ("licence_id") references "licence" ("id") on delete cascade deferrable initially deferred;`);
    this.addSql(`create sequence "licence_number_seq";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "licence" cascade;`);

    this.addSql(`drop table if exists "licence_product" cascade;`);

    this.addSql(`drop table if exists "licence_status_change" cascade;`);

    this.addSql(`drop type "licence_status";`);
    this.addSql(`drop sequence if exists "licence_number_seq";`);
  }

}
