import type { Constructor } from '@mikro-orm/core';
import type { Migration } from '@mikro-orm/migrations';
import { Migration20261202082915_journal } from './Migration20261202082915_journal';
import { Migration20261202131937_relief_office } from './Migration20261202131937_relief_office';
import { Migration20261202133000_apply_event } from './Migration20261202133000_apply_event';
import { Migration20261202134000_balances_per_statement } from './Migration20261202134000_balances_per_statement';
import { Migration20261202142008_payouts } from './Migration20261202142008_payouts';
import { Migration20261202180000_payout_payees } from './Migration20261202180000_payout_payees';
import { Migration20261203080000_posting_months } from './Migration20261203080000_posting_months';
import { Migration20261203133000_event_batch } from './Migration20261203133000_event_batch';
import { Migration20261203140000_account_months } from './Migration20261203140000_account_months';
import { Migration20261204190000_trace_months } from './Migration20261204190000_trace_months';

/** The ledger's migrations, oldest first. `npm run db:migration -- ledger <name>` writes the next one. */
export const migrations: { name: string; class: Constructor<Migration> }[] = [
  { name: 'Migration20261202082915_journal', class: Migration20261202082915_journal },
  { name: 'Migration20261202131937_relief_office', class: Migration20261202131937_relief_office },
  { name: 'Migration20261202133000_apply_event', class: Migration20261202133000_apply_event },
  {
    name: 'Migration20261202134000_balances_per_statement',
    class: Migration20261202134000_balances_per_statement,
  },
  { name: 'Migration20261202142008_payouts', class: Migration20261202142008_payouts },
  { name: 'Migration20261202180000_payout_payees', class: Migration20261202180000_payout_payees },
  { name: 'Migration20261203080000_posting_months', class: Migration20261203080000_posting_months },
  { name: 'Migration20261203133000_event_batch', class: Migration20261203133000_event_batch },
  { name: 'Migration20261203140000_account_months', class: Migration20261203140000_account_months },
  { name: 'Migration20261204190000_trace_months', class: Migration20261204190000_trace_months },
];
