import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { activeTraceparent } from '@yugong/shared/telemetry';
import type { RowOf } from '@yugong/shared/orm';
import { OutboxEvent, type OrderEventType } from './outbox-event.entity';

/** What a state change reports; `payload` is the wire-shaped `{order, refund?}` of orders.v1. */
export interface OrderEventDraft {
  type: OrderEventType;
  orderId: string;
  payload: Record<string, unknown>;
  occurredAt?: Date;
}

/** An event as consumers that pull read it. */
export type StoredEvent = Pick<
  RowOf<OutboxEvent>,
  'id' | 'eventId' | 'type' | 'orderId' | 'sequence' | 'occurredAt' | 'payload'
>;

/** An event as a consumer that pulls it reads it: with the trace of the request that wrote it. */
export type ListedEvent = StoredEvent & Pick<RowOf<OutboxEvent>, 'traceContext'>;

/** An event a relay claimed for delivery. */
export type ClaimedEvent = ListedEvent & Pick<RowOf<OutboxEvent>, 'attempts'>;

/**
 * Every query on the outbox. Events are appended through the unit of work of the state change
 * they report; the relay's claims are SQL, `FOR UPDATE SKIP LOCKED`, so relays never share a row.
 */
@Injectable()
export class OutboxRepository {
  /**
   * Appends an order event inside the caller's transaction: call it with the transactional
   * EntityManager of the state change, before that transaction's flush/commit, so the event exists
   * if and only if the change does. The per-order sequence is read under the order row's lock the
   * caller already holds; the unique (order_id, sequence) constraint refuses a second writer anyway.
   */
  async append(em: EntityManager, draft: OrderEventDraft): Promise<OutboxEvent> {
    const [row] = await em
      .getConnection()
      .execute<{ next: number }[]>(
        'select coalesce(max(sequence), 0) + 1 as next from outbox_event where order_id = ?',
        [draft.orderId],
        'all',
        em.getTransactionContext(),
      );
    const event = em.create(OutboxEvent, {
      type: draft.type,
      orderId: draft.orderId,
      sequence: Number(row?.next ?? 1),
      payload: draft.payload,
      occurredAt: draft.occurredAt ?? new Date(),
      traceContext: activeTraceparent(),
    });
    em.persist(event);
    return event;
  }

  /** Whether the order already has an event of `type` about the payment `reference`. */
  async hasPaymentEvent(
    em: EntityManager,
    orderId: string,
    type: OrderEventType,
    reference: string,
  ): Promise<boolean> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `select 1 from outbox_event where order_id = ? and type = ? and payload->'payment'->>'reference' = ? limit 1`,
      [orderId, type, reference],
    );
    return rows.length > 0;
  }

  /**
   * Claims up to `limit` undelivered events that are due and are the earliest undelivered event
   * of their order, in delivery order, locked until the caller's transaction ends.
   */
  async claimDue(em: EntityManager, limit: number): Promise<ClaimedEvent[]> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `select e.id, e.event_id, e.type, e.order_id, e.sequence, e.occurred_at, e.attempts, e.payload,
              e.trace_context
         from outbox_event e
        where e.delivered_at is null and e.next_attempt_at <= now()
          and not exists (select 1 from outbox_event p
                           where p.order_id = e.order_id and p.delivered_at is null and p.id < e.id)
        order by e.id
        limit ?
          for update skip locked`,
      [limit],
    );
    return rows.map((r) => ({
      ...toStored(r),
      attempts: Number(r.attempts),
      traceContext: (r.trace_context as string | null) ?? null,
    }));
  }

  async markDelivered(em: EntityManager, id: number): Promise<void> {
    await em.execute(
      'update outbox_event set delivered_at = now(), last_error = null where id = ?',
      [id],
      'run',
    );
  }

  /**
   * Records a failed delivery: the event is tried again after `waitMs`, or never again
   * (`'parked'`, and its order's later events wait behind it).
   */
  async defer(
    em: EntityManager,
    id: number,
    failure: { attempts: number; error: string; waitMs: number | 'parked' },
  ): Promise<void> {
    const parked = failure.waitMs === 'parked';
    await em.execute(
      `update outbox_event set attempts = ?, last_error = ?,
              next_attempt_at = ${parked ? `'infinity'::timestamptz` : `now() + (? || ' milliseconds')::interval`}
        where id = ?`,
      parked
        ? [failure.attempts, failure.error, id]
        : [failure.attempts, failure.error, String(failure.waitMs), id],
      'run',
    );
  }

  /** Events after `afterId`, in delivery order. */
  async listAfter(em: EntityManager, afterId: number, limit: number): Promise<ListedEvent[]> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `select id, event_id, type, order_id, sequence, occurred_at, payload, trace_context
         from outbox_event where id > ? order by id limit ?`,
      [afterId, limit],
    );
    return rows.map((r) => ({ ...toStored(r), traceContext: (r.trace_context as string | null) ?? null }));
  }
}

function toStored(r: Record<string, unknown>): StoredEvent {
  return {
    id: Number(r.id),
    eventId: r.event_id as string,
    type: r.type as OrderEventType,
    orderId: r.order_id as string,
    sequence: Number(r.sequence),
    occurredAt: new Date(r.occurred_at as string),
    payload: r.payload as Record<string, unknown>,
  };
}
