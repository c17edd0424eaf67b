import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** What applying a provider event did. */
export const PAYMENT_EVENT_OUTCOMES = [
  /** The order moved (paid, cancelled) or a refund settled. */
  'applied',
  /** Recorded on the order (a failed attempt) without moving it. */
  'recorded',
  /** Nothing to do: already where the event leads, or a type we do not act on. */
  'no_change',
  /** Names no order of ours. */
  'unknown_order',
  /** The amount or currency does not match the order: not paid, flagged for the relief office. */
  'amount_mismatch',
  /** Paid for an order that could not be filled (cancelled, or its stock gone): refunded in full. */
  'refunded',
] as const;
export type PaymentEventOutcome = (typeof PAYMENT_EVENT_OUTCOMES)[number];

/**
 * A payment provider's event, recorded once by its id in the same transaction as its effect, so
 * a delivery repeated, late or out of order changes nothing twice.
 */
@Entity({ tableName: 'payment_event' })
@Index({ name: 'payment_event_order', properties: ['orderId', 'receivedAt'] })
export class PaymentEvent {
  /** The provider's event id (`evt_…`). */
  @PrimaryKey({ type: 'text' })
  eventId!: string;

  @Property({ type: 'text' })
  type!: string;

  @Property({ type: 'uuid', nullable: true })
  orderId?: string | null;

  /** The provider's payment (PaymentIntent) id. */
  @Property({ type: 'text' })
  paymentReference!: string;

  @Property({ type: 'text' })
  outcome!: PaymentEventOutcome;

  /** When the provider says it happened. */
  @Property({ type: 'timestamptz', nullable: true })
  occurredAt?: Date | null;

  @Property({ type: 'timestamptz' })
  receivedAt: Date = new Date();
}
