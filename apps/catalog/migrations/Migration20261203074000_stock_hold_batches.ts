import { Migration } from '@mikro-orm/migrations';

// Checkout's holds, several orders at once (group commit), in one round trip: the orders'
// advisory locks (the same keys as StockRepository.lockOrder, taken in one order so that
// concurrent callers never deadlock), then every lot the batch draws on locked in id order, as
// every path that changes on_hand locks them. Then, order by order: one that holds stock already
// is left as it is ('exists': a repeat); one whose lots no longer have the units it was planned
// with is left untouched ('short': the caller plans again); otherwise its units come off its lots
// and its holds go in ('held'). A function, so that its plans are kept per connection and each
// statement after the locks sees what committed before them.
export class Migration20261203074000_stock_hold_batches extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function stock_hold_orders(requests jsonb, out i int, out outcome text)
returns setof record language plpgsql as $$
declare
  req jsonb;
  order_uuid uuid;
begin
  perform pg_advisory_xact_lock(hashtextextended('stock:' || k, 7))
     from (select distinct r->>'order_id' as k from jsonb_array_elements(requests) r) o
    order by k;
  perform 1 from lot
    where id in (select (h->>'lot_id')::uuid
                   from jsonb_array_elements(requests) r, jsonb_array_elements(r->'holds') h)
    order by id
      for update;
  for req, i in select r, n::int from jsonb_array_elements(requests) with ordinality as x(r, n) loop
    order_uuid := (req->>'order_id')::uuid;
    if exists (select 1 from stock_hold s where s.order_id = order_uuid) then
      outcome := 'exists';
    elsif exists (
      select 1
        from (select x.lot_id, sum(x.quantity) as units
                from jsonb_to_recordset(req->'holds') as x(lot_id uuid, quantity bigint) group by x.lot_id) t
        left join lot l on l.id = t.lot_id
       where l.id is null or l.on_hand < t.units) then
      outcome := 'short';
    else
      update lot set on_hand = lot.on_hand - t.units
        from (select x.lot_id, sum(x.quantity) as units
                from jsonb_to_recordset(req->'holds') as x(lot_id uuid, quantity bigint) group by x.lot_id) t
       where lot.id = t.lot_id;
      insert into stock_hold (id, order_id, product_id, lot_id, quantity, status, expires_at, restocked,
                              position, snapshot, created_at, updated_at)
      select gen_random_uuid(), order_uuid, x.product_id, x.lot_id, x.quantity, 'held', x.expires_at, 0,
             x.position, x.snapshot, now(), now()
        from jsonb_to_recordset(req->'holds')
          as x(position int, product_id uuid, lot_id uuid, quantity bigint, expires_at timestamptz, snapshot jsonb);
      outcome := 'held';
    end if;
    return next;
  end loop;
end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists stock_hold_orders(jsonb);`);
  }
}
