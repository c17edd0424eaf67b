import type { Constructor } from '@mikro-orm/core';
import type { Migration } from '@mikro-orm/migrations';
import { Migration20261128191817_initial } from './Migration20261128191817_initial';
import { Migration20261128192439_fulfilment_refunds } from './Migration20261128192439_fulfilment_refunds';
import { Migration20261201210104_stripe_payments } from './Migration20261201210104_stripe_payments';
import { Migration20261202044758_buyer_limits_payment_reference } from './Migration20261202044758_buyer_limits_payment_reference';
import { Migration20261202133031_line_licence } from './Migration20261202133031_line_licence';
import { Migration20261202150311_processor_fee } from './Migration20261202150311_processor_fee';
import { Migration20261203074211_outbox_trace_context } from './Migration20261203074211_outbox_trace_context';
import { Migration20261203080000_place_orders } from './Migration20261203080000_place_orders';
import { Migration20261203141000_unpaid_orders_by_buyer } from './Migration20261203141000_unpaid_orders_by_buyer';

/** Orders' migrations, oldest first. `npm run db:migration -- orders <name>` writes the next one. */
export const migrations: { name: string; class: Constructor<Migration> }[] = [
  { name: 'Migration20261128191817_initial', class: Migration20261128191817_initial },
  { name: 'Migration20261128192439_fulfilment_refunds', class: Migration20261128192439_fulfilment_refunds },
  { name: 'Migration20261201210104_stripe_payments', class: Migration20261201210104_stripe_payments },
  {
    name: 'Migration20261202044758_buyer_limits_payment_reference',
    class: Migration20261202044758_buyer_limits_payment_reference,
  },
  { name: 'Migration20261202133031_line_licence', class: Migration20261202133031_line_licence },
  { name: 'Migration20261202150311_processor_fee', class: Migration20261202150311_processor_fee },
  {
    name: 'Migration20261203074211_outbox_trace_context',
    class: Migration20261203074211_outbox_trace_context,
  },
  { name: 'Migration20261203080000_place_orders', class: Migration20261203080000_place_orders },
  {
    name: 'Migration20261203141000_unpaid_orders_by_buyer',
    class: Migration20261203141000_unpaid_orders_by_buyer,
  },
];
