import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { SaleLineLot } from './sale-line.entity';

type Row = Record<string, unknown>;

/** A sale line as written with its sale. */
export interface SaleLineDraft {
  lineId: string;
  orderId: string;
  buyerId: string;
  productId: string;
  producerId: string;
  quantity: number;
  grossFen: number;
  currency: string;
  householdShareBps: number;
  householdBasis: string;
  lots: SaleLineLot[];
  paidAt: Date;
}

/** Statements on applied events, sale lines and the catch-up cursor. */
@Injectable()
export class OrderEventsRepository {
  /**
   * Serialises the application of one order's events across consumers and replicas, until the
   * caller's transaction ends.
   */
  async lockOrder(em: EntityManager, orderId: string): Promise<void> {
    await em.execute(`select pg_advisory_xact_lock(hashtextextended(?, 10))`, [orderId]);
  }

  /** Before any lock: whether the event was applied, and whether the order's sale is posted. */
  async knownFacts(
    em: EntityManager,
    eventId: string,
    orderId: string,
  ): Promise<{ applied: boolean; salePosted: boolean }> {
    const rows = await em.execute<Row[]>(
      `select exists (select 1 from applied_event where event_id = ?) as applied,
              exists (select 1 from journal_transaction where idempotency_key = ?) as sale_posted`,
      [eventId, `order:${orderId}:paid`],
    );
    return { applied: rows[0]?.applied === true, salePosted: rows[0]?.sale_posted === true };
  }

  /** Under the order's lock: whether the event was applied, and the sequence of the order's last applied event (0: none). */
  async progress(
    em: EntityManager,
    eventId: string,
    orderId: string,
  ): Promise<{ applied: boolean; last: number }> {
    const rows = await em.execute<Row[]>(
      `select exists (select 1 from applied_event where event_id = ?) as applied,
              (select coalesce(max(sequence), 0) from applied_event where order_id = ?) as last`,
      [eventId, orderId],
    );
    return { applied: rows[0]?.applied === true, last: Number(rows[0]?.last ?? 0) };
  }

  /**
   * Records the event as applied and, for a sale, its lines (kept when written before), in one
   * statement of the caller's transaction.
   */
  async recordApplied(
    em: EntityManager,
    event: { eventId: string; orderId: string; sequence: number; type: string; outboxId: number },
    lines: SaleLineDraft[],
  ): Promise<void> {
    await em.execute(
      `with applied as (
         insert into applied_event (event_id, order_id, sequence, type, outbox_id) values (?, ?, ?, ?, ?)
       )
       insert into sale_line (line_id, order_id, buyer_id, product_id, producer_id, quantity, gross_fen, currency,
                              household_share_bps, household_basis, lots, paid_at)
       select line_id, order_id, buyer_id, product_id, producer_id, quantity, gross_fen, currency,
              household_share_bps, household_basis, lots, paid_at
         from jsonb_to_recordset(?::jsonb) as x(line_id uuid, order_id uuid, buyer_id uuid, product_id uuid,
              producer_id uuid, quantity bigint, gross_fen bigint, currency text, household_share_bps int,
              household_basis text, lots jsonb, paid_at timestamptz)
       on conflict (line_id) do nothing`,
      [
        event.eventId,
        event.orderId,
        event.sequence,
        event.type,
        event.outboxId,
        JSON.stringify(
          lines.map((l) => ({
            line_id: l.lineId,
            order_id: l.orderId,
            buyer_id: l.buyerId,
            product_id: l.productId,
            producer_id: l.producerId,
            quantity: l.quantity,
            gross_fen: l.grossFen,
            currency: l.currency,
            household_share_bps: l.householdShareBps,
            household_basis: l.householdBasis,
            lots: l.lots,
            paid_at: l.paidAt.toISOString(),
          })),
        ),
      ],
      'run',
    );
  }

  async cursor(em: EntityManager, name: string): Promise<number> {
    const rows = await em.execute<Row[]>(`select after_id from consumer_cursor where name = ?`, [name]);
    return Number(rows[0]?.after_id ?? 0);
  }

  /** Moves the cursor forward only. */
  async advanceCursor(em: EntityManager, name: string, afterId: number): Promise<void> {
    await em.execute(
      `insert into consumer_cursor (name, after_id) values (?, ?)
       on conflict (name) do update set after_id = greatest(consumer_cursor.after_id, excluded.after_id)`,
      [name, afterId],
      'run',
    );
  }
}
