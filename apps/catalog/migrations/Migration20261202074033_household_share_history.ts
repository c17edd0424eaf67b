import { Migration } from '@mikro-orm/migrations';

// The generator's noise about stock_hold's status check (read back in another spelling) is left
// out. Each producer's share so far becomes the first step of its history, in force since the
// producer was registered, before the column goes.
export class Migration20261202074033_household_share_history extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "household_share" ("id" uuid not null, "producer_id" uuid not null, "basis_points" int not null, "effective_from" timestamptz not null, "reason" text not null, "changed_by" uuid null, "created_at" timestamptz not null, constraint "household_share_pkey" primary key ("id"), constraint household_share_range check (basis_points between 0 and 10000));`);
    this.addSql(`alter table "household_share" add constraint "household_share_producer_effective_from" unique ("producer_id", "effective_from");`);
    this.addSql(`alter table "household_share" add constraint "household_share_producer_id_foreign" foreign key ("producer_id") references "producer" ("id") on update cascade on delete cascade;`);
    this.addSql(`insert into "household_share" ("id", "producer_id", "basis_points", "effective_from", "reason", "changed_by", "created_at")
      select gen_random_uuid(), "id", "household_share_bps", "created_at", 'share at registration', null, now() from "producer";`);
    this.addSql(`alter table "producer" drop constraint producer_household_share_range;`);
    this.addSql(`alter table "producer" drop column "household_share_bps";`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "producer" add column "household_share_bps" int4 not null default 0;`);
    this.addSql(`update "producer" p set "household_share_bps" = coalesce((select s."basis_points" from "household_share" s
      where s."producer_id" = p."id" and s."effective_from" <= now() order by s."effective_from" desc limit 1), 0);`);
    this.addSql(`alter table "producer" add constraint producer_household_share_range check((household_share_bps >= 0) AND (household_share_bps <= 10000));`);
    this.addSql(`drop table if exists "household_share" cascade;`);
  }
}
