#!/usr/bin/env node
// `npm run bench:trace`: the ledger's order trace and village report at scale.
//
// The fill. A fresh ledger database, migrated by the ledger itself (started once, then stopped),
// is filled straight in SQL with BENCH_ORDERS (1,000,000) paid orders over BENCH_MONTHS (12) months
// by `lib/ledger-fill.mjs`, which says what it bypasses and how the journal's rules are then checked
// over the whole fill. Then `vacuum analyze`, and the ledger starts again on the filled database.
// The bench prints the partitions' count, rows and sizes (heap and each index, per posting, and the
// fullest partition's index by index), the figures the README's extrapolation to 10^9 postings
// starts from.
//
// Measured:
// 1. `TraceOrder` over gRPC (signed as the gateway for a relief officer, so the full view),
//    BENCH_CONCURRENCY (4) calls in flight on random orders for BENCH_SECONDS after
//    BENCH_WARMUP_SECONDS; each answer checked (one line, three households, net paid = gross).
//    Target: p99 ≤ 10 ms. The load client is a process of its own (bench/lib/trace-client.mjs),
//    and its own stalls are printed; beside its figures, the ledger's own timing of the same calls
//    (its RED histogram, handler start to answer) and the trace's statement bare through `pg` (the
//    text of the build's AuditRepository), at the same concurrency.
// 2. `GetReliefIncome` by village over gRPC (read from the per-account-month summary, the unsealed
//    tail and partial months) against the scan of every posting (`reliefIncomeScan`, the text from
//    the build) run bare through `pg`: over all months, one month, and a range cutting two months;
//    one discarded run of each, then BENCH_REPORT_RUNS (3) alternating, medians compared. Target:
//    ≤ 1.5×. The answers must match row for row.
//    The fill writes the summary once as the sequencer would have (its time printed).
//
// Env: BENCH_ORDERS, BENCH_MONTHS, BENCH_FILL_BATCH, BENCH_FILL_JOBS, BENCH_FILL_SECONDS, BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3),
// BENCH_CONCURRENCY (4), BENCH_REPORT_RUNS (3), BENCH_DATABASE_URL, BENCH_SKIP_BUILD=true,
// BENCH_TIMEOUT_SECONDS (900), BENCH_LEDGER_NODE_ARGS (node flags of the ledger),
// BENCH_CLIENT_NODE_ARGS (of the load client), BENCH_TRACE_TAIL=<dir> (see below).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { killPid } from '../tools/runtime/lib/processes.mjs';
import { cpuMeter, cpuPer } from './lib/cpu.mjs';
import { auditStatements } from './lib/from-build.mjs';
import { fillLedger, HOUSEHOLDS, orderUuid, partitionsOf, printPartitions } from './lib/ledger-fill.mjs';
import { signedMetadata, serviceClient } from './lib/grpc.mjs';
import { forkTraceClient, handlingBuckets, handlingShares } from './lib/trace-load.mjs';
import {
  fmt,
  freePort,
  freshDatabases,
  launchContext,
  PG_URL,
  prepareBuild,
  ROOT,
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
const JOBS = Number(process.env.BENCH_FILL_JOBS ?? 2);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const REPORT_RUNS = Number(process.env.BENCH_REPORT_RUNS ?? 3);
const MONTHS = Number(process.env.BENCH_MONTHS ?? 12);
// A fill stops starting batches after BENCH_FILL_SECONDS (none by default): the orders filled are
// then the first `filledOrders`, and only those are traced.
const FILL_SECONDS = Number(process.env.BENCH_FILL_SECONDS ?? Infinity);
let filledOrders = ORDERS;
const P99_TARGET_MS = 10;
const REPORT_TARGET = 1.5;

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
  const migrator = startService(work, 'ledger', ctx, { overrides: ledgerOptions.overrides });
  await waitReady(ports, { ledger: migrator });
  await killPid(migrator.pid, { graceMs: 5000, group: true });

  say(
    `filling ${fmt(ORDERS)} orders over ${fmt(HOUSEHOLDS)} households, ${fmt(BATCH)} a transaction, ${JOBS} at once`,
  );
  const filled = await fillLedger(databases.ledger, {
    orders: ORDERS,
    months: MONTHS,
    batch: BATCH,
    jobs: JOBS,
    seconds: FILL_SECONDS,
  });
  filledOrders = filled.orders;
  {
    const sql = new pg.Client({ connectionString: databases.ledger });
    await sql.connect();
    const vacuumStarted = Date.now();
    await sql.query('vacuum analyze');
    filled.vacuumed = (Date.now() - vacuumStarted) / 1000;
    Object.assign(filled, await partitionsOf(sql));
    await sql.end();
  }
  say(
    `filled in ${fmt(filled.filled, 1)} s (rules checked in ${fmt(filled.checked, 1)} s, vacuum analyze ${fmt(filled.vacuumed, 1)} s): ` +
      `${fmt(filled.transactions)} transactions, ${fmt(filled.postings)} postings, ${fmt(filled.households)} households, ${filled.size}`,
  );

  // BENCH_TRACE_TAIL=<dir>: the ledger and the load client run with bench/lib/loop-probe.cjs, and
  // each measured call's start and duration is written there: `node bench/shares-tail.mjs <dir> 10`
  // then says what the slow calls overlapped (add `--cpu-prof --cpu-prof-dir=<dir>` to
  // BENCH_LEDGER_NODE_ARGS for the ledger's functions).
  const tailDir = process.env.BENCH_TRACE_TAIL ? path.resolve(process.env.BENCH_TRACE_TAIL) : undefined;
  const probe = ['--require', path.join(ROOT, 'bench/lib/loop-probe.cjs')];
  if (tailDir) {
    fs.mkdirSync(tailDir, { recursive: true });
  }
  const metricsPort = await freePort();
  const ledger = startService(work, 'ledger', ctx, {
    nodeArgs: [...ledgerOptions.nodeArgs, ...(tailDir ? probe : [])],
    overrides: {
      ...ledgerOptions.overrides,
      METRICS_PORT: String(metricsPort),
      ...(tailDir ? { LOOP_PROBE_FILE: path.join(tailDir, 'service-probe.json') } : {}),
    },
  });
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
  const problems = [];
  const sql = new pg.Pool({ connectionString: databases.ledger, max: CONCURRENCY });
  const bareTrace = async (n) => {
    const orderId = orderUuid('order', n);
    await sql.query(await statement((audit, em) => audit.traceOfOrder(em, orderId)));
  };

  // CPU per call of the ledger, PostgreSQL and the load client, from /proc: what each call costs,
  // apart from the time it waits for a core on a shared machine.
  const meterOf = (clientPid) =>
    cpuMeter({
      pids: { ledger: ledger.pid },
      client: clientPid,
      pgUrl: PG_URL,
      databases: [new URL(databases.ledger).pathname.slice(1)],
    });
  // The trace's load client is a process of its own (bench/lib/trace-client.mjs), warmed up, then
  // measured; node flags `nodeArgs`. With `tail`, its calls and probes go to BENCH_TRACE_TAIL.
  const measureTrace = async (nodeArgs, tail) => {
    const loadClient = forkTraceClient(
      {
        address: `127.0.0.1:${ports.ledger}`,
        key: ctx.secrets.SERVICE_KEYS.gateway.privateKey,
        officer,
        orders: filledOrders,
        concurrency: CONCURRENCY,
      },
      {
        nodeArgs: [...nodeArgs, ...(tail ? probe : [])],
        env: tail ? { LOOP_PROBE_FILE: path.join(tailDir, 'grpc-client-probe.json') } : {},
      },
    );
    say(
      `trace: warm-up ${WARMUP} s, then ${SECONDS} s, ${CONCURRENCY} in flight, random orders` +
        (nodeArgs.length ? ` (load client: node ${nodeArgs.join(' ')})` : ''),
    );
    await loadClient.warm(WARMUP);
    const meter = await meterOf(loadClient.pid);
    const handledBefore = await handlingBuckets(metricsPort, 'TraceOrder');
    await meter.start();
    const measuredFrom = process.hrtime.bigint() / 1000n;
    const figures = await loadClient.measure(SECONDS, tail);
    figures.cpu = await meter.stop();
    await meter.close();
    figures.handled = handlingShares(handledBefore, await handlingBuckets(metricsPort, 'TraceOrder'));
    problems.push(...figures.problems);
    await loadClient.close();
    if (tail) {
      const { startUs, endUs, trace } = figures;
      fs.writeFileSync(
        path.join(tailDir, 'grpc-calls.json'),
        JSON.stringify({ label: 'TraceOrder over gRPC', startUs, endUs, calls: trace }),
      );
      say(`slow calls: node bench/shares-tail.mjs ${tailDir} ${P99_TARGET_MS}`);
    }
    // For `node bench/profile-summary.mjs <profile> 25 <seconds> <at>` of a --cpu-prof ledger.
    say(`trace measured from ${measuredFrom} µs (monotonic) for ${fmt(SECONDS)} s`);
    return figures;
  };
  const nodeArgsOf = (text) => (text ?? '').split(' ').filter(Boolean);
  const traced = await measureTrace(nodeArgsOf(process.env.BENCH_CLIENT_NODE_ARGS), Boolean(tailDir));
  const { stalls, handled } = traced;
  // BENCH_CLIENT_COMPARE="<node flags>": the load client so started, then as first again, then so
  // again, each printed: a client's settings compared within one run.
  const compared = [];
  if (process.env.BENCH_CLIENT_COMPARE !== undefined) {
    for (const args of [
      process.env.BENCH_CLIENT_COMPARE,
      process.env.BENCH_CLIENT_NODE_ARGS,
      process.env.BENCH_CLIENT_COMPARE,
    ]) {
      compared.push({ args: args || '(none)', ...(await measureTrace(nodeArgsOf(args), false)) });
    }
  }
  await load(WARMUP, bareTrace);
  // The bare statement's client is this process.
  const bareMeter = await meterOf(undefined);
  await bareMeter.start();
  const bare = await load(SECONDS, bareTrace);
  bare.cpu = await bareMeter.stop();
  await bareMeter.close();

  // Where one bare trace spends its time: planning (one plan over every partition) or executing.
  const explained = [];
  for (let i = 0; i < 5; i++) {
    const { text, values } = await statement((audit, em) =>
      audit.traceOfOrder(em, orderUuid('order', crypto.randomInt(filledOrders))),
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

  // The village report through the ledger (the summary of sealed months plus the unsealed tail and
  // partial months) against the scan of every posting bare, over the whole journal, one month, and
  // a range cutting two months in the middle.
  const reportMetadata = signed('GetReliefIncome');
  const ts = (iso) => {
    const ms = new Date(iso).getTime();
    return { seconds: Math.floor(ms / 1000), nanos: 0 };
  };
  const compareReport = async (label, range) => {
    say(`village report, ${label}: one discarded run of each, then ${REPORT_RUNS} alternating`);
    // (A build from before the summary scans in `reliefIncome` itself.)
    const bareSql = await statement((audit, em) =>
      (audit.reliefIncomeScan ?? audit.reliefIncome).call(audit, em, 'village', {
        from: range.from && new Date(range.from),
        to: range.to && new Date(range.to),
      }),
    );
    const request = {
      groupBy: 'RELIEF_INCOME_GROUPING_VILLAGE',
      ...(range.from ? { from: ts(range.from), to: ts(range.to) } : {}),
    };
    const viaLedger = async () => {
      const t0 = process.hrtime.bigint();
      const reply = await unary(client, 'getReliefIncome', request, reportMetadata());
      return { ms: Number(process.hrtime.bigint() - t0) / 1e6, rows: reply.rows };
    };
    const viaSql = async () => {
      const t0 = process.hrtime.bigint();
      const { rows } = await sql.query(bareSql);
      return { ms: Number(process.hrtime.bigint() - t0) / 1e6, rows };
    };
    const first = await viaLedger();
    const firstBare = await viaSql();
    const times = [];
    const bareTimes = [];
    for (let i = 0; i < REPORT_RUNS; i++) {
      times.push((await viaLedger()).ms);
      bareTimes.push((await viaSql()).ms);
    }
    const same =
      first.rows.length === firstBare.rows.length &&
      first.rows.every(
        (r, i) =>
          r.key === firstBare.rows[i].key &&
          Number(r.householdAmount.fen) === Number(firstBare.rows[i].household_fen) &&
          r.households === Number(firstBare.rows[i].households),
      );
    if (!same || first.rows.length === 0) {
      problems.push(
        `the report (${label}): its ${first.rows.length} rows do not match the bare GROUP BY's ${firstBare.rows.length}`,
      );
    }
    return { label, ms: median(times), bareMs: median(bareTimes), villages: first.rows.length };
  };
  const reports = [
    await compareReport('all months', {}),
    await compareReport('June 2020', { from: '2020-06-01T00:00:00+08:00', to: '2020-07-01T00:00:00+08:00' }),
    await compareReport('10 June to 20 July 2020', {
      from: '2020-06-10T00:00:00+08:00',
      to: '2020-07-20T00:00:00+08:00',
    }),
  ];
  const summaryRows = (await sql.query(`select to_regclass('account_month') as t`)).rows[0].t
    ? Number((await sql.query('select count(*) from account_month')).rows[0].count)
    : 0;
  await sql.end();
  client.close();

  console.log(
    `\nThe ledger at ${fmt(filledOrders)} orders${filledOrders < ORDERS ? ` (of ${fmt(ORDERS)}: the fill stopped at BENCH_FILL_SECONDS)` : ''}, ${fmt(HOUSEHOLDS)} households (${fmt(filled.postings)} postings, ${filled.size})`,
  );
  console.log(
    `  fill              ${fmt(filled.filled, 1)} s (${JOBS} at once), rules checked in ${fmt(filled.checked, 1)} s, then vacuum analyze ${fmt(filled.vacuumed, 1)} s`,
  );
  console.log(
    `  TraceOrder        ${fmt(traced.rps, 1).padStart(8)} calls/s   p50 ${fmt(traced.p50, 2)} ms   p99 ${fmt(traced.p99, 2)} ms   (${CONCURRENCY} in flight, ${traced.calls} calls; an answer ${traced.replyBytes} bytes)`,
  );
  console.log(
    `  bare statement    ${fmt(bare.rps, 1).padStart(8)} calls/s   p50 ${fmt(bare.p50, 2)} ms   p99 ${fmt(bare.p99, 2)} ms   (p99 ratio ${(traced.p99 / bare.p99).toFixed(2)}×)`,
  );
  console.log(`  CPU per trace     ${cpuPer(traced.cpu, traced.calls)}`);
  console.log(
    `  ledger's handling ${handled.text}   (its histogram, ${fmt(handled.total)} calls; beside: ${traced.over10} calls over 10 ms as the client saw them)`,
  );
  console.log(
    `  load client       event loop delay p99 ${fmt(stalls.delayP99, 1)} ms, longest ${fmt(stalls.delayMax, 1)} ms; ` +
      `${stalls.gc.count} GC pauses, ${fmt(stalls.gc.ms, 0)} ms in all, longest ${fmt(stalls.gc.longest, 1)} ms (while tracing; a process of its own)`,
  );
  for (const c of compared) {
    console.log(
      `  client node ${c.args.padEnd(24)} p50 ${fmt(c.p50, 2)} ms   p99 ${fmt(c.p99, 2)} ms   ${fmt(c.rps, 1)} calls/s; CPU ${cpuPer(c.cpu, c.calls)}; ` +
        `its GC ${c.stalls.gc.count} pauses, ${fmt(c.stalls.gc.ms, 0)} ms, longest ${fmt(c.stalls.gc.longest, 1)} ms; ledger > 10 ms ${c.handled.over10} calls`,
    );
  }
  console.log(`  CPU per bare one  ${cpuPer(bare.cpu, bare.calls)}`);
  console.log(
    `  one bare trace    planning ${fmt(planning, 2)} ms, execution ${fmt(execution, 2)} ms   (EXPLAIN ANALYZE, medians of 5)`,
  );
  console.log(
    `  trace p99 ${fmt(traced.p99, 2)} ms   (target ≤ ${P99_TARGET_MS} ms: ${traced.p99 <= P99_TARGET_MS ? 'met' : 'NOT met'})`,
  );
  for (const report of reports) {
    const ratio = report.ms / report.bareMs;
    console.log(
      `  village report, ${report.label.padEnd(24)} ledger ${fmt(report.ms, 1)} ms   bare GROUP BY over postings ${fmt(report.bareMs, 0)} ms   ` +
        `ratio ${ratio.toFixed(3)}×   (medians of ${REPORT_RUNS}; ${report.villages} villages; target ≤ ${REPORT_TARGET}×: ${ratio <= REPORT_TARGET ? 'met' : 'NOT met'})`,
    );
  }
  console.log(
    `  summary           ${fmt(summaryRows)} account-month rows, built from the fill in ${fmt(filled.summarised, 1)} s`,
  );
  printPartitions(filled);
  if (problems.length > 0) {
    throw new Error(`the run is invalid: ${problems.join('; ')}`);
  }
});
