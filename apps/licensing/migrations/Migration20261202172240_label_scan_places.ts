import { Migration } from '@mikro-orm/migrations';

/**
 * The places label codes are scanned from (keyed hashes of client networks). The generator's noise
 * about the existing hand-written foreign keys, CHECKs and the partial index was trimmed.
 */
export class Migration20261202172240_label_scan_places extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "label_scan_place" ("code" text not null, "place" text not null, "first_scanned_at" timestamptz not null default now(), constraint "label_scan_place_pkey" primary key ("code", "place"));`);
    this.addSql(`alter table "label_scan_place" add constraint "label_scan_place_code_fk" foreign key ("code") references "label_code" ("code");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "label_scan_place" cascade;`);
  }
}
