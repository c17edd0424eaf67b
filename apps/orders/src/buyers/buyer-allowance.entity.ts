import { Check, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A buyer's own limits of unpaid orders and held units, set by a relief officer in place of the
 * service's defaults: an institution pays by bank transfer, which takes days, so its unpaid
 * orders stay open longer than a consumer's. One per buyer; after `expiresAt` the defaults apply.
 */
@Entity({ tableName: 'buyer_allowance' })
@Check({
  name: 'buyer_allowance_limits',
  expression: 'max_unpaid_orders > 0 and max_held_units > 0',
})
export class BuyerAllowance {
  @PrimaryKey({ type: 'uuid' })
  buyerId!: string;

  @Property({ type: 'int' })
  maxUnpaidOrders!: number;

  @Property({ type: 'int' })
  maxHeldUnits!: number;

  @Property({ type: 'timestamptz', nullable: true })
  expiresAt?: Date | null;

  /** The officer who set it. */
  @Property({ type: 'uuid' })
  grantedBy!: string;

  @Property({ type: 'timestamptz' })
  grantedAt: Date = new Date();
}
