import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { RowOf } from '../common/entity-row.util';
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
}
