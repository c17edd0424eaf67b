import { BigIntType, Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * An order event the ledger applied, recorded in the transaction that applied it: the primary key
 * makes each event id count once, and (order, sequence) makes an order's events apply in order.
 */
@Entity({ tableName: 'applied_event' })
@Unique({ name: 'applied_event_order_sequence', properties: ['orderId', 'sequence'] })
export class AppliedEvent {
  [OptionalProps]?: 'appliedAt';

  @PrimaryKey({ type: 'uuid' })
  eventId!: string;

  @Property({ type: 'uuid' })
  orderId!: string;

  @Property({ type: 'integer' })
  sequence!: number;

  @Property({ type: 'text' })
  type!: string;

  /** Its position in orders' outbox. */
  @Property({ type: new BigIntType('number') })
  outboxId!: number;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  appliedAt!: Date;
}
