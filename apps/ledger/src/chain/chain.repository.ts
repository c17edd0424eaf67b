import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { SealableTransaction } from './chain-hash.util';

type Row = Record<string, unknown>;

/** Sums of one account, month and kind: as the postings give them, and as the summary holds them. */
export interface SummaryMismatch {
  accountId: number;
  month: string;
  kind: string;
  /** From the postings of sealed transactions; nulls where there are none. */
  postings: { debitFen: number | null; creditFen: number | null; count: number | null };
  /** From `account_month`; nulls where it has no row. */
  summary: { debitFen: number | null; creditFen: number | null; count: number | null };
}

// One sequencer at a time per database; a second one finds the lock taken and waits for the next tick.
const SEAL_LOCK = 7_337_054;

/** A link of the chain as stored. */
export interface StoredLink {
  seq: number;
  transactionId: string;
  prevHash: string;
  hash: string;
  sealedAt: Date;
}

/** Reads a transaction the way the chain covers it: timestamps as UTC text with microseconds. */
const TRANSACTION_COLUMNS = `t.id, t.idempotency_key, t.kind,
  to_char(t.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as occurred_at,
  t.source_event_id, t.order_id, t.memo, t.reverses_id`;

/** Statements of the hash chain. */
@Injectable()
export class ChainRepository {
  /** Takes the sequencer's lock until the caller's transaction ends; false when another holds it. */
  async trySealLock(em: EntityManager): Promise<boolean> {
    const rows = await em.execute<Row[]>(`select pg_try_advisory_xact_lock(?) as locked`, [SEAL_LOCK]);
    return rows[0]?.locked === true;
  }

  async head(em: EntityManager): Promise<(StoredLink & { txid: string }) | undefined> {
    const rows = await em.execute<Row[]>(
      `select c.seq, c.transaction_id, c.prev_hash, c.hash, c.sealed_at, t.txid::text as txid
         from chain_link c join journal_transaction t on t.id = c.transaction_id
        order by c.seq desc limit 1`,
    );
    return rows[0] ? { ...toLink(rows[0]), txid: String(rows[0].txid) } : undefined;
  }

  /**
   * The database transactions of this database running now, and the next transaction id: no
   * transaction that is not among them can still write a row with a smaller txid. Read before the
   * journal, so that a transaction finishing in between is already visible there.
   */
  async runningHere(em: EntityManager): Promise<{ running: string[]; next: string }> {
    const rows = await em.execute<Row[]>(
      `select pg_snapshot_xmax(pg_current_snapshot())::text as next,
              coalesce(array_agg(backend_xid::text) filter (where backend_xid is not null), '{}') as running
         from pg_stat_activity where datname = current_database()`,
    );
    return { running: (rows[0]?.running as string[]) ?? [], next: String(rows[0]?.next) };
  }

  /**
   * Transactions after `after` in (txid, id) order, below the horizon: older than every database
   * transaction of this database still running, so committed (or gone) for good, and none can ever
   * come before them. Transactions of other databases on the same server do not hold it back.
   */
  async sealable(
    em: EntityManager,
    after: { txid: string; id: string } | undefined,
    seen: { running: string[]; next: string },
    limit: number,
  ): Promise<SealableTransaction[]> {
    const rows = await em.execute<Row[]>(
      `with horizon as (
         select least(?::xid8, (select min(x) from pg_snapshot_xip(pg_current_snapshot()) x
                                 where (x::text::numeric % 4294967296)::text in (select jsonb_array_elements_text(?::jsonb)))) as below
       )
       select ${TRANSACTION_COLUMNS}
         from journal_transaction t, horizon h
        where t.txid < h.below
          and (?::xid8 is null or (t.txid >= ?::xid8 and (t.txid, t.id) > (?::xid8, ?::uuid)))
        order by t.txid, t.id
        limit ?`,
      [
        seen.next,
        JSON.stringify(seen.running),
        after?.txid ?? null,
        after?.txid ?? null,
        after?.txid ?? null,
        after?.id ?? null,
        limit,
      ],
    );
    return this.withPostings(em, rows);
  }

  /** Sealed transactions from position `fromSeq`, with their links, for verification. */
  async sealedFrom(
    em: EntityManager,
    fromSeq: number,
    limit: number,
  ): Promise<{ link: StoredLink; tx: SealableTransaction }[]> {
    const rows = await em.execute<Row[]>(
      `select c.seq, c.transaction_id, c.prev_hash, c.hash, c.sealed_at, ${TRANSACTION_COLUMNS}
         from chain_link c join journal_transaction t on t.id = c.transaction_id
        where c.seq >= ? order by c.seq limit ?`,
      [fromSeq, limit],
    );
    const txs = await this.withPostings(em, rows);
    return rows.map((r, i) => ({ link: toLink(r), tx: txs[i]! }));
  }

  async insertLinks(em: EntityManager, links: Omit<StoredLink, 'sealedAt'>[]): Promise<void> {
    await em.execute(
      `insert into chain_link (seq, transaction_id, prev_hash, hash)
       select seq, transaction_id, prev_hash, hash
         from jsonb_to_recordset(?::jsonb) as x(seq bigint, transaction_id uuid, prev_hash text, hash text)`,
      [
        JSON.stringify(
          links.map((l) => ({
            seq: l.seq,
            transaction_id: l.transactionId,
            prev_hash: l.prevHash,
            hash: l.hash,
          })),
        ),
      ],
      'run',
    );
  }

  /**
   * Adds the postings of the transactions just sealed to the per-account-month summary
   * (`account_month`), in the sealing transaction: the summary covers the sealed prefix exactly.
   */
  async summarise(em: EntityManager, transactionIds: string[]): Promise<void> {
    await em.execute(
      `insert into account_month as s (account_id, month, kind, debit_fen, credit_fen, postings)
       select p.account_id, p.month, t.kind, sum(case when p.side = 'debit' then p.fen else 0 end),
              sum(case when p.side = 'credit' then p.fen else 0 end), count(*)
         from journal_transaction t
         join posting p on p.transaction_id = t.id and p.month = ledger_month(t.occurred_at)
        where t.id in (select (jsonb_array_elements_text(?::jsonb))::uuid)
        group by 1, 2, 3
        order by 1, 2, 3
       on conflict (account_id, month, kind) do update
          set debit_fen = s.debit_fen + excluded.debit_fen,
              credit_fen = s.credit_fen + excluded.credit_fen,
              postings = s.postings + excluded.postings`,
      [JSON.stringify(transactionIds)],
      'run',
    );
  }

  /**
   * Where the per-account-month summary differs from the postings of the sealed transactions it
   * must equal (the first `limit`), and how many summary rows there are. The comparison is one
   * statement, so it reads both in one snapshot: the sequencer changes them in one transaction.
   */
  async summaryMismatches(
    em: EntityManager,
    limit: number,
  ): Promise<{ rows: number; mismatches: SummaryMismatch[] }> {
    const rows = await em.execute<Row[]>(
      `with sealed as (
         select p.account_id, p.month, t.kind,
                sum(case when p.side = 'debit' then p.fen else 0 end) as debit_fen,
                sum(case when p.side = 'credit' then p.fen else 0 end) as credit_fen,
                count(*) as postings
           from chain_link c
           join journal_transaction t on t.id = c.transaction_id
           join posting p on p.transaction_id = t.id and p.month = ledger_month(t.occurred_at)
          group by 1, 2, 3),
       compared as (
         select coalesce(s.account_id, m.account_id) as account_id,
                coalesce(s.month, m.month)::text as month, coalesce(s.kind, m.kind) as kind,
                s.debit_fen as want_debit, s.credit_fen as want_credit, s.postings as want_postings,
                m.debit_fen as have_debit, m.credit_fen as have_credit, m.postings as have_postings
           from sealed s
           full join account_month m on m.account_id = s.account_id and m.month = s.month and m.kind = s.kind)
       select * from compared
        where (want_debit, want_credit, want_postings) is distinct from (have_debit, have_credit, have_postings)
        order by account_id, month, kind
        limit ?`,
      [limit],
    );
    const count = await em.execute<Row[]>('select count(*) as n from account_month');
    const amount = (value: unknown) => (value === null ? null : Number(value));
    return {
      rows: Number(count[0]?.n ?? 0),
      mismatches: rows.map((r) => ({
        accountId: Number(r.account_id),
        month: String(r.month),
        kind: String(r.kind),
        postings: {
          debitFen: amount(r.want_debit),
          creditFen: amount(r.want_credit),
          count: amount(r.want_postings),
        },
        summary: {
          debitFen: amount(r.have_debit),
          creditFen: amount(r.have_credit),
          count: amount(r.have_postings),
        },
      })),
    };
  }

  /** Transactions no link covers. */
  async countUnsealed(em: EntityManager): Promise<number> {
    const rows = await em.execute<Row[]>(
      `select (select count(*) from journal_transaction) - (select count(*) from chain_link) as n`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Transactions recorded before `before` that no link covers (the first few). */
  async unsealedBefore(em: EntityManager, before: Date): Promise<{ id: string; idempotencyKey: string }[]> {
    const rows = await em.execute<Row[]>(
      `select t.id, t.idempotency_key from journal_transaction t
        where t.recorded_at < ? and not exists (select 1 from chain_link c where c.transaction_id = t.id)
        order by t.recorded_at limit 10`,
      [before],
    );
    return rows.map((r) => ({ id: String(r.id), idempotencyKey: String(r.idempotency_key) }));
  }

  private async withPostings(em: EntityManager, rows: Row[]): Promise<SealableTransaction[]> {
    if (rows.length === 0) {
      return [];
    }
    const postings = await em.execute<Row[]>(
      `select p.transaction_id, a.code, a.currency, p.side, p.fen, p.role, p.line_id, p.product_id, p.producer_id, p.lot_id
         from journal_transaction t
         join posting p on p.transaction_id = t.id and p.month = ledger_month(t.occurred_at)
         join account a on a.id = p.account_id
        where t.id in (select (jsonb_array_elements_text(?::jsonb))::uuid)`,
      [JSON.stringify(rows.map((r) => r.id))],
    );
    const byTx = new Map<string, SealableTransaction['postings']>();
    for (const p of postings) {
      const list = byTx.get(String(p.transaction_id)) ?? [];
      list.push({
        accountCode: String(p.code),
        currency: String(p.currency),
        side: String(p.side),
        fen: Number(p.fen),
        role: String(p.role),
        lineId: (p.line_id as string | null) ?? null,
        productId: (p.product_id as string | null) ?? null,
        producerId: (p.producer_id as string | null) ?? null,
        lotId: (p.lot_id as string | null) ?? null,
      });
      byTx.set(String(p.transaction_id), list);
    }
    return rows.map((r) => ({
      id: String(r.id),
      idempotencyKey: String(r.idempotency_key),
      kind: String(r.kind),
      occurredAt: String(r.occurred_at),
      sourceEventId: (r.source_event_id as string | null) ?? null,
      orderId: (r.order_id as string | null) ?? null,
      memo: String(r.memo),
      reversesId: (r.reverses_id as string | null) ?? null,
      postings: byTx.get(String(r.id)) ?? [],
    }));
  }
}

function toLink(r: Row): StoredLink {
  return {
    seq: Number(r.seq),
    transactionId: String(r.transaction_id),
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
    sealedAt: r.sealed_at as Date,
  };
}
