import type { Constructor } from '@mikro-orm/core';
import type { Migration } from '@mikro-orm/migrations';
import { Migration20261202131915_licences } from './Migration20261202131915_licences';
import { Migration20261202141633_labels } from './Migration20261202141633_labels';
import { Migration20261202164858_declarations } from './Migration20261202164858_declarations';
import { Migration20261202172240_label_scan_places } from './Migration20261202172240_label_scan_places';
import { Migration20261203133014_label_scan_batches } from './Migration20261203133014_label_scan_batches';

/** The licensing service's migrations, oldest first. `npm run db:migration -- licensing <name>` writes the next one. */
export const migrations: { name: string; class: Constructor<Migration> }[] = [
  { name: 'Migration20261202131915_licences', class: Migration20261202131915_licences },
  { name: 'Migration20261202141633_labels', class: Migration20261202141633_labels },
  { name: 'Migration20261202164858_declarations', class: Migration20261202164858_declarations },
  { name: 'Migration20261202172240_label_scan_places', class: Migration20261202172240_label_scan_places },
  { name: 'Migration20261203133014_label_scan_batches', class: Migration20261203133014_label_scan_batches },
];
