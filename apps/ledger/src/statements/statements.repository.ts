import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

type Row = Record<string, unknown>;

/** One posting to a household's account, where it came from, and the balance after it. */
export interface StatementEntryRow {
  postingId: number;
  transactionId: string;
  kind: string;
  memo: string;
  occurredAt: Date;
  side: 'credit' | 'debit';
  fen: number;
  /** Opening balance at `from` plus every entry up to and including this one. */
  balanceFen: number;
  orderId: string | null;
  lineId: string | null;
  productId: string | null;
  producerId: string | null;
  lotId: string | null;
  lotCode: string | null;
  /** The distribution run that posted this entry (a `distribution` credit), and its policy. */
  distributionRunId: string | null;
  distributionPolicy: string | null;
}

/** Which postings of a household a statement covers. */
export interface StatementScope {
  householdId: string;
  from?: Date;
  to?: Date;
  /** Only credits from these producers' sales (a producer staff's view); undefined: every posting. */
  producerIds?: string[];
}

/** Where a page starts: after this entry. */
export interface StatementCursor {
  occurredAt: Date;
  postingId: number;
}

/** Relief income of a household in the two windows. */
export interface IncomeWindowRow {
  householdId: string;
  recentFen: number;
  priorFen: number;
}

const signed = (alias: string) =>
  `case when ${alias}.side = 'credit' then ${alias}.fen else -${alias}.fen end`;
const SIGNED = signed('p');

// The household's CNY benefit account(s), within the range and the caller's view. Parameters:
// household, from (twice), to (twice), producers (twice).
const SCOPED = `
  from posting p
  join account a on a.id = p.account_id
  join journal_transaction t on t.id = p.transaction_id
 where a.owner_kind = 'household' and a.owner_id = ? and a.currency = 'CNY'
   and (?::timestamptz is null or t.occurred_at >= ?::timestamptz)
   and (?::timestamptz is null or t.occurred_at < ?::timestamptz)
   and (?::uuid[] is null or (p.side = 'credit' and p.producer_id = any(?::uuid[])))`;

function scopeParams(scope: StatementScope): unknown[] {
  const producers = scope.producerIds ? `{${scope.producerIds.join(',')}}` : null;
  return [
    scope.householdId,
    scope.from ?? null,
    scope.from ?? null,
    scope.to ?? null,
    scope.to ?? null,
    producers,
    producers,
  ];
}

/** A producer's accounts in CNY, by owner kind: balance and all-time credits and debits. */
export interface ProducerAccountRow {
  ownerKind: string;
  balanceFen: number;
  creditFen: number;
  debitFen: number;
}

/** The queries of household statements and of the monitoring windows, read from the journal. */
@Injectable()
export class StatementsRepository {
  /** The household's balance before `before` (every posting, whatever the caller's view). */
  async balanceBefore(em: EntityManager, householdId: string, before: Date | undefined): Promise<number> {
    if (!before) {
      return 0;
    }
    const rows = await em.execute<Row[]>(
      `select coalesce(sum(${SIGNED}), 0) as fen
         from posting p
         join account a on a.id = p.account_id
         join journal_transaction t on t.id = p.transaction_id
        where a.owner_kind = 'household' and a.owner_id = ? and a.currency = 'CNY'
          and t.occurred_at < ?::timestamptz`,
      [householdId, before],
    );
    return Number(rows[0]?.fen ?? 0);
  }

  /** Credits and debits over the whole scope. */
  async totals(em: EntityManager, scope: StatementScope): Promise<{ creditFen: number; debitFen: number }> {
    const rows = await em.execute<Row[]>(
      `select coalesce(sum(case when p.side = 'credit' then p.fen end), 0) as credit_fen,
              coalesce(sum(case when p.side = 'debit' then p.fen end), 0) as debit_fen
        ${SCOPED}`,
      scopeParams(scope),
    );
    return { creditFen: Number(rows[0]?.credit_fen ?? 0), debitFen: Number(rows[0]?.debit_fen ?? 0) };
  }

  /**
   * Up to `limit` entries after `cursor`, oldest first (by when the fact happened, then posting
   * order), each with the running balance from `openingFen` over the whole scope. An entry is a
   * transaction's postings to the household on one side from one source, its slots summed.
   */
  async entries(
    em: EntityManager,
    scope: StatementScope,
    openingFen: number,
    cursor: StatementCursor | null,
    limit: number,
  ): Promise<StatementEntryRow[]> {
    const rows = await em.execute<Row[]>(
      `select * from (
         select g.*,
                (select l->>'lotCode' from sale_line s, jsonb_array_elements(s.lots) l
                  where s.line_id = g.line_id and l->>'lotId' = g.lot_id::text limit 1) as lot_code,
                r.id as distribution_run_id, r.policy as distribution_policy,
                ?::bigint + sum(${signed('g')}) over (order by g.occurred_at, g.posting_id) as balance_fen
           from (
             -- The slots a balance is kept in are the ledger's, not the reader's: one entry per
             -- transaction, side and source, however many slot rows it moved.
             select min(p.id) as posting_id, p.transaction_id, t.kind, t.memo, t.occurred_at, p.side,
                    sum(p.fen) as fen, t.order_id, p.line_id, p.product_id, p.producer_id, p.lot_id
              ${SCOPED}
              group by p.transaction_id, t.kind, t.memo, t.occurred_at, p.side, t.order_id, p.line_id,
                       p.product_id, p.producer_id, p.lot_id
           ) g
           -- Which run paid a distribution credit (an approved run names the one transaction it posted).
           left join distribution_run r on g.kind = 'distribution' and r.transaction_id = g.transaction_id
       ) e
       where (?::timestamptz is null or (e.occurred_at, e.posting_id) > (?::timestamptz, ?::bigint))
       order by e.occurred_at, e.posting_id
       limit ?`,
      [
        openingFen,
        ...scopeParams(scope),
        cursor?.occurredAt ?? null,
        cursor?.occurredAt ?? null,
        cursor?.postingId ?? 0,
        limit,
      ],
    );
    return rows.map((r) => ({
      postingId: Number(r.posting_id),
      transactionId: String(r.transaction_id),
      kind: String(r.kind),
      memo: String(r.memo),
      occurredAt: new Date(r.occurred_at as string | Date),
      side: r.side as 'credit' | 'debit',
      fen: Number(r.fen),
      balanceFen: Number(r.balance_fen),
      orderId: (r.order_id as string | null) ?? null,
      lineId: (r.line_id as string | null) ?? null,
      productId: (r.product_id as string | null) ?? null,
      producerId: (r.producer_id as string | null) ?? null,
      lotId: (r.lot_id as string | null) ?? null,
      lotCode: (r.lot_code as string | null) ?? null,
      distributionRunId: (r.distribution_run_id as string | null) ?? null,
      distributionPolicy: (r.distribution_policy as string | null) ?? null,
    }));
  }

  /** The producer's payable, unallocated household share and commitment receivable, slots summed. */
  async producerAccounts(em: EntityManager, producerId: string): Promise<ProducerAccountRow[]> {
    const rows = await em.execute<Row[]>(
      `select a.owner_kind, sum(b.balance_fen) as balance_fen, sum(b.credit_fen) as credit_fen,
              sum(b.debit_fen) as debit_fen
         from account a
         join account_balance b on b.account_id = a.id
        where a.owner_id = ? and a.currency = 'CNY'
          and a.owner_kind in ('producer', 'household_unallocated', 'producer_commitment')
        group by a.owner_kind`,
      [producerId],
    );
    return rows.map((r) => ({
      ownerKind: String(r.owner_kind),
      balanceFen: Number(r.balance_fen),
      creditFen: Number(r.credit_fen),
      debitFen: Number(r.debit_fen),
    }));
  }

  /**
   * Each household's relief income in [recentFrom, asOf) and [priorFrom, recentFrom), in one
   * GROUP BY: credits, less the debits of refunds and reversals (money paid out of the account is
   * the household's still, not income lost). Households with neither are not returned.
   */
  async incomeWindows(
    em: EntityManager,
    window: { priorFrom: Date; recentFrom: Date; asOf: Date },
  ): Promise<IncomeWindowRow[]> {
    const rows = await em.execute<Row[]>(
      `select a.owner_id as household_id,
              coalesce(sum(case when t.occurred_at >= ?::timestamptz then ${SIGNED} end), 0) as recent_fen,
              coalesce(sum(case when t.occurred_at < ?::timestamptz then ${SIGNED} end), 0) as prior_fen
         from posting p
         join account a on a.id = p.account_id
         join journal_transaction t on t.id = p.transaction_id
        -- A refund of a share already paid out debits the household's receivable: income lost too.
        where a.owner_kind in ('household', 'household_recoverable') and a.currency = 'CNY'
          and t.occurred_at >= ?::timestamptz and t.occurred_at < ?::timestamptz
          and (p.side = 'credit' or t.kind in ('refund', 'reversal'))
          -- A failed payout line credited back is the household's own money returning, not income.
          and t.kind <> 'payout'
        group by a.owner_id
        order by a.owner_id`,
      [window.recentFrom, window.recentFrom, window.priorFrom, window.asOf],
    );
    return rows.map((r) => ({
      householdId: String(r.household_id),
      recentFen: Number(r.recent_fen),
      priorFen: Number(r.prior_fen),
    }));
  }
}
