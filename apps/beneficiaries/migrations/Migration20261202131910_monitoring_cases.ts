import { Migration } from '@mikro-orm/migrations';

// Return-to-poverty monitoring cases and their history. Generated, then trimmed of the
// generator's noise about constraints it does not model (agreement foreign keys, overlap indexes),
// and given what entities cannot say: the household foreign keys and one active case per household.
export class Migration20261202131910_monitoring_cases extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "monitoring_case" ("id" uuid not null, "household_id" uuid not null, "status" text not null, "reasons" text[] not null, "recent_fen" bigint not null, "prior_fen" bigint not null, "members" smallint not null, "per_member_fen" bigint not null, "drop_bps" int not null, "as_of" timestamptz not null, "still_flagged" boolean not null default true, "opened_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "closed_at" timestamptz null, constraint "monitoring_case_pkey" primary key ("id"), constraint monitoring_case_members_positive check (members >= 1), constraint monitoring_case_status_known check (status in ('open', 'visited', 'closed')));`);
    this.addSql(`create index "monitoring_case_status" on "monitoring_case" ("status", "opened_at");`);
    this.addSql(`create index "monitoring_case_household" on "monitoring_case" ("household_id");`);
    this.addSql(`alter table "monitoring_case" add constraint "monitoring_case_household_foreign" foreign key ("household_id") references "household" ("id") on delete restrict;`);
    // Two refreshes at once open one case for a household, never two.
    this.addSql(`create unique index "monitoring_case_one_active" on "monitoring_case" ("household_id") where status <> 'closed';`);
    this.addSql(`alter table "monitoring_case" add constraint "monitoring_case_closed_at" check ((status = 'closed') = (closed_at is not null));`);

    this.addSql(`create table "monitoring_case_event" ("id" bigserial primary key, "case_id" uuid not null, "kind" text not null, "user_id" text not null default '', "note_enc" text null, "at" timestamptz not null default now(), constraint monitoring_case_event_kind_known check (kind in ('opened', 'refreshed', 'visited', 'closed')));`);
    this.addSql(`create index "monitoring_case_event_case" on "monitoring_case_event" ("case_id", "at");`);
    this.addSql(`alter table "monitoring_case_event" add constraint "monitoring_case_event_case_foreign" foreign key ("case_id") references "monitoring_case" ("id") on delete restrict;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "monitoring_case_event" cascade;`);
    this.addSql(`drop table if exists "monitoring_case" cascade;`);
  }
}
