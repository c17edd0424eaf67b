import type { Constructor } from '@mikro-orm/core';
import type { Migration } from '@mikro-orm/migrations';
import { Migration20261128134936_initial } from './Migration20261128134936_initial';
import { Migration20261128150408_lot_suppliers } from './Migration20261128150408_lot_suppliers';
import { Migration20261128191452_stock_holds } from './Migration20261128191452_stock_holds';
import { Migration20261202074033_household_share_history } from './Migration20261202074033_household_share_history';
import { Migration20261202085400_certification } from './Migration20261202085400_certification';
import { Migration20261202132142_product_licence } from './Migration20261202132142_product_licence';
import { Migration20261202180000_producer_payout_account } from './Migration20261202180000_producer_payout_account';
import { Migration20261203074000_stock_hold_batches } from './Migration20261203074000_stock_hold_batches';

/** Catalog's migrations, oldest first. `npm run db:migration -- catalog <name>` writes the next one. */
export const migrations: { name: string; class: Constructor<Migration> }[] = [
  { name: 'Migration20261128134936_initial', class: Migration20261128134936_initial },
  { name: 'Migration20261128150408_lot_suppliers', class: Migration20261128150408_lot_suppliers },
  { name: 'Migration20261128191452_stock_holds', class: Migration20261128191452_stock_holds },
  {
    name: 'Migration20261202074033_household_share_history',
    class: Migration20261202074033_household_share_history,
  },
  { name: 'Migration20261202085400_certification', class: Migration20261202085400_certification },
  { name: 'Migration20261202132142_product_licence', class: Migration20261202132142_product_licence },
  {
    name: 'Migration20261202180000_producer_payout_account',
    class: Migration20261202180000_producer_payout_account,
  },
  { name: 'Migration20261203074000_stock_hold_batches', class: Migration20261203074000_stock_hold_batches },
];
