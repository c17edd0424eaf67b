import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A Stripe webhook delivery the gateway has acknowledged: written once per event id before the
 * route answers 200, applied afterwards by the inbox applier. A row is pending while `applied_at`
 * and `parked_at` are both null; a parked row is a poison event waiting for a person.
 */
@Entity({ tableName: 'stripe_inbox_event' })
@Index({
  name: 'stripe_inbox_event_due',
  expression:
    'create index "stripe_inbox_event_due" on "stripe_inbox_event" ("next_attempt_at") where "applied_at" is null and "parked_at" is null',
})
@Index({
  name: 'stripe_inbox_event_parked',
  expression:
    'create index "stripe_inbox_event_parked" on "stripe_inbox_event" ("parked_at") where "parked_at" is not null',
})
export class StripeInboxEvent {
  /** Stripe's event id (`evt_…`): a repeated delivery of it writes nothing. */
  @PrimaryKey({ type: 'text' })
  eventId!: string;

  @Property({ type: 'text' })
  type!: string;

  /** The body exactly as Stripe signed it (text, not jsonb, so the bytes can be verified again). */
  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  receivedAt!: Date;

  /** Failed attempts to apply it so far. */
  @Property({ type: 'int', default: 0 })
  attempts!: number;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  nextAttemptAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  appliedAt?: Date | null;

  /** Set when the applier gave up on it (bounded retries spent, or an error retrying cannot fix). */
  @Property({ type: 'timestamptz', nullable: true })
  parkedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;
}
