import type { Constructor } from '@mikro-orm/core';
import type { Migration } from '@mikro-orm/migrations';
import { Migration20261128142431_initial } from './Migration20261128142431_initial';
import { Migration20261128210402_shares_index } from './Migration20261128210402_shares_index';
import { Migration20261202085007_village_collective_shares } from './Migration20261202085007_village_collective_shares';
import { Migration20261202131910_monitoring_cases } from './Migration20261202131910_monitoring_cases';
import { Migration20261202141903_payout_accounts } from './Migration20261202141903_payout_accounts';
import { Migration20261203074500_benefit_shares_changed } from './Migration20261203074500_benefit_shares_changed';

/** Beneficiaries' migrations, oldest first. `npm run db:migration -- beneficiaries <name>` writes the next one. */
export const migrations: { name: string; class: Constructor<Migration> }[] = [
  { name: 'Migration20261128142431_initial', class: Migration20261128142431_initial },
  { name: 'Migration20261128210402_shares_index', class: Migration20261128210402_shares_index },
  {
    name: 'Migration20261202085007_village_collective_shares',
    class: Migration20261202085007_village_collective_shares,
  },
  { name: 'Migration20261202131910_monitoring_cases', class: Migration20261202131910_monitoring_cases },
  { name: 'Migration20261202141903_payout_accounts', class: Migration20261202141903_payout_accounts },
  {
    name: 'Migration20261203074500_benefit_shares_changed',
    class: Migration20261203074500_benefit_shares_changed,
  },
];
