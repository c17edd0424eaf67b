import { Migration } from '@mikro-orm/migrations';

// Only this change: the generator would also drop and re-add check constraints it reads back in
// another spelling.
export class Migration20261202150311_processor_fee extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "customer_order" add column "processor_fee_fen" bigint null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "customer_order" drop column "processor_fee_fen";`);
  }
}
