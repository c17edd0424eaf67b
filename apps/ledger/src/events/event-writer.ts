import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { PostingRow } from '../journal/journal.repository';
import type { TransactionDraft } from '../split/sale-split.util';
import type { SaleLineDraft } from './order-events.repository';

/** An event to record as applied, with what it writes. */
export interface EventWrite {
  eventId: string;
  orderId: string;
  sequence: number;
  type: string;
  outboxId: number;
  lines: SaleLineDraft[];
  transactions: { draft: TransactionDraft; postings: PostingRow[] }[];
}

/** What the database found under the order's lock, and whether the event was written. */
export interface EventWriteResult {
  /** The event id was applied before (nothing written). */
  applied: boolean;
  /** The sequence of the order's last applied event before this one (0: none). */
  last: number;
  /** The event was recorded as applied, with its lines, transactions and postings. */
  recorded: boolean;
}

/** The raw driver connection of the ORM's pool: what the one-round-trip write needs. */
interface PgConnection {
  query(query: { name: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
}
interface PoolClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

/**
 * Applies an event whose writes need nothing read under the lock (a sale, a payment refunded or
 * unmatched, a cancellation) in one round trip to PostgreSQL: one call of `ledger_apply_event`
 * (see its migration) outside any open transaction, so that PostgreSQL runs it as a transaction of
 * its own and checks the balance of what it posted at that commit. The function takes the order's
 * advisory lock, finds the event's place among the order's events and, only when it is next,
 * records it as applied and inserts its sale lines, transactions and postings. Everything travels
 * as one JSON parameter of a statement prepared once per connection; the ORM is not involved.
 */
@Injectable()
export class EventWriter {
  constructor(private readonly em: EntityManager) {}

  async write(event: EventWrite): Promise<EventWriteResult> {
    const pool = this.em.getConnection().getKnex().client as unknown as PoolClient;
    const connection = await pool.acquireConnection();
    try {
      const { rows } = await connection.query({
        name: 'ledger_apply_event',
        text: 'select applied, last, recorded from ledger_apply_event($1::jsonb)',
        values: [this.document(event)],
      });
      const row = rows[0] ?? {};
      return {
        applied: row.applied === true,
        last: Number(row.last ?? 0),
        recorded: row.recorded === true,
      };
    } finally {
      await pool.releaseConnection(connection);
    }
  }

  private document(event: EventWrite): string {
    return JSON.stringify({
      event_id: event.eventId,
      order_id: event.orderId,
      sequence: event.sequence,
      type: event.type,
      outbox_id: event.outboxId,
      lines: event.lines.map((l) => ({
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
      transactions: event.transactions.map(({ draft }) => ({
        idempotency_key: draft.idempotencyKey,
        kind: draft.kind,
        occurred_at: draft.occurredAt.toISOString(),
        source_event_id: draft.sourceEventId,
        order_id: draft.orderId,
        memo: draft.memo,
      })),
      postings: event.transactions.flatMap(({ draft, postings }) =>
        postings.map((p) => ({ key: draft.idempotencyKey, ...p })),
      ),
    });
  }
}
