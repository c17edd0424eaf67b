import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** One return of units to stock, keyed by its caller's id (a refund), so a repeat does nothing. */
@Entity({ tableName: 'stock_restock' })
export class StockRestock {
  @PrimaryKey({ type: 'text' })
  restockId!: string;

  @Property({ type: 'uuid' })
  orderId!: string;

  @Property({ type: 'uuid' })
  productId!: string;

  @Property({ type: new BigIntType('number') })
  quantity!: number;

  /** [{lotId, lotCode, quantity}] as answered the first time. */
  @Property({ type: 'jsonb' })
  allocations!: Record<string, unknown>[];

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
