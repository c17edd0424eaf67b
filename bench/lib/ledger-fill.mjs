// The fill of `npm run bench:trace`: a migrated, empty ledger database filled straight in SQL with
// `orders` paid orders over 10,000 households in 100 villages of 10 towns, 50 producers and 200
// products, over `months` months from January 2020 (so over that many monthly partitions of
// `posting`): per order one journal transaction (kind `sale`, key `order:<id>:paid`), one sale line
// (household share 8 %, its lot) and five postings: the clearing debit of the gross, the household
// share split over three households (by largest remainder: two equal parts, the rest to the third)
// and the producer's part.
//
// Ids are time-ordered, as a UUIDv7 is: the first 48 bits are the order's number, the rest from
// md5, shaped as version 4 (the services check RFC 4122 UUIDs), so that the load client can name
// any order and each index of the fill grows at its right edge instead of being written at random
// across a gigabyte. A trace still reads a random order, so a random leaf of each index; the
// indexes are denser than under random ids (about 90 % full pages rather than 70 %).
//
// What the fill bypasses, and how the journal's guarantees are still checked for its data. The
// rows go in with the session's triggers off (`session_replication_role = replica`, a superuser's
// setting): no per-row foreign-key look-ups, no balance check per transaction at commit, no
// balance update per statement. CHECK and NOT NULL constraints and unique indexes still hold.
// After the last batch, the balance rows are written once from the postings (what the posting
// trigger would have summed, statement by statement), and set-based checks stand for the
// triggers over the whole fill: every posting's account and transaction exist, every transaction
// has two postings or more and balances per currency, every posting is in its transaction's month,
// every account that must not go negative does not (the balance rows' CHECK). The hash chain is not
// computed: one placeholder link at the last transaction makes the sequencer start after the fill
// (so `ledger:verify` would refuse this database), and the per-account-month summary of the
// sealed transactions is written once from the postings, as the sequencer would have. A read
// benchmark reads the same rows either way; the write path is `npm run bench:ledger`'s, not this.
import crypto from 'node:crypto';
import pg from 'pg';
import { fmt, say } from './harness.mjs';

export const HOUSEHOLDS = 10_000;

/** A time-ordered, version-4-shaped UUID for `tag` and the order number `n` (as `t()` makes it in SQL). */
export const orderUuid = (tag, n) => {
  const h = crypto.createHash('md5').update(`${tag}:${n}`).digest('hex');
  const prefix = n.toString(16).padStart(12, '0');
  return `${prefix.slice(0, 8)}-${prefix.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

// pg_temp.u(text): a UUID from md5(text), for the few households, producers and products.
const FUNCTIONS_SQL = `
create function pg_temp.u(t text) returns uuid language sql immutable as
  $$ select (substr(md5(t), 1, 12) || '4' || substr(md5(t), 14, 3) || '8' || substr(md5(t), 18, 15))::uuid $$;`;

/** `orderUuid` as an SQL expression of the text `tag` and the bigint expression `n` (inline: fast). */
const t = (tag, n) => `(lpad(to_hex(${n}), 12, '0') || '4' || substr(md5('${tag}:' || ${n}), 14, 3) || '8'
  || substr(md5('${tag}:' || ${n}), 18, 15))::uuid`;
const u = (text) =>
  `(substr(md5(${text}), 1, 12) || '4' || substr(md5(${text}), 14, 3) || '8' || substr(md5(${text}), 18, 15))::uuid`;

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

// Each filling session's maps: household number → account, product number → its ids and account.
const MAPS_SQL = `
create temp table bench_household as
  select i, a.id from generate_series(0, ${HOUSEHOLDS - 1}) i join account a on a.code = 'household:' || pg_temp.u('household:' || i) || ':benefit';
create unique index on bench_household (i);
create temp table bench_product as
  select i, pg_temp.u('product:' || i) as product, pg_temp.u('producer:' || (i / 4)) as producer,
         pg_temp.u('lot:' || i) as lot, 'LOT-' || i as lot_code, a.id as producer_account
    from generate_series(0, 199) i join account a on a.code = 'producer:' || pg_temp.u('producer:' || (i / 4)) || ':payable';
create unique index on bench_product (i);
create temp table bench_order (n int, o uuid, tx uuid, line uuid, slot smallint, q int, gross bigint, hh bigint,
                               paid timestamptz, month date, p int);`;

// Orders first..last as one database transaction. Order n: product n % 200 of producer
// (n % 200) / 4, 1–5 units, households n, n + 3331, n + 6662 (mod 10,000), paid in 2020.
const batchSql = ({ first, last, orders, months }) => `
begin;
truncate bench_order;
insert into bench_order
select n, o, ${t('tx', 'n')}, ${t('line', 'n')}, ('x' || substr(o::text, 8, 1))::bit(4)::int, q,
       q * (2000 + (n % 200) * 37), q * (2000 + (n % 200) * 37) * 800 / 10000, paid, ledger_month(paid), n % 200
  from generate_series(${first}, ${last}) n,
       lateral (select ${t('order', 'n')} as o, 1 + n % 5 as q,
                       timestamptz '2020-01-01 00:00+08' + (n::bigint * ${Math.round((31536000 * months) / 12)} / ${orders}) * interval '1 second' as paid) x;
insert into journal_transaction (id, idempotency_key, kind, occurred_at, source_event_id, order_id, memo)
select tx, 'order:' || o || ':paid', 'sale', paid, ${t('event', 'n')}, o, 'sale of order ' || o
  from bench_order order by tx;
insert into sale_line (line_id, order_id, buyer_id, product_id, producer_id, quantity, gross_fen, currency,
                       household_share_bps, household_basis, lots, paid_at)
select line, o, ${u("'buyer:' || (n % 50000)")}, d.product, d.producer, q, gross, 'CNY', 800, 'lots',
       jsonb_build_array(jsonb_build_object('lotId', d.lot, 'lotCode', d.lot_code, 'quantity', q)), paid
  from bench_order b join bench_product d on d.i = b.p order by line;
insert into posting (transaction_id, account_id, side, fen, role, slot, line_id, product_id, producer_id, lot_id, month)
select b.tx, x.account_id, x.side, x.fen, x.role, b.slot, x.line, x.product, x.producer, x.lot, b.month
  from bench_order b
  join bench_product d on d.i = b.p
  join bench_household h1 on h1.i = b.n % ${HOUSEHOLDS}
  join bench_household h2 on h2.i = (b.n + 3331) % ${HOUSEHOLDS}
  join bench_household h3 on h3.i = (b.n + 6662) % ${HOUSEHOLDS}
  cross join lateral (values
    ($1::bigint, 'debit', b.gross, 'clearing', null::uuid, null::uuid, null::uuid, null::uuid),
    (h1.id, 'credit', b.hh / 3, 'household', b.line, d.product, d.producer, d.lot),
    (h2.id, 'credit', b.hh / 3, 'household', b.line, d.product, d.producer, d.lot),
    (h3.id, 'credit', b.hh - 2 * (b.hh / 3), 'household', b.line, d.product, d.producer, d.lot),
    (d.producer_account, 'credit', b.gross - b.hh, 'producer', b.line, d.product, d.producer, null::uuid)
  ) as x(account_id, side, fen, role, line, product, producer, lot)
 order by b.n;
commit;`;

// The balance rows, once, from every posting: what the posting trigger sums statement by statement.
const BALANCES_SQL = `
insert into account_balance (account_id, slot, normal_debit, non_negative, debit_fen, credit_fen, balance_fen)
select s.account_id, s.slot, a.type in ('asset', 'expense'), a.non_negative, s.debit, s.credit,
       case when a.type in ('asset', 'expense') then s.debit - s.credit else s.credit - s.debit end
  from (select account_id, slot, sum(case when side = 'debit' then fen else 0 end) as debit,
               sum(case when side = 'credit' then fen else 0 end) as credit
          from posting group by account_id, slot) s
  join account a on a.id = s.account_id`;

// The journal's triggers' rules, checked over the whole fill at once: every count must be zero.
const CHECK_SQL = `
with s as materialized (
  select p.transaction_id, a.currency, count(*) as n,
         sum(case when p.side = 'debit' then p.fen else -p.fen end) as diff,
         bool_and(p.month = ledger_month(t.occurred_at)) as in_month
    from posting p join account a on a.id = p.account_id join journal_transaction t on t.id = p.transaction_id
   group by 1, 2)
select (select count(*) from posting) - (select coalesce(sum(n), 0) from s) as "postings without their account or transaction",
       (select count(*) from journal_transaction t where not exists (select 1 from s where s.transaction_id = t.id))
         + (select count(*) from (select transaction_id from s group by 1 having sum(n) < 2) x) as "transactions of fewer than two postings",
       (select count(*) from s where diff <> 0) as "transactions unbalanced in a currency",
       (select count(*) from s where not in_month) as "transactions with a posting outside their month"`;

// The sequencer seals after the last link: one placeholder at the last filled transaction, so that
// it starts after the fill instead of sealing a million transactions during the measurement (so
// `ledger:verify` would refuse this database; it is dropped at the end).
const PLACEHOLDER_LINK_SQL = `insert into chain_link (seq, transaction_id, prev_hash, hash)
  select 1, id, repeat('0', 64), encode(sha256(convert_to(id::text, 'UTF8')), 'hex')
    from journal_transaction order by txid desc, id desc limit 1`;

// The per-account-month summary of the sealed transactions, as the sequencer keeps it: here every
// filled transaction, sealed up to the placeholder link (the migration's statement).
const SUMMARY_SQL = `
insert into account_month (account_id, month, kind, debit_fen, credit_fen, postings)
select p.account_id, p.month, t.kind, sum(case when p.side = 'debit' then p.fen else 0 end),
       sum(case when p.side = 'credit' then p.fen else 0 end), count(*)
  from journal_transaction t join posting p on p.transaction_id = t.id and p.month = ledger_month(t.occurred_at)
 group by 1, 2, 3`;

/**
 * Fills the database at `url`; `jobs` sessions take alternate batches. Stops starting batches
 * after `seconds`. Answers { filled (s), checked (s), summarised (s), orders (the first orders filled, all jobs),
 * transactions, postings, households, size }.
 */
export async function fillLedger(url, { orders, months, batch, jobs, seconds }) {
  const connect = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(FUNCTIONS_SQL);
    await client.query('set session_replication_role = replica');
    await client.query('set synchronous_commit = off');
    return client;
  };
  const sql = await connect();
  try {
    const started = Date.now();
    await sql.query(ACCOUNTS_SQL);
    await sql.query(`select ledger_ensure_posting_month((date '2020-01-01' + k * interval '1 month')::date)
                       from generate_series(0, ${months}) k`);
    const clearing = (await sql.query(`select id from account where code = 'clearing:manual'`)).rows[0].id;
    const stopAt = started + seconds * 1000;
    const batches = Math.ceil(orders / batch);
    const filledBatches = new Set();
    let shown = Date.now();
    const spent = new Map();
    const job = async (j) => {
      const client = await connect();
      try {
        await client.query(MAPS_SQL);
        for (let k = j; k < batches && Date.now() < stopAt; k += jobs) {
          const first = k * batch;
          const text = batchSql({ first, last: Math.min(orders, first + batch) - 1, orders, months });
          for (const statement of text.split(';\n').filter((s) => s.trim())) {
            const t0 = Date.now();
            await client.query(statement, statement.includes('$1') ? [clearing] : []);
            const what = statement.trim().split(/\s+/).slice(0, 3).join(' ');
            spent.set(what, (spent.get(what) ?? 0) + Date.now() - t0);
          }
          filledBatches.add(k);
          if (Date.now() - shown > 15_000) {
            shown = Date.now();
            say(`  ${fmt(filledBatches.size * batch)} orders in ${fmt((Date.now() - started) / 1000, 1)} s`);
          }
        }
      } finally {
        await client.end();
      }
    };
    await Promise.all(Array.from({ length: jobs }, (_, j) => job(j)));
    say(
      `  time per statement: ${[...spent].map(([what, ms]) => `${what} ${fmt(ms / 1000, 1)} s`).join(', ')}`,
    );
    let contiguous = 0;
    while (filledBatches.has(contiguous)) contiguous += 1;
    await sql.query(BALANCES_SQL);
    const filled = (Date.now() - started) / 1000;
    const checkStarted = Date.now();
    await sql.query(`set work_mem = '256MB'`);
    const broken = Object.entries((await sql.query(CHECK_SQL)).rows[0]).filter(([, n]) => Number(n) !== 0);
    if (broken.length > 0) {
      throw new Error(
        `the fill broke the journal's rules: ${broken.map(([what, n]) => `${n} ${what}`).join('; ')}`,
      );
    }
    await sql.query(PLACEHOLDER_LINK_SQL);
    const summaryStarted = Date.now();
    // (A build from before the summary has no table to fill.)
    if ((await sql.query(`select to_regclass('account_month') as t`)).rows[0].t) {
      await sql.query(SUMMARY_SQL);
    }
    const summarised = (Date.now() - summaryStarted) / 1000;
    const checked = (Date.now() - checkStarted) / 1000;
    const counts = (
      await sql.query(`select (select count(*) from journal_transaction)::int as transactions,
                              (select count(*) from posting)::int as postings,
                              (select count(*) from account where owner_kind = 'household')::int as households,
                              pg_size_pretty(pg_database_size(current_database())) as size`)
    ).rows[0];
    return { filled, checked, summarised, orders: Math.min(orders, contiguous * batch), ...counts };
  } finally {
    await sql.end();
  }
}

/** The partitions of `posting`: how many, their rows, and bytes of heap and of each index. */
export async function partitionsOf(sql) {
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
  // The fullest partition, index by index: what one month weighs (the extrapolation's unit).
  const fullest = [...parts].sort((a, b) => b.rows - a.rows)[0];
  const fullestIndexes = fullest
    ? (
        await sql.query(
          `select c.relname as name, pg_relation_size(c.oid)::bigint as bytes
             from pg_index x join pg_class c on c.oid = x.indexrelid
            where x.indrelid = $1::regclass order by 1`,
          [fullest.name],
        )
      ).rows.map((r) => ({ name: r.name, bytes: Number(r.bytes) }))
    : [];
  return { partitions: parts, indexes, fullest: fullest && { ...fullest, indexes: fullestIndexes } };
}

/** Prints what `partitionsOf` found for `filled` (the fill's figures, with its postings). */
export function printPartitions(filled) {
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
  if (filled.fullest) {
    const { fullest } = filled;
    const perRow = (bytes) => (bytes / Math.max(1, fullest.rows)).toFixed(1);
    console.log(
      `  fullest partition ${fullest.name}: ${fmt(fullest.rows)} rows, heap ${fmt(fullest.heap / 2 ** 20, 1)} MiB (${perRow(fullest.heap)} B a row)`,
    );
    for (const index of fullest.indexes) {
      console.log(
        `    ${index.name.padEnd(40)} ${fmt(index.bytes / 2 ** 20, 1).padStart(6)} MiB (${perRow(index.bytes)} B a row)`,
      );
    }
  }
}
