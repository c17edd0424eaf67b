import { Migration } from '@mikro-orm/migrations';

// The consumer's one-round-trip write of an order event that needs nothing read under the lock
// (a sale, a payment refunded or unmatched, a cancellation): the order's advisory lock, the event's
// place among the order's events, then, only when it is next, the event recorded as applied with
// its sale lines, transactions and postings. The postings go through the posting trigger and each
// transaction is checked balanced at commit, as for every other writer. A function, so that its
// plans are kept per connection and each statement after the lock sees what committed before it.
export class Migration20261202133000_apply_event extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function ledger_apply_event(doc jsonb, out applied boolean, out last int, out recorded boolean)
language plpgsql as $$
declare
  order_key text := doc->>'order_id';
  event_key uuid := (doc->>'event_id')::uuid;
  seq int := (doc->>'sequence')::int;
begin
  perform pg_advisory_xact_lock(hashtextextended(order_key, 10));
  select exists (select 1 from applied_event a where a.event_id = event_key),
         (select coalesce(max(a.sequence), 0) from applied_event a where a.order_id = order_key::uuid)
    into applied, last;
  recorded := not applied and seq = last + 1;
  if not recorded then
    return;
  end if;
  insert into applied_event (event_id, order_id, sequence, type, outbox_id)
  values (event_key, order_key::uuid, seq, doc->>'type', (doc->>'outbox_id')::bigint);
  insert into sale_line (line_id, order_id, buyer_id, product_id, producer_id, quantity, gross_fen, currency,
                         household_share_bps, household_basis, lots, paid_at)
  select x.line_id, x.order_id, x.buyer_id, x.product_id, x.producer_id, x.quantity, x.gross_fen, x.currency,
         x.household_share_bps, x.household_basis, x.lots, x.paid_at
    from jsonb_to_recordset(doc->'lines') as x(line_id uuid, order_id uuid, buyer_id uuid, product_id uuid,
           producer_id uuid, quantity bigint, gross_fen bigint, currency text, household_share_bps int,
           household_basis text, lots jsonb, paid_at timestamptz)
  on conflict (line_id) do nothing;
  with tx as (
    insert into journal_transaction (id, idempotency_key, kind, occurred_at, source_event_id, order_id, memo, reverses_id)
    select gen_random_uuid(), x.idempotency_key, x.kind, x.occurred_at, x.source_event_id, x.order_id, x.memo, null
      from jsonb_to_recordset(doc->'transactions') as x(idempotency_key text, kind text, occurred_at timestamptz,
             source_event_id uuid, order_id uuid, memo text)
    on conflict (idempotency_key) do nothing
    returning id, idempotency_key
  )
  insert into posting (transaction_id, account_id, side, fen, role, slot, line_id, product_id, producer_id, lot_id)
  select tx.id, x.account_id, x.side, x.fen, x.role, x.slot, x.line_id, x.product_id, x.producer_id, x.lot_id
    from rows from (jsonb_to_recordset(doc->'postings') as (key text, account_id bigint, side text, fen bigint,
           role text, slot smallint, line_id uuid, product_id uuid, producer_id uuid, lot_id uuid))
           with ordinality as x(key, account_id, side, fen, role, slot, line_id, product_id, producer_id, lot_id, ord)
    join tx on tx.idempotency_key = x.key
   order by x.ord;
end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists ledger_apply_event(jsonb);`);
  }
}
