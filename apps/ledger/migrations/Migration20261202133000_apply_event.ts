import { Migration } from '@mikro-orm/migrations';

// The consumer's write of order events that need nothing read under the lock (sales, payments
// refunded or unmatched, cancellations), several at once: the advisory locks of their orders
// (taken in one order, so that concurrent callers never deadlock), then each event's place among
// its order's events and, only when it is next, the event recorded as applied with its sale lines
// and transactions; last, the postings of every recorded event in one statement, so that the
// balance trigger locks all of their balance rows at once, in its global order. Each transaction is
// checked balanced at commit, as for every other writer. A function, so that its plans are kept
// per connection and each statement after the locks sees what committed before them.
export class Migration20261202133000_apply_event extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function ledger_apply_events(docs jsonb, out i int, out applied boolean, out last int, out recorded boolean)
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
  insert into posting (transaction_id, account_id, side, fen, role, slot, line_id, product_id, producer_id, lot_id)
  select t.id, x.account_id, x.side, x.fen, x.role, x.slot, x.line_id, x.product_id, x.producer_id, x.lot_id
    from jsonb_array_elements(docs) with ordinality as e(doc, n)
   cross join lateral jsonb_to_recordset(e.doc->'postings') as x(key text, account_id bigint, side text, fen bigint,
           role text, slot smallint, line_id uuid, product_id uuid, producer_id uuid, lot_id uuid)
    join journal_transaction t on t.idempotency_key = x.key and t.txid = pg_current_xact_id()
   where e.n = any(done);
end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists ledger_apply_events(jsonb);`);
  }
}
