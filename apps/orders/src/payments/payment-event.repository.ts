import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { RowOf } from '@yugong/shared/orm';
import type { PaymentEvent } from './payment-event.entity';

/** A provider event as it is recorded (`received_at` is the database's clock). */
export type PaymentEventRow = Omit<RowOf<PaymentEvent>, 'receivedAt'>;

/**
 * The provider events applied so far, by their id. SQL: the insert must be exact (`on conflict do
 * nothing`) since it decides, inside the effect's transaction, whether the event applies at all.
 */
@Injectable()
export class PaymentEventRepository {
  async seen(em: EntityManager, eventId: string): Promise<boolean> {
    const rows = await em.execute('select 1 from payment_event where event_id = ?', [eventId]);
    return rows.length > 0;
  }

  /** Records an event; false when its id is recorded already (the caller then changes nothing). */
  async record(em: EntityManager, row: PaymentEventRow): Promise<boolean> {
    const inserted = await em.execute(
      `insert into payment_event (event_id, type, order_id, payment_reference, outcome, occurred_at, received_at)
       values (?, ?, ?, ?, ?, ?, now()) on conflict (event_id) do nothing returning 1`,
      [row.eventId, row.type, row.orderId, row.paymentReference, row.outcome, row.occurredAt],
    );
    return inserted.length === 1;
  }

  /** Of `eventIds`, those recorded already. */
  async seenAmong(em: EntityManager, eventIds: string[]): Promise<Set<string>> {
    if (eventIds.length === 0) {
      return new Set();
    }
    const rows = await em.execute<{ event_id: string }[]>(
      'select event_id from payment_event where event_id = any(?::text[])',
      [textArray(eventIds)],
    );
    return new Set(rows.map((r) => r.event_id));
  }

  /** Records many events in one statement; answers the ids it recorded (not those recorded before). */
  async recordMany(em: EntityManager, rows: PaymentEventRow[]): Promise<Set<string>> {
    if (rows.length === 0) {
      return new Set();
    }
    const inserted = await em.execute<{ event_id: string }[]>(
      `insert into payment_event (event_id, type, order_id, payment_reference, outcome, occurred_at, received_at)
       select x.event_id, x.type, x.order_id, x.payment_reference, x.outcome, x.occurred_at, now()
         from jsonb_to_recordset(?::jsonb) as x(event_id text, type text, order_id uuid, payment_reference text,
                                               outcome text, occurred_at timestamptz)
       on conflict (event_id) do nothing returning event_id`,
      [
        JSON.stringify(
          rows.map((r) => ({
            event_id: r.eventId,
            type: r.type,
            order_id: r.orderId,
            payment_reference: r.paymentReference,
            outcome: r.outcome,
            occurred_at: r.occurredAt,
          })),
        ),
      ],
    );
    return new Set(inserted.map((r) => r.event_id));
  }
}

/** A PostgreSQL array literal of `values`, each quoted. */
function textArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}
