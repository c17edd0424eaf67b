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
  query(text: string): Promise<{ rows: Record<string, unknown>[] } | { rows: Record<string, unknown>[] }[]>;
  escapeLiteral(value: string): string;
}
interface PoolClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

/**
 * Applies an event whose writes need nothing read under the lock (a sale, a payment refunded or
 * unmatched, a cancellation) in one round trip to PostgreSQL: a single simple-protocol message of
 * two statements, which PostgreSQL runs as one transaction. The first takes the order's advisory
 * lock (so the second's snapshot sees every event of the order committed before); the second
 * checks the event id and sequence and, only when the event is next, records it as applied and
 * inserts its sale lines, transactions and postings (data-modifying CTEs of one statement). The
 * posting trigger moves balances, and the balance check runs at commit, as for every writer.
 *
 * Values travel as one JSON document, quoted by the driver's `escapeLiteral`.
 */
@Injectable()
export class EventWriter {
  constructor(private readonly em: EntityManager) {}

  async write(event: EventWrite): Promise<EventWriteResult> {
    const pool = this.em.getConnection().getKnex().client as unknown as PoolClient;
    const connection = await pool.acquireConnection();
    try {
      const results = await connection.query(this.text(connection, event));
      const last = Array.isArray(results) ? results[results.length - 1]! : results;
      const row = last.rows[0] ?? {};
      return {
        applied: row.applied === true,
        last: Number(row.last ?? 0),
        recorded: Number(row.recorded ?? 0) > 0,
      };
    } finally {
      await pool.releaseConnection(connection);
    }
  }

  private text(connection: PgConnection, event: EventWrite): string {
    const document = JSON.stringify({
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
    return `select pg_advisory_xact_lock(hashtextextended(${connection.escapeLiteral(event.orderId)}, 10));
with j as (select ${connection.escapeLiteral(document)}::jsonb as v),
e as (
  select (v->>'event_id')::uuid as event_id, (v->>'order_id')::uuid as order_id, (v->>'sequence')::int as sequence,
         v->>'type' as type, (v->>'outbox_id')::bigint as outbox_id
    from j
),
state as (
  select exists (select 1 from applied_event a where a.event_id = e.event_id) as applied,
         (select coalesce(max(a.sequence), 0) from applied_event a where a.order_id = e.order_id) as last,
         e.sequence
    from e
),
recorded as (
  insert into applied_event (event_id, order_id, sequence, type, outbox_id)
  select e.event_id, e.order_id, e.sequence, e.type, e.outbox_id
    from e, state
   where not state.applied and e.sequence = state.last + 1
  returning event_id
),
lines as (
  insert into sale_line (line_id, order_id, buyer_id, product_id, producer_id, quantity, gross_fen, currency,
                         household_share_bps, household_basis, lots, paid_at)
  select x.line_id, x.order_id, x.buyer_id, x.product_id, x.producer_id, x.quantity, x.gross_fen, x.currency,
         x.household_share_bps, x.household_basis, x.lots, x.paid_at
    from recorded, j,
         jsonb_to_recordset(j.v->'lines') as x(line_id uuid, order_id uuid, buyer_id uuid, product_id uuid,
           producer_id uuid, quantity bigint, gross_fen bigint, currency text, household_share_bps int,
           household_basis text, lots jsonb, paid_at timestamptz)
  on conflict (line_id) do nothing
),
tx as (
  insert into journal_transaction (id, idempotency_key, kind, occurred_at, source_event_id, order_id, memo, reverses_id)
  select gen_random_uuid(), x.idempotency_key, x.kind, x.occurred_at, x.source_event_id, x.order_id, x.memo, null
    from recorded, j,
         jsonb_to_recordset(j.v->'transactions') as x(idempotency_key text, kind text, occurred_at timestamptz,
           source_event_id uuid, order_id uuid, memo text)
  on conflict (idempotency_key) do nothing
  returning id, idempotency_key
),
posted as (
  insert into posting (transaction_id, account_id, side, fen, role, slot, line_id, product_id, producer_id, lot_id)
  select tx.id, x.account_id, x.side, x.fen, x.role, x.slot, x.line_id, x.product_id, x.producer_id, x.lot_id
    from j,
         rows from (jsonb_to_recordset(j.v->'postings') as (key text, account_id bigint, side text, fen bigint,
           role text, slot smallint, line_id uuid, product_id uuid, producer_id uuid, lot_id uuid))
           with ordinality as x(key, account_id, side, fen, role, slot, line_id, product_id, producer_id, lot_id, ord)
    join tx on tx.idempotency_key = x.key
   order by x.ord
  returning 1
)
select state.applied, state.last, (select count(*) from recorded)::int as recorded,
       (select count(*) from posted)::int as postings
  from state;`;
  }
}
