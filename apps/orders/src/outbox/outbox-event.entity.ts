import { BigIntType, Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/**
 * The kinds of order event consumers (the ledger) act on. The last two report money received
 * that paid no order: refunded in full because the order could not be filled, or not the order's
 * amount or currency (held for the relief office).
 */
export type OrderEventType =
  'order.paid' | 'order.refunded' | 'order.cancelled' | 'order.payment_refunded' | 'order.payment_unmatched';

/**
 * One order event, written in the same transaction as the state change it reports, and relayed
 * to consumers at least once. `id` is the delivery order; `sequence` numbers the events of one
 * order (1, 2, 3…) so a consumer applies them in order. `payload` holds the event as it goes on
 * the wire (`{order, refund?}` shaped like the orders.v1 messages), so a later change to the order
 * never changes an event already written.
 */
@Entity({ tableName: 'outbox_event' })
@Unique({ name: 'outbox_event_order_sequence', properties: ['orderId', 'sequence'] })
@Index({
  name: 'outbox_event_pending',
  properties: ['nextAttemptAt', 'id'],
  options: { where: 'delivered_at is null' },
})
export class OutboxEvent {
  [OptionalProps]?: 'occurredAt' | 'attempts' | 'nextAttemptAt' | 'eventId' | 'traceContext';

  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @Property({ type: 'uuid', unique: true })
  eventId: string = randomUUID();

  @Property({ type: 'text' })
  type!: OrderEventType;

  @Property({ type: 'uuid' })
  orderId!: string;

  @Property({ type: 'integer' })
  sequence!: number;

  @Property({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Property({ type: 'timestamptz' })
  occurredAt: Date = new Date();

  /**
   * The W3C `traceparent` of the request that wrote the event, when it was traced: the relay's
   * delivery (and so the consumer's handling) continues that trace.
   */
  @Property({ type: 'text', nullable: true })
  traceContext?: string | null;

  /** Set once every configured consumer acknowledged it. */
  @Property({ type: 'timestamptz', nullable: true })
  deliveredAt?: Date | null;

  @Property({ type: 'integer' })
  attempts = 0;

  /** Back-off: the relay does not try it again before this. */
  @Property({ type: 'timestamptz' })
  nextAttemptAt: Date = new Date();

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;
}
