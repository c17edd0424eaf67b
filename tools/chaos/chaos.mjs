#!/usr/bin/env node
// Over 400 lines on purpose: one suite read top to bottom (the platform it owns, the faults, the
// invariants, the table).
// `npm run chaos [-- --seconds 20 --only postgres-restart,redis]`: the fault suite. Starts a
// platform of its own — a private embedded PostgreSQL (so it can be restarted without touching any
// other server), a private redis-server, and the six services as separate processes, from a fresh
// build, with the environment `npm start` gives them, three wires through a fault proxy of its own
// (gateway→orders, orders→catalog, orders→ledger; proxy.mjs) — then runs each scenario under the load
// generator (tools/loadgen/load.mjs) and, after each, checks the invariants from the databases:
//   - no order lost: every order a checkout answered 201 for is in the orders database;
//   - no unit oversold: each lot's units taken (quantity − on hand) equal its live stock holds;
//   - every paid order posted once: the orders paid and the ledger's sale transactions are the same
//     set, one sale each (after the ledger has caught up);
//   - every ledger transaction balanced (its postings sum to zero);
//   - the hash chain valid (`npm run ledger:verify` on the ledger's database);
//   - no effect twice, no partial write: one order per Idempotency-Key, no order without lines
//     (the load generator repeats a checkout or payment with its key after a 503/504/no answer);
//   - deadlines hold: every request answered within the gateway's deadline on its call + 2 s.
// A request that fails while a dependency is down must be answered 503 (or 504), never 500: a 500
// fails the scenario. Scenarios:
//   baseline          no fault (the load alone)
//   postgres-restart  PostgreSQL stopped in immediate mode (SIGQUIT) under load, started again a
//                     second after it exited
//   redis             redis-server killed (SIGKILL) under load, started again empty 3 s later
//   ledger-kill       the ledger (the order-event consumer) killed with SIGKILL three times
//   relay-kill        orders (the outbox relay) killed with SIGKILL twice
//   network           50–500 ms latency per chunk and connection resets on the proxied wires
//   db-refused        orders' database refusing connections (ALLOW_CONNECTIONS false) for 5 s
//   disk-full         orders' disk full for 5 s. Real where this process may mount and the server
//                     is local: every table and index of orders' database is moved (before the
//                     load) to a tablespace on a small tmpfs of its own, which a filler table then
//                     grows into until PostgreSQL answers 53100 ("could not extend file ... No
//                     space left on device"); healed by dropping the filler; moved back, tablespace
//                     dropped and tmpfs unmounted after the checks (also on failure). Elsewhere
//                     simulated, and labelled so (`disk-full (simulated: <why>)`): inserts into
//                     order_line and outbox_event fail with SQLSTATE 53100 (a trigger). Either way
//                     the fault must bite: no 503 while the disk was full fails the scenario.
// Recovery: from the fault (the first kill) until the gateway's /readyz answers 200 again, the
// outage included; for the kills, the slowest of the restarts. Longer than `--recovery-bound`
// seconds (10) fails the scenario.
// Ends with a table (scenario, steps, 500s, 503/504, other errors, repeated writes, slowest answer,
// recovery, invariants), `--json file` writes it with every check, and exits 1 if a scenario failed. Everything it started is stopped, also on failure (bench/lib/harness.mjs).
import { execFileSync } from 'node:child_process';
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
import { startFaultProxy } from './proxy.mjs';

const SCENARIOS = [
  'baseline',
  'postgres-restart',
  'redis',
  'ledger-kill',
  'relay-kill',
  'network',
  'db-refused',
  'disk-full',
];
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '8' },
    only: { type: 'string', default: SCENARIOS.join(',') },
    json: { type: 'string' },
    // A scenario whose recovery takes longer than this many seconds fails.
    'recovery-bound': { type: 'string', default: '10' },
    // disk-full without a real disk even where one could be made (to compare the two).
    'simulate-disk': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`npm run chaos [-- options]: the fault suite, each scenario under load on a platform of its own
  --seconds N          load per scenario, s (default 20, at least 8)
  --concurrency N      load generator workers (default 8)
  --only a,b           scenarios to run (default all): ${SCENARIOS.join(', ')}
  --recovery-bound N   a scenario recovering slower than N s fails (default 10)
  --json file          write the figures and every check
  --simulate-disk      disk-full simulated (a trigger) even where a real disk could be filled
disk-full fills a real disk (a tmpfs under orders' tables) when run as root beside its own
PostgreSQL; elsewhere it is simulated, and says so in its name in the table.`);
  process.exit(0);
}
const RECOVERY_BOUND_MS = Number(values['recovery-bound']) * 1000;
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
  /** The fault proxies on the wires between services, by wire (`gateway→orders`). */
  proxies: new Map(),
  /** A demo consumer's token: asks orders whether it answers again after a fault. */
  consumerToken: '',
};

/**
 * The wires a fault proxy sits on: who calls, whom, and the caller's setting that names the
 * callee (the environment every service gets is built in tools/runtime/services.mjs; these are
 * overrides on top of it).
 */
const WIRES = [
  { from: 'gateway', to: 'orders', env: (port) => ({ ORDERS_GRPC_URL: `127.0.0.1:${port}` }) },
  { from: 'orders', to: 'catalog', env: (port) => ({ CATALOG_GRPC_URL: `127.0.0.1:${port}` }) },
  // The outbox relay's deliveries to the ledger.
  { from: 'orders', to: 'ledger', env: (port) => ({ ORDER_EVENT_CONSUMERS: `ledger=127.0.0.1:${port}` }) },
];

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
  const overrides =
    name === 'gateway' ? { RATE_LIMIT_PER_MINUTE: '10000000', AUTH_RATE_LIMIT_PER_MINUTE: '100000' } : {};
  for (const wire of WIRES.filter((w) => w.from === name)) {
    Object.assign(overrides, wire.env(platform.proxies.get(`${wire.from}→${wire.to}`).port));
  }
  const child = startService(platform.work, name, platform.ctx, { overrides });
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
  // Every scenario runs with the proxies on the wires; only `network` turns their faults on.
  for (const wire of WIRES) {
    const proxy = await startFaultProxy({ host: '127.0.0.1', port: platform.ctx.ports[wire.to] });
    onCleanup(() => proxy.close());
    platform.proxies.set(`${wire.from}→${wire.to}`, proxy);
  }
  for (const spec of SERVICES) {
    startOne(spec.name);
  }
  for (const spec of SERVICES) {
    await serviceReady(spec.name);
  }
  const login = await fetch(`${gatewayUrl()}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'consumer@example.com', password: DEMO_PASSWORD }),
  });
  if (login.status !== 200) {
    throw new Error(`sign-in of the demo consumer: HTTP ${login.status}`);
  }
  platform.consumerToken = (await login.json()).accessToken;
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

/** Milliseconds from now until orders answers a buyer's order list (its database back). */
async function untilOrdersAnswer(timeoutMs = 60_000) {
  const t0 = Date.now();
  await waitFor(
    'GET /api/v1/orders after the fault',
    async () => {
      const res = await fetch(`${gatewayUrl()}/api/v1/orders`, {
        headers: { authorization: `Bearer ${platform.consumerToken}` },
        signal: AbortSignal.timeout(5_000),
      }).catch(() => undefined);
      return res?.status === 200;
    },
    { timeoutMs, everyMs: 100 },
  );
  return Date.now() - t0;
}

/** One statement as the server's superuser, on `database` (the server's own by default). */
async function admin(sql, database = 'postgres') {
  const client = new pg.Client({ connectionString: databaseUrlOf(database) });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

const databaseUrlOf = (database) => databaseUrl(platform.serverUrl, database);
const databaseOf = (service) => SERVICES.find((s) => s.name === service).database;

async function killService(name) {
  const child = platform.children.get(name);
  await killPid(child.pid, { signals: ['SIGKILL'], graceMs: 2000, group: true });
}

// ---------------------------------------------------------------- a real full disk

/**
 * `disk-full`'s disk: `real` (a tmpfs of its own under a tablespace holding orders' tables) or
 * `simulated` (a trigger), with why; the 503s answered while it was full.
 */
const DISK = {
  mode: 'simulated',
  reason: '',
  dir: '',
  sizeMiB: 0,
  mounted: false,
  tablespace: false,
  moved: 0,
  fillerMiB: 0,
  unavailable: 0,
  refusedByServer: 0,
  window: {},
  cleanupRegistered: false,
};
const TABLESPACE = 'chaos_disk';
const MIB = 1024 * 1024;

/** Why a real full disk cannot be made for the platform's PostgreSQL (undefined: it can). */
function realDiskBlocker() {
  if (values['simulate-disk']) {
    return '--simulate-disk';
  }
  if (process.platform !== 'linux' || typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return 'not root, cannot mount a tmpfs';
  }
  const host = new URL(platform.serverUrl).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host) || !fs.existsSync(`/proc/${platform.pg?.pid}`)) {
    return 'PostgreSQL is not a local process';
  }
  return undefined;
}

/** The answers a dependency being down gives (503, 504), final or repeated, so far in the load. */
const unavailableAnswers = (stats) =>
  stats
    ? [...stats.failures, ...stats.retried]
        .filter(([status]) => String(status) === '503' || String(status) === '504')
        .reduce((n, [, k]) => n + k, 0)
    : 0;

/** Counts the matches of `pattern` in `child`'s output from now until the returned stop(). */
function countOutput(child, pattern) {
  let n = 0;
  const count = (chunk) => {
    n += String(chunk).match(new RegExp(pattern.source, 'g'))?.length ?? 0;
  };
  child.stdout.on('data', count);
  child.stderr.on('data', count);
  return () => {
    child.stdout.off('data', count);
    child.stderr.off('data', count);
    return n;
  };
}

/** Failed answers by status (`transport`: none came) so far in the load. */
const failuresOf = (stats) => Object.fromEntries(stats?.failures ?? []);

/**
 * Before the load: a tmpfs owned by the server's OS user, a tablespace on it, and every table,
 * materialized view and index of orders' database moved there (a few MiB of headroom for the
 * load before the fault). Falls back to the simulation, with the reason, when any of it fails.
 */
async function prepareDiskFull() {
  Object.assign(DISK, {
    mode: 'simulated',
    reason: '',
    unavailable: 0,
    refusedByServer: 0,
    window: {},
    fillerMiB: 0,
  });
  const blocked = realDiskBlocker();
  if (blocked) {
    DISK.reason = blocked;
    return;
  }
  const db = databaseOf('orders');
  const { uid, gid } = fs.statSync(`/proc/${platform.pg.pid}`);
  const bytes = Number(
    (
      await admin(
        `select coalesce(sum(pg_total_relation_size(c.oid)), 0) as n
           from pg_class c join pg_namespace s on s.oid = c.relnamespace
          where c.relkind in ('r', 'm', 'p') and c.reltablespace = 0
            and s.nspname not in ('pg_catalog', 'information_schema')`,
        db,
      )
    ).rows[0].n,
  );
  DISK.sizeMiB = Math.ceil((bytes * 1.5) / MIB) + 4;
  DISK.dir = path.join(WORK, 'disk');
  fs.mkdirSync(DISK.dir, { recursive: true });
  try {
    execFileSync(
      'mount',
      [
        '-t',
        'tmpfs',
        '-o',
        `size=${DISK.sizeMiB}m,uid=${uid},gid=${gid},mode=0700`,
        `chaos-${RUN}`,
        DISK.dir,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 },
    );
  } catch (error) {
    const why = String(error.stderr ?? error.message)
      .trim()
      .split('\n')[0];
    DISK.reason = `mount refused: ${why}`.slice(0, 120);
    return;
  }
  DISK.mounted = true;
  if (!DISK.cleanupRegistered) {
    DISK.cleanupRegistered = true;
    onCleanup(() => releaseDisk({ orderly: false }));
  }
  try {
    await admin(`CREATE TABLESPACE ${TABLESPACE} LOCATION '${DISK.dir}'`);
    DISK.tablespace = true;
    // The services hold no lock between transactions; wait for the relay's briefly.
    await admin(
      `set lock_timeout = '20s';
       alter table all in tablespace pg_default set tablespace ${TABLESPACE};
       alter materialized view all in tablespace pg_default set tablespace ${TABLESPACE};
       alter index all in tablespace pg_default set tablespace ${TABLESPACE}`,
      db,
    );
    DISK.moved = Number(
      (
        await admin(
          `select count(*) as n from pg_class c join pg_tablespace t on t.oid = c.reltablespace
            where t.spcname = '${TABLESPACE}' and c.relkind in ('r', 'm', 'p', 'i')`,
          db,
        )
      ).rows[0].n,
    );
  } catch (error) {
    // Orders' tables back where they were and the tmpfs gone, or the run stops here.
    await releaseDisk({ orderly: true });
    DISK.reason = `tablespace on the tmpfs failed: ${error.message}`.slice(0, 120);
    return;
  }
  DISK.mode = 'real';
}

/**
 * Fills the tablespace: a filler table on it grown in ever smaller steps (the last a row, one
 * page) until PostgreSQL answers 53100 disk_full, so that whatever needs a new page on it fails.
 */
async function fillDisk() {
  const db = databaseOf('orders');
  await admin(
    `create table chaos_filler (pad text) with (autovacuum_enabled = false) tablespace ${TABLESPACE}`,
    db,
  );
  // Rows of 1800 bytes stay below the size PostgreSQL would compress or move out of line.
  await admin(
    `set statement_timeout = '60s';
     do $$
     declare n int := 4096;
     begin
       loop
         begin
           insert into chaos_filler select repeat('x', 1800) from generate_series(1, n);
         exception when disk_full then
           exit when n = 1;
           n := greatest(1, n / 8);
         end;
       end loop;
     end $$`,
    db,
  );
  DISK.fillerMiB = Number((await admin(`select pg_relation_size('chaos_filler') as n`, db)).rows[0].n) / MIB;
}

/**
 * Undoes {@link prepareDiskFull}. `orderly` (after the scenario): the filler dropped, orders'
 * relations moved back, the tablespace dropped and the tmpfs unmounted; a failure throws and
 * leaves the rest to the clean-up. Otherwise (the clean-up of a failed or interrupted run, which
 * throws the platform away): the server stopped, so that nothing holds the tmpfs, and unmounted.
 */
async function releaseDisk({ orderly }) {
  if (!DISK.mounted) {
    return;
  }
  if (orderly) {
    if (DISK.tablespace) {
      const db = databaseOf('orders');
      await admin(
        `set lock_timeout = '20s';
         drop table if exists chaos_filler;
         alter table all in tablespace ${TABLESPACE} set tablespace pg_default;
         alter materialized view all in tablespace ${TABLESPACE} set tablespace pg_default;
         alter index all in tablespace ${TABLESPACE} set tablespace pg_default`,
        db,
      );
      await admin(`DROP TABLESPACE ${TABLESPACE}`);
      DISK.tablespace = false;
    }
  } else {
    await platform.pg?.stop();
  }
  const umount = (...flags) =>
    execFileSync('umount', [...flags, DISK.dir], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  try {
    umount();
  } catch (error) {
    if (orderly) {
      throw new Error(`disk-full: umount ${DISK.dir}: ${String(error.stderr ?? error.message).trim()}`);
    }
    umount('-l');
  }
  DISK.mounted = false;
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

  // Latency (50–500 ms per chunk, each way) and connection resets (each connection after 3 s on
  // average) on every proxied wire, from 2 s into the load until 3 s before its end.
  network: async () => {
    await sleep(2_000);
    say(`  network: 50–500 ms latency and resets on ${[...platform.proxies.keys()].join(', ')}`);
    for (const proxy of platform.proxies.values()) {
      proxy.set({ latencyMs: [50, 500], resetMeanMs: 3_000 });
    }
    await sleep(Math.max(1_000, (SECONDS - 5) * 1000));
    for (const proxy of platform.proxies.values()) {
      proxy.set({});
    }
    const resets = [...platform.proxies.values()].reduce((n, p) => n + p.stats.resets, 0);
    say(`  network: faults off (${resets} connections reset)`);
    return untilOrdersAnswer();
  },

  // Orders' database refuses every connection (ALLOW_CONNECTIONS false, its sessions terminated;
  // a superuser is held to this, unlike CONNECTION LIMIT) for 5 s.
  'db-refused': async () => {
    await sleep(3_000);
    const db = databaseOf('orders');
    const t0 = Date.now();
    say(`  ${db}: refusing connections (ALLOW_CONNECTIONS false, sessions terminated)`);
    await admin(`ALTER DATABASE ${db} ALLOW_CONNECTIONS false`);
    try {
      await admin(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${db}' and pid <> pg_backend_pid()`,
      );
      await sleep(5_000);
    } finally {
      await admin(`ALTER DATABASE ${db} ALLOW_CONNECTIONS true`);
    }
    say(`  ${db}: accepting connections again`);
    await untilOrdersAnswer();
    return Date.now() - t0;
  },

  // Orders' disk full for 5 s. Real (DISK.mode, set before the load by prepareDiskFull): the
  // tablespace holding orders' tables filled until PostgreSQL refuses to extend a file; inserts
  // that fit a page with room left still pass, whatever needs a new page (a table's, an index
  // split's) fails with 53100. Simulated where no disk can be filled: a trigger fails every insert
  // into order_line and outbox_event with 53100 and the message PostgreSQL gives. Those inserts
  // come last in checkout's and payment's transactions, so a write that was not atomic would leave
  // its first half behind. Counts the 503s answered meanwhile (DISK.unavailable): none fails it.
  'disk-full': async () => {
    await sleep(3_000);
    const db = databaseOf('orders');
    const tables = ['order_line', 'outbox_event'];
    const before = { unavailable: unavailableAnswers(liveStats), failures: failuresOf(liveStats) };
    // What orders logged of PostgreSQL's refusals (its statements and its outbox relay's).
    const refusals = countOutput(platform.children.get('orders'), /No space left on device/);
    const t0 = Date.now();
    if (DISK.mode === 'real') {
      await fillDisk();
      say(
        `  ${db}: disk full (a ${DISK.sizeMiB} MiB tmpfs under ${DISK.moved} tables and indexes, ` +
          `filled by a ${DISK.fillerMiB.toFixed(1)} MiB table until 53100 "No space left on device")`,
      );
    } else {
      await admin(
        `create or replace function chaos_disk_full() returns trigger language plpgsql as $$
         begin
           raise exception 'could not extend file "base/%": No space left on device', tg_table_name
             using errcode = '53100', hint = 'Check free disk space.';
         end $$`,
        db,
      );
      say(`  ${db}: disk full, simulated (inserts into ${tables.join(', ')} fail with 53100)`);
    }
    try {
      if (DISK.mode !== 'real') {
        for (const table of tables) {
          await admin(
            `create trigger chaos_disk_full before insert on ${table} for each row execute function chaos_disk_full()`,
            db,
          );
        }
      }
      await sleep(5_000);
    } finally {
      if (DISK.mode === 'real') {
        await admin('drop table if exists chaos_filler', db);
      } else {
        for (const table of tables) {
          await admin(`drop trigger if exists chaos_disk_full on ${table}`, db);
        }
        await admin('drop function if exists chaos_disk_full()', db);
      }
    }
    say(`  ${db}: space again`);
    await untilOrdersAnswer();
    const recovery = Date.now() - t0;
    // A request refused just before the space came back is answered (or repeated) a little later.
    await sleep(1_000);
    DISK.unavailable = unavailableAnswers(liveStats) - before.unavailable;
    DISK.refusedByServer = refusals();
    const after = failuresOf(liveStats);
    DISK.window = Object.fromEntries(
      Object.keys(after)
        .map((status) => [status, after[status] - (before.failures[status] ?? 0)])
        .filter(([, n]) => n > 0),
    );
    return recovery;
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

  // A checkout or payment repeated with its key (the load generator repeats them after a 503, a
  // 504 or no answer) must find the first: one order per Idempotency-Key, and an order is whole.
  const effects = await withDb('orders', async (db) => ({
    twice: Number(
      (
        await db.query(`select count(*) as n from (select 1 from customer_order
                          group by buyer_id, idempotency_key having count(*) > 1) t`)
      ).rows[0].n,
    ),
    partial: Number(
      (
        await db.query(`select count(*) as n from customer_order o
                         where not exists (select 1 from order_line l where l.order_id = o.id)`)
      ).rows[0].n,
    ),
  }));
  check(
    'no effect twice, no partial write',
    effects.twice === 0 && effects.partial === 0,
    `${effects.twice} Idempotency-Keys with two orders, ${effects.partial} orders without lines`,
  );

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

/**
 * How long the gateway may take to answer `route` at most: the deadline it sets on its gRPC call
 * (15 s for checkout, GRPC_DEADLINE_MS = 3 s for the rest; a retry of a read stays within it),
 * plus 2 s for its own work and a busy machine. Routes the gateway answers from its own database
 * (sign-in) have no deadline of their own and get the 3 s too.
 */
/**
 * Calls a load step may make on a wire under a fault, as a multiple of the same wire's rate in the
 * baseline: each call tried at most 1 + GRPC_RETRIES (2) times by the service, inside a checkout
 * or payment the load generator tries at most 1 + 2 times. A retry storm goes far past it.
 */
const RETRY_BOUND = 3 * 3;
/** The baseline's calls per step on each wire (when it ran first), for 'retries bounded'. */
let calm;

const budgetOf = (route) => (route === 'POST /api/v1/checkout' ? 15_000 : 3_000) + 2_000;

/** The running load's counters (tools/loadgen/load.mjs), for a fault that counts its answers. */
let liveStats;

/** The scenario as the table shows it: `disk-full` says whether its disk was real or simulated. */
const labelOf = (name) =>
  name !== 'disk-full'
    ? name
    : DISK.mode === 'real'
      ? 'disk-full (real)'
      : `disk-full (simulated: ${DISK.reason})`;

async function scenario(name) {
  liveStats = undefined;
  if (name === 'disk-full') {
    await prepareDiskFull();
  }
  const label = labelOf(name);
  say(`${label}: ${SECONDS} s of load at ${CONCURRENCY} workers`);
  if (name === 'disk-full' && DISK.mode === 'real') {
    say(
      `  ${databaseOf('orders')}: ${DISK.moved} tables and indexes moved to tablespace ${TABLESPACE} ` +
        `on a ${DISK.sizeMiB} MiB tmpfs`,
    );
  }
  let started;
  const loadStarted = new Promise((resolve) => (started = resolve));
  const load = runLoad({
    onStarted: () => started(),
    onTick: (stats) => (liveStats = stats),
    baseUrl: gatewayUrl(),
    seconds: SECONDS,
    concurrency: CONCURRENCY,
    officer: { email: 'officer@example.com', password: DEMO_PASSWORD },
    // Longer than any deadline the gateway sets, so that a request that outlives its deadline is
    // measured, not cut short.
    timeoutMs: 30_000,
    retries: 2,
  });
  const resetsBefore = [...platform.proxies.values()].reduce((n, p) => n + p.stats.resets, 0);
  const callsBefore = new Map([...platform.proxies].map(([wire, p]) => [wire, p.stats.calls]));
  // The fault begins once the buyers are signed up and the load is under way.
  const [summary, recovery] = await Promise.all([load, loadStarted.then(() => FAULTS[name]())]);
  // Whatever the fault left behind must come back before the invariants are read.
  await untilReady(60_000);
  const checks = await invariants(summary.orders.created);
  const late = Object.entries(summary.slowest).filter(([route, ms]) => ms > budgetOf(route));
  checks.push({
    name: 'deadlines hold',
    ok: late.length === 0,
    detail: late.length
      ? late.map(([route, ms]) => `${route} took ${ms} ms (budget ${budgetOf(route)} ms)`).join('; ')
      : `slowest ${Object.entries(summary.slowest)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 2)
          .map(([route, ms]) => `${route} ${ms} ms`)
          .join(', ')}`,
  });
  if (name === 'disk-full') {
    const others = Object.entries(DISK.window)
      .filter(([status]) => status !== '503' && status !== '504')
      .map(([status, n]) => `${n} × ${status}`);
    checks.push({
      name: 'the fault bit',
      ok: DISK.unavailable > 0 && DISK.refusedByServer > 0,
      detail:
        `${DISK.unavailable} answers 503/504 while orders' disk was full (${DISK.mode}); ` +
        `orders logged "No space left on device" ${DISK.refusedByServer} times` +
        (others.length ? `; other failures meanwhile: ${others.join(', ')}` : ''),
    });
    await releaseDisk({ orderly: true });
  }
  if (recovery !== null) {
    checks.push({
      name: 'recovers in time',
      ok: recovery <= RECOVERY_BOUND_MS,
      detail: `${(recovery / 1000).toFixed(1)} s (bound ${RECOVERY_BOUND_MS / 1000} s, --recovery-bound)`,
    });
  }
  const server = Object.entries(summary.failures).filter(([status]) => Number(status) >= 500);
  const bugs = server.filter(([status]) => status === '500').reduce((n, [, k]) => n + k, 0);
  const unavailable = server
    .filter(([status]) => status === '503' || status === '504')
    .reduce((n, [, k]) => n + k, 0);
  const other = summary.errors - bugs - unavailable;
  const retried = Object.values(summary.retried).reduce((n, k) => n + k, 0);
  const slowest = Math.max(0, ...Object.values(summary.slowest));
  const resets = [...platform.proxies.values()].reduce((n, p) => n + p.stats.resets, 0) - resetsBefore;
  // gRPC calls per load step on each proxied wire, retries included.
  const callsPerStep = Object.fromEntries(
    [...platform.proxies].map(([wire, p]) => [
      wire,
      Number(((p.stats.calls - callsBefore.get(wire)) / Math.max(1, summary.total)).toFixed(2)),
    ]),
  );
  if (name !== 'baseline' && calm) {
    const storms = Object.entries(callsPerStep).filter(([wire, rate]) => rate > RETRY_BOUND * calm[wire]);
    checks.push({
      name: 'retries bounded',
      ok: storms.length === 0,
      detail: Object.entries(callsPerStep)
        .map(([wire, rate]) => `${wire} ${rate} calls a step (baseline ${calm[wire]})`)
        .join(', '),
    });
  }
  if (name === 'baseline') {
    calm = callsPerStep;
  }
  return {
    name,
    label,
    disk:
      name === 'disk-full'
        ? {
            mode: DISK.mode,
            reason: DISK.reason,
            sizeMiB: DISK.sizeMiB,
            relationsMoved: DISK.moved,
            fillerMiB: Number(DISK.fillerMiB.toFixed(1)),
            unavailable: DISK.unavailable,
            refusedByServer: DISK.refusedByServer,
            failuresDuringFault: DISK.window,
          }
        : undefined,
    summary,
    recovery,
    checks,
    bugs,
    unavailable,
    other,
    retried,
    slowest,
    resets,
    callsPerStep,
  };
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
      scenario: r.label,
      steps: r.summary.total,
      '500s': r.bugs,
      '503/504': r.unavailable,
      'other errors': r.other,
      'repeated writes': r.retried,
      slowest: `${(r.slowest / 1000).toFixed(1)} s`,
      recovery: r.recovery === null ? '—' : `${(r.recovery / 1000).toFixed(1)} s`,
      invariants: r.checks.every((c) => c.ok)
        ? 'all hold'
        : r.checks
            .filter((c) => !c.ok)
            .map((c) => c.name)
            .join('; '),
    })),
  );
  for (const r of rows) {
    const detail = (name) => r.checks.find((c) => c.name === name)?.detail;
    console.log(
      `  ${r.label}: ${r.resets} connections reset; ${detail('deadlines hold')}` +
        (detail('retries bounded') ? `; ${detail('retries bounded')}` : ''),
    );
  }
  let failed = false;
  for (const r of rows) {
    for (const c of r.checks.filter((x) => !x.ok)) {
      console.log(`  ${r.label}: ${c.name} FAILED (${c.detail})`);
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
  if (values.json) {
    // For the test that runs a short scenario in CI: the figures and every check, by scenario.
    const result = rows.map((r) => ({
      scenario: r.name,
      label: r.label,
      disk: r.disk,
      steps: r.summary.total,
      errors500: r.bugs,
      unavailable: r.unavailable,
      otherErrors: r.other,
      repeatedWrites: r.retried,
      retriedByStatus: r.summary.retried,
      slowestByRoute: r.summary.slowest,
      ordersCreated: r.summary.orders.created.length,
      ordersPaid: r.summary.orders.paid.length,
      recoveryMs: r.recovery,
      checks: r.checks,
      resets: r.resets,
      callsPerStep: r.callsPerStep,
    }));
    fs.writeFileSync(values.json, `${JSON.stringify({ failed, scenarios: result }, null, 2)}\n`);
  }
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
