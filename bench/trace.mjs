#!/usr/bin/env node
// `npm run bench:trace`: the ledger's order trace and village report at scale.
//
// The fill. A fresh ledger database, migrated by the ledger itself (started once, then stopped),
// is filled straight in SQL with BENCH_ORDERS (1,000,000) paid orders over 10,000 households in
// 100 villages of 10 towns, 50 producers and 200 products, over BENCH_MONTHS (12) months from
// January 2020 (so over that many monthly partitions of `posting`): per order one journal
// transaction (kind `sale`, key `order:<id>:paid`), one sale line (household share 8 %, its lot)
// and five postings: the clearing debit of the gross, the household share split over three
// households (by largest remainder: two equal parts, the rest to the third) and the producer's
// part. Ids are md5 of the order's number, so the load client can name any order. The rows go in
// through the journal's own triggers, none disabled: each batch of BENCH_FILL_BATCH (2,500) orders
// is one database transaction whose sale transactions are each checked balanced at its commit,
// and every posting moves its account's balance slot. Left out: the applied-event rows (a trace
// never reads them). The hash chain is not measured: one placeholder link at the last filled
// transaction makes the sequencer start after the fill instead of sealing a million transactions
// during the measurement (so `ledger:verify` would refuse this database; it is dropped at the end).
// Then `vacuum analyze`, and the ledger starts again on the filled database. The partitions of
// `posting` are made at write time by the journal's own trigger, month by month as the fill reaches
// them; the bench prints their count, rows and sizes (heap and each index, per posting), the
// figures the README's extrapolation to 10^9 postings starts from.
//
// Measured:
// 1. `TraceOrder` over gRPC (signed as the gateway for a relief officer, so the full view),
//    BENCH_CONCURRENCY (4) calls in flight on random orders for BENCH_SECONDS after
//    BENCH_WARMUP_SECONDS; each answer checked (one line, three households, net paid = gross).
//    Target: p99 ≤ 10 ms. Beside it, the trace's statement bare through `pg` (the text of the
//    build's AuditRepository), at the same concurrency.
// 2. `GetReliefIncome` by village over gRPC against its `GROUP BY` (the same text, from the build)
//    run bare through `pg`: one discarded run of each, then BENCH_REPORT_RUNS (3) alternating,
//    medians compared. Target: ≤ 1.5×. The answers must match row for row.
// 3. What a per-account-month summary would make of that report (not kept by the ledger today):
//    the summary built once from the postings (its build time printed), then the same report as a
//    `GROUP BY` over it, its rows checked equal to the bare report's; and the report of one month
//    (`from`/`to`), which reads one partition.
//
// Env: BENCH_ORDERS, BENCH_MONTHS, BENCH_FILL_BATCH, BENCH_FILL_JOBS, BENCH_FILL_SECONDS, BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3),
// BENCH_CONCURRENCY (4), BENCH_REPORT_RUNS (3), BENCH_DATABASE_URL, BENCH_SKIP_BUILD=true,
// BENCH_TIMEOUT_SECONDS (900), BENCH_LEDGER_NODE_ARGS (node flags of the ledger).
import crypto from 'node:crypto';
import pg from 'pg';
import { killPid } from '../tools/runtime/lib/processes.mjs';
import { auditStatements } from './lib/from-build.mjs';
import { signedMetadata, serviceClient } from './lib/grpc.mjs';
import {
  fmt,
  freePort,
  freshDatabases,
  launchContext,
  prepareBuild,
  run,
  say,
  SECONDS,
  servicePorts,
  startService,
  startWatchdog,
  waitReady,
  WARMUP,
} from './lib/harness.mjs';

process.env.BENCH_TIMEOUT_SECONDS ??= '900';
const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const BATCH = Number(process.env.BENCH_FILL_BATCH ?? 5_000);
const JOBS = Number(process.env.BENCH_FILL_JOBS ?? 1);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const REPORT_RUNS = Number(process.env.BENCH_REPORT_RUNS ?? 3);
const MONTHS = Number(process.env.BENCH_MONTHS ?? 12);
// A fill stops starting batches after BENCH_FILL_SECONDS (none by default): the orders filled are
// then the first `filledOrders`, and only those are traced.
const FILL_SECONDS = Number(process.env.BENCH_FILL_SECONDS ?? Infinity);
let filledOrders = ORDERS;
const HOUSEHOLDS = 10_000;
const P99_TARGET_MS = 10;
const REPORT_TARGET = 1.5;

/**
 * A version-4-shaped UUID from md5(text) (the services check ids are RFC 4122 UUIDs), as the
 * fill's `pg_temp.u(text)` makes it.
 */
const md5uuid = (text) => {
  const h = crypto.createHash('md5').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

// The same in SQL, for the fill's session.
const UUID_FUNCTION = `create function pg_temp.u(t text) returns uuid language sql immutable as
  $$ select (substr(md5(t), 1, 12) || '4' || substr(md5(t), 14, 3) || '8' || substr(md5(t), 18, 15))::uuid $$;`;

// The accounts: households (100 to a village, 10 villages to a town), producers, manual clearing.
const ACCOUNTS_SQL = `
insert into account (code, type, owner_kind, owner_id, currency, village_id, town_id, non_negative)
select 'household:' || h || ':benefit', 'liability', 'household', h::text, 'CNY', v, t, true
  from generate_series(0, ${HOUSEHOLDS - 1}) i,
       lateral (select pg_temp.u('household:' || i) as h, pg_temp.u('village:' || (i / 100)) as v,
                       pg_temp.u('town:' || (i / 1000)) as t) ids;
insert into account (code, type, owner_kind, owner_id, currency, non_negative)
select 'producer:' || pg_temp.u('producer:' || i) || ':payable', 'liability', 'producer', pg_temp.u('producer:' || i)::text, 'CNY', true
  from generate_series(0, 49) i;
insert into account (code, type, owner_kind, owner_id, currency, non_negative)
values ('clearing:manual', 'asset', 'payment_clearing', 'manual', 'CNY', true);`;

// Each filling session's maps from household and producer numbers to account ids.
const ACCOUNT_MAPS_SQL = `
create temp table bench_household as
  select i, a.id from generate_series(0, ${HOUSEHOLDS - 1}) i join account a on a.code = 'household:' || pg_temp.u('household:' || i) || ':benefit';
create unique index on bench_household (i);
create temp table bench_producer as
  select i, a.id from generate_series(0, 49) i join account a on a.code = 'producer:' || pg_temp.u('producer:' || i) || ':payable';
create unique index on bench_producer (i);`;

// Orders first..last as one database transaction. Order n: product n % 200 of producer
// (n % 200) / 4, 1–5 units, households n, n + 3331, n + 6662 (mod 10,000), paid in 2020.
const batchSql = (first, last, job) => `
begin;
create temp table if not exists bench_order (n int, o uuid, tx uuid, line uuid, slot smallint, q int, gross bigint,
  hh bigint, paid timestamptz);
truncate bench_order;
insert into bench_order
select n, o, pg_temp.u('tx:' || n), pg_temp.u('line:' || n),
       position(substr(o::text, 8, 1) in '0123456789abcdef') - 1, q, q * (2000 + (n % 200) * 37),
       q * (2000 + (n % 200) * 37) * 800 / 10000,
       timestamptz '2020-01-01 00:00+08' + (n::bigint * ${Math.round((31536000 * MONTHS) / 12)} / ${ORDERS}) * interval '1 second'
  from generate_series(${first}, ${last}) n,
       lateral (select pg_temp.u('order:' || n) as o, 1 + n % 5 as q) x
 where (position(substr(o::text, 8, 1) in '0123456789abcdef') - 1) % ${JOBS} = ${job};
insert into journal_transaction (id, idempotency_key, kind, occurred_at, source_event_id, order_id, memo)
select tx, 'order:' || o || ':paid', 'sale', paid, pg_temp.u('event:' || n), o, 'sale of order ' || o
  from bench_order;
insert into sale_line (line_id, order_id, buyer_id, product_id, producer_id, quantity, gross_fen, currency,
                       household_share_bps, household_basis, lots, paid_at)
select line, o, pg_temp.u('buyer:' || (n % 50000)), pg_temp.u('product:' || (n % 200)),
       pg_temp.u('producer:' || (n % 200 / 4)), q, gross, 'CNY', 800, 'lots',
       jsonb_build_array(jsonb_build_object('lotId', pg_temp.u('lot:' || (n % 200)), 'lotCode', 'LOT-' || (n % 200), 'quantity', q)),
       paid
  from bench_order;
insert into posting (transaction_id, account_id, side, fen, role, slot, line_id, product_id, producer_id, lot_id, month)
select b.tx, p.account_id, p.side, p.fen, p.role, b.slot, p.line, p.product, p.producer, p.lot, ledger_month(b.paid)
  from bench_order b
  cross join lateral (select pg_temp.u('product:' || (b.n % 200)) as product, pg_temp.u('producer:' || (b.n % 200 / 4)) as producer,
                             pg_temp.u('lot:' || (b.n % 200)) as lot) d
  cross join lateral (values
    ((select id from account where code = 'clearing:manual'), 'debit', b.gross, 'clearing', null::uuid, null::uuid, null::uuid, null::uuid),
    ((select id from bench_household where i = b.n % ${HOUSEHOLDS}), 'credit', b.hh / 3, 'household', b.line, d.product, d.producer, d.lot),
    ((select id from bench_household where i = (b.n + 3331) % ${HOUSEHOLDS}), 'credit', b.hh / 3, 'household', b.line, d.product, d.producer, d.lot),
    ((select id from bench_household where i = (b.n + 6662) % ${HOUSEHOLDS}), 'credit', b.hh - 2 * (b.hh / 3), 'household', b.line, d.product, d.producer, d.lot),
    ((select id from bench_producer where i = b.n % 200 / 4), 'credit', b.gross - b.hh, 'producer', b.line, d.product, d.producer, null::uuid)
  ) as p(account_id, side, fen, role, line, product, producer, lot);
commit;`;

async function fill(url) {
  const connect = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(UUID_FUNCTION);
    return client;
  };
  const sql = await connect();
  try {
    const started = Date.now();
    await sql.query(ACCOUNTS_SQL);
    // The fill's months made ahead, as the ledger's PostingMonthsJob makes the coming ones: two
    // fillers making the same month at write time would deadlock (one would be aborted).
    await sql.query(`select ledger_ensure_posting_month((date '2020-01-01' + k * interval '1 month')::date)
                       from generate_series(0, ${MONTHS}) k`);
    let done = 0;
    let shown = Date.now();
    // Each job writes the orders of its own balance slots (slot % JOBS), so no two jobs ever wait
    // on the same balance row.
    const stopAt = started + FILL_SECONDS * 1000;
    const reached = Array.from({ length: JOBS }, () => 0);
    const job = async (j) => {
      const client = await connect();
      try {
        await client.query(ACCOUNT_MAPS_SQL);
        for (let first = 0, batch = 0; first < ORDERS && Date.now() < stopAt; first += BATCH, batch++) {
          // Fresh statistics as the tables grow (autovacuum would, later), so that the checks the
          // triggers run at each commit look rows up by index rather than scan what is there.
          if (j === 0 && (batch === 0 || batch === 1 || batch % 40 === 0)) {
            await client.query('analyze account, account_balance, journal_transaction, posting, sale_line');
          }
          await client.query(batchSql(first, Math.min(ORDERS, first + BATCH) - 1, j));
          done += Math.min(ORDERS, first + BATCH) - first;
          reached[j] = Math.min(ORDERS, first + BATCH);
          if (Date.now() - shown > 15_000) {
            shown = Date.now();
            say(`  ${fmt(done / JOBS)} orders in ${fmt((Date.now() - started) / 1000, 1)} s`);
          }
        }
      } finally {
        await client.end();
      }
    };
    await Promise.all(Array.from({ length: JOBS }, (_, j) => job(j)));
    filledOrders = Math.min(...reached);
    // The sequencer seals after the last link: one placeholder at the last filled transaction.
    await sql.query(`insert into chain_link (seq, transaction_id, prev_hash, hash)
      select 1, id, repeat('0', 64), encode(sha256(convert_to(id::text, 'UTF8')), 'hex')
        from journal_transaction order by txid desc, id desc limit 1`);
    const filled = (Date.now() - started) / 1000;
    const vacuumStarted = Date.now();
    await sql.query('vacuum analyze');
    const counts = (
      await sql.query(`select (select count(*) from journal_transaction)::int as transactions,
                              (select count(*) from posting)::int as postings,
                              (select count(*) from account where owner_kind = 'household')::int as households,
                              pg_size_pretty(pg_database_size(current_database())) as size`)
    ).rows[0];
    return { filled, vacuumed: (Date.now() - vacuumStarted) / 1000, ...counts, ...(await partitionsOf(sql)) };
  } finally {
    await sql.end();
  }
}

/** The partitions of `posting`: how many, their rows, and bytes of heap and of each index. */
async function partitionsOf(sql) {
  const parts = (
    await sql.query(`select c.relname as name, c.reltuples::bigint as rows, pg_relation_size(c.oid)::bigint as heap
                       from pg_inherits i join pg_class c on c.oid = i.inhrelid
                      where i.inhparent = 'posting'::regclass order by 1`)
  ).rows.map((r) => ({ name: r.name, rows: Number(r.rows), heap: Number(r.heap) }));
  const indexes = (
    await sql.query(`select parent.relname as name, sum(pg_relation_size(i.inhrelid))::bigint as bytes
                       from pg_inherits i join pg_class parent on parent.oid = i.inhparent
                      where parent.relname like 'posting\\_%' and parent.relkind = 'I'
                      group by 1 order by 1`)
  ).rows.map((r) => ({ name: r.name, bytes: Number(r.bytes) }));
  return { partitions: parts, indexes };
}

const unary = (client, method, request, metadata) =>
  new Promise((resolve, reject) =>
    client[method](request, metadata, { deadline: Date.now() + 120_000 }, (error, reply) =>
      error ? reject(error) : resolve(reply),
    ),
  );

const percentile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** `CONCURRENCY` workers calling `once(n)` on random orders for `seconds`: calls/s, p50, p99. */
async function load(seconds, once) {
  const latencies = [];
  const deadline = Date.now() + seconds * 1000;
  const worker = async () => {
    while (Date.now() < deadline) {
      const n = crypto.randomInt(filledOrders);
      const t0 = process.hrtime.bigint();
      await once(n);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  latencies.sort((a, b) => a - b);
  return {
    calls: latencies.length,
    rps: latencies.length / ((Date.now() - started) / 1000),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

run(async () => {
  const { work, dist } = await prepareBuild();
  startWatchdog();
  const statement = auditStatements(dist);
  const databases = await freshDatabases(['ledger']);
  const ports = await servicePorts();
  ports.orders = await freePort(); // nothing listens: the ledger's catch-up finds no orders
  const ctx = launchContext({ databases, ports });
  const ledgerOptions = {
    nodeArgs: (process.env.BENCH_LEDGER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    overrides: { CATCH_UP_INTERVAL_MS: '3600000' },
  };

  say('migrating the ledger database (the ledger started once, then stopped)');
  const migrator = startService(work, 'ledger', ctx, ledgerOptions);
  await waitReady(ports, { ledger: migrator });
  await killPid(migrator.pid, { graceMs: 5000, group: true });

  say(`filling ${fmt(ORDERS)} orders over ${fmt(HOUSEHOLDS)} households, ${fmt(BATCH)} a transaction`);
  const filled = await fill(databases.ledger);
  say(
    `filled in ${fmt(filled.filled, 1)} s (vacuum analyze ${fmt(filled.vacuumed, 1)} s): ${fmt(filled.transactions)} transactions, ` +
      `${fmt(filled.postings)} postings, ${fmt(filled.households)} households, ${filled.size}`,
  );

  const ledger = startService(work, 'ledger', ctx, ledgerOptions);
  await waitReady(ports, { ledger });
  const client = serviceClient('ledger', 'LedgerService', `127.0.0.1:${ports.ledger}`);
  const officer = { userId: crypto.randomUUID(), role: 'relief_officer', producerIds: [] };
  const signed = (method) =>
    signedMetadata({
      key: ctx.secrets.SERVICE_KEYS.gateway.privateKey,
      from: 'gateway',
      name: 'ledger',
      serviceName: 'LedgerService',
      method,
      caller: officer,
    });
  const traceMetadata = signed('TraceOrder');
  const problems = [];

  const trace = async (n) => {
    const orderId = md5uuid(`order:${n}`);
    const reply = await unary(client, 'traceOrder', { orderId }, traceMetadata());
    const line = reply.lines?.[0];
    const gross = (1 + (n % 5)) * (2000 + (n % 200) * 37);
    if (reply.lines?.length !== 1 || line.households?.length !== 3 || Number(reply.netPaid?.fen) !== gross) {
      if (problems.length < 5) {
        problems.push(`order ${n} traced wrong: ${JSON.stringify(reply).slice(0, 300)}`);
      }
    }
  };
  const sql = new pg.Pool({ connectionString: databases.ledger, max: CONCURRENCY });
  const bareTrace = async (n) => {
    const orderId = md5uuid(`order:${n}`);
    await sql.query(await statement((audit, em) => audit.traceOfOrder(em, orderId)));
  };

  say(`trace: warm-up ${WARMUP} s, then ${SECONDS} s, ${CONCURRENCY} in flight, random orders`);
  await load(WARMUP, trace);
  const traced = await load(SECONDS, trace);
  await load(WARMUP, bareTrace);
  const bare = await load(SECONDS, bareTrace);

  // Where one bare trace spends its time: planning (one plan over every partition) or executing.
  const explained = [];
  for (let i = 0; i < 5; i++) {
    const { text, values } = await statement((audit, em) =>
      audit.traceOfOrder(em, md5uuid(`order:${crypto.randomInt(filledOrders)}`)),
    );
    const [plan] = (await sql.query(`explain (analyze, summary, format json) ${text}`, values)).rows[0][
      'QUERY PLAN'
    ];
    explained.push({ planning: plan['Planning Time'], execution: plan['Execution Time'] });
    if (i === 0 && process.env.BENCH_EXPLAIN === 'true') {
      console.log(
        (await sql.query(`explain (analyze, costs off) ${text}`, values)).rows
          .map((r) => r['QUERY PLAN'])
          .join('\n'),
      );
    }
  }
  const planning = median(explained.map((e) => e.planning));
  const execution = median(explained.map((e) => e.execution));

  say(`village report: one discarded run of each, then ${REPORT_RUNS} alternating`);
  const reportMetadata = signed('GetReliefIncome');
  const reportSql = await statement((audit, em) => audit.reliefIncome(em, 'village', {}));
  const viaLedger = async () => {
    const t0 = process.hrtime.bigint();
    const reply = await unary(
      client,
      'getReliefIncome',
      { groupBy: 'RELIEF_INCOME_GROUPING_VILLAGE' },
      reportMetadata(),
    );
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, rows: reply.rows };
  };
  const viaSql = async () => {
    const t0 = process.hrtime.bigint();
    const { rows } = await sql.query(reportSql);
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, rows };
  };
  const first = await viaLedger();
  const firstBare = await viaSql();
  const reportTimes = [];
  const bareTimes = [];
  for (let i = 0; i < REPORT_RUNS; i++) {
    reportTimes.push((await viaLedger()).ms);
    bareTimes.push((await viaSql()).ms);
  }
  const sameRows =
    first.rows.length === firstBare.rows.length &&
    first.rows.every(
      (r, i) =>
        r.key === firstBare.rows[i].key &&
        Number(r.householdAmount.fen) === Number(firstBare.rows[i].household_fen) &&
        r.households === Number(firstBare.rows[i].households),
    );
  if (!sameRows || first.rows.length < 100) {
    problems.push(
      `the report's ${first.rows.length} rows do not match the bare GROUP BY's ${firstBare.rows.length}`,
    );
  }
  // A per-account-month summary, built once here, and the same report read from it.
  say('village report from a per-account-month summary (built here once), and of one month');
  const summaryStarted = Date.now();
  await sql.query(`create table bench_account_month as
    select p.account_id, p.month, sum(case when p.side = 'credit' then p.fen else -p.fen end)::bigint as fen
      from posting p join journal_transaction t on t.id = p.transaction_id
     where t.kind <> 'payout' group by 1, 2`);
  await sql.query('analyze bench_account_month');
  const summaryBuilt = (Date.now() - summaryStarted) / 1000;
  const summaryRows = Number((await sql.query('select count(*) from bench_account_month')).rows[0].count);
  const summarySql = `select coalesce(a.village_id::text, '') as key,
            count(distinct case when a.owner_kind = 'household' then a.owner_id end) as households,
            coalesce(sum(case when a.owner_kind in ('household', 'household_recoverable') then s.fen end), 0) as household_fen,
            coalesce(sum(case when a.owner_kind in ('village_collective', 'village_recoverable') then s.fen end), 0) as collective_fen
       from bench_account_month s join account a on a.id = s.account_id
      where a.owner_kind in ('household', 'household_recoverable', 'village_collective', 'village_recoverable')
      group by 1 order by 1`;
  const viaSummary = async () => {
    const t0 = process.hrtime.bigint();
    const { rows } = await sql.query(summarySql);
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, rows };
  };
  const firstSummary = await viaSummary();
  const summaryTimes = [];
  for (let i = 0; i < REPORT_RUNS; i++) {
    summaryTimes.push((await viaSummary()).ms);
  }
  const summaryMatches =
    firstSummary.rows.length === firstBare.rows.length &&
    firstSummary.rows.every(
      (r, i) =>
        r.key === firstBare.rows[i].key &&
        Number(r.household_fen) === Number(firstBare.rows[i].household_fen) &&
        Number(r.households) === Number(firstBare.rows[i].households),
    );
  if (!summaryMatches) {
    problems.push('the report from the summary does not match the bare GROUP BY');
  }
  // One month of the report: `from`/`to` on the transaction's time, which the ledger turns into
  // the partition's bounds as well.
  const monthSql = await statement((audit, em) =>
    audit.reliefIncome(em, 'village', {
      from: new Date('2020-06-01T00:00:00+08:00'),
      to: new Date('2020-07-01T00:00:00+08:00'),
    }),
  );
  await sql.query(monthSql);
  const monthTimes = [];
  for (let i = 0; i < REPORT_RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await sql.query(monthSql);
    monthTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await sql.end();
  client.close();

  const reportMs = median(reportTimes);
  const bareMs = median(bareTimes);
  const reportRatio = reportMs / bareMs;
  console.log(
    `\nThe ledger at ${fmt(filledOrders)} orders${filledOrders < ORDERS ? ` (of ${fmt(ORDERS)}: the fill stopped at BENCH_FILL_SECONDS)` : ''}, ${fmt(HOUSEHOLDS)} households (${fmt(filled.postings)} postings, ${filled.size})`,
  );
  console.log(
    `  fill              ${fmt(filled.filled, 1)} s, then vacuum analyze ${fmt(filled.vacuumed, 1)} s`,
  );
  console.log(
    `  TraceOrder        ${fmt(traced.rps, 1).padStart(8)} calls/s   p50 ${fmt(traced.p50, 2)} ms   p99 ${fmt(traced.p99, 2)} ms   (${CONCURRENCY} in flight, ${traced.calls} calls)`,
  );
  console.log(
    `  bare statement    ${fmt(bare.rps, 1).padStart(8)} calls/s   p50 ${fmt(bare.p50, 2)} ms   p99 ${fmt(bare.p99, 2)} ms   (p99 ratio ${(traced.p99 / bare.p99).toFixed(2)}×)`,
  );
  console.log(
    `  one bare trace    planning ${fmt(planning, 2)} ms, execution ${fmt(execution, 2)} ms   (EXPLAIN ANALYZE, medians of 5)`,
  );
  console.log(
    `  trace p99 ${fmt(traced.p99, 2)} ms   (target ≤ ${P99_TARGET_MS} ms: ${traced.p99 <= P99_TARGET_MS ? 'met' : 'NOT met'})`,
  );
  console.log(
    `  village report    ledger ${fmt(reportMs, 0)} ms   bare GROUP BY ${fmt(bareMs, 0)} ms   (medians of ${REPORT_RUNS}; ${first.rows.length} villages)`,
  );
  console.log(
    `  ratio report ÷ bare = ${reportRatio.toFixed(2)}×   (target ≤ ${REPORT_TARGET}×: ${reportRatio <= REPORT_TARGET ? 'met' : 'NOT met'})`,
  );
  console.log(
    `  from a summary    ${fmt(median(summaryTimes), 1)} ms   (${fmt(summaryRows)} account-month rows, built once in ${fmt(summaryBuilt, 1)} s; ratio ÷ bare ${(median(summaryTimes) / bareMs).toFixed(4)}×)`,
  );
  console.log(`  one month (June 2020, one partition) bare ${fmt(median(monthTimes), 0)} ms`);
  const heap = filled.partitions.reduce((sum, p) => sum + p.heap, 0);
  const rows = filled.partitions.map((p) => p.rows);
  const perPosting = (bytes) => (bytes / filled.postings).toFixed(1);
  console.log(
    `  partitions        ${filled.partitions.length} of posting, ${fmt(Math.min(...rows))}–${fmt(Math.max(...rows))} rows each; heap ${fmt(heap / 2 ** 20)} MiB (${perPosting(heap)} B a posting)`,
  );
  for (const index of filled.indexes) {
    console.log(
      `  index ${index.name.padEnd(20)} ${fmt(index.bytes / 2 ** 20).padStart(6)} MiB (${perPosting(index.bytes)} B a posting)`,
    );
  }
  if (problems.length > 0) {
    throw new Error(`the run is invalid: ${problems.join('; ')}`);
  }
});
