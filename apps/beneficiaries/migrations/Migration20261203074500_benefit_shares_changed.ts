import { Migration } from '@mikro-orm/migrations';

/**
 * Each beneficiaries process keeps GetBenefitShares answers in memory (BenefitSharesCache) and
 * drops them when told that agreements changed: every statement that writes benefit agreements or
 * village collective shares, whoever runs it (an officer, the register import, psql), sends
 * `NOTIFY benefit_shares_changed` on commit. Once per statement, not per row, so an import of
 * thousands of agreements pays for one notification.
 */
export class Migration20261203074500_benefit_shares_changed extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function "notify_benefit_shares_changed"() returns trigger language plpgsql as $$
      begin
        perform pg_notify('benefit_shares_changed', tg_table_name);
        return null;
      end $$;`);
    for (const table of ['benefit_agreement', 'village_collective_share']) {
      this.addSql(
        `create trigger "${table}_shares_changed" after insert or update or delete on "${table}" for each statement execute function "notify_benefit_shares_changed"();`,
      );
      this.addSql(
        `create trigger "${table}_shares_truncated" after truncate on "${table}" for each statement execute function "notify_benefit_shares_changed"();`,
      );
    }
  }

  override async down(): Promise<void> {
    for (const table of ['benefit_agreement', 'village_collective_share']) {
      this.addSql(`drop trigger "${table}_shares_changed" on "${table}";`);
      this.addSql(`drop trigger "${table}_shares_truncated" on "${table}";`);
    }
    this.addSql(`drop function "notify_benefit_shares_changed"();`);
  }
}
