#!/usr/bin/env node
// Over 400 lines on purpose: one suite read top to bottom (the platform it owns, the faults, the
// invariants, the table).
// `npm run chaos [-- --seconds 20 --only postgres-restart,redis]`: the fault suite. Starts a
// platform of its own — a private embedded PostgreSQL (so it can be restarted without touching any
// other server), a private redis-server, and the six services as separate processes, from a fresh
// build, with the environment `npm start` gives them — then runs each scenario under the load
// generator (tools/loadgen/load.mjs) and, after each, checks the invariants from the databases:
//   - no order lost: every order a checkout answered 201 for is in the orders database;
//   - no unit oversold: each lot's units taken (quantity − on hand) equal its live stock holds;
//   - every paid order posted once: the orders paid and the ledger's sale transactions are the same
//     set, one sale each (after the ledger has caught up);
//   - every ledger transaction balanced (its postings sum to zero);
//   - the hash chain valid (`npm run ledger:verify` on the ledger's database).
// A request that fails while a dependency is down must be answered 503 (or 504), never 500: a 500
// fails the scenario. Scenarios:
//   baseline          no fault (the load alone)
//   postgres-restart  PostgreSQL stopped in immediate mode (SIGQUIT) under load, started again a
//                     second after it exited
//   redis             redis-server killed (SIGKILL) under load, started again empty 3 s later
//   ledger-kill       the ledger (the order-event consumer) killed with SIGKILL three times
//   relay-kill        orders (the outbox relay) killed with SIGKILL twice
// Recovery: from the fault (the first kill) until the gateway's /readyz answers 200 again, the
// outage included; for the kills, the slowest of the restarts.
// Ends with a table (scenario, steps, errors 5xx, 503/504, recovery, invariants) and exits 1 if a
// scenario failed. Everything it started is stopped, also on failure (bench/lib/harness.mjs).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import {
  ROOT,
  cleanup,
  httpGet,
  onCleanup,
  prepareBuild,
  runNode,
  servicePorts,
  sleep,
  startService,
  waitFor,
  waitReady,
} from '../../bench/lib/harness.mjs';
import { runLoad } from '../loadgen/load.mjs';
import { databaseUrl, ensureDatabases, freePort, startEmbeddedPostgres } from '../runtime/lib/postgres.mjs';
import { killPid, waitForExit } from '../runtime/lib/processes.mjs';
import { findRedisServer, startRedisServer } from '../runtime/lib/redis.mjs';
import { SERVICES, randomSecrets } from '../runtime/services.mjs';

const SCENARIOS = ['baseline', 'postgres-restart', 'redis', 'ledger-kill', 'relay-kill'];
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '8' },
    only: { type: 'string', default: SCENARIOS.join(',') },
  },
});
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const ONLY = values.only.split(',').map((s) => s.trim());
for (const name of ONLY) {
  if (!SCENARIOS.includes(name)) {
    console.error(`--only: no scenario "${name}" (there are ${SCENARIOS.join(', ')})`);
    process.exit(2);
  }
}
if (!Number.isInteger(SECONDS) || SECONDS < 8 || !Number.isInteger(CONCURRENCY) || CONCURRENCY < 1) {
  console.error('--seconds must be a whole number ≥ 8 and --concurrency ≥ 1');
  process.exit(2);
}

const say = (line) => console.log(`chaos ${line}`);
const RUN = `${Date.now().toString(36)}${crypto.randomBytes(2).toString('hex')}`;
const WORK = path.join(ROOT, 'tmp', `chaos-${RUN}`);
const DEMO_PASSWORD = crypto.randomBytes(9).toString('base64url');

// ---------------------------------------------------------------- the platform it owns

const platform = {
  pg: undefined,
  pgPort: 0,
  pgPassword: crypto.randomBytes(12).toString('hex'),
  serverUrl: '',
  redis: undefined,
  redisPort: 0,
  ctx: undefined,
  work: undefined,
  children: new Map(),
};

async function startPostgres() {
  platform.pg = await startEmbeddedPostgres({
    dataDir: path.join(WORK, 'pg'),
    port: platform.pgPort,
    password: platform.pgPassword,
    pidFile: path.join(WORK, 'postgres.pid'),
    workspace: ROOT,
    tmpDir: path.join(WORK, 'tmp'),
  });
  return platform.pg;
}

async function startRedis() {
  platform.redis = await startRedisServer({
    binary: findRedisServer(),
    port: platform.redisPort,
    dataDir: path.join(WORK, 'redis'),
    pidFile: path.join(WORK, 'redis.pid'),
  });
}

function startOne(name) {
  const child = startService(platform.work, name, platform.ctx, {
    overrides:
      name === 'gateway' ? { RATE_LIMIT_PER_MINUTE: '10000000', AUTH_RATE_LIMIT_PER_MINUTE: '100000' } : {},
  });
  // Quiet: the services' logs are kept (child.output) for a failure, not printed.
  platform.children.set(name, child);
  return child;
}

/** Waits until service `name` answers its health check (bench/lib/harness.mjs). */
function serviceReady(name) {
  return waitReady(platform.ctx.ports, { [name]: platform.children.get(name) });
}

async function boot() {
  fs.mkdirSync(WORK, { recursive: true });
  onCleanup(() => fs.rmSync(WORK, { recursive: true, force: true }));
  const { work } = await prepareBuild();
  platform.work = work;
  platform.pgPort = await freePort();
  platform.redisPort = await freePort();
  await startPostgres();
  onCleanup(() => platform.pg?.stop());
  platform.serverUrl = platform.pg.url;
  await ensureDatabases(
    platform.serverUrl,
    SERVICES.map((s) => s.database),
  );
  await startRedis();
  onCleanup(() => platform.redis?.stop());
  platform.ctx = {
    databaseUrl: (service) =>
      databaseUrl(platform.serverUrl, SERVICES.find((s) => s.name === service).database),
    redisUrl: `redis://127.0.0.1:${platform.redisPort}`,
    redisKeyPrefix: `chaos:${RUN}:`,
    secrets: randomSecrets(),
    ports: await servicePorts(),
    logLevel: 'warn',
    host: '127.0.0.1',
    demoPassword: DEMO_PASSWORD,
  };
  for (const spec of SERVICES) {
    startOne(spec.name);
  }
  for (const spec of SERVICES) {
    await serviceReady(spec.name);
  }
}

const gatewayUrl = () => `http://127.0.0.1:${platform.ctx.ports.gateway}`;

/** Milliseconds from now until the gateway's /readyz answers 200 (all it depends on is back). */
async function untilReady(timeoutMs = 60_000) {
  const t0 = Date.now();
  await waitFor(
    'gateway /readyz after the fault',
    async () => (await httpGet(platform.ctx.ports.gateway, '/readyz'))?.status === 200,
    {
      timeoutMs,
      everyMs: 100,
    },
  );
  return Date.now() - t0;
}

async function killService(name) {
  const child = platform.children.get(name);
  await killPid(child.pid, { signals: ['SIGKILL'], graceMs: 2000, group: true });
}

// ---------------------------------------------------------------- faults

/** Each fault runs while the load does; resolves to the recovery time in ms (or null). */
const FAULTS = {
  baseline: async () => null,

  'postgres-restart': async () => {
    await sleep(4_000);
    const pid = platform.pg.pid;
    const t0 = Date.now();
    say('  PostgreSQL: immediate shutdown (SIGQUIT)');
    process.kill(pid, 'SIGQUIT');
    await waitForExit(pid, 20_000);
    await sleep(1_000);
    await startPostgres();
    say('  PostgreSQL: accepting connections again');
    await untilReady();
    return Date.now() - t0;
  },

  redis: async () => {
    await sleep(4_000);
    const t0 = Date.now();
    say('  Redis: SIGKILL');
    await killPid(platform.redis.pid, { signals: ['SIGKILL'], graceMs: 2000 });
    await sleep(3_000);
    await startRedis();
    say('  Redis: started again, empty');
    await untilReady();
    return Date.now() - t0;
  },

  'ledger-kill': async () => {
    let worst = 0;
    for (let i = 0; i < 3; i += 1) {
      await sleep(3_000);
      say(`  ledger: SIGKILL (${i + 1} of 3)`);
      await killService('ledger');
      const t0 = Date.now();
      startOne('ledger');
      await serviceReady('ledger');
      worst = Math.max(worst, Date.now() - t0);
    }
    return worst;
  },

  'relay-kill': async () => {
    let worst = 0;
    for (let i = 0; i < 2; i += 1) {
      await sleep(4_000);
      say(`  orders (outbox relay): SIGKILL (${i + 1} of 2)`);
      await killService('orders');
      const t0 = Date.now();
      startOne('orders');
      await serviceReady('orders');
      await untilReady();
      worst = Math.max(worst, Date.now() - t0);
    }
    return worst;
  },
};

// ---------------------------------------------------------------- invariants

async function withDb(service, work) {
  const client = new pg.Client({ connectionString: platform.ctx.databaseUrl(service) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const PAID = `status in ('paid', 'shipped', 'delivered', 'completed', 'refunded') or paid_at is not null`;

/** Waits (bounded) until the ledger has a sale for every paid order; then checks every invariant. */
async function invariants(createdOrders) {
  const results = [];
  const check = (name, ok, detail = '') => results.push({ name, ok, detail });

  const ids = [...createdOrders];
  const found = await withDb('orders', async (db) =>
    ids.length === 0
      ? 0
      : Number(
          (await db.query(`select count(*) as n from customer_order where id = any($1::uuid[])`, [ids]))
            .rows[0].n,
        ),
  );
  check('no order lost', found === ids.length, `${found} of ${ids.length} orders made`);

  const stock = await withDb('catalog', async (db) =>
    (
      await db.query(`
        select l.id, l.quantity - l.on_hand as taken,
               coalesce((select sum(h.quantity - h.restocked) from stock_hold h
                          where h.lot_id = l.id and h.status in ('held', 'committed')), 0) as held
          from lot l`)
    ).rows.filter((r) => Number(r.taken) !== Number(r.held)),
  );
  check(
    'no unit oversold',
    stock.length === 0,
    stock.length ? `${stock.length} lots disagree with their holds` : 'every lot',
  );

  const paidOrders = async () =>
    withDb(
      'orders',
      async (db) =>
        new Set((await db.query(`select id from customer_order where ${PAID}`)).rows.map((r) => r.id)),
    );
  const posted = async () =>
    withDb(
      'ledger',
      async (db) =>
        (
          await db.query(
            `select order_id, count(*) as n from journal_transaction where kind = 'sale' group by order_id`,
          )
        ).rows,
    );
  let paid;
  let sales;
  const deadline = Date.now() + 90_000;
  for (;;) {
    paid = await paidOrders();
    sales = await posted();
    if (sales.length >= paid.size || Date.now() > deadline) break;
    await sleep(1_000);
  }
  const twice = sales.filter((r) => Number(r.n) !== 1).length;
  const postedIds = new Set(sales.map((r) => r.order_id));
  const missing = [...paid].filter((id) => !postedIds.has(id)).length;
  const unpaid = [...postedIds].filter((id) => !paid.has(id)).length;
  check(
    'every paid order posted once',
    twice === 0 && missing === 0 && unpaid === 0,
    `${paid.size} paid, ${postedIds.size} posted; missing ${missing}, twice ${twice}, not paid ${unpaid}`,
  );

  const unbalanced = await withDb('ledger', async (db) =>
    Number(
      (
        await db.query(`
          select count(*) as n from (
            select p.transaction_id from posting p join account a on a.id = p.account_id
             group by p.transaction_id, a.currency
            having sum(case when p.side = 'credit' then p.fen else -p.fen end) <> 0) t`)
      ).rows[0].n,
    ),
  );
  check('every transaction balanced', unbalanced === 0, `${unbalanced} unbalanced`);

  let chain = 'valid';
  try {
    await runNode([path.join(ROOT, 'tools/ledger/verify.mjs')], {
      env: { LEDGER_DATABASE_URL: platform.ctx.databaseUrl('ledger') },
    });
  } catch (error) {
    chain = error.message.split('\n').slice(-3).join(' ').slice(0, 160);
  }
  check('hash chain valid', chain === 'valid', chain);
  return results;
}

// ---------------------------------------------------------------- the run

async function scenario(name) {
  say(`${name}: ${SECONDS} s of load at ${CONCURRENCY} workers`);
  let started;
  const loadStarted = new Promise((resolve) => (started = resolve));
  const load = runLoad({
    onStarted: () => started(),
    baseUrl: gatewayUrl(),
    seconds: SECONDS,
    concurrency: CONCURRENCY,
    officer: { email: 'officer@example.com', password: DEMO_PASSWORD },
    timeoutMs: 15_000,
  });
  // The fault begins once the buyers are signed up and the load is under way.
  const [summary, recovery] = await Promise.all([load, loadStarted.then(() => FAULTS[name]())]);
  // Whatever the fault left behind must come back before the invariants are read.
  await untilReady(60_000);
  const checks = await invariants(summary.orders.created);
  const server = Object.entries(summary.failures).filter(([status]) => Number(status) >= 500);
  const bugs = server.filter(([status]) => status === '500').reduce((n, [, k]) => n + k, 0);
  const unavailable = server
    .filter(([status]) => status === '503' || status === '504')
    .reduce((n, [, k]) => n + k, 0);
  const other = summary.errors - bugs - unavailable;
  return { name, summary, recovery, checks, bugs, unavailable, other };
}

async function main() {
  say(`platform of its own in tmp/chaos-${RUN} (embedded PostgreSQL, redis-server, six services)`);
  await boot();
  say(`ready at ${gatewayUrl()}`);
  const rows = [];
  for (const name of SCENARIOS.filter((s) => ONLY.includes(s))) {
    rows.push(await scenario(name));
  }
  console.log('');
  console.table(
    rows.map((r) => ({
      scenario: r.name,
      steps: r.summary.total,
      '500s': r.bugs,
      '503/504': r.unavailable,
      'other errors': r.other,
      recovery: r.recovery === null ? '—' : `${(r.recovery / 1000).toFixed(1)} s`,
      invariants: r.checks.every((c) => c.ok)
        ? 'all hold'
        : r.checks
            .filter((c) => !c.ok)
            .map((c) => c.name)
            .join('; '),
    })),
  );
  let failed = false;
  for (const r of rows) {
    for (const c of r.checks.filter((x) => !x.ok)) {
      console.log(`  ${r.name}: ${c.name} FAILED (${c.detail})`);
      failed = true;
    }
    if (r.bugs > 0) {
      failed = true;
      console.log(`  ${r.name}: ${r.bugs} × 500`);
      for (const [detail, n] of r.summary.errorSamples.filter(([d]) => / 500 /.test(d)).slice(0, 5)) {
        console.log(`    ${n} × ${detail}`);
      }
    }
    for (const [detail, n] of r.summary.errorSamples.filter(([d]) => !/ 50[034] /.test(d)).slice(0, 5)) {
      console.log(`  ${r.name}: ${n} × ${detail}`);
    }
  }
  console.log(failed ? 'chaos: FAILED' : 'chaos: every scenario held its invariants, no 500');
  return failed;
}

main()
  .then(async (failed) => {
    await cleanup();
    process.exit(failed ? 1 : 0);
  })
  .catch(async (error) => {
    console.error(`chaos: ${error.stack ?? error.message}`);
    for (const [name, child] of platform.children) {
      if (child.exitCode !== null || child.signalCode !== null) {
        console.error(
          `--- ${name} (exited ${child.signalCode ?? child.exitCode}):\n${child.output.slice(-20).join('\n')}`,
        );
      }
    }
    await cleanup();
    process.exit(1);
  });
