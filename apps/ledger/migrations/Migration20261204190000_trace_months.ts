import { Migration } from '@mikro-orm/migrations';

// An order's trace (`ledger_trace_order`, AuditRepository.traceOfOrder) reads only the months of
// `posting` its rows can be in. The function's plan is generic (planned once per connection), and
// a generic plan over a partitioned table starts a scan of every partition unless a bound of the
// partition key is a parameter when the statement starts: compared with the row of another table
// (`q.month >= ledger_month(l.paid_at)`, `p.month = ledger_month(t.occurred_at)`), it is pruned
// only row by row, after every partition's scan has been set up. With 16 months that set-up was
// about a third of the function's CPU. Now the months are read first (the order's sale lines'
// first month; its sale and refund transactions' first and last) and bound the two reads of
// `posting` as variables, so that the months outside them are pruned before any scan starts.
// Same answer: a line's postings are in its sale's month or later; an order's sale and refund
// postings in their transactions' months.
export class Migration20261204190000_trace_months extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function ledger_trace_order(trace_order_id uuid, out lines_json json, out parts_json json,
                                   out donation_fen bigint, out net_paid_fen bigint)
language plpgsql stable set plan_cache_mode = force_generic_plan as $$
declare
  lines_from date;
  totals_from date;
  totals_to date;
begin
  select min(ledger_month(s.paid_at)) into lines_from from sale_line s where s.order_id = trace_order_id;
  select min(ledger_month(t.occurred_at)), max(ledger_month(t.occurred_at)) into totals_from, totals_to
    from journal_transaction t where t.order_id = trace_order_id and t.kind in ('sale', 'refund');
  with l as (select * from sale_line s where s.order_id = trace_order_id),
  line_parts as (
    select p.line_id, p.role, p.lot_id, a.owner_kind, a.owner_id, a.village_id, a.town_id,
           sum(case when p.side = 'credit' then p.fen else -p.fen end) as fen
      from l cross join lateral (select * from posting q where q.line_id = l.line_id and q.month >= lines_from
                                    and q.month >= ledger_month(l.paid_at)) p
      join account o on o.id = p.account_id
      left join account r on o.owner_kind in ('household_recoverable', 'village_recoverable', 'producer_recoverable')
            and r.owner_kind = case o.owner_kind when 'household_recoverable' then 'household'
                                                 when 'producer_recoverable' then 'producer'
                                                 else 'village_collective' end
            and r.owner_id = o.owner_id and r.currency = o.currency
      join account a on a.id = coalesce(r.id, o.id)
     group by p.line_id, p.role, p.lot_id, a.id
  ),
  totals as (
    select coalesce(sum(case when p.role = 'donation' then case when p.side = 'credit' then p.fen else -p.fen end end), 0) as donation,
           coalesce(sum(case when p.role = 'clearing' then case when p.side = 'credit' then -p.fen else p.fen end end), 0) as net_paid
      from journal_transaction t join posting p on p.transaction_id = t.id and p.month = ledger_month(t.occurred_at)
                                                and p.month >= totals_from and p.month <= totals_to
     where t.order_id = trace_order_id and t.kind in ('sale', 'refund')
  )
  select (select coalesce(json_agg(l order by l.line_id), '[]') from l),
         (select coalesce(json_agg(x order by x.line_id, x.role, x.owner_id), '[]') from line_parts x),
         totals.donation, totals.net_paid
    into lines_json, parts_json, donation_fen, net_paid_fen
    from totals;
end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`create or replace function ledger_trace_order(trace_order_id uuid, out lines_json json, out parts_json json,
                                   out donation_fen bigint, out net_paid_fen bigint)
language plpgsql stable set plan_cache_mode = force_generic_plan as $$
begin
  with l as (select * from sale_line s where s.order_id = trace_order_id),
  line_parts as (
    select p.line_id, p.role, p.lot_id, a.owner_kind, a.owner_id, a.village_id, a.town_id,
           sum(case when p.side = 'credit' then p.fen else -p.fen end) as fen
      from l cross join lateral (select * from posting q where q.line_id = l.line_id and q.month >= ledger_month(l.paid_at)) p
      join account o on o.id = p.account_id
      left join account r on o.owner_kind in ('household_recoverable', 'village_recoverable', 'producer_recoverable')
            and r.owner_kind = case o.owner_kind when 'household_recoverable' then 'household'
                                                 when 'producer_recoverable' then 'producer'
                                                 else 'village_collective' end
            and r.owner_id = o.owner_id and r.currency = o.currency
      join account a on a.id = coalesce(r.id, o.id)
     group by p.line_id, p.role, p.lot_id, a.id
  ),
  totals as (
    select coalesce(sum(case when p.role = 'donation' then case when p.side = 'credit' then p.fen else -p.fen end end), 0) as donation,
           coalesce(sum(case when p.role = 'clearing' then case when p.side = 'credit' then -p.fen else p.fen end end), 0) as net_paid
      from journal_transaction t join posting p on p.transaction_id = t.id and p.month = ledger_month(t.occurred_at)
     where t.order_id = trace_order_id and t.kind in ('sale', 'refund')
  )
  select (select coalesce(json_agg(l order by l.line_id), '[]') from l),
         (select coalesce(json_agg(x order by x.line_id, x.role, x.owner_id), '[]') from line_parts x),
         totals.donation, totals.net_paid
    into lines_json, parts_json, donation_fen, net_paid_fen
    from totals;
end $$;`);
  }
}
