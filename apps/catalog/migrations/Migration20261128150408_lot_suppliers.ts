import { Migration } from '@mikro-orm/migrations';

export class Migration20261128150408_lot_suppliers extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "lot_supplier" ("id" uuid not null, "lot_id" uuid not null, "household_id" uuid not null, "quantity" bigint not null, "position" smallint not null, "created_at" timestamptz not null, constraint "lot_supplier_pkey" primary key ("id"), constraint lot_supplier_quantity_positive check (quantity > 0));`,
    );
    this.addSql(`create index "lot_supplier_household_id_index" on "lot_supplier" ("household_id");`);
    this.addSql(
      `alter table "lot_supplier" add constraint "lot_supplier_lot_id_household_id_unique" unique ("lot_id", "household_id");`,
    );
    this.addSql(
      `alter table "lot_supplier" add constraint "lot_supplier_lot_id_foreign" foreign key ("lot_id") references "lot" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "lot_supplier" cascade;`);
  }
}
