import { Migration } from '@mikro-orm/migrations';

export class Migration20261203073243_stripe_inbox extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "stripe_inbox_event" ("event_id" text not null, "type" text not null, "body" text not null, "received_at" timestamptz not null default now(), "attempts" int not null default 0, "next_attempt_at" timestamptz not null default now(), "applied_at" timestamptz null, "parked_at" timestamptz null, "last_error" text null, constraint "stripe_inbox_event_pkey" primary key ("event_id"));`);
    this.addSql(`create index "stripe_inbox_event_parked" on "stripe_inbox_event" ("parked_at") where "parked_at" is not null;`);
    this.addSql(`create index "stripe_inbox_event_due" on "stripe_inbox_event" ("next_attempt_at") where "applied_at" is null and "parked_at" is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "stripe_inbox_event" cascade;`);
  }

}
