import type { Constructor } from '@mikro-orm/core';
import type { Migration } from '@mikro-orm/migrations';
import { Migration20261128135300_initial } from './Migration20261128135300_initial';
import { Migration20261202052550_sessions } from './Migration20261202052550_sessions';
import { Migration20261203073243_stripe_inbox } from './Migration20261203073243_stripe_inbox';

/** Gateway's migrations, oldest first. `npm run db:migration -- gateway <name>` writes the next one. */
export const migrations: { name: string; class: Constructor<Migration> }[] = [
  { name: 'Migration20261128135300_initial', class: Migration20261128135300_initial },
  { name: 'Migration20261202052550_sessions', class: Migration20261202052550_sessions },
  { name: 'Migration20261203073243_stripe_inbox', class: Migration20261203073243_stripe_inbox },
];
