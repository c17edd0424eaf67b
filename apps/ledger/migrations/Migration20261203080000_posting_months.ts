import { Migration } from '@mikro-orm/migrations';

// Postings partitioned by month: each posting carries the month of its transaction (`month`, the
// first day of the month of `occurred_at` in China's time, `ledger_month()`), and `posting` becomes
// a table partitioned by RANGE of it, one partition a month (`posting_y2026m12`). Partitions are
// made ahead by `PostingMonthsJob` (this month and the next two), and at write time by a statement
// trigger on `journal_transaction` for the month of any transaction that has none yet (a catch-up of
// old orders, a job that did not run): a table made like `posting`, then attached, which locks
// `posting` only against other DDL, not against reads or writes.
//
// The journal's guarantees are unchanged and still enforced by PostgreSQL: the balance check at
// commit (the same constraint trigger on journal_transaction), no UPDATE or DELETE (the row trigger
// on `posting` is cloned onto every partition) nor TRUNCATE (a statement trigger on `posting` and
// on every partition), balances moved once per statement by the trigger on `posting`, which now
// also refuses a posting whose month is not its transaction's; a partition cannot be written
// directly (its own statement trigger), so no posting bypasses that trigger. The hash chain does not
// cover `month` (it follows from the transaction's time, which it covers).
//
// Existing postings are copied into their months in this migration, in one transaction, with no
// trigger on the new table yet (they moved their balances when they were written). At scale, that
// copy is the long part: see the README's "Past one machine".
export class Migration20261203080000_posting_months extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function ledger_month(at timestamptz) returns date language sql immutable parallel safe as
$$ select date_trunc('month', at at time zone 'Asia/Shanghai')::date $$;`);
    this.addSql(`create function ledger_refuse_partition_write() returns trigger language plpgsql as $$
begin
  raise exception 'ledger: % on % refused: postings are written to posting, never to one of its partitions', tg_op, tg_table_name
    using errcode = '55000';
end $$;`);
    // Answers whether it made the partition; false when it was there (or a concurrent writer made it).
    this.addSql(`create function ledger_ensure_posting_month(month date) returns boolean language plpgsql as $$
declare
  first date := date_trunc('month', month)::date;
  name text := format('posting_y%sm%s', to_char(first, 'YYYY'), to_char(first, 'MM'));
begin
  if to_regclass(name) is not null then
    return false;
  end if;
  begin
    execute format('create table %I (like posting including defaults including constraints)', name);
    execute format('alter table posting attach partition %I for values from (%L) to (%L)', name, first,
                   (first + interval '1 month')::date);
  exception when duplicate_table or unique_violation then
    return false;
  end;
  execute format('create trigger %I before insert or update or delete on %I for each statement execute function ledger_refuse_partition_write()',
                 name || '_through_posting', name);
  execute format('create trigger %I before truncate on %I for each statement execute function ledger_refuse_change()',
                 name || '_no_truncate', name);
  execute format('revoke update, delete, truncate on %I from public', name);
  return true;
end $$;`);

    // The table as it was steps aside; the partitioned one takes its names and its id sequence.
    this.addSql(`alter table "posting" rename to "posting_before_months";`);
    this.addSql(`alter table "posting_before_months" rename constraint "posting_pkey" to "posting_before_months_pkey";`);
    for (const index of ['posting_lot', 'posting_line', 'posting_account', 'posting_transaction']) {
      this.addSql(`drop index "${index}";`);
    }
    this.addSql(`create table "posting" (like "posting_before_months" including defaults including constraints,
  "month" date not null default ledger_month(now()),
  constraint "posting_pkey" primary key ("id", "month")) partition by range ("month");`);
    this.addSql(`alter sequence "posting_id_seq" owned by "posting"."id";`);
    this.addSql(`create index "posting_lot" on "posting" ("lot_id");`);
    this.addSql(`create index "posting_line" on "posting" ("line_id");`);
    this.addSql(`create index "posting_account" on "posting" ("account_id");`);
    this.addSql(`create index "posting_transaction" on "posting" ("transaction_id");`);
    this.addSql(`alter table "posting" add constraint "posting_transaction_fk" foreign key ("transaction_id") references "journal_transaction" ("id");`);
    this.addSql(`alter table "posting" add constraint "posting_account_fk" foreign key ("account_id") references "account" ("id");`);
    this.addSql(`select ledger_ensure_posting_month(m)
  from (select distinct ledger_month(occurred_at) as m from journal_transaction
        union select (ledger_month(now()) + k * interval '1 month')::date from generate_series(0, 2) k) months
 order by m;`);
    this.addSql(`insert into "posting" (id, transaction_id, account_id, side, fen, role, slot, line_id, product_id, producer_id, lot_id, month)
select p.id, p.transaction_id, p.account_id, p.side, p.fen, p.role, p.slot, p.line_id, p.product_id, p.producer_id, p.lot_id,
       ledger_month(t.occurred_at)
  from "posting_before_months" p join journal_transaction t on t.id = p.transaction_id;`);
    this.addSql(`drop table "posting_before_months";`);

    // The rules of the journal on the new table, as the journal migration put them on the old one.
    this.addSql(`create trigger posting_append_only before update or delete on "posting" for each row execute function ledger_refuse_change();`);
    this.addSql(`create trigger posting_no_truncate before truncate on "posting" for each statement execute function ledger_refuse_change();`);
    this.addSql(`revoke update, delete, truncate on "posting" from public;`);
    // The balance trigger of balances_per_statement, and a posting's month checked against its
    // transaction's in the same look-up by primary key.
    this.addSql(`create or replace function ledger_apply_postings() returns trigger language plpgsql as $$
declare
  stray uuid;
  misplaced uuid;
begin
  select i.transaction_id, case when t.txid = pg_current_xact_id() then null else i.transaction_id end
    into misplaced, stray
    from (select distinct transaction_id, month from inserted) i
    left join lateral (select j.txid, j.occurred_at from journal_transaction j where j.id = i.transaction_id) t on true
   where t.txid is distinct from pg_current_xact_id() or ledger_month(t.occurred_at) <> i.month
   order by (t.txid is distinct from pg_current_xact_id()) desc
   limit 1;
  if stray is not null then
    raise exception 'ledger: posting to transaction % outside the database transaction that created it', stray
      using errcode = '55000';
  end if;
  if misplaced is not null then
    raise exception 'ledger: posting of transaction % in a month other than its transaction''s', misplaced
      using errcode = '23514';
  end if;
  insert into account_balance (account_id, slot, normal_debit, non_negative)
  select m.account_id, m.slot, a.type in ('asset', 'expense'), a.non_negative
    from (select distinct account_id, slot from inserted) m join account a on a.id = m.account_id
   where not exists (select 1 from account_balance b where b.account_id = m.account_id and b.slot = m.slot)
   order by m.account_id, m.slot
  on conflict (account_id, slot) do nothing;
  perform 1
     from account_balance b
     join (select distinct account_id, slot from inserted) m on m.account_id = b.account_id and m.slot = b.slot
     join account a on a.id = b.account_id
    order by a.owner_kind in ('payment_clearing', 'relief_fund', 'processor_fees', 'suspense', 'buyer_refunds'),
             b.account_id, b.slot
      for update of b;
  update account_balance b
     set debit_fen = b.debit_fen + d.debit,
         credit_fen = b.credit_fen + d.credit,
         balance_fen = b.balance_fen + case when b.normal_debit then d.debit - d.credit else d.credit - d.debit end
    from (select account_id, slot,
                 sum(case when side = 'debit' then fen else 0 end) as debit,
                 sum(case when side = 'credit' then fen else 0 end) as credit
            from inserted group by account_id, slot) d
   where b.account_id = d.account_id and b.slot = d.slot;
  return null;
end $$;`);
    this.addSql(`create trigger posting_apply after insert on "posting" referencing new table as inserted for each statement execute function ledger_apply_postings();`);

    // The balance check at commit of the journal migration, reading the transaction's own month
    // only (the posting trigger has refused any posting of it in another), so that it probes one
    // partition rather than every one.
    this.addSql(`create or replace function ledger_check_balanced() returns trigger language plpgsql as $$
declare
  postings int;
  unbalanced record;
begin
  select count(*) into postings from posting where transaction_id = new.id and month = ledger_month(new.occurred_at);
  if postings < 2 then
    raise exception 'ledger: transaction % (%) has % posting(s); at least two are needed', new.id, new.idempotency_key, postings
      using errcode = '23514';
  end if;
  select a.currency, sum(case when p.side = 'debit' then p.fen else -p.fen end) as difference into unbalanced
    from posting p join account a on a.id = p.account_id
   where p.transaction_id = new.id and p.month = ledger_month(new.occurred_at)
   group by a.currency
  having sum(case when p.side = 'debit' then p.fen else -p.fen end) <> 0
   limit 1;
  if found then
    raise exception 'ledger: transaction % (%) does not balance in %: debits - credits = %',
      new.id, new.idempotency_key, unbalanced.currency, unbalanced.difference using errcode = '23514';
  end if;
  return null;
end $$;`);

    // A transaction's month has its partition before any of its postings is written.
    this.addSql(`create function ledger_prepare_posting_months() returns trigger language plpgsql as $$
declare
  m date;
begin
  for m in select distinct ledger_month(occurred_at) from inserted loop
    perform ledger_ensure_posting_month(m);
  end loop;
  return null;
end $$;`);
    this.addSql(`create trigger journal_transaction_posting_months after insert on "journal_transaction" referencing new table as inserted for each statement execute function ledger_prepare_posting_months();`);

    // An order's trace (AuditRepository.traceOfOrder) as a function, so that each connection plans
    // it once: planned per call, its plan over every partition cost more than running it. The plan
    // kept is generic; the partitions a trace does not need are pruned as it runs. A line's
    // postings are in the month of its sale or later (refunds, allocations), the order's own
    // transactions name their month.
    this.addSql(`create function ledger_trace_order(trace_order_id uuid, out lines_json json, out parts_json json,
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

    // The consumer's group write gives each posting its transaction's month.
    this.addSql(`create or replace function ledger_apply_events(docs jsonb, out i int, out applied boolean, out last int, out recorded boolean)
returns setof record language plpgsql as $$
declare
  doc jsonb;
  done int[] := '{}';
begin
  perform pg_advisory_xact_lock(hashtextextended(k, 10))
     from (select distinct d->>'order_id' as k from jsonb_array_elements(docs) d) o
    order by k;
  for doc, i in select d, n::int from jsonb_array_elements(docs) with ordinality as x(d, n) loop
    select exists (select 1 from applied_event a where a.event_id = (doc->>'event_id')::uuid),
           (select coalesce(max(a.sequence), 0) from applied_event a where a.order_id = (doc->>'order_id')::uuid)
      into applied, last;
    recorded := not applied and (doc->>'sequence')::int = last + 1;
    if recorded then
      done := done || i;
      insert into applied_event (event_id, order_id, sequence, type, outbox_id)
      values ((doc->>'event_id')::uuid, (doc->>'order_id')::uuid, (doc->>'sequence')::int, doc->>'type',
              (doc->>'outbox_id')::bigint);
      insert into sale_line (line_id, order_id, buyer_id, product_id, producer_id, quantity, gross_fen, currency,
                             household_share_bps, household_basis, lots, paid_at)
      select x.line_id, x.order_id, x.buyer_id, x.product_id, x.producer_id, x.quantity, x.gross_fen, x.currency,
             x.household_share_bps, x.household_basis, x.lots, x.paid_at
        from jsonb_to_recordset(doc->'lines') as x(line_id uuid, order_id uuid, buyer_id uuid, product_id uuid,
               producer_id uuid, quantity bigint, gross_fen bigint, currency text, household_share_bps int,
               household_basis text, lots jsonb, paid_at timestamptz)
      on conflict (line_id) do nothing;
      insert into journal_transaction (id, idempotency_key, kind, occurred_at, source_event_id, order_id, memo, reverses_id)
      select gen_random_uuid(), x.idempotency_key, x.kind, x.occurred_at, x.source_event_id, x.order_id, x.memo, null
        from jsonb_to_recordset(doc->'transactions') as x(idempotency_key text, kind text, occurred_at timestamptz,
               source_event_id uuid, order_id uuid, memo text)
      on conflict (idempotency_key) do nothing;
    end if;
    return next;
  end loop;
  -- Postings of the recorded events, to the transactions this database transaction created.
  insert into posting (transaction_id, account_id, side, fen, role, slot, line_id, product_id, producer_id, lot_id, month)
  select t.id, x.account_id, x.side, x.fen, x.role, x.slot, x.line_id, x.product_id, x.producer_id, x.lot_id,
         ledger_month(t.occurred_at)
    from jsonb_array_elements(docs) with ordinality as e(doc, n)
   cross join lateral jsonb_to_recordset(e.doc->'postings') as x(key text, account_id bigint, side text, fen bigint,
           role text, slot smallint, line_id uuid, product_id uuid, producer_id uuid, lot_id uuid)
    join journal_transaction t on t.idempotency_key = x.key and t.txid = pg_current_xact_id()
   where e.n = any(done);
end $$;`);
  }

  override async down(): Promise<void> {
    throw new Error('postings are not folded back into one table: restore a backup instead');
  }
}
