import { BigIntType, Check, Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** Units of one lot taken for a line. */
export interface LotAllocation {
  lotId: string;
  lotCode: string;
  quantity: number;
}

/** One product of an order, snapshotted at checkout: price, producer, share and lots. */
@Entity({ tableName: 'order_line' })
@Unique({ name: 'order_line_position', properties: ['orderId', 'position'] })
@Index({ name: 'order_line_producer', properties: ['producerId', 'orderId'] })
@Check({
  name: 'order_line_amounts',
  expression: 'quantity > 0 and unit_price_fen > 0 and gross_fen = unit_price_fen * quantity',
})
@Check({ name: 'order_line_share', expression: 'household_share_bps between 0 and 10000' })
@Check({ name: 'order_line_refunded', expression: 'refunded_quantity between 0 and quantity' })
@Check({
  name: 'order_line_licence',
  expression:
    'licence_commitment_bps between 0 and 10000 and licence_min_per_unit_fen >= 0 and (licence_id is not null or (licence_commitment_bps = 0 and licence_min_per_unit_fen = 0))',
})
export class OrderLine {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  orderId!: string;

  @Property({ type: 'integer' })
  position!: number;

  @Property({ type: 'uuid' })
  productId!: string;

  @Property({ type: 'text' })
  productNameZh!: string;

  @Property({ type: 'text' })
  productNameEn!: string;

  @Property({ type: 'text' })
  unit!: string;

  @Property({ type: 'uuid' })
  producerId!: string;

  @Property({ type: 'text' })
  producerName!: string;

  @Property({ type: new BigIntType('number') })
  unitPriceFen!: number;

  @Property({ type: new BigIntType('number') })
  quantity!: number;

  @Property({ type: new BigIntType('number') })
  grossFen!: number;

  @Property({ type: 'integer' })
  householdShareBps!: number;

  /** [{lotId, lotCode, quantity}], oldest lot first. */
  @Property({ type: 'jsonb' })
  allocations!: LotAllocation[];

  /** pending | shipped | delivered */
  @Property({ type: 'text' })
  status!: string;

  @Property({ type: 'text', nullable: true })
  carrier?: string | null;

  @Property({ type: 'text', nullable: true })
  trackingNumber?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  shippedAt?: Date | null;

  @Property({ type: new BigIntType('number') })
  refundedQuantity!: number;

  @Property({ type: new BigIntType('number') })
  refundedFen!: number;

  /** The LOGO licence covering the product at checkout; null when none did. */
  @Property({ type: 'uuid', nullable: true })
  licenceId!: string | null;

  @Property({ type: 'text', nullable: true })
  licenceNumber!: string | null;

  /** The licence's commitment at checkout: basis points of the unit price… */
  @Property({ type: 'integer', default: 0 })
  licenceCommitmentBps!: number;

  /** …or at least this much per unit, fen. */
  @Property({ type: new BigIntType('number'), default: 0 })
  licenceMinPerUnitFen!: number;
}
