import { IsolationLevel, type EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { preparedQuery } from '@yugong/shared/orm';
import type { SaleLineLot } from '../events/sale-line.entity';
import { PART_ACCOUNT_JOIN } from '../journal/journal.repository';

type Row = Record<string, unknown>;

/** A sale line as a trace starts from it. */
export interface TraceLineRow {
  lineId: string;
  orderId: string;
  buyerId: string;
  productId: string;
  producerId: string;
  quantity: number;
  grossFen: number;
  currency: string;
  householdBasis: string;
  lots: SaleLineLot[];
}

/** What stands of one part of a line: net credits per role, account and lot. */
export interface TracePartRow {
  lineId: string;
  role: string;
  lotId: string | null;
  ownerKind: string;
  ownerId: string | null;
  villageId: string | null;
  townId: string | null;
  fen: number;
}

/** How relief income is grouped. */
export type IncomeGrouping = 'town' | 'village' | 'household' | 'producer' | 'product' | 'month';

const GROUP_KEYS: Record<IncomeGrouping, string> = {
  town: 'a.town_id::text',
  village: 'a.village_id::text',
  household: 'a.owner_id',
  producer: 'p.producer_id::text',
  product: 'p.product_id::text',
  month: `to_char(t.occurred_at at time zone 'Asia/Shanghai', 'YYYY-MM')`,
};

const SIGNED = `case when p.side = 'credit' then p.fen else -p.fen end`;

/** One row of the relief income report. */
export interface IncomeRow {
  key: string;
  households: number;
  householdFen: number;
  collectiveFen: number;
}

/**
 * The accounts relief income is read from. A receivable's debits are the refund of a share already
 * paid out: income lost all the same.
 */
const incomeKinds = (groupBy: IncomeGrouping) =>
  groupBy === 'household'
    ? `('household', 'household_recoverable')`
    : `('household', 'household_recoverable', 'village_collective', 'village_recoverable')`;

const toIncome = (r: Row): IncomeRow => ({
  key: String(r.key),
  households: Number(r.households),
  householdFen: Number(r.household_fen),
  collectiveFen: Number(r.collective_fen),
});

/** The read queries of traces and reports. */
@Injectable()
export class AuditRepository {
  /**
   * Everything an order's trace reads, in one round trip: its sale lines, what stands of each part
   * of them, and the order's donation and net paid (as `saleLinesOfOrder`, `partsOfLines` and
   * `orderTotals` answer them), read only from the months of `posting` they can be in.
   */
  async traceOfOrder(
    em: EntityManager,
    orderId: string,
  ): Promise<{ lines: TraceLineRow[]; parts: TracePartRow[]; donationFen: number; netPaidFen: number }> {
    // The statement is the database function `ledger_trace_order` (migrations posting_months and
    // trace_months), so that each connection plans it once over the partitions of `posting`; and
    // a prepared statement, so that the call itself is not parsed and planned each time either
    // (the ORM's path writes the id into the text: a parse and plan per trace).
    const { rows } = await preparedQuery(em, {
      name: 'ledger_trace_order',
      text: `select lines_json as lines, parts_json as parts, donation_fen as donation, net_paid_fen as net_paid
               from ledger_trace_order($1)`,
      values: [orderId],
    });
    const row = rows[0]!;
    return {
      lines: (row.lines as Row[]).map(toLine),
      parts: (row.parts as Row[]).map(toPart),
      donationFen: Number(row.donation ?? 0),
      netPaidFen: Number(row.net_paid ?? 0),
    };
  }

  async saleLinesOfLot(em: EntityManager, lotId: string): Promise<TraceLineRow[]> {
    const rows = await em.execute<Row[]>(
      `select * from sale_line where lots @> ?::jsonb order by paid_at, line_id limit 1000`,
      [JSON.stringify([{ lotId }])],
    );
    return rows.map(toLine);
  }

  async partsOfLines(em: EntityManager, lineIds: string[]): Promise<TracePartRow[]> {
    if (lineIds.length === 0) {
      return [];
    }
    const rows = await em.execute<Row[]>(
      `select p.line_id, p.role, p.lot_id, a.owner_kind, a.owner_id, a.village_id, a.town_id, sum(${SIGNED}) as fen
         from posting p ${PART_ACCOUNT_JOIN}
        where p.line_id in (select (jsonb_array_elements_text(?::jsonb))::uuid)
        group by p.line_id, p.role, p.lot_id, a.id
        order by p.line_id, p.role, a.owner_id`,
      [JSON.stringify(lineIds)],
    );
    return rows.map(toPart);
  }

  async trialBalance(em: EntityManager): Promise<Row[]> {
    return em.execute<Row[]>(
      `select code, type, owner_kind, owner_id, currency, debit_fen, credit_fen, balance_fen from account_totals order by code`,
    );
  }

  /**
   * Household benefits and village collective shares, net of refunds, grouped. By town, village,
   * household or month it reads the per-account-month summary of the sealed transactions for the
   * whole months of the range, plus the postings of the transactions the sequencer has not sealed
   * yet and of the partial months at the range's ends: exact, as the scan of every posting is
   * (`reliefIncomeScan`). By producer or product (columns of the postings, not of the accounts) it
   * scans.
   */
  async reliefIncome(
    em: EntityManager,
    groupBy: IncomeGrouping,
    range: { from?: Date; to?: Date },
  ): Promise<IncomeRow[]> {
    if (groupBy === 'producer' || groupBy === 'product') {
      return this.reliefIncomeScan(em, groupBy, range);
    }
    const key = groupBy === 'month' ? `to_char(x.month, 'YYYY-MM')` : GROUP_KEYS[groupBy];
    const from = range.from ?? null;
    const to = range.to ?? null;
    // The whole months of the range (China's time, as `month`): from the first month starting at or
    // after `from` to the last ending at or before `to`; the partial months at its ends. Asked
    // first, so that the report's statement names its months as constants (partitions pruned).
    // One snapshot for the head, the summary and the postings after it (repeatable read): the
    // sequencer may seal more between two statements.
    return em.transactional(
      async (tx) => {
        const [months] = await tx.execute<Row[]>(
          `select case when f is null then null
                     when ledger_month(f)::timestamp at time zone 'Asia/Shanghai' = f then ledger_month(f)
                     else (ledger_month(f) + interval '1 month')::date end::text as first_whole,
                ledger_month(e)::text as after_whole,
                ledger_month(f)::text as first_month,
                ledger_month(e - interval '1 microsecond')::text as last_month,
                h.txid::text as head_txid, h.id as head_id
           from (select ?::timestamptz as f, ?::timestamptz as e) b
           left join (select t.txid, t.id from chain_link c join journal_transaction t on t.id = c.transaction_id
                       order by c.seq desc limit 1) h on true`,
          [from, to],
        );
        const firstWhole = (months!.first_whole as string | null) ?? null;
        const afterWhole = (months!.after_whole as string | null) ?? null;
        const partial = new Set<string>();
        if (from && firstWhole !== months!.first_month) {
          partial.add(String(months!.first_month));
        }
        if (to && afterWhole === months!.last_month) {
          partial.add(String(months!.last_month));
        }
        const whole = firstWhole && afterWhole && firstWhole >= afterWhole ? 'false' : 'true';
        // The chain's head: the summary covers every transaction up to it in (txid, id) order; named
        // as constants so that the tail after it is read through the txid index.
        const head = {
          txid: (months!.head_txid as string | null) ?? '0',
          id: (months!.head_id as string | null) ?? '00000000-0000-0000-0000-000000000000',
        };
        const rows = await tx.execute<Row[]>(
          `with x as (
           select s.account_id, s.month, s.credit_fen - s.debit_fen as fen
             from account_month s
            where s.kind <> 'payout' and ${whole}
              and (?::date is null or s.month >= ?::date) and (?::date is null or s.month < ?::date)
           union all
           -- The transactions not sealed yet.
           select p.account_id, p.month, ${SIGNED}
             from journal_transaction t
             join posting p on p.transaction_id = t.id and p.month = ledger_month(t.occurred_at)
            where t.txid >= ?::xid8 and (t.txid, t.id) > (?::xid8, ?::uuid)
              and t.kind <> 'payout'
              and (?::timestamptz is null or t.occurred_at >= ?::timestamptz)
              and (?::timestamptz is null or t.occurred_at < ?::timestamptz)
           union all
           -- The sealed transactions of the partial months at the range's ends.
           select p.account_id, p.month, ${SIGNED}
             from posting p
             join journal_transaction t on t.id = p.transaction_id
            where p.month = any(?::date[])
              and (t.txid, t.id) <= (?::xid8, ?::uuid)
              and t.kind <> 'payout'
              and (?::timestamptz is null or t.occurred_at >= ?::timestamptz)
              and (?::timestamptz is null or t.occurred_at < ?::timestamptz)
         )
         select coalesce(${key}, '') as key,
                count(distinct case when a.owner_kind = 'household' then a.owner_id end) as households,
                coalesce(sum(case when a.owner_kind in ('household', 'household_recoverable') then x.fen end), 0) as household_fen,
                coalesce(sum(case when a.owner_kind in ('village_collective', 'village_recoverable') then x.fen end), 0) as collective_fen
           from x join account a on a.id = x.account_id
          where a.owner_kind in ${incomeKinds(groupBy)}
          group by 1
          order by 1`,
          [
            ...[firstWhole, firstWhole, afterWhole, afterWhole],
            ...[head.txid, head.txid, head.id],
            ...[from, from, to, to],
            `{${[...partial].join(',')}}`,
            ...[head.txid, head.id],
            ...[from, from, to, to],
          ],
        );
        return rows.map(toIncome);
      },
      { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
    );
  }

  /** The same report as a scan of every posting in the range (and the producer and product groupings). */
  async reliefIncomeScan(
    em: EntityManager,
    groupBy: IncomeGrouping,
    range: { from?: Date; to?: Date },
  ): Promise<IncomeRow[]> {
    const key = GROUP_KEYS[groupBy];
    const rows = await em.execute<Row[]>(
      `select coalesce(${key}, '') as key,
              count(distinct case when a.owner_kind = 'household' then a.owner_id end) as households,
              coalesce(sum(case when a.owner_kind in ('household', 'household_recoverable') then ${SIGNED} end), 0) as household_fen,
              coalesce(sum(case when a.owner_kind in ('village_collective', 'village_recoverable') then ${SIGNED} end), 0) as collective_fen
         from posting p
         join account a on a.id = p.account_id
         join journal_transaction t on t.id = p.transaction_id
        where a.owner_kind in ${incomeKinds(groupBy)}
          -- A payout moves income the household has to its bank: not income gained or lost.
          and t.kind <> 'payout'
          and (?::timestamptz is null or t.occurred_at >= ?::timestamptz)
          and (?::timestamptz is null or t.occurred_at < ?::timestamptz)
          -- The same bounds on the postings' months, so that only their partitions are read.
          and (?::timestamptz is null or p.month >= ledger_month(?::timestamptz))
          and (?::timestamptz is null or p.month <= ledger_month(?::timestamptz - interval '1 microsecond'))
        group by 1
        order by 1`,
      [
        ...[range.from ?? null, range.from ?? null, range.to ?? null, range.to ?? null],
        ...[range.from ?? null, range.from ?? null, range.to ?? null, range.to ?? null],
      ],
    );
    return rows.map(toIncome);
  }

  async reliefFundBalance(em: EntityManager): Promise<number> {
    const rows = await em.execute<Row[]>(
      `select coalesce(sum(b.balance_fen), 0) as fen from account a join account_balance b on b.account_id = a.id
        where a.owner_kind = 'relief_fund' and a.currency = 'CNY'`,
    );
    return Number(rows[0]?.fen ?? 0);
  }
}

function toLine(r: Row): TraceLineRow {
  return {
    lineId: String(r.line_id),
    orderId: String(r.order_id),
    buyerId: String(r.buyer_id),
    productId: String(r.product_id),
    producerId: String(r.producer_id),
    quantity: Number(r.quantity),
    grossFen: Number(r.gross_fen),
    currency: String(r.currency),
    householdBasis: String(r.household_basis),
    lots: r.lots as SaleLineLot[],
  };
}

function toPart(r: Row): TracePartRow {
  return {
    lineId: String(r.line_id),
    role: String(r.role),
    lotId: (r.lot_id as string | null) ?? null,
    ownerKind: String(r.owner_kind),
    ownerId: (r.owner_id as string | null) ?? null,
    villageId: (r.village_id as string | null) ?? null,
    townId: (r.town_id as string | null) ?? null,
    fen: Number(r.fen),
  };
}
