import type { EntityManager } from '@mikro-orm/postgresql';
import { OutboxEvent, type OrderEventType } from './outbox-event.entity';

/** What a state change reports; `payload` is the wire-shaped `{order, refund?}` of orders.v1. */
export interface OrderEventDraft {
  type: OrderEventType;
  orderId: string;
  payload: Record<string, unknown>;
  occurredAt?: Date;
}

/**
 * Appends an order event inside the caller's transaction: call it with the transactional
 * EntityManager of the state change, before that transaction's flush/commit, so the event exists
 * if and only if the change does. The per-order sequence is read under the order row's lock the
 * caller already holds; the unique (order_id, sequence) constraint refuses a second writer anyway.
 */
export async function appendOrderEvent(em: EntityManager, draft: OrderEventDraft): Promise<OutboxEvent> {
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
  });
  em.persist(event);
  return event;
}
