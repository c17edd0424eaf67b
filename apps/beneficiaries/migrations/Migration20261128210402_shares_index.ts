import { Migration } from '@mikro-orm/migrations';

/**
 * GetBenefitShares reads a producer's agreements valid on a date, ordered by household: an index
 * on (producer_id, household_id, id) holding the other columns it reads answers it with an
 * index-only scan and no sort. It also serves every other lookup by producer, so it replaces the
 * (producer_id, effective_from, effective_to) index.
 */
export class Migration20261128210402_shares_index extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "benefit_agreement_shares_index" on "benefit_agreement" ("producer_id", "household_id", "id") include ("village_id", "kind", "weight", "effective_from", "effective_to");`,
    );
    this.addSql(`drop index "benefit_agreement_producer_id_effective_from_effective_to_index";`);
  }

  override async down(): Promise<void> {
    this.addSql(
      `create index "benefit_agreement_producer_id_effective_from_effective_to_index" on "benefit_agreement" ("producer_id", "effective_from", "effective_to");`,
    );
    this.addSql(`drop index "benefit_agreement_shares_index";`);
  }
}
