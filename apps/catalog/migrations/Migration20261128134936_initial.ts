import { Migration } from '@mikro-orm/migrations';

export class Migration20261128134936_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create type "producer_kind" as enum ('cooperative', 'leading_enterprise', 'family_farm', 'industry_base');`,
    );
    this.addSql(`create type "producer_status" as enum ('pending', 'verified', 'suspended');`);
    this.addSql(`create type "product_status" as enum ('draft', 'active', 'archived');`);
    this.addSql(
      `create table "producer" ("id" uuid not null, "kind" "producer_kind" not null, "legal_name" text not null, "credit_code" varchar(18) not null, "town" text not null, "village" text not null default '', "status" "producer_status" not null default 'pending', "household_share_bps" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "producer_pkey" primary key ("id"), constraint producer_household_share_range check (household_share_bps between 0 and 10000));`,
    );
    this.addSql(
      `alter table "producer" add constraint "producer_credit_code_unique" unique ("credit_code");`,
    );
    this.addSql(`create index "producer_status_town_index" on "producer" ("status", "town");`);

    this.addSql(
      `create table "product" ("id" uuid not null, "producer_id" uuid not null, "name_zh" text not null, "name_en" text not null default '', "category" text not null, "unit" text not null, "price_fen" bigint not null, "currency" varchar(3) not null default 'CNY', "image_urls" text[] not null default '{}', "origin_village" text not null default '', "relief_certification" text not null default '', "status" "product_status" not null default 'draft', "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "product_pkey" primary key ("id"), constraint product_price_positive check (price_fen > 0));`,
    );
    this.addSql(`create index "product_category_status_index" on "product" ("category", "status");`);
    this.addSql(`create index "product_producer_id_status_index" on "product" ("producer_id", "status");`);

    this.addSql(
      `create table "lot" ("id" uuid not null, "product_id" uuid not null, "lot_code" text not null, "produced_on" date not null, "quantity" bigint not null, "on_hand" bigint not null, "created_at" timestamptz not null, constraint "lot_pkey" primary key ("id"), constraint lot_on_hand_in_range check (on_hand >= 0 and on_hand <= quantity), constraint lot_quantity_positive check (quantity > 0));`,
    );
    this.addSql(`create index "lot_product_id_produced_on_index" on "lot" ("product_id", "produced_on");`);
    this.addSql(
      `alter table "lot" add constraint "lot_product_id_lot_code_unique" unique ("product_id", "lot_code");`,
    );

    this.addSql(
      `alter table "product" add constraint "product_producer_id_foreign" foreign key ("producer_id") references "producer" ("id") on update cascade on delete restrict;`,
    );

    this.addSql(
      `alter table "lot" add constraint "lot_product_id_foreign" foreign key ("product_id") references "product" ("id") on update cascade on delete restrict;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "product" drop constraint "product_producer_id_foreign";`);

    this.addSql(`alter table "lot" drop constraint "lot_product_id_foreign";`);

    this.addSql(`drop table if exists "producer" cascade;`);

    this.addSql(`drop table if exists "product" cascade;`);

    this.addSql(`drop table if exists "lot" cascade;`);

    this.addSql(`drop type "producer_kind";`);
    this.addSql(`drop type "producer_status";`);
    this.addSql(`drop type "product_status";`);
  }
}
