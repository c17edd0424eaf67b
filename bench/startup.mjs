#!/usr/bin/env node
// `npm run bench:startup`: how long `npm start` (node tools/runtime/start.mjs) takes to be usable
// the way a newcomer runs it (no DATABASE_URL: embedded PostgreSQL; no REDIS_URL: redis-server from
// PATH), cold (no build output, empty data folder) and warm (second start on the same data), and
// how much memory the whole platform holds once up. Both ways the launcher can run the services:
// all in its own process (the default, "after") and each as its own process (`--processes`, the
// way it ran before, "before"), one after the other in the same run.
//
// The launcher keeps its build in `dist/` of its checkout, so this runs it from a scratch checkout
// in tmp/bench-startup-<run>/ (apps, libs, proto, tools/runtime, .swcrc and package.json copied;
// node_modules linked), each mode with a data folder of its own (YUGONG_DATA_DIR) and dist/ removed
// before its cold start: the developer's own .data/ and dist/ are never used or touched. Free ports
// are passed through the launcher's own settings; the launcher generates every secret.
//
// Each start is timed from spawn to the later of the launcher's "Yugong is running" line (every
// service ready) and the first GET /api/v1/products answered 200 with items (the figure held
// against the target); the build
// (SWC and the web app's Vite build) is included, as it is in `npm start`. While up, the RSS (and
// PSS, which counts shared pages once) of the launcher and every process descending from it is
// summed from /proc: the Node process(es) of the services (and the launcher), PostgreSQL's
// postmaster with all its backends and helper processes, and redis-server. Then SIGTERM, and the
// same again warm.
// Targets (issue 14): one process, cold ≤ 10 s to products 200 and total RSS ≤ 600 MiB; the ratio
// after ÷ before is printed beside each figure.
import fs from 'node:fs';
import path from 'node:path';
import { eachLine, isAlive, killPid } from '../tools/runtime/lib/processes.mjs';
import {
  fmt,
  freePort,
  httpGet,
  onCleanup,
  ROOT,
  RUN_ID,
  run,
  say,
  sleep,
  startProcess,
  waitFor,
} from './lib/harness.mjs';

const TARGET = { cold: 10, warm: 10, rssMiB: 600 };

/** Node's flags exactly as `npm start` passes them: package.json's `node <flags> tools/runtime/start.mjs`. */
const START_NODE_FLAGS = (() => {
  const script = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start;
  const match = /^node((?: --[\w-]+(?:=\S+)?)*) tools\/runtime\/start\.mjs$/.exec(script);
  if (!match) {
    throw new Error(`package.json's start script is not "node [flags] tools/runtime/start.mjs": ${script}`);
  }
  return match[1].trim().split(' ').filter(Boolean);
})();
const MODES = [
  { key: 'one', title: 'one process (after)', args: [] },
  { key: 'processes', title: 'a process per service (before)', args: ['--processes'] },
];

/** A throwaway checkout the launcher can treat as its repository root. */
function scratchCheckout() {
  const dir = path.join(ROOT, 'tmp', `bench-startup-${RUN_ID}`);
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const part of ['apps', 'libs', 'proto', 'tools/runtime', '.swcrc', 'package.json']) {
    fs.cpSync(path.join(ROOT, part), path.join(dir, part), { recursive: true });
  }
  fs.symlinkSync(path.relative(dir, path.join(ROOT, 'node_modules')), path.join(dir, 'node_modules'));
  return dir;
}

/** PIDs of `root` and all its descendants, from /proc/<pid>/stat parent links. */
function processTree(root) {
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const tree = [];
  const walk = (pid) => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) {
      walk(child);
    }
  };
  walk(root);
  return tree;
}

/** kB of a field (VmRSS in status, Pss in smaps_rollup) of one process; 0 when gone. */
function kB(file, field) {
  try {
    const match = fs.readFileSync(file, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function memory(root) {
  const pids = processTree(root);
  const names = {};
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    const r = kB(`/proc/${pid}/status`, 'VmRSS');
    rss += r;
    pss += kB(`/proc/${pid}/smaps_rollup`, 'Pss');
    let name = 'node';
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const script = cmd.find((part) => /apps\/\w+\/src\/main\.js$|start\.mjs$/.test(part));
      name = script
        ? script.replace(/.*apps\/(\w+)\/src\/main\.js$/, '$1').replace(/.*start\.mjs$/, 'launcher')
        : path.basename(cmd[0].split(/[ :]/)[0]);
      // PostgreSQL's helpers and backends name themselves "postgres: …".
      name = name.startsWith('postgres') ? 'postgres' : name;
    } catch {
      // gone
    }
    names[name] = (names[name] ?? 0) + r;
  }
  return { pids: pids.length, rssMiB: rss / 1024, pssMiB: pss / 1024, byName: names };
}

/** One `npm start`: timed to ready, memory sampled, then stopped with SIGTERM. */
async function startOnce(label, dir, env, gatewayPort, args) {
  const started = performance.now();
  const launcher = startProcess(label, [...START_NODE_FLAGS, 'tools/runtime/start.mjs', ...args], {
    env,
    cwd: dir,
    quiet: true,
  });
  let readyLine;
  eachLine(launcher.stdout, (line) => {
    if (readyLine === undefined && line.includes('Yugong is running')) {
      readyLine = (performance.now() - started) / 1000;
    }
  });
  const tree = new Set();
  onCleanup(async () => {
    // On failure: whatever the launcher did not stop (PostgreSQL and redis run in groups of their own).
    for (const pid of tree) {
      if (isAlive(pid)) {
        await killPid(pid, { signals: ['SIGQUIT', 'SIGKILL'], graceMs: 3000 });
      }
    }
  });
  const remember = () => processTree(launcher.pid).forEach((pid) => tree.add(pid));
  await waitFor(
    `${label}: GET /api/v1/products with items`,
    async () => {
      remember();
      const res = await httpGet(gatewayPort, '/api/v1/products', 1000);
      return res?.status === 200 && JSON.parse(res.body).items?.length > 0;
    },
    { child: launcher, timeoutMs: 180_000, everyMs: 100 },
  );
  // With every service in one process the gateway may answer before the last service is up:
  // "ready" is when both products answer and the launcher says every service is.
  await waitFor(`${label}: the launcher's "Yugong is running"`, async () => readyLine !== undefined, {
    child: launcher,
    timeoutMs: 180_000,
    everyMs: 100,
  });
  const ready = (performance.now() - started) / 1000;
  remember();
  // Let start-up garbage settle, touch the API a little, then take the largest of a few samples.
  let peak;
  for (let i = 0; i < 5; i += 1) {
    await httpGet(gatewayPort, '/api/v1/products?pageSize=50');
    await sleep(1000);
    const sample = memory(launcher.pid);
    if (!peak || sample.rssMiB > peak.rssMiB) {
      peak = sample;
    }
  }
  remember();
  const stopStarted = performance.now();
  launcher.kill('SIGTERM');
  await waitFor(
    `${label}: launcher exit after SIGTERM`,
    async () => launcher.exitCode !== null || launcher.signalCode !== null,
    { timeoutMs: 60_000 },
  );
  const stopped = (performance.now() - stopStarted) / 1000;
  const leftovers = [...tree].filter((pid) => isAlive(pid));
  if (leftovers.length > 0) {
    say(
      `${label}: ${leftovers.length} process(es) still alive after the launcher exited: ${leftovers.join(', ')}`,
    );
  }
  if (launcher.exitCode !== 0) {
    throw new Error(
      `${label}: launcher exited ${launcher.exitCode ?? launcher.signalCode}\n${launcher.output.join('\n')}`,
    );
  }
  return { ready, readyLine, memory: peak, stopped, output: launcher.output };
}

run(async () => {
  const dir = scratchCheckout();
  const ports = {};
  for (const name of [
    'gateway',
    'catalog',
    'beneficiaries',
    'orders',
    'ledger',
    'licensing',
    'pg',
    'redis',
  ]) {
    ports[name] = await freePort();
  }
  const baseEnv = {
    PORT: String(ports.gateway),
    CATALOG_GRPC_PORT: String(ports.catalog),
    BENEFICIARIES_GRPC_PORT: String(ports.beneficiaries),
    ORDERS_GRPC_PORT: String(ports.orders),
    LEDGER_GRPC_PORT: String(ports.ledger),
    LICENSING_GRPC_PORT: String(ports.licensing),
    YUGONG_PG_PORT: String(ports.pg),
    YUGONG_REDIS_PORT: String(ports.redis),
    NO_COLOR: '1',
    // A newcomer's shell: none of these set.
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    SERVICE_KEY: undefined,
    SERVICE_PUBLIC_KEYS: undefined,
    JWT_SECRET: undefined,
    PII_ENCRYPTION_KEYS: undefined,
    PII_ACTIVE_KEY_ID: undefined,
    PII_HASH_KEY: undefined,
    LABEL_TAG_KEY: undefined,
    LOG_LEVEL: undefined,
    DB_POOL_MAX: undefined,
    DB_POOL_IDLE_MS: undefined,
    YUGONG_PROCESSES: undefined,
  };
  say(
    `launcher runs from a scratch checkout in tmp/ (no dist/, fresh data folder), embedded PostgreSQL, redis-server from PATH`,
  );

  const results = {};
  for (const mode of MODES) {
    const env = { ...baseEnv, YUGONG_DATA_DIR: path.join(dir, `.data-${mode.key}`) };
    fs.rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
    results[mode.key] = {};
    for (const label of ['cold', 'warm']) {
      say(`${mode.title}: ${label} start…`);
      const r = await startOnce(`${mode.key} ${label}`, dir, env, ports.gateway, mode.args);
      results[mode.key][label] = r;
      say(`${mode.title}: ${label}: ready in ${r.ready.toFixed(1)} s, stopped in ${r.stopped.toFixed(1)} s`);
    }
  }

  const after = results.one;
  const before = results.processes;
  const met = (value, target) => (value <= target ? 'met' : 'NOT met');
  console.log(
    `\nnpm start (node ${[...START_NODE_FLAGS, 'tools/runtime/start.mjs'].join(' ')}), embedded PostgreSQL + redis-server, build included`,
  );
  console.log(
    `  ${''.padEnd(34)} ${'after'.padStart(8)} ${'before'.padStart(8)}  after÷before  target (after)`,
  );
  const row = (name, a, b, target, unit) =>
    console.log(
      `  ${name.padEnd(34)} ${fmt(a, unit === 's' ? 1 : 0).padStart(8)} ${fmt(b, unit === 's' ? 1 : 0).padStart(8)}  ${(a / b).toFixed(2).padStart(12)}  ` +
        `≤ ${target} ${unit}: ${met(a, target)}`,
    );
  row('cold start, all ready (s)', after.cold.ready, before.cold.ready, TARGET.cold, 's');
  row('warm start, all ready (s)', after.warm.ready, before.warm.ready, TARGET.warm, 's');
  row('total RSS, cold (MiB)', after.cold.memory.rssMiB, before.cold.memory.rssMiB, TARGET.rssMiB, 'MiB');
  row('total RSS, warm (MiB)', after.warm.memory.rssMiB, before.warm.memory.rssMiB, TARGET.rssMiB, 'MiB');
  for (const mode of MODES) {
    const r = results[mode.key];
    console.log(`\n  ${mode.title}:`);
    console.log(
      `    "Yugong is running" line at ${r.cold.readyLine?.toFixed(1) ?? '?'} s cold, ${r.warm.readyLine?.toFixed(1) ?? '?'} s warm; ` +
        `SIGTERM to exit ${r.cold.stopped.toFixed(1)} s / ${r.warm.stopped.toFixed(1)} s`,
    );
    for (const label of ['cold', 'warm']) {
      const m = r[label].memory;
      console.log(
        `    ${label}: RSS ${fmt(m.rssMiB)} MiB, PSS ${fmt(m.pssMiB)} MiB (shared pages counted once), ${m.pids} processes; ` +
          `RSS by process: ` +
          Object.entries(m.byName)
            .sort((a, b) => b[1] - a[1])
            .map(([name, k]) => `${name} ${fmt(k / 1024)}`)
            .join(', '),
      );
    }
    for (const label of ['cold', 'warm']) {
      console.log(`    launcher timings (${label}):`);
      for (const l of r[label].output.filter((l) => /ready in|started in|build:/.test(l))) {
        console.log(`      ${l}`);
      }
    }
  }
  console.log(
    '\n  RSS counted: the launcher and every process under it (Node, PostgreSQL with all its backends\n' +
      '  and helpers, redis-server), largest of 5 samples a second apart once products answer.',
  );
});
