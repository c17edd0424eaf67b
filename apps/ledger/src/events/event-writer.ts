import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { GroupCommit } from '@yugong/shared/orm';
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
  query(query: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: Record<string, unknown>[] }>;
}
interface PoolClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

/** Events written together at most; batches in flight at once. */
const MAX_EVENTS_PER_CALL = 32;
const MAX_CALLS_IN_FLIGHT = 2;

/** One event's share of a call: its JSON document and when its transactions happened. */
interface Item {
  document: string;
  /** When its transactions happened: their months' partitions of `posting` must exist first. */
  times: string[];
}

/**
 * Applies events whose writes need nothing read under the lock (a sale, a payment refunded or
 * unmatched, a cancellation) by group commit (`GroupCommit`): events arriving while a write is in flight wait and
 * go together in the next, up to 32 to a call and 2 calls at once. A call is one round trip:
 * `ledger_apply_event_batch` (see its migration) outside any open transaction, so that PostgreSQL runs
 * it as a transaction of its own and checks the balance of what it posted at that commit. It takes
 * the orders' advisory locks, finds each event's place among its order's events, and records the
 * events that are next with their sale lines, transactions and postings. When a call fails, each
 * of its events is tried again alone, so that one bad event fails only itself. Everything travels
 * as one JSON parameter of a statement prepared once per connection; the ORM is not involved.
 *
 * A transaction in a month whose partition of `posting` does not exist yet (the demo's 2020, a
 * catch-up of old events) gets it made first, in a statement of its own: made inside the write,
 * two writers attaching the same month deadlock on the journal's tables.
 */
@Injectable()
export class EventWriter {
  /** Months (`2020-03`, China's time) whose partition is known to exist; partitions are never dropped. */
  private readonly months = new Set<string>();
  private readonly group = new GroupCommit<Item, EventWriteResult>((items) => this.writeMany(items), {
    maxPerCall: MAX_EVENTS_PER_CALL,
    maxCallsInFlight: MAX_CALLS_IN_FLIGHT,
  });

  constructor(private readonly em: EntityManager) {}

  write(event: EventWrite): Promise<EventWriteResult> {
    const times = event.transactions.map(({ draft }) => draft.occurredAt.toISOString());
    return this.group.write({ document: this.document(event), times });
  }

  private async writeMany(items: Item[]): Promise<EventWriteResult[]> {
    await this.ensureMonths(items.flatMap((item) => item.times));
    return this.call(items.map((item) => item.document));
  }

  /** Makes the partitions of the months of `times` not known to exist, outside any write. */
  private async ensureMonths(times: string[]): Promise<void> {
    const unknown = times.filter((t) => !this.months.has(chinaMonthOf(t)));
    if (unknown.length === 0) {
      return;
    }
    await this.em.getConnection().execute(
      `select ledger_ensure_posting_month(m)
           from (select distinct ledger_month(t::timestamptz) as m from jsonb_array_elements_text(?::jsonb) t) months`,
      [JSON.stringify(unknown)],
    );
    for (const t of unknown) {
      this.months.add(chinaMonthOf(t));
    }
  }

  private async call(documents: string[]): Promise<EventWriteResult[]> {
    const pool = this.em.getConnection().getKnex().client as unknown as PoolClient;
    const connection = await pool.acquireConnection();
    try {
      const { rows } = await connection.query({
        name: 'ledger_apply_event_batch',
        text: 'select i, applied, last, recorded from ledger_apply_event_batch($1::jsonb) order by i',
        values: [`[${documents.join(',')}]`],
      });
      return rows.map((row) => ({
        applied: row.applied === true,
        last: Number(row.last ?? 0),
        recorded: row.recorded === true,
      }));
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
      transactions: event.transactions.map(({ draft, postings }) => ({
        idempotency_key: draft.idempotencyKey,
        kind: draft.kind,
        occurred_at: draft.occurredAt.toISOString(),
        source_event_id: draft.sourceEventId,
        order_id: draft.orderId,
        memo: draft.memo,
        ...compactPostings(postings),
      })),
    });
  }
}

/**
 * A transaction's postings as `ledger_apply_event_batch` reads them: each an array (account id,
 * side, fen, role, slot, index of its dimensions in `dims` or null), each distinct set of
 * dimensions (line, product, producer, lot) listed once.
 */
export function compactPostings(postings: PostingRow[]): {
  postings: (string | number | null)[][];
  dims: (string | null)[][];
} {
  const dims: (string | null)[][] = [];
  const indexOf = new Map<string, number>();
  const rows = postings.map((p) => {
    let dim: number | null = null;
    if (p.line_id !== null || p.product_id !== null || p.producer_id !== null || p.lot_id !== null) {
      const key = `${p.line_id}|${p.product_id}|${p.producer_id}|${p.lot_id}`;
      dim = indexOf.get(key) ?? null;
      if (dim === null) {
        dim = dims.length;
        indexOf.set(key, dim);
        dims.push([p.line_id, p.product_id, p.producer_id, p.lot_id]);
      }
    }
    return [p.account_id, p.side, p.fen, p.role, p.slot, dim];
  });
  return { postings: rows, dims };
}

/** The month of an instant in China's time (UTC+8, no daylight saving), as `ledger_month` takes it. */
function chinaMonthOf(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 7);
}
