import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** A lot a sale line drew on. */
export interface SaleLineLot {
  lotId: string;
  lotCode: string;
  quantity: number;
}

/**
 * An order line as the ledger posted it (the facts of the sale a trace shows beside the
 * postings): written with the sale transaction, never changed. Holds no personal data.
 */
@Entity({ tableName: 'sale_line' })
@Index({ name: 'sale_line_order', properties: ['orderId'] })
export class SaleLine {
  @PrimaryKey({ type: 'uuid' })
  lineId!: string;

  @Property({ type: 'uuid' })
  orderId!: string;

  @Property({ type: 'uuid' })
  buyerId!: string;

  @Property({ type: 'uuid' })
  productId!: string;

  @Property({ type: 'uuid' })
  producerId!: string;

  @Property({ type: new BigIntType('number') })
  quantity!: number;

  @Property({ type: new BigIntType('number') })
  grossFen!: number;

  @Property({ type: 'string', columnType: 'char(3)' })
  currency!: string;

  @Property({ type: 'integer' })
  householdShareBps!: number;

  /** `lots`, `agreements`, `unallocated` or `mixed`. */
  @Property({ type: 'text' })
  householdBasis!: string;

  @Property({ type: 'jsonb' })
  lots!: SaleLineLot[];

  @Property({ type: 'timestamptz' })
  paidAt!: Date;
}
