import { Migration } from '@mikro-orm/migrations';

// The consumer's group write, cheaper per event: `ledger_apply_event_batch` does what
// `ledger_apply_events` (apply_event, posting_months) does, from a smaller document, in fewer
// statements. Each event's place among its order's events is still found, and the event recorded
// as applied, one event after the other (two events of one order may come in one batch); its sale
// lines and transactions are then written for every recorded event at once, and their postings
// after them, so that each statement trigger (months of postings, balances) runs once per batch
// rather than once per event. A posting is an array (account id, side, fen, role, slot, index of
// its dimensions) and a transaction's dimensions (line, product, producer, lot) are listed once
// (`dims`): a sale's ten household postings name the same four ids. The guarantees are those of
// the tables' triggers and constraints, which are unchanged. `ledger_apply_events` stays for a
// replica of the version before during an upgrade.
export class Migration20261203133000_event_batch extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function ledger_apply_event_batch(docs jsonb, out i int, out applied boolean, out last int, out recorded boolean)
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
    end if;
    return next;
  end loop;
  if cardinality(done) = 0 then
    return;
  end if;
  insert into sale_line (line_id, order_id, buyer_id, product_id, producer_id, quantity, gross_fen, currency,
                         household_share_bps, household_basis, lots, paid_at)
  select x.line_id, x.order_id, x.buyer_id, x.product_id, x.producer_id, x.quantity, x.gross_fen, x.currency,
         x.household_share_bps, x.household_basis, x.lots, x.paid_at
    from jsonb_array_elements(docs) with ordinality as e(doc, n)
   cross join lateral jsonb_to_recordset(e.doc->'lines') as x(line_id uuid, order_id uuid, buyer_id uuid, product_id uuid,
           producer_id uuid, quantity bigint, gross_fen bigint, currency text, household_share_bps int,
           household_basis text, lots jsonb, paid_at timestamptz)
   where e.n = any(done)
   order by e.n
  on conflict (line_id) do nothing;
  insert into journal_transaction (id, idempotency_key, kind, occurred_at, source_event_id, order_id, memo, reverses_id)
  select gen_random_uuid(), x.tx->>'idempotency_key', x.tx->>'kind', (x.tx->>'occurred_at')::timestamptz,
         (x.tx->>'source_event_id')::uuid, (x.tx->>'order_id')::uuid, x.tx->>'memo', null
    from jsonb_array_elements(docs) with ordinality as e(doc, n)
   cross join lateral jsonb_array_elements(e.doc->'transactions') with ordinality as x(tx, k)
   where e.n = any(done)
   order by e.n, x.k
  on conflict (idempotency_key) do nothing;
  -- Postings of the recorded events, to the transactions this database transaction created.
  insert into posting (transaction_id, account_id, side, fen, role, slot, line_id, product_id, producer_id, lot_id, month)
  select t.id, (p.v->>0)::bigint, p.v->>1, (p.v->>2)::bigint, p.v->>3, (p.v->>4)::smallint,
         (d.v->>0)::uuid, (d.v->>1)::uuid, (d.v->>2)::uuid, (d.v->>3)::uuid, ledger_month(t.occurred_at)
    from jsonb_array_elements(docs) with ordinality as e(doc, n)
   cross join lateral jsonb_array_elements(e.doc->'transactions') with ordinality as x(tx, k)
    join journal_transaction t on t.idempotency_key = x.tx->>'idempotency_key' and t.txid = pg_current_xact_id()
   cross join lateral jsonb_array_elements(x.tx->'postings') with ordinality as p(v, j)
   cross join lateral (select x.tx->'dims'->((p.v->>5)::int) as v) d
   where e.n = any(done)
   order by e.n, x.k, p.j;
end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists ledger_apply_event_batch(jsonb);`);
  }
}
