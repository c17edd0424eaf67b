import { Migration } from '@mikro-orm/migrations';

// Only this change: the generator would also drop benefit_agreement's foreign key and its
// no-overlap exclusion constraint, which the entities do not describe. The same rules for the new
// table (its village exists; no two shares of one producer and village overlap in time) by hand.
export class Migration20261202085007_village_collective_shares extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "village_collective_share" ("id" uuid not null, "producer_id" uuid not null, "village_id" uuid not null, "share_bps" int not null, "effective_from" date not null, "effective_to" date null, "created_at" timestamptz not null, constraint "village_collective_share_pkey" primary key ("id"), constraint village_collective_share_period check (effective_to is null or effective_to > effective_from), constraint village_collective_share_bps check (share_bps > 0 and share_bps <= 5000));`);
    this.addSql(`create index "village_collective_share_producer_id_effective_from_index" on "village_collective_share" ("producer_id", "effective_from");`);
    this.addSql(`alter table "village_collective_share" add constraint "village_collective_share_village_foreign" foreign key ("village_id") references "village" ("id") on delete restrict;`);
    this.addSql(`alter table "village_collective_share" add constraint "village_collective_share_no_overlap" exclude using gist ("producer_id" with =, "village_id" with =, daterange("effective_from", "effective_to", '[)') with &&);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "village_collective_share" cascade;`);
  }
}
