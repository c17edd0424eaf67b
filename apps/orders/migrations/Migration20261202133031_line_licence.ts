import { Migration } from '@mikro-orm/migrations';

/**
 * The LOGO licence terms valid at checkout, snapshotted on each order line (none on lines placed
 * before licensing). The generator's noise about existing `*_check` constraints is trimmed.
 */
export class Migration20261202133031_line_licence extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "order_line" add column "licence_id" uuid null, add column "licence_number" text null, add column "licence_commitment_bps" int not null default 0, add column "licence_min_per_unit_fen" bigint not null default 0;`);
    this.addSql(`alter table "order_line" add constraint order_line_licence check(licence_commitment_bps between 0 and 10000 and licence_min_per_unit_fen >= 0 and (licence_id is not null or (licence_commitment_bps = 0 and licence_min_per_unit_fen = 0)));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "order_line" drop constraint order_line_licence;`);
    this.addSql(`alter table "order_line" drop column "licence_id", drop column "licence_number", drop column "licence_commitment_bps", drop column "licence_min_per_unit_fen";`);
  }
}
