import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { BatchFigures, LedgerClearingEntry, UnsettledLine } from './reconcile.util';

type Row = Record<string, unknown>;

/** Every query of the reconciliation: read-only, over the journal and the payout tables. */
@Injectable()
export class ReconciliationRepository {
  /**
   * Each transaction in `from`..`to` that moved the processor's clearing account (any currency),
   * with what it moved there and what it credited the processor's fee account, net.
   */
  async clearingEntries(
    em: EntityManager,
    method: string,
    from: Date,
    to: Date,
  ): Promise<LedgerClearingEntry[]> {
    const rows = await em.execute<Row[]>(
      `select t.id, t.kind, t.idempotency_key, t.order_id, t.occurred_at,
              max(a.currency) filter (where a.owner_kind = 'payment_clearing') as currency,
              coalesce(sum(case when p.side = 'debit' then p.fen else -p.fen end)
                filter (where a.owner_kind = 'payment_clearing'), 0) as clearing_fen,
              coalesce(sum(case when p.side = 'credit' then p.fen else -p.fen end)
                filter (where a.owner_kind = 'processor_fees'), 0) as fee_fen
         from journal_transaction t
         join posting p on p.transaction_id = t.id
         join account a on a.id = p.account_id and a.owner_id = ?
          and a.owner_kind in ('payment_clearing', 'processor_fees')
        where t.occurred_at >= ? and t.occurred_at < ?
        group by t.id
       having bool_or(a.owner_kind = 'payment_clearing')
        order by t.occurred_at, t.id`,
      [method, from, to],
    );
    return rows.map((r) => ({
      transactionId: String(r.id),
      kind: String(r.kind),
      idempotencyKey: String(r.idempotency_key),
      orderId: (r.order_id as string | null) ?? null,
      occurredAt: new Date(r.occurred_at as string),
      currency: String(r.currency).trim(),
      clearingFen: Number(r.clearing_fen),
      feeFen: Number(r.fee_fen),
    }));
  }

  /** Lines of batches sent before `to` and not settled by then. */
  async unsettledLines(em: EntityManager, to: Date): Promise<UnsettledLine[]> {
    const rows = await em.execute<Row[]>(
      `select b.id, l.reference, l.amount_fen, b.sent_at
         from payout_batch b join payout_line l on l.batch_id = b.id
        where b.sent_at < ? and (b.settled_at is null or b.settled_at >= ?)
          and l.status <> 'skipped'
        order by b.sent_at, l.seq`,
      [to, to],
    );
    return rows.map((r) => ({
      batchId: String(r.id),
      reference: String(r.reference),
      amountFen: Number(r.amount_fen),
      sentAt: new Date(r.sent_at as string),
    }));
  }

  /**
   * Batches created, sent or settled in `from`..`to`: their lines' sums against what the batch's
   * reserve, send and settle transactions credited (pending, in transit, paid, the households).
   */
  async batchFigures(em: EntityManager, from: Date, to: Date): Promise<BatchFigures[]> {
    const rows = await em.execute<Row[]>(
      `with b as (
         select * from payout_batch
          where (created_at >= ? and created_at < ?) or (sent_at >= ? and sent_at < ?)
             or (settled_at >= ? and settled_at < ?)),
       lines as (
         select l.batch_id,
                coalesce(sum(l.amount_fen) filter (where l.status <> 'skipped'), 0) as lines_fen,
                coalesce(sum(l.amount_fen) filter (where l.status = 'paid'), 0) as paid_fen,
                coalesce(sum(l.amount_fen) filter (where l.status = 'failed'), 0) as failed_fen
           from payout_line l join b on b.id = l.batch_id group by l.batch_id),
       posted as (
         select b.id as batch_id,
                sum(p.fen) filter (where t.idempotency_key = 'payout:' || b.id || ':reserved'
                  and a.owner_kind = 'payout_pending' and p.side = 'credit') as reserved_fen,
                sum(p.fen) filter (where t.idempotency_key = 'payout:' || b.id || ':sent'
                  and a.owner_kind = 'payout_transit' and p.side = 'credit') as sent_fen,
                sum(p.fen) filter (where t.idempotency_key = 'payout:' || b.id || ':settled'
                  and a.owner_kind = 'payout_paid' and p.side = 'credit') as paid_fen,
                coalesce(sum(p.fen) filter (where t.idempotency_key = 'payout:' || b.id || ':settled'
                  and a.owner_kind = 'household' and p.side = 'credit'), 0) as returned_fen,
                bool_or(t.idempotency_key = 'payout:' || b.id || ':settled') as settled_posted
           from b
           join journal_transaction t on t.idempotency_key in
                ('payout:' || b.id || ':reserved', 'payout:' || b.id || ':sent', 'payout:' || b.id || ':settled')
           join posting p on p.transaction_id = t.id
           join account a on a.id = p.account_id
          group by b.id)
       select b.id, b.number, b.state, coalesce(b.settled_at, b.sent_at, b.created_at) as at, b.total_fen,
              coalesce(lines.lines_fen, 0) as lines_fen, coalesce(lines.paid_fen, 0) as paid_lines_fen,
              coalesce(lines.failed_fen, 0) as failed_lines_fen,
              posted.reserved_fen, posted.sent_fen, posted.paid_fen,
              case when posted.settled_posted then posted.returned_fen end as returned_fen
         from b left join lines on lines.batch_id = b.id left join posted on posted.batch_id = b.id
        order by b.number`,
      [from, to, from, to, from, to],
    );
    const orNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    return rows.map((r) => ({
      batchId: String(r.id),
      number: Number(r.number),
      state: String(r.state),
      at: new Date(r.at as string),
      linesFen: Number(r.lines_fen),
      totalFen: Number(r.total_fen),
      paidLinesFen: Number(r.paid_lines_fen),
      failedLinesFen: Number(r.failed_lines_fen),
      reservedFen: orNull(r.reserved_fen),
      sentFen: orNull(r.sent_fen),
      paidFen: orNull(r.paid_fen),
      returnedFen: orNull(r.returned_fen),
    }));
  }
}
