import { Migration } from '@mikro-orm/migrations';

export class Migration20261128142431_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "agreement_kind" as enum ('employment', 'dividend', 'supply', 'land_lease');`);
    this.addSql(`create type "household_status" as enum ('registered', 'exited', 'monitored_edge', 'monitored_unstable');`);
    this.addSql(`create table "benefit_agreement" ("id" uuid not null, "producer_id" uuid not null, "household_id" uuid not null, "village_id" uuid not null, "kind" "agreement_kind" not null, "weight" int not null, "effective_from" date not null, "effective_to" date null, "created_at" timestamptz not null, constraint "benefit_agreement_pkey" primary key ("id"), constraint benefit_agreement_period check (effective_to is null or effective_to > effective_from), constraint benefit_agreement_weight_positive check (weight > 0));`);
    this.addSql(`create index "benefit_agreement_household_id_index" on "benefit_agreement" ("household_id");`);
    this.addSql(`create index "benefit_agreement_producer_id_effective_from_effective_to_index" on "benefit_agreement" ("producer_id", "effective_from", "effective_to");`);

    this.addSql(`create table "pii_access" ("id" uuid not null, "user_id" text not null, "role" text not null, "household_id" uuid not null, "purpose" text not null, "action" text not null, "accessed_at" timestamptz not null, constraint "pii_access_pkey" primary key ("id"));`);
    this.addSql(`create index "pii_access_accessed_at_index" on "pii_access" ("accessed_at");`);
    this.addSql(`create index "pii_access_household_id_accessed_at_index" on "pii_access" ("household_id", "accessed_at");`);

    this.addSql(`create table "town" ("id" uuid not null, "name_zh" text not null, "name_en" text not null default '', "position" int not null default 0, constraint "town_pkey" primary key ("id"));`);
    this.addSql(`alter table "town" add constraint "town_name_zh_unique" unique ("name_zh");`);

    this.addSql(`create table "village" ("id" uuid not null, "town_id" uuid not null, "name_zh" text not null, "name_en" text not null default '', "registered_poor" boolean not null default false, "exit_year" smallint null, constraint "village_pkey" primary key ("id"));`);
    this.addSql(`create index "village_registered_poor_index" on "village" ("registered_poor");`);
    this.addSql(`alter table "village" add constraint "village_town_id_name_zh_unique" unique ("town_id", "name_zh");`);

    this.addSql(`create table "household" ("id" uuid not null, "archive_number" text not null, "village_id" uuid not null, "head_name_enc" text not null, "national_id_enc" text not null, "national_id_hash" varchar(64) not null, "payout_account_enc" text null, "pii_key_id" text not null, "members" smallint not null, "status" "household_status" not null default 'registered', "exit_year" smallint null, "baseline_income_fen" bigint not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "household_pkey" primary key ("id"), constraint household_baseline_income_not_negative check (baseline_income_fen >= 0), constraint household_members_positive check (members >= 1));`);
    this.addSql(`alter table "household" add constraint "household_archive_number_unique" unique ("archive_number");`);
    this.addSql(`alter table "household" add constraint "household_national_id_hash_unique" unique ("national_id_hash");`);
    this.addSql(`create index "household_pii_key_id_index" on "household" ("pii_key_id");`);
    this.addSql(`create index "household_village_id_status_index" on "household" ("village_id", "status");`);

    this.addSql(`alter table "village" add constraint "village_town_id_foreign" foreign key ("town_id") references "town" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "household" add constraint "household_village_id_foreign" foreign key ("village_id") references "village" ("id") on update cascade on delete restrict;`);

    // Written by hand (the schema snapshot cannot express them): the household reference of an
    // agreement, and no two agreements of one producer, household and kind overlapping in time.
    // btree_gist is a trusted extension (PostgreSQL 13+), so the database owner may create it.
    this.addSql(`alter table "benefit_agreement" add constraint "benefit_agreement_household_id_foreign" foreign key ("household_id") references "household" ("id") on update cascade on delete restrict;`);
    this.addSql(`create extension if not exists btree_gist;`);
    this.addSql(`alter table "benefit_agreement" add constraint "benefit_agreement_no_overlap" exclude using gist ("producer_id" with =, "household_id" with =, "kind" with =, daterange("effective_from", "effective_to", '[)') with &&);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "benefit_agreement" drop constraint "benefit_agreement_household_id_foreign";`);
    this.addSql(`alter table "village" drop constraint "village_town_id_foreign";`);

    this.addSql(`alter table "household" drop constraint "household_village_id_foreign";`);

    this.addSql(`drop table if exists "benefit_agreement" cascade;`);

    this.addSql(`drop table if exists "pii_access" cascade;`);

    this.addSql(`drop table if exists "town" cascade;`);

    this.addSql(`drop table if exists "village" cascade;`);

    this.addSql(`drop table if exists "household" cascade;`);

    this.addSql(`drop type "agreement_kind";`);
    this.addSql(`drop type "household_status";`);
  }

}
