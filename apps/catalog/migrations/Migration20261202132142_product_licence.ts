import { Migration } from '@mikro-orm/migrations';

/** Catalog's copy of what LOGO licences cover (licensing tells it). Generator noise trimmed. */
export class Migration20261202132142_product_licence extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "product_licence" ("product_id" uuid not null, "licence_id" uuid not null, "licence_number" text not null, "valid_from" timestamptz not null, "valid_to" timestamptz not null, "updated_at" timestamptz not null, constraint "product_licence_pkey" primary key ("product_id"), constraint product_licence_period check (valid_from < valid_to));`);
    this.addSql(`alter table "product_licence" add constraint "product_licence_product_fk" foreign key ("product_id") references "product" ("id") on delete cascade;`);
    this.addSql(`create index "product_licence_licence" on "product_licence" ("licence_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "product_licence" cascade;`);
  }
}
