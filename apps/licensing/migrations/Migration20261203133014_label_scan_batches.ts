import { Migration } from '@mikro-orm/migrations';

/**
 * Batches of scans the gateway sends, by their id, so a retried batch counts once. The
 * generator's noise about the existing hand-written foreign keys, CHECKs and the partial index
 * was trimmed.
 */
export class Migration20261203133014_label_scan_batches extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "label_scan_batch" ("id" uuid not null, "recorded_at" timestamptz not null default now(), constraint "label_scan_batch_pkey" primary key ("id"));`);
    this.addSql(`create index "label_scan_batch_recorded_at" on "label_scan_batch" ("recorded_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "label_scan_batch" cascade;`);
  }
}
