import { Migration } from '@mikro-orm/migrations';

// Checkout's write of new orders, several at once (group commit), in one round trip: the buyers'
// advisory locks (the same keys as BuyerAllowanceRepository.lockBuyer, taken in one order so that
// concurrent callers never deadlock), then, order by order, what its buyer holds unpaid now and
// the allowance in force (as BuyerAllowanceRepository.usageOf counts them, orders placed earlier
// in the same call included): past a limit, nothing is written ('unpaid_limit', 'held_limit');
// otherwise the order and its lines go in unless the buyer has an order under its idempotency key
// ('exists'). A function, so that its plans are kept per connection and each statement after the
// locks sees what committed before them.
export class Migration20261203080000_place_orders extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function orders_place(docs jsonb, out i int, out outcome text, out unpaid_orders bigint,
  out held_units bigint, out max_unpaid_orders bigint, out max_held_units bigint, out created_at timestamptz)
returns setof record language plpgsql as $$
declare
  doc jsonb;
  o jsonb;
  buyer uuid;
  placed uuid;
begin
  perform pg_advisory_xact_lock(hashtextextended(k, 0))
     from (select distinct 'buyer:' || (d->'order'->>'buyer_id') as k from jsonb_array_elements(docs) d) b
    order by k;
  for doc, i in select d, n::int from jsonb_array_elements(docs) with ordinality as x(d, n) loop
    o := doc->'order';
    buyer := (o->>'buyer_id')::uuid;
    created_at := now();
    select count(*), coalesce(sum(l.units), 0)
      into unpaid_orders, held_units
      from customer_order c,
           lateral (select sum(quantity) as units from order_line where order_id = c.id) l
     where c.buyer_id = buyer and c.status = 'pending_payment' and c.expires_at > now();
    select a.max_unpaid_orders, a.max_held_units into max_unpaid_orders, max_held_units
      from buyer_allowance a where a.buyer_id = buyer and (a.expires_at is null or a.expires_at > now());
    if not found then
      max_unpaid_orders := (doc->>'default_max_unpaid_orders')::bigint;
      max_held_units := (doc->>'default_max_held_units')::bigint;
    end if;
    if unpaid_orders >= max_unpaid_orders then
      outcome := 'unpaid_limit';
    elsif held_units + (doc->>'units')::bigint > max_held_units then
      outcome := 'held_limit';
    else
      insert into customer_order (id, buyer_id, buyer_role, idempotency_key, request_hash, status, payment_method,
        subtotal_fen, donation_fen, total_fen, currency, expires_at, created_at, updated_at)
      values ((o->>'id')::uuid, buyer, o->>'buyer_role', o->>'idempotency_key', o->>'request_hash', 'pending_payment',
        o->>'payment_method', (o->>'subtotal_fen')::bigint, (o->>'donation_fen')::bigint, (o->>'total_fen')::bigint,
        o->>'currency', (o->>'expires_at')::timestamptz, now(), now())
      on conflict on constraint customer_order_idempotency do nothing
      returning id into placed;
      if placed is null then
        outcome := 'exists';
      else
        insert into order_line (id, order_id, position, product_id, product_name_zh, product_name_en, unit,
          producer_id, producer_name, unit_price_fen, quantity, gross_fen, household_share_bps, allocations,
          status, refunded_quantity, refunded_fen, licence_id, licence_number, licence_commitment_bps,
          licence_min_per_unit_fen)
        select x.id, placed, x.position, x.product_id, x.product_name_zh, x.product_name_en, x.unit, x.producer_id,
               x.producer_name, x.unit_price_fen, x.quantity, x.gross_fen, x.household_share_bps, x.allocations,
               'pending', 0, 0, x.licence_id, x.licence_number, x.licence_commitment_bps, x.licence_min_per_unit_fen
          from jsonb_to_recordset(o->'lines') as x(id uuid, position int, product_id uuid, product_name_zh text,
                 product_name_en text, unit text, producer_id uuid, producer_name text, unit_price_fen bigint,
                 quantity bigint, gross_fen bigint, household_share_bps int, allocations jsonb, licence_id uuid,
                 licence_number text, licence_commitment_bps int, licence_min_per_unit_fen bigint);
        outcome := 'placed';
      end if;
    end if;
    return next;
  end loop;
end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists orders_place(jsonb);`);
  }
}
