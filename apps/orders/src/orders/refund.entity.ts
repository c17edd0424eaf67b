import { BigIntType, Check, Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** What a refund gives back of one line. */
export interface RefundLineAmount {
  lineId: string;
  quantity: number;
  amountFen: number;
}

/** A full or partial refund of an order's lines, with why, by whom and how it was paid back. */
@Entity({ tableName: 'refund' })
@Unique({ name: 'refund_idempotency', properties: ['orderId', 'idempotencyKey'] })
@Index({ name: 'refund_order', properties: ['orderId', 'createdAt'] })
@Index({ name: 'refund_reference', properties: ['reference'] })
@Index({ name: 'refund_pending', properties: ['createdAt'], options: { where: "status = 'pending'" } })
@Check({ name: 'refund_amount_positive', expression: 'amount_fen > 0' })
@Check({ name: 'refund_status', expression: "status in ('pending', 'succeeded', 'failed')" })
export class Refund {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  orderId!: string;

  @Property({ type: 'text' })
  idempotencyKey!: string;

  @Property({ type: 'jsonb' })
  lines!: RefundLineAmount[];

  @Property({ type: new BigIntType('number') })
  amountFen!: number;

  @Property({ type: 'text' })
  reason!: string;

  @Property({ type: 'boolean' })
  goodsReturned!: boolean;

  @Property({ type: 'text' })
  status!: string;

  @Property({ type: 'text' })
  reference!: string;

  @Property({ type: 'uuid' })
  requestedBy!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
