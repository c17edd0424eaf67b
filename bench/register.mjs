#!/usr/bin/env node
// `npm run bench:register`: the beneficiaries register under the two loads that matter to it, each
// against the fastest this machine can do the same work with nothing else in the way.
//
// 1. ImportRegister (client stream, the way the gateway sends a CSV file: options, then batches of
//    500 rows) of 10,000 households into an empty register, as rows/s, ÷ a bare PostgreSQL
//    `COPY household_copy FROM STDIN` (pg-copy-streams) of the very rows the import stored
//    (encrypted personal data, keyed hash and all) into an equivalent table: `LIKE household
//    INCLUDING ALL` (same columns, checks, unique indexes and indexes) plus the village foreign
//    key. Target: import ≥ 0.3 × COPY. A discarded warm-up run of each first, then
//    BENCH_IMPORT_RUNS measured runs (both tables emptied before each); the median counts.
// 2. GetBenefitShares (unary gRPC, signed as the gateway for an officer, the assertion verified on
//    each call; the compact answer, as the ledger asks, unless BENCH_SHARES_COMPACT=false) for one
//    producer linked to 1,000 households, in a register of the 10,000 imported
//    households holding 100,000 agreements of 100 producers (10% of the others' agreements
//    ended, so the as-of rule has rows to skip). Baseline: the SQL the repository runs (the same
//    text and parameters), sent bare through `pg` with the same number of calls in flight. Both
//    loads come from a client process of their own (this script, started with --client), as a
//    discarded warm-up and then a measured run. Prints calls/s, p50 and p99 of both and their
//    ratios. Target: the service's p99 ≤ 5 ms.
//
// Builds (and runs a private copy of dist/ in tmp/), creates one fresh database (dropped at the
// end), starts beneficiaries from it with the environment the launcher gives it
// (tools/runtime/services.mjs: demo register seeded for its towns and villages, whose households
// and agreements are then removed; LOG_LEVEL=warn; fresh personal-data keys). The
// register uses no Redis, so the run makes no Redis keys. Every phase is bounded in time and the
// whole run by BENCH_TIMEOUT_SECONDS; every process it started is stopped, also on failure.
//
// Env: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONCURRENCY (1 call in flight),
// BENCH_IMPORT_RUNS (3), BENCH_TIMEOUT_SECONDS (600), BENCH_DATABASE_URL, BENCH_SKIP_BUILD=true
// (copy the existing dist/ instead of building), BENCH_REGISTER_NODE_ARGS (extra node flags for
// the service, e.g. --cpu-prof --cpu-prof-dir=tmp/profiles), BENCH_SHARES_TRACE=<dir> (the shares
// half traced for bench/shares-tail.mjs: each call's start and duration, and bench/lib/loop-probe.cjs
// in the service and the clients), BENCH_SHARES_NICE (e.g. -20: the shares half's service, clients
// and bare backend run at that nice value, first in the scheduler's queue on a shared machine;
// not the target's figure, a measure of the scheduler's share of the tail; needs the right to),
// BENCH_SHARES_CLIENT_NODE_ARGS (extra node flags for the shares half's load clients).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { cpuMeter, cpuPer } from './lib/cpu.mjs';
import { callMetadata, serviceClient, signedMetadata } from './lib/grpc.mjs';
import {
  fmt,
  freshDatabases,
  PG_URL,
  grpcServing,
  launchContext,
  onCleanup,
  prepareBuild,
  ROOT,
  run,
  runNode,
  say,
  SECONDS,
  servicePorts,
  startService,
  startWatchdog,
  waitFor,
  WARMUP,
} from './lib/harness.mjs';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 1);
// The compact answer (columns), as the ledger asks; BENCH_SHARES_COMPACT=false for the full one.
const COMPACT = process.env.BENCH_SHARES_COMPACT !== 'false';
const IMPORT_RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 3);

const HOUSEHOLDS = 10_000;
const PRODUCERS = 100;
const HOUSEHOLDS_PER_PRODUCER = 1_000;
const IMPORT_BATCH_ROWS = 500;
const SHARES_P99_TARGET_MS = 5;
const IMPORT_RATIO_TARGET = 0.3;

// What AgreementRepository.sharesOn sends (knex's text for it, parameters in the same order).
const SHARES_SQL =
  'select "household_id" as "householdId", "village_id" as "villageId", "id" as "agreementId", "kind", "weight" ' +
  'from "benefit_agreement" where "producer_id" = $1 and "effective_from" <= $2 ' +
  'and ("effective_to" is null or "effective_to" > $3) order by "household_id" asc, "id" asc';

/** The calendar date in China (UTC+8) of now: the as-of date GetBenefitShares uses when unset. */
const chinaToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

// ---------------------------------------------------------------- load client (its own process)

/** Now on the monotonic clock in µs (that of V8's profiles and bench/lib/loop-probe.cjs). */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Keeps `concurrency` calls of `call()` in flight for `seconds`; latencies in ms. With `trace`,
 * also each call's start (monotonic µs) and duration, to lay the slow ones against profiles.
 */
async function loop(call, seconds, concurrency, trace = false) {
  const latencies = [];
  const calls = [];
  let errors = 0;
  let firstError;
  const until = performance.now() + seconds * 1000;
  const startUs = monotonicUs();
  const worker = async () => {
    while (performance.now() < until) {
      const started = performance.now();
      const atUs = trace ? monotonicUs() : 0;
      try {
        await call();
        const ms = performance.now() - started;
        latencies.push(ms);
        if (trace) {
          calls.push([atUs, Number(ms.toFixed(3))]);
        }
      } catch (error) {
        errors += 1;
        firstError ??= error;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? NaN;
  return {
    rps: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    calls: latencies.length,
    errors,
    firstError: firstError ? String(firstError.message ?? firstError) : undefined,
    ...(trace ? { startUs, endUs: monotonicUs(), trace: calls } : {}),
  };
}

/**
 * Sets the nice value of every thread of `pid` (Linux sets it per thread) and of its autogroup,
 * where the kernel has them (the scheduler shares the cores between sessions first, and a nice
 * value only counts within a session); answers the autogroup's value before, to put back.
 */
function renice(pid, nice) {
  execFileSync('renice', ['-n', String(nice), '-p', ...fs.readdirSync(`/proc/${pid}/task`)], {
    stdio: 'ignore',
  });
  return setAutogroupNice(pid, nice);
}

function setAutogroupNice(pid, nice) {
  try {
    const before = fs.readFileSync(`/proc/${pid}/autogroup`, 'utf8').match(/nice (-?\d+)/)?.[1];
    fs.writeFileSync(`/proc/${pid}/autogroup`, String(nice));
    return before;
  } catch {
    return undefined;
  }
}

/** Nanoseconds `pid`'s threads have waited runnable for a core (schedstat's run_delay), or NaN. */
function runDelayNs(pid) {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .reduce(
        (sum, tid) =>
          sum + Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]),
        0,
      );
  } catch {
    return NaN;
  }
}

async function client(kind) {
  const { PRODUCER_ID, SERVICE_KEY, TARGET, PG, CONCURRENCY: c, SECONDS: s, WARMUP_SECONDS: w } = process.env;
  const concurrency = Number(c);
  let call;
  let close;
  let pgPool;
  if (kind === 'grpc') {
    const stub = serviceClient('beneficiaries', 'BeneficiariesService', TARGET);
    // As the gateway does for an officer reading a producer's shares.
    const metadata = signedMetadata({
      key: SERVICE_KEY,
      from: 'gateway',
      name: 'beneficiaries',
      serviceName: 'BeneficiariesService',
      method: 'GetBenefitShares',
      caller: { userId: crypto.randomUUID(), role: 'relief_officer', producerIds: [] },
    });
    call = () =>
      new Promise((resolve, reject) =>
        stub.getBenefitShares(
          { producerId: PRODUCER_ID, compact: COMPACT },
          metadata(),
          { deadline: Date.now() + 5000 },
          (e, r) => (e ? reject(e) : resolve(COMPACT ? r.columns.weights.length : r.shares.length)),
        ),
      );
    close = () => stub.close();
  } else {
    const pool = new pg.Pool({ connectionString: PG, max: concurrency });
    pgPool = pool;
    call = async () => (await pool.query(SHARES_SQL, [PRODUCER_ID, chinaToday(), chinaToday()])).rowCount;
    close = () => pool.end();
  }
  let autogroupBefore;
  if (process.env.BENCH_SHARES_NICE) {
    // The scheduler's share taken out: this process (and, for the bare SQL, its backend) first.
    // This process shares its session's autogroup with the benchmark: its value is put back.
    os.setPriority(Number(process.env.BENCH_SHARES_NICE));
    autogroupBefore = setAutogroupNice(process.pid, process.env.BENCH_SHARES_NICE);
    // Put back however this process ends (a failed call included).
    process.once(
      'exit',
      () => autogroupBefore !== undefined && setAutogroupNice(process.pid, autogroupBefore),
    );
    if (pgPool) {
      // The backend's thread only: PostgreSQL's autogroup is every database's.
      const { pid } = (await pgPool.query('select pg_backend_pid() as pid')).rows[0];
      os.setPriority(pid, Number(process.env.BENCH_SHARES_NICE));
    }
  }
  const rows = await call();
  await loop(call, Number(w), concurrency);
  const trace = Boolean(process.env.BENCH_SHARES_TRACE);
  // With a trace, the run-queue wait of the PostgreSQL backend answering the bare SQL too.
  const backendPid =
    trace && kind === 'pg' ? (await pgPool.query('select pg_backend_pid() as pid')).rows[0].pid : undefined;
  const backendWait = backendPid ? runDelayNs(backendPid) : NaN;
  const result = await loop(call, Number(s), concurrency, trace);
  if (backendPid) {
    result.backendRunDelayMs = (runDelayNs(backendPid) - backendWait) / 1e6;
  }
  await close();
  process.stdout.write(JSON.stringify({ ...result, rows }));
}

// ---------------------------------------------------------------- data

/** A valid national ID (GB 11643 check character) for household `i`. */
function nationalId(i) {
  const birth = new Date(Date.UTC(1950, 0, 1) + (i % 18_000) * 86_400_000);
  const first17 = `419001${birth.toISOString().slice(0, 10).replace(/-/g, '')}${String(Math.floor(i / 18_000)).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let k = 0; k < 17; k++) {
    sum += Number(first17[k]) * weights[k];
  }
  return first17 + '10X98765432'[sum % 11];
}

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华';

/** 10,000 import rows spread over the register's villages, households only. */
function importRows(villageIds) {
  return Array.from({ length: HOUSEHOLDS }, (_, i) => ({
    line: i + 2,
    archiveNumber: `BENCH-${String(i).padStart(6, '0')}`,
    headName: `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i * 7) % GIVEN.length]}${GIVEN[(i * 13) % GIVEN.length]}`,
    nationalId: nationalId(i),
    members: 1 + (i % 6),
    villageId: villageIds[i % villageIds.length],
    status: 'HOUSEHOLD_STATUS_REGISTERED',
    baselineIncome: { fen: 900_000 + (i % 500) * 1000, currency: 'CNY' },
    payoutAccount: `622991${String(i).padStart(10, '0')}`,
  }));
}

/** One ImportRegister call sending `rows` in batches with backpressure; resolves to { ms, report }. */
async function importOnce(stub, metadata, rows) {
  const started = performance.now();
  let call;
  const answer = new Promise((resolve, reject) => {
    call = stub.importRegister(metadata, { deadline: Date.now() + 120_000 }, (error, report) =>
      error ? reject(error) : resolve(report),
    );
  });
  const send = async (message) => {
    if (!call.write(message)) {
      await new Promise((resolve) => call.once('drain', resolve));
    }
  };
  await send({ options: { partial: false, dryRun: false, purpose: 'bench:register' } });
  for (let i = 0; i < rows.length; i += IMPORT_BATCH_ROWS) {
    await send({ batch: { rows: rows.slice(i, i + IMPORT_BATCH_ROWS) } });
  }
  call.end();
  const report = await answer;
  return { ms: performance.now() - started, report };
}

/** COPY … FROM STDIN of `data` (COPY text format) on `db`; resolves to its duration in ms. */
async function copyOnce(db, table, data) {
  const started = performance.now();
  await pipeline(Readable.from([data]), db.query(copyStreams.from(`COPY ${table} FROM STDIN`)));
  return performance.now() - started;
}

async function copyOut(db, sql) {
  const chunks = [];
  await pipeline(
    db.query(copyStreams.to(`COPY (${sql}) TO STDOUT`)),
    new Writable({
      write(chunk, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------- main

async function main() {
  startWatchdog();

  const { work } = await prepareBuild();
  const { beneficiaries: databaseUrl } = await freshDatabases(['beneficiaries']);
  const ports = await servicePorts();
  const port = ports.beneficiaries;
  // No Redis: the register uses none.
  const ctx = launchContext({ databases: { beneficiaries: databaseUrl }, ports });
  const gatewayKey = ctx.secrets.SERVICE_KEYS.gateway.privateKey;
  const nodeArgs = (process.env.BENCH_REGISTER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // BENCH_SHARES_TRACE=<dir>: the service and the load clients run with bench/lib/loop-probe.cjs,
  // and each measured call's start and duration is written there (see bench/shares-tail.mjs).
  const traceDir = process.env.BENCH_SHARES_TRACE ? path.resolve(process.env.BENCH_SHARES_TRACE) : undefined;
  const probe = ['--require', path.join(ROOT, 'bench/lib/loop-probe.cjs')];
  if (traceDir) {
    fs.mkdirSync(traceDir, { recursive: true });
    nodeArgs.push(...probe);
    process.env.LOOP_PROBE_FILE = path.join(traceDir, 'service-probe.json');
    say(`tracing into ${traceDir}`);
  }
  say('beneficiaries logs at LOG_LEVEL=warn');
  const service = startService(work, 'beneficiaries', ctx, { nodeArgs });
  await waitFor('beneficiaries gRPC health', () => grpcServing(port), { child: service });

  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  onCleanup(() => db.end());
  const villageIds = (await db.query('select id from village order by id')).rows.map((r) => r.id);
  await db.query('truncate benefit_agreement, pii_access, household cascade');
  say(`register emptied: ${villageIds.length} villages kept, demo households and agreements removed`);

  // ---- import vs COPY
  const stub = serviceClient('beneficiaries', 'BeneficiariesService', `127.0.0.1:${port}`);
  onCleanup(() => stub.close());
  const officer = { userId: crypto.randomUUID(), role: 'relief_officer', producerIds: [] };
  const importMetadata = () =>
    callMetadata({
      key: gatewayKey,
      from: 'gateway',
      name: 'beneficiaries',
      serviceName: 'BeneficiariesService',
      method: 'ImportRegister',
      caller: officer,
    });
  const rows = importRows(villageIds);
  say(
    `import: ${fmt(HOUSEHOLDS)} households in batches of ${IMPORT_BATCH_ROWS}; 1 warm-up (discarded), ${IMPORT_RUNS} measured`,
  );
  // CPU of each side (the service, PostgreSQL's backends of the run's database, this process as
  // the client), summed over the measured runs: where an import's time goes, whatever the load.
  const meter = await cpuMeter({
    pids: { beneficiaries: service.pid },
    pgUrl: PG_URL,
    databases: [new URL(databaseUrl).pathname.slice(1)],
    // The import is bound by the service's event loop: its thread's share apart from its workers'.
    mainThreads: true,
  });
  onCleanup(() => meter.close());
  const addCpu = (sum, totals) => {
    for (const [name, ms] of Object.entries(totals ?? {})) {
      sum[name] = (sum[name] ?? 0) + ms;
    }
  };
  const importCpu = {};
  const copyCpu = {};
  const importMs = [];
  for (let runIndex = 0; runIndex <= IMPORT_RUNS; runIndex++) {
    await db.query('truncate benefit_agreement, household cascade');
    await meter.start();
    const { ms, report } = await importOnce(stub, importMetadata(), rows);
    if (runIndex > 0) {
      addCpu(importCpu, await meter.stop());
    }
    if (!report.committed || report.householdsCreated !== HOUSEHOLDS || report.rejected.length > 0) {
      throw new Error(`import did not commit every household: ${JSON.stringify(report).slice(0, 500)}`);
    }
    say(`  import ${runIndex === 0 ? 'warm-up' : `run ${runIndex}`}: ${fmt(ms)} ms`);
    if (runIndex > 0) {
      importMs.push(ms);
    }
  }

  const stored = await copyOut(db, 'select * from household order by archive_number');
  await db.query('create table household_copy (like household including all)');
  await db.query(
    'alter table household_copy add foreign key (village_id) references village (id) on update cascade on delete restrict',
  );
  say(`COPY: the same ${fmt(HOUSEHOLDS)} stored rows (${fmt(stored.length)} bytes) into household_copy`);
  const copyMs = [];
  for (let runIndex = 0; runIndex <= IMPORT_RUNS; runIndex++) {
    await db.query('truncate household_copy');
    await meter.start();
    const ms = await copyOnce(db, 'household_copy', stored);
    if (runIndex > 0) {
      addCpu(copyCpu, await meter.stop());
    }
    say(`  COPY ${runIndex === 0 ? 'warm-up' : `run ${runIndex}`}: ${fmt(ms, 1)} ms`);
    if (runIndex > 0) {
      copyMs.push(ms);
    }
  }
  const copied = Number((await db.query('select count(*) as n from household_copy')).rows[0].n);
  if (copied !== HOUSEHOLDS) {
    throw new Error(`COPY stored ${copied} rows, not ${HOUSEHOLDS}`);
  }
  await db.query('drop table household_copy');

  // ---- shares: 100 producers × 1,000 households over the 10,000 imported ones
  const producers = Array.from({ length: PRODUCERS }, () => crypto.randomUUID());
  const started = performance.now();
  await db.query(
    `with h as (select id, village_id, (row_number() over (order by archive_number) - 1)::int as n from household),
          p as (select (ord - 1)::int as k, id::uuid as id from unnest($1::text[]) with ordinality as t(id, ord))
     insert into benefit_agreement (id, producer_id, household_id, village_id, kind, weight, effective_from, effective_to, created_at)
     select gen_random_uuid(), p.id, h.id, h.village_id,
            (array['employment', 'dividend', 'supply', 'land_lease'])[1 + (h.n + p.k) % 4]::agreement_kind,
            1 + (h.n * 7 + p.k) % 100,
            case when p.k > 0 and (h.n + p.k) % 10 = 0 then date '2021-01-01' else date '2024-01-01' end,
            case when p.k > 0 and (h.n + p.k) % 10 = 0 then date '2023-01-01' end,
            now()
       from p join h on (h.n - p.k * ${HOUSEHOLDS / PRODUCERS} + ${HOUSEHOLDS}) % ${HOUSEHOLDS} < $2`,
    [producers, HOUSEHOLDS_PER_PRODUCER],
  );
  // As autovacuum leaves a table at rest: statistics, and a visibility map for index-only scans.
  await db.query('vacuum analyze benefit_agreement');
  const counts = (
    await db.query(
      'select (select count(*) from household)::int as households, (select count(*) from benefit_agreement)::int as agreements',
    )
  ).rows[0];
  say(
    `shares data: ${fmt(counts.households)} households, ${fmt(counts.agreements)} agreements of ${PRODUCERS} producers (${fmt(performance.now() - started)} ms to write)`,
  );
  const producerId = producers[0];

  const load = async (kind) => {
    say(
      `GetBenefitShares ${kind === 'grpc' ? `over gRPC (${COMPACT ? 'compact' : 'full'} answer)` : 'bare SQL through pg'}: warm-up ${WARMUP} s (discarded), then ${SECONDS} s with ${CONCURRENCY} in flight`,
    );
    const clientArgs = (process.env.BENCH_SHARES_CLIENT_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const out = await runNode(
      [...clientArgs, ...(traceDir ? probe : []), path.join(ROOT, 'bench/register.mjs'), '--client', kind],
      {
        env: {
          ...(traceDir ? { LOOP_PROBE_FILE: path.join(traceDir, `${kind}-client-probe.json`) } : {}),
          PRODUCER_ID: producerId,
          SERVICE_KEY: gatewayKey,
          TARGET: `127.0.0.1:${port}`,
          PG: databaseUrl,
          CONCURRENCY: String(CONCURRENCY),
          SECONDS: String(SECONDS),
          WARMUP_SECONDS: String(WARMUP),
        },
      },
    );
    const result = JSON.parse(out);
    if (traceDir) {
      const { trace, ...summary } = result;
      fs.writeFileSync(
        path.join(traceDir, `${kind}-calls.json`),
        JSON.stringify({ ...summary, calls: trace }),
      );
      delete result.trace;
    }
    if (result.rows !== HOUSEHOLDS_PER_PRODUCER) {
      throw new Error(`${kind}: ${result.rows} shares, expected ${HOUSEHOLDS_PER_PRODUCER}`);
    }
    return result;
  };
  if (process.env.BENCH_SHARES_NICE) {
    // Not a figure of the target: how the calls fare when the scheduler runs them first.
    say(
      `shares half at nice ${process.env.BENCH_SHARES_NICE}: the service, the load clients and the bare SQL's backend`,
    );
    renice(service.pid, process.env.BENCH_SHARES_NICE);
  }
  const viaGrpc = await load('grpc');
  const bare = await load('pg');

  // ---- figures
  const importRate = HOUSEHOLDS / (median(importMs) / 1000);
  const copyRate = HOUSEHOLDS / (median(copyMs) / 1000);
  const importRatio = importRate / copyRate;
  const row = (name, v) =>
    `  ${name.padEnd(26)} ${fmt(v.rps).padStart(9)} calls/s   p50 ${fmt(v.p50, 2).padStart(7)} ms   p99 ${fmt(v.p99, 2).padStart(7)} ms` +
    (v.errors ? `   (${v.errors} errors: ${v.firstError})` : '');
  console.log(
    `\nGetBenefitShares, producer with ${fmt(HOUSEHOLDS_PER_PRODUCER)} households (${fmt(counts.households)} households, ${fmt(counts.agreements)} agreements; ${CONCURRENCY} call(s) in flight, ${SECONDS} s measured after ${WARMUP} s warm-up)`,
  );
  console.log(row('beneficiaries gRPC', viaGrpc));
  console.log(row('bare SQL through pg', bare));
  console.log(
    `  p50 ratio gRPC ÷ bare = ${(viaGrpc.p50 / bare.p50).toFixed(2)}   p99 ratio = ${(viaGrpc.p99 / bare.p99).toFixed(2)}` +
      `   throughput ratio = ${(viaGrpc.rps / bare.rps).toFixed(2)}` +
      `   (target p99 ≤ ${SHARES_P99_TARGET_MS} ms: ${viaGrpc.p99 <= SHARES_P99_TARGET_MS ? 'met' : 'NOT met'})`,
  );
  console.log(
    `\nRegister import of ${fmt(HOUSEHOLDS)} households (median of ${IMPORT_RUNS} runs after a warm-up, empty table each run)`,
  );
  console.log(
    `  ImportRegister (gRPC stream) ${fmt(importRate).padStart(9)} rows/s   (${importMs.map((ms) => fmt(ms)).join(', ')} ms)`,
  );
  console.log(
    `  bare COPY FROM STDIN         ${fmt(copyRate).padStart(9)} rows/s   (${copyMs.map((ms) => fmt(ms, 1)).join(', ')} ms)`,
  );
  const perThousand = (totals) => cpuPer(totals, (IMPORT_RUNS * HOUSEHOLDS) / 1000);
  console.log(`  CPU per 1,000 rows: import ${perThousand(importCpu)}`);
  console.log(`                      COPY   ${perThousand(copyCpu)}`);
  console.log(
    `  ratio import ÷ COPY = ${importRatio.toFixed(2)}   (target ≥ ${IMPORT_RATIO_TARGET}: ${importRatio >= IMPORT_RATIO_TARGET ? 'met' : 'NOT met'})`,
  );
}

if (process.argv[2] === '--client') {
  client(process.argv[3]).catch((error) => {
    console.error(error.stack ?? error);
    process.exit(1);
  });
} else {
  run(main);
}
