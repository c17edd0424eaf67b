import {
  BigIntType,
  Check,
  Entity,
  Index,
  OptionalProps,
  PrimaryKey,
  Property,
  Unique,
} from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const HOLD_STATUSES = ['held', 'committed', 'released'] as const;
export type HoldStatusName = (typeof HOLD_STATUSES)[number];

/**
 * Units of one lot held for one order line, with what the line is sold at snapshotted beside
 * them. `held` units are already off the lot's on_hand; `released` ones are back on it;
 * `committed` ones are sold (less any `restocked` after a return). Rows are written and read
 * with SQL in StockRepository (the checkout hot path); the entity gives the schema.
 */
@Entity({ tableName: 'stock_hold' })
@Unique({ name: 'stock_hold_order_product_lot', properties: ['orderId', 'productId', 'lotId'] })
@Index({ name: 'stock_hold_expiring', properties: ['expiresAt'], options: { where: "status = 'held'" } })
@Check({ name: 'stock_hold_quantity_positive', expression: 'quantity > 0' })
@Check({ name: 'stock_hold_restocked_in_range', expression: 'restocked >= 0 and restocked <= quantity' })
@Check({ name: 'stock_hold_status', expression: "status in ('held', 'committed', 'released')" })
export class StockHold {
  [OptionalProps]?: 'restocked' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  orderId!: string;

  /** The product ordered (which may sell from another product's lots). */
  @Property({ type: 'uuid' })
  productId!: string;

  @Property({ type: 'uuid', index: true })
  lotId!: string;

  @Property({ type: new BigIntType('number') })
  quantity!: number;

  @Property({ type: 'text' })
  status!: HoldStatusName;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: new BigIntType('number') })
  restocked = 0;

  /** Order of the row within its hold: lines as asked, each line's lots oldest first. */
  @Property({ type: 'integer' })
  position!: number;

  /** The line as sold: {unitPriceFen, currency, producerId, producerName, householdShareBps, nameZh, nameEn, unit, lotCode}. */
  @Property({ type: 'jsonb' })
  snapshot!: Record<string, unknown>;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
