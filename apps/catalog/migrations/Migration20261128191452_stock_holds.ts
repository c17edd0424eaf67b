import { Migration } from '@mikro-orm/migrations';

export class Migration20261128191452_stock_holds extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "stock_hold" ("id" uuid not null, "order_id" uuid not null, "product_id" uuid not null, "lot_id" uuid not null, "quantity" bigint not null, "status" text not null, "expires_at" timestamptz not null, "restocked" bigint not null default 0, "position" int not null, "snapshot" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "stock_hold_pkey" primary key ("id"), constraint stock_hold_status check (status in ('held', 'committed', 'released')), constraint stock_hold_restocked_in_range check (restocked >= 0 and restocked <= quantity), constraint stock_hold_quantity_positive check (quantity > 0));`);
    this.addSql(`create index "stock_hold_lot_id_index" on "stock_hold" ("lot_id");`);
    this.addSql(`create index "stock_hold_expiring" on "stock_hold" ("expires_at") where status = 'held';`);
    this.addSql(`alter table "stock_hold" add constraint "stock_hold_order_product_lot" unique ("order_id", "product_id", "lot_id");`);

    this.addSql(`create table "stock_restock" ("restock_id" text not null, "order_id" uuid not null, "product_id" uuid not null, "quantity" bigint not null, "allocations" jsonb not null, "created_at" timestamptz not null, constraint "stock_restock_pkey" primary key ("restock_id"));`);

    this.addSql(`alter table "producer" drop constraint producer_household_share_range;`);

    this.addSql(`alter table "producer" add constraint producer_household_share_range check(household_share_bps between 0 and 10000);`);

    this.addSql(`alter table "product" add column "stock_source_id" uuid null;`);
    this.addSql(`alter table "product" add constraint "product_stock_source_id_foreign" foreign key ("stock_source_id") references "product" ("id") on update cascade on delete restrict;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "stock_hold" cascade;`);

    this.addSql(`drop table if exists "stock_restock" cascade;`);

    this.addSql(`alter table "product" drop constraint "product_stock_source_id_foreign";`);

    this.addSql(`alter table "producer" drop constraint producer_household_share_range;`);

    this.addSql(`alter table "producer" add constraint producer_household_share_range check((household_share_bps >= 0) AND (household_share_bps <= 10000));`);

    this.addSql(`alter table "product" drop column "stock_source_id";`);
  }

}
