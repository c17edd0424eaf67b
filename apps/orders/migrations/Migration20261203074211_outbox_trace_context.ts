import { Migration } from '@mikro-orm/migrations';

// Only this change: the generator would also drop and re-add check constraints it reads back in
// another spelling.
export class Migration20261203074211_outbox_trace_context extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "outbox_event" add column "trace_context" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "outbox_event" drop column "trace_context";`);
  }
}
