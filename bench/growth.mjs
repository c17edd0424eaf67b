#!/usr/bin/env node
// `npm run bench:growth`: does checkout slow down as orders pile up? The same checkout load as
// bench:checkout's spread-out run (POST /api/v1/checkout through gateway → orders → catalog and
// licensing → PostgreSQL, manual payment, 1 unit, 32 in flight over 640 buyers, every 201 checked
// against the orders and holds written; bench/lib/checkout-load.mjs) with 10,000 orders already in
// orders' database, then with 1,000,000 (BENCH_GROWTH_SMALL, BENCH_GROWTH_LARGE), in the same run:
// ratio = checkouts/s at the large size ÷ at the small one (issue 14: ≥ 0.9), p99 at each.
//
// The history is written in bulk by SQL (generate_series, 100,000 orders a statement) as the real
// path leaves it: orders of 1–3 lines over the demo products (their prices, names, producers and
// lots), spread over BENCH_GROWTH_HISTORY_BUYERS (100,000) buyers, among them the bench's 640 (so
// that a bench buyer has about 10 past orders at 1,000,000), each under its own idempotency key,
// two years of them up to now; 80 % completed, 8 % delivered, 5 % shipped, 4 % cancelled, 2 %
// refunded, 1 % paid; 40 % by card (a PaymentIntent reference and its `payment_intent.succeeded`
// recorded in payment_event), the rest manual with a bank reference; the outbox events the
// changes wrote (`order.paid`, `order.cancelled`, `order.refunded`, with the order as payload),
// all delivered; a refund row per refunded order; and in catalog a stock hold per line
// (committed, or released for cancelled orders). Then `vacuum analyze`, as autovacuum would have.
// Between the two sizes (and before the first) the bench buyers' unpaid orders of the runs before
// are cancelled and their holds released, as the expiry sweeper would: both sizes start with the
// same unpaid orders per buyer (none), so what differs is the history alone.
//
// After the large run, the checkout's reads of orders' database are shown with EXPLAIN ANALYZE
// for one bench buyer (its usage against its limits, its key's order), to see what grew.
//
// Env: as bench:checkout (BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_CONCURRENCY, BENCH_BUYERS,
// BENCH_SKIP_BUILD, BENCH_NODE_ARGS, BENCH_TIMEOUT_SECONDS, default 1800 here), plus
// BENCH_GROWTH_SMALL (10000), BENCH_GROWTH_LARGE (1000000), BENCH_GROWTH_HISTORY_BUYERS (100000).
process.env.BENCH_TIMEOUT_SECONDS ??= '1800';
const { loadClient, startCheckoutPlatform } = await import('./lib/checkout-load.mjs');
const { fmt, run, say, startWatchdog } = await import('./lib/harness.mjs');
const { fileURLToPath } = await import('node:url');
const { default: pg } = await import('pg');

const SELF = fileURLToPath(import.meta.url);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const BUYERS = Number(process.env.BENCH_BUYERS ?? 640);
const SMALL = Number(process.env.BENCH_GROWTH_SMALL ?? 10_000);
const LARGE = Number(process.env.BENCH_GROWTH_LARGE ?? 1_000_000);
const HISTORY_BUYERS = Number(process.env.BENCH_GROWTH_HISTORY_BUYERS ?? 100_000);
const CHUNK = 100_000;
/** Issue 14: checkouts/s with 1,000,000 orders ≥ 0.9 of that with 10,000. */
const TARGET = 0.9;

/** The lines of orders from..to (one row per line) in a temporary table of the session. */
const LINES_SQL = `create temp table fill_line on commit drop as
  select g.i, g.pos, p.*, 1 + (g.i + g.pos) % 3 as qty, md5('line:' || g.i || ':' || g.pos)::uuid as line_id
    from (select i, pos, ((i * 7 + pos * 13) % $3)::int as pn
            from generate_series($1::bigint, $2::bigint) i, lateral generate_series(0, (i % 3)::int) pos) g
    join fill_product p on p.n = g.pn`;

/** The orders of fill_line: status by i mod 100, two years up to now, buyers spread by a hash of i. */
const ORDERS_SQL = `create temp table fill_order on commit drop as
  select i, md5('order:' || i)::uuid as id,
         case when b < cardinality($1::uuid[]) then ($1::uuid[])[b + 1] else md5('buyer:' || b)::uuid end as buyer_id,
         case when i % 100 < 80 then 'completed' when i % 100 < 88 then 'delivered' when i % 100 < 93 then 'shipped'
              when i % 100 < 97 then 'cancelled' when i % 100 < 99 then 'refunded' else 'paid' end as status,
         case when i % 5 < 2 then 'stripe' else 'manual' end as method,
         now() - ($3::bigint - i) * interval '63 seconds' - interval '1 day' as created_at,
         sub, lines, refund_lines
    from (select i, sum(price_fen * qty) as sub,
                 jsonb_agg(jsonb_build_object('id', line_id, 'productId', product_id, 'producerId', producer_id,
                   'quantity', qty, 'unitPriceFen', price_fen, 'grossFen', price_fen * qty,
                   'householdShareBps', share_bps, 'lotId', lot_id) order by pos) as lines,
                 jsonb_agg(jsonb_build_object('lineId', line_id, 'quantity', qty, 'amountFen', price_fen * qty)
                   order by pos) as refund_lines
            from fill_line group by i) s,
         lateral (select ((i * 2654435761) % $2::bigint)::int as b) h`;

const INSERT_ORDERS_SQL = `insert into customer_order (id, buyer_id, buyer_role, idempotency_key, request_hash, status,
    payment_method, subtotal_fen, donation_fen, total_fen, currency, payment_reference, client_secret,
    amount_received_fen, paid_at, expires_at, cancelled_at, created_at, updated_at, delivered_at, completed_at)
  select id, buyer_id, 'consumer', 'history-' || i, md5('request:' || i), status, method, sub, (i % 7) * 100,
         sub + (i % 7) * 100, 'CNY',
         case when status = 'cancelled' then null when method = 'stripe' then 'pi_' || md5('pi:' || i) else 'BANK-' || i end,
         case when method = 'stripe' then 'pi_' || md5('pi:' || i) || '_secret_' || left(md5('s:' || i), 12) end,
         case when status <> 'cancelled' then sub + (i % 7) * 100 end,
         case when status <> 'cancelled' then created_at + interval '5 minutes' end,
         created_at + interval '15 minutes',
         case when status = 'cancelled' then created_at + interval '15 minutes' end,
         created_at, created_at + interval '14 days',
         case when status in ('delivered', 'completed') then created_at + interval '4 days' end,
         case when status = 'completed' then created_at + interval '18 days' end
    from fill_order`;

const INSERT_LINES_SQL = `insert into order_line (id, order_id, position, product_id, product_name_zh, product_name_en, unit,
    producer_id, producer_name, unit_price_fen, quantity, gross_fen, household_share_bps, allocations, status,
    refunded_quantity, refunded_fen, carrier, tracking_number, shipped_at, licence_commitment_bps, licence_min_per_unit_fen)
  select l.line_id, o.id, l.pos, l.product_id, l.name_zh, l.name_en, l.unit, l.producer_id, l.producer_name,
         l.price_fen, l.qty, l.price_fen * l.qty, l.share_bps,
         jsonb_build_array(jsonb_build_object('lotId', l.lot_id, 'lotCode', l.lot_code, 'quantity', l.qty)),
         case when o.status = 'refunded' then 'refunded' when o.status in ('shipped', 'delivered', 'completed') then 'shipped'
              when o.status = 'cancelled' then 'cancelled' else 'pending' end,
         case when o.status = 'refunded' then l.qty else 0 end,
         case when o.status = 'refunded' then l.price_fen * l.qty else 0 end,
         case when o.status in ('shipped', 'delivered', 'completed') then 'SF Express' end,
         case when o.status in ('shipped', 'delivered', 'completed') then 'SF' || (1000000000 + o.i) end,
         case when o.status in ('shipped', 'delivered', 'completed') then o.created_at + interval '1 day' end,
         0, 0
    from fill_line l join fill_order o on o.i = l.i`;

/** The events the order's changes wrote, each with the order as its payload; all delivered. */
const INSERT_OUTBOX_SQL = `insert into outbox_event (event_id, type, order_id, sequence, payload, occurred_at,
    delivered_at, attempts, next_attempt_at)
  select md5('event:' || o.i || ':' || e.seq)::uuid, e.type, o.id, e.seq,
         jsonb_build_object('orderId', o.id, 'buyerId', o.buyer_id, 'status', o.status, 'paymentMethod', o.method,
           'subtotalFen', o.sub, 'donationFen', (o.i % 7) * 100, 'totalFen', o.sub + (o.i % 7) * 100, 'currency', 'CNY',
           'createdAt', o.created_at, 'lines', o.lines),
         o.created_at + e.after, o.created_at + e.after + interval '1 second', 1, o.created_at + e.after
    from fill_order o,
         lateral (values (1, 'order.paid', interval '5 minutes'), (1, 'order.cancelled', interval '15 minutes'),
                         (2, 'order.refunded', interval '10 days')) as e(seq, type, after)
   where (e.type = 'order.paid' and o.status <> 'cancelled') or (e.type = 'order.cancelled' and o.status = 'cancelled')
      or (e.type = 'order.refunded' and o.status = 'refunded')`;

const INSERT_PAYMENT_EVENTS_SQL = `insert into payment_event (event_id, type, order_id, payment_reference, outcome,
    occurred_at, received_at)
  select 'evt_' || md5('evt:' || i), 'payment_intent.succeeded', id, 'pi_' || md5('pi:' || i), 'applied',
         created_at + interval '5 minutes', created_at + interval '5 minutes'
    from fill_order where method = 'stripe' and status <> 'cancelled'`;

const INSERT_REFUNDS_SQL = `insert into refund (id, order_id, idempotency_key, lines, amount_fen, reason, goods_returned,
    status, reference, requested_by, created_at)
  select md5('refund:' || o.i)::uuid, o.id, 'refund-' || o.i,
         o.refund_lines,
         o.sub, 'damaged in transit', true, 'succeeded',
         case when o.method = 'stripe' then 're_' || md5('re:' || o.i) else 'REFUND-' || o.i end,
         md5('officer')::uuid, o.created_at + interval '10 days'
    from fill_order o where o.status = 'refunded'`;

/** catalog: a hold per line, committed (released for cancelled orders), as checkout left it. */
const INSERT_HOLDS_SQL = `insert into stock_hold (id, order_id, product_id, lot_id, quantity, status, expires_at, restocked,
    position, snapshot, created_at, updated_at)
  select md5('hold:' || i || ':' || pos)::uuid, md5('order:' || i)::uuid, product_id, lot_id, qty,
         case when i % 100 between 93 and 96 then 'released' else 'committed' end,
         created_at + interval '15 minutes', 0, pos,
         jsonb_build_object('unitPriceFen', price_fen, 'currency', 'CNY', 'producerId', producer_id,
           'producerName', producer_name, 'householdShareBps', share_bps, 'nameZh', name_zh, 'nameEn', name_en,
           'unit', unit, 'lotCode', lot_code),
         created_at, created_at + interval '5 minutes'
    from (select i, pos, product_id, lot_id, 1 + (i + pos) % 3 as qty, price_fen, producer_id, producer_name, share_bps, name_zh, name_en,
                 unit, lot_code, now() - ($3::bigint - i) * interval '63 seconds' - interval '1 day' as created_at
            from (select i, pos, ((i * 7 + pos * 13) % $4)::int as pn
                    from generate_series($1::bigint, $2::bigint) i, lateral generate_series(0, (i % 3)::int) pos) g
            join fill_product p on p.n = g.pn) x`;

/** The demo products as orders' lines snapshot them (one lot each), numbered 0..n-1. */
async function productTable(catalogDb) {
  const { rows } = await catalogDb.query(
    `select row_number() over (order by p.id) - 1 as n, p.id as product_id, p.name_zh, p.name_en, p.unit,
            p.price_fen, p.producer_id, pr.legal_name as producer_name, l.id as lot_id, l.lot_code,
            coalesce((select s.basis_points from household_share s where s.producer_id = pr.id
                       order by s.effective_from desc limit 1), 0) as share_bps
       from product p join producer pr on pr.id = p.producer_id
       join lateral (select id, lot_code from lot where product_id = coalesce(p.stock_source_id, p.id)
                      order by produced_on, created_at, id limit 1) l on true
      where p.status = 'active' and pr.status = 'verified'`,
  );
  return rows;
}

async function createProductTable(client, products) {
  await client.query(
    `create temp table fill_product as
       select * from jsonb_to_recordset($1::jsonb) as x(n int, product_id uuid, name_zh text, name_en text, unit text,
         price_fen bigint, producer_id uuid, producer_name text, lot_id uuid, lot_code text, share_bps int)`,
    [JSON.stringify(products)],
  );
}

/** Orders from+1..to written into orders' database and their holds into catalog's. */
async function fill({ orders, catalog, products, buyerIds, from, to }) {
  for (let start = from + 1; start <= to; start += CHUNK) {
    const end = Math.min(to, start + CHUNK - 1);
    const t0 = performance.now();
    await orders.query('begin');
    await orders.query(LINES_SQL, [start, end, products.length]);
    await orders.query('analyze fill_line');
    await orders.query(ORDERS_SQL, [buyerIds, HISTORY_BUYERS, LARGE]);
    await orders.query('analyze fill_order');
    for (const sql of [
      INSERT_ORDERS_SQL,
      INSERT_LINES_SQL,
      INSERT_OUTBOX_SQL,
      INSERT_PAYMENT_EVENTS_SQL,
      INSERT_REFUNDS_SQL,
    ]) {
      await orders.query(sql);
    }
    await orders.query('commit');
    await catalog.query(INSERT_HOLDS_SQL, [start, end, LARGE, products.length]);
    say(`history: orders ${fmt(start)}–${fmt(end)} written in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  }
  const t0 = performance.now();
  await Promise.all([orders.query('vacuum analyze'), catalog.query('vacuum analyze')]);
  say(`history: vacuum analyze of orders and catalog in ${fmt((performance.now() - t0) / 1000, 1)} s`);
}

/** The bench buyers' unpaid orders of earlier runs cancelled and their holds released (the sweeper's work). */
async function settle({ orders, catalog, buyerIds }) {
  const { rows } = await orders.query(
    `update customer_order set status = 'cancelled', cancelled_at = now(), updated_at = now()
      where buyer_id = any($1::uuid[]) and status = 'pending_payment' returning id`,
    [buyerIds],
  );
  await catalog.query(
    `update stock_hold set status = 'released', updated_at = now() where order_id = any($1::uuid[]) and status = 'held'`,
    [rows.map((r) => r.id)],
  );
  return rows.length;
}

async function explainCheckoutReads(orders, buyerId) {
  const plans = {
    'usage of the buyer (BuyerAllowanceRepository.usageOf, orders_place)': [
      `select a.max_unpaid_orders, a.max_held_units, u.orders, u.units
         from (select count(*) as orders, coalesce(sum(l.units), 0) as units
                 from customer_order o,
                      lateral (select sum(quantity) as units from order_line where order_id = o.id) l
                where o.buyer_id = $1 and o.status = 'pending_payment' and o.expires_at > now()) u
         left join buyer_allowance a on a.buyer_id = $1 and (a.expires_at is null or a.expires_at > now())`,
      [buyerId],
    ],
    'the key of the buyer (OrderRepository.findByIdempotencyKey)': [
      'select id from customer_order where buyer_id = $1 and idempotency_key = $2',
      [buyerId, 'no-such-key'],
    ],
  };
  for (const [name, [sql, values]] of Object.entries(plans)) {
    const { rows } = await orders.query(`explain (analyze, buffers, costs off) ${sql}`, values);
    console.log(`  EXPLAIN ANALYZE, ${name}:\n${rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n')}`);
  }
}

async function main() {
  startWatchdog();
  const { db, buyers, catalogDb, load } = await startCheckoutPlatform({
    script: SELF,
    concurrency: CONCURRENCY,
    buyerCount: BUYERS,
    pgPool: CONCURRENCY / 2,
  });
  const orders = new pg.Client({ connectionString: db.orders });
  await orders.connect();
  const catalog = new pg.Client({ connectionString: db.catalog });
  await catalog.connect();
  try {
    const products = await productTable(catalogDb);
    await createProductTable(orders, products);
    await createProductTable(catalog, products);
    const buyerIds = buyers.map((b) => b.id);
    const ctx = { orders, catalog, products, buyerIds };
    say(
      `history over ${fmt(HISTORY_BUYERS)} buyers (the ${buyers.length} bench buyers among them) and ${products.length} products`,
    );

    const results = [];
    let size = 0;
    for (const target of [SMALL, LARGE]) {
      await fill({ ...ctx, from: size, to: target });
      size = target;
      const cancelled = await settle(ctx);
      say(`${fmt(cancelled)} unpaid orders of the bench buyers cancelled before the run at ${fmt(size)}`);
      const result = await load('gateway', `checkout with ${fmt(size)} orders in the database`);
      const ok =
        result.failed === 0 &&
        result.ordersMade === result.checkouts &&
        result.unitsHeld === result.checkouts;
      results.push({ size, result, ok });
    }
    const [small, large] = results;
    const ratio = large.result.rps / small.result.rps;
    console.log(
      `\nPOST /api/v1/checkout (manual, 1 unit, ${CONCURRENCY} in flight over ${buyers.length} buyers) with orders already in the database`,
    );
    for (const { size, result, ok } of results) {
      console.log(
        `  ${fmt(size).padStart(9)} orders: ${fmt(result.rps, 1).padStart(7)} checkouts/s   p50 ${fmt(result.p50, 1)} ms   p99 ${fmt(result.p99, 1)} ms` +
          `   (${fmt(result.checkouts)} answered 201, ${result.failed} failed; orders and holds ${ok ? 'match' : 'DO NOT MATCH'})`,
      );
    }
    console.log(
      `  ratio ${fmt(LARGE)} ÷ ${fmt(SMALL)} = ${ratio.toFixed(2)}   (target ≥ ${TARGET}: ${ratio >= TARGET ? 'met' : 'NOT met'});` +
        ` p99 ${fmt(large.result.p99, 1)} vs ${fmt(small.result.p99, 1)} ms`,
    );
    await explainCheckoutReads(orders, buyerIds[1]);
    if (!results.every((r) => r.ok)) {
      throw new Error('errors or mismatched counts: the figure is not valid');
    }
  } finally {
    await Promise.all([orders.end(), catalog.end()]);
  }
}

if (process.argv[2] === '--client') {
  loadClient(process.argv.slice(3), undefined).catch((error) => {
    console.error(error.stack ?? error);
    process.exit(1);
  });
} else {
  run(main);
}
