import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { RowOf } from '@yugong/shared/orm';
import type { StripeInboxEvent } from './stripe-inbox-event.entity';

/** A delivery as the route writes it. */
export type InboxDelivery = Pick<RowOf<StripeInboxEvent>, 'eventId' | 'type' | 'body'>;

/**
 * Deliveries written by `write` (which takes distinct event ids and answers the ids it stored),
 * answered one outcome each, in order: true for the delivery that stored its event, false for a
 * repeat (stored before, or earlier in the same list). The inbox's `writeMany` for a group commit.
 */
export function storedOnce(
  write: (distinct: InboxDelivery[]) => Promise<Set<string>>,
): (deliveries: InboxDelivery[]) => Promise<boolean[]> {
  return async (deliveries) => {
    const first = new Map<string, InboxDelivery>();
    for (const delivery of deliveries) {
      if (!first.has(delivery.eventId)) {
        first.set(delivery.eventId, delivery);
      }
    }
    const stored = await write([...first.values()]);
    return deliveries.map((d) => first.get(d.eventId) === d && stored.has(d.eventId));
  };
}

/** A pending delivery the applier claimed. */
export type ClaimedDelivery = Pick<RowOf<StripeInboxEvent>, 'eventId' | 'type' | 'body' | 'attempts'>;

/** How many deliveries wait, how many are parked, and how old the oldest waiting one is. */
export interface InboxBacklog {
  pending: number;
  parked: number;
  oldestPendingSeconds: number;
}

/**
 * Every query on the Stripe inbox. SQL throughout: the insert is the webhook's one durable write
 * (`on conflict do nothing` decides a duplicate), and claims are `FOR UPDATE SKIP LOCKED`, so any
 * number of gateways share the applying and never hold the same row.
 */
@Injectable()
export class StripeInboxRepository {
  /**
   * Writes deliveries in one statement (one round trip, one commit; `on conflict do nothing`
   * decides a repeat); answers the event ids it stored, so the others were in the inbox already.
   * Their event ids must be distinct. Sent through knex with bound parameters (the driver's
   * extended protocol), not MikroORM's `execute`, which inlines them as literals; the arrays go as
   * PostgreSQL array literals, as knex would spread a JS array into a list of `?`.
   */
  async recordAll(em: EntityManager, deliveries: readonly InboxDelivery[]): Promise<Set<string>> {
    const result: { rows: { event_id: string }[] } = await em
      .getConnection()
      .getKnex()
      .raw(
        `insert into stripe_inbox_event (event_id, type, body)
         select * from unnest(?::text[], ?::text[], ?::text[])
         on conflict (event_id) do nothing
         returning event_id`,
        [
          textArray(deliveries.map((d) => d.eventId)),
          textArray(deliveries.map((d) => d.type)),
          textArray(deliveries.map((d) => d.body)),
        ],
      );
    return new Set(result.rows.map((r) => r.event_id));
  }

  /** Claims up to `limit` pending deliveries that are due, oldest first, locked until the caller's transaction ends. */
  async claimDue(em: EntityManager, limit: number): Promise<ClaimedDelivery[]> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `select event_id, type, body, attempts from stripe_inbox_event
        where applied_at is null and parked_at is null and next_attempt_at <= now()
        order by next_attempt_at
        limit ?
          for update skip locked`,
      [limit],
    );
    return rows.map((r) => ({
      eventId: r.event_id as string,
      type: r.type as string,
      body: r.body as string,
      attempts: Number(r.attempts),
    }));
  }

  async markApplied(em: EntityManager, eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) {
      return;
    }
    await em.execute(
      'update stripe_inbox_event set applied_at = now(), last_error = null where event_id = any(?::text[])',
      [textArray(eventIds)],
      'run',
    );
  }

  /** Records a failed attempt: tried again after `waitMs`, or never again (`'parked'`). */
  async defer(
    em: EntityManager,
    eventId: string,
    failure: { attempts: number; error: string; waitMs: number | 'parked' },
  ): Promise<void> {
    if (failure.waitMs === 'parked') {
      await em.execute(
        'update stripe_inbox_event set attempts = ?, last_error = ?, parked_at = now() where event_id = ?',
        [failure.attempts, failure.error, eventId],
        'run',
      );
      return;
    }
    await em.execute(
      `update stripe_inbox_event set attempts = ?, last_error = ?,
              next_attempt_at = now() + (? || ' milliseconds')::interval
        where event_id = ?`,
      [failure.attempts, failure.error, String(failure.waitMs), eventId],
      'run',
    );
  }

  async backlog(em: EntityManager): Promise<InboxBacklog> {
    const [row] = await em.execute<Record<string, unknown>[]>(
      `select (select count(*) from stripe_inbox_event where applied_at is null and parked_at is null) as pending,
              (select count(*) from stripe_inbox_event where parked_at is not null) as parked,
              (select coalesce(extract(epoch from now() - min(received_at)), 0)
                 from stripe_inbox_event where applied_at is null and parked_at is null) as oldest`,
    );
    return {
      pending: Number(row?.pending ?? 0),
      parked: Number(row?.parked ?? 0),
      oldestPendingSeconds: Number(row?.oldest ?? 0),
    };
  }
}

/** A PostgreSQL array literal of `values`, each quoted. */
function textArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}
