// What every benchmark here shares: child processes in their own process group that are always
// stopped (even on failure or Ctrl-C), throwaway databases and Redis key prefixes, readiness
// polls, an autocannon run in its own process, and the printing of figures as ratios.
// PostgreSQL, port and process helpers come from the launcher (tools/runtime/lib), and every
// service's environment from its service table (tools/runtime/services.mjs).
import grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { service as healthService } from 'grpc-health-check';
import pg from 'pg';
import { build } from '../../tools/runtime/build.mjs';
import { autocannonFigures } from './autocannon.mjs';
import { ensureDatabases, databaseUrl, freePort } from '../../tools/runtime/lib/postgres.mjs';
import { eachLine, isAlive, killPid, sleep } from '../../tools/runtime/lib/processes.mjs';
import { SERVICES, randomSecrets, serviceEnv } from '../../tools/runtime/services.mjs';

export { databaseUrl, freePort, sleep };
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** PostgreSQL and Redis the benchmarks use (never the launcher's embedded ones). */
export const PG_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';

export const say = (line) => console.log(`bench ${line}`);

/** The measured seconds of a run (BENCH_SECONDS) and the warm-up discarded before them. */
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
export const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
/** How long a whole run may take (BENCH_TIMEOUT_SECONDS) before {@link startWatchdog} stops it. */
export const TIMEOUT_SECONDS = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 600);

// ---------------------------------------------------------------- cleanup

const cleanups = [];
let cleaning;

/** Registers an undo step; they run last-in first-out from `cleanup()`. */
export function onCleanup(step) {
  cleanups.push(step);
}

export function cleanup() {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const step = cleanups.pop();
      try {
        await step();
      } catch (error) {
        console.error(`bench cleanup: ${error.message ?? error}`);
      }
    }
  })();
  return cleaning;
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    console.error(`bench ${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

/** Stops the run, cleaning up, if it is not done within TIMEOUT_SECONDS. */
export function startWatchdog() {
  const watchdog = setTimeout(() => {
    console.error(`bench: not done within BENCH_TIMEOUT_SECONDS=${TIMEOUT_SECONDS}; stopping`);
    void cleanup().finally(() => process.exit(1));
  }, TIMEOUT_SECONDS * 1000);
  watchdog.unref();
  onCleanup(() => clearTimeout(watchdog));
}

/** Runs `main`, always cleans up, exits non-zero on failure. */
export function run(main) {
  main()
    .then(() => cleanup())
    .catch(async (error) => {
      console.error(`bench failed: ${error.stack ?? error}`);
      await cleanup();
      process.exitCode = 1;
    });
}

// ---------------------------------------------------------------- processes

/**
 * Starts a Node script (or any command with `command`) in its own process group, output
 * prefixed by `name` (or kept quiet with `quiet`), stopped by cleanup.
 */
export function startProcess(
  name,
  args,
  { env = {}, command = process.execPath, quiet = false, cwd = ROOT } = {},
) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output = [];
  const keep = (line) => {
    output.push(line);
    if (output.length > 200) {
      output.shift();
    }
    if (!quiet) {
      console.log(`  ${name} │ ${line}`);
    }
  };
  eachLine(child.stdout, keep);
  eachLine(child.stderr, keep);
  onCleanup(() =>
    child.pid && isAlive(child.pid) ? killPid(child.pid, { graceMs: 5000, group: true }) : undefined,
  );
  child.output = output;
  return child;
}

/** Runs a Node script to its end; resolves to its stdout, rejects on a non-zero exit. */
export function runNode(args, { env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    onCleanup(() =>
      child.exitCode === null && child.signalCode === null
        ? killPid(child.pid, { graceMs: 2000 })
        : undefined,
    );
    child.once('close', (code) =>
      code === 0
        ? resolve(stdout)
        : reject(new Error(`${args.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`)),
    );
  });
}

/** A GET to 127.0.0.1; resolves to { status, headers, body (Buffer) }, or undefined on error. */
export function httpGet(port, urlPath, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: timeoutMs }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(undefined));
  });
}

/** Whether the gRPC server on 127.0.0.1:`port` answers grpc.health.v1.Health/Check SERVING. */
export function grpcServing(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const Health = grpc.makeGenericClientConstructor(healthService, 'Health');
    const client = new Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    client.check({ service: '' }, { deadline: Date.now() + timeoutMs }, (error, reply) => {
      client.close();
      resolve(!error && reply?.status === 'SERVING');
    });
  });
}

/** A free port for each service of the table (where a run starts only some, nothing listens on the others). */
export async function servicePorts() {
  const ports = {};
  for (const spec of SERVICES) {
    ports[spec.name] = await freePort();
  }
  return ports;
}

/**
 * The launch context (tools/runtime/services.mjs) of one run: `databases` by service name (from
 * `freshDatabases`), `ports` (from `servicePorts`), the benchmarks' Redis under `redisKeyPrefix`
 * (none without one), fresh random secrets in the shape `npm start` generates them, LOG_LEVEL
 * `logLevel`. Its `secrets` are the run's: what a benchmark signs or sends must use them.
 */
export function launchContext({ databases, ports, redisKeyPrefix, logLevel = 'warn' }) {
  const random = (bytes) => crypto.randomBytes(bytes).toString('base64url');
  return {
    databaseUrl: (service) => {
      if (!databases[service]) {
        throw new Error(`no database made for ${service}`);
      }
      return databases[service];
    },
    redisUrl: redisKeyPrefix ? REDIS_URL : undefined,
    redisKeyPrefix,
    secrets: randomSecrets(),
    ports,
    logLevel,
    host: '127.0.0.1',
    demoPassword: random(12),
  };
}

/**
 * Starts service `name` of the build in `work` (from `prepareBuild`) with the environment the
 * launcher's table gives it in `ctx`, plus this benchmark's `overrides`; `nodeArgs` go to node
 * (e.g. --cpu-prof). Stopped by cleanup.
 */
export function startService(work, name, ctx, { overrides, nodeArgs = [] } = {}) {
  const spec = SERVICES.find((s) => s.name === name);
  return startProcess(name, [...nodeArgs, path.join(work, spec.entry)], {
    env: serviceEnv(name, ctx, overrides),
  });
}

/**
 * Waits until each service of `started` (name → its process from `startService`) is ready, in
 * order: a gRPC service answers SERVING, an HTTP one answers `httpPath` with 200. Throws naming
 * the service if its process dies first.
 */
export async function waitReady(ports, started, { httpPath = '/readyz' } = {}) {
  for (const [name, child] of Object.entries(started)) {
    const port = ports[name];
    if (SERVICES.find((s) => s.name === name).protocol === 'grpc') {
      await waitFor(`${name} gRPC health`, () => grpcServing(port), { child });
    } else {
      await waitFor(`${name} GET ${httpPath}`, async () => (await httpGet(port, httpPath))?.status === 200, {
        child,
      });
    }
  }
}

/** Polls until `check()` is truthy; throws naming `what` if `child` dies or time runs out. */
export async function waitFor(what, check, { child, timeoutMs = 120_000, everyMs = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(
        `${what}: process exited (${child.signalCode ?? child.exitCode})\n${child.output?.join('\n') ?? ''}`,
      );
    }
    const value = await check();
    if (value) {
      return value;
    }
    await sleep(everyMs);
  }
  throw new Error(`${what}: not ready within ${timeoutMs / 1000} s`);
}

// ---------------------------------------------------------------- build

/**
 * A private work folder in tmp/ (removed by cleanup) holding a copy of a fresh build, so that
 * someone else rebuilding dist/ meanwhile cannot pull files from under the running services.
 * Returns { work, dist }. BENCH_SKIP_BUILD=true copies the existing dist/ without building.
 */
export async function prepareBuild() {
  const work = path.join(ROOT, 'tmp', `bench-${RUN_ID}`);
  fs.mkdirSync(work, { recursive: true });
  onCleanup(() => fs.rmSync(work, { recursive: true, force: true }));
  const dist = path.join(work, 'dist');
  for (let attempt = 1; ; attempt += 1) {
    try {
      if (process.env.BENCH_SKIP_BUILD !== 'true') {
        await build({ log: say });
      }
      fs.cpSync(path.join(ROOT, 'dist'), dist, { recursive: true });
      for (const spec of SERVICES) {
        fs.accessSync(path.join(work, spec.entry));
      }
      return { work, dist };
    } catch (error) {
      // dist/ is shared: another build may have emptied it under us; try again.
      if (attempt >= 3) {
        throw error;
      }
      say(`build or copy failed (${error.message.split('\n')[0]}); retrying`);
      fs.rmSync(dist, { recursive: true, force: true });
      await sleep(2000);
    }
  }
}

// ---------------------------------------------------------------- data

/** A short random suffix that names this run's databases and Redis keys. */
export const RUN_ID = `${Date.now().toString(36)}${crypto.randomBytes(3).toString('hex')}`;

/** Creates fresh databases `bench_<name>_<run>`; they are dropped by cleanup. Returns their URLs. */
export async function freshDatabases(names) {
  const full = names.map((name) => `bench_${name}_${RUN_ID}`);
  onCleanup(() => dropDatabases(full));
  await ensureDatabases(PG_URL, full);
  return Object.fromEntries(names.map((name, i) => [name, databaseUrl(PG_URL, full[i])]));
}

async function dropDatabases(names) {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const name of names) {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}

/** A Redis key prefix for this run; its keys are deleted by cleanup. */
export async function freshRedisPrefix() {
  const prefix = `bench:${RUN_ID}:`;
  onCleanup(async () => {
    const { default: Redis } = await import('ioredis');
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) {
          await redis.del(...keys);
        }
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  });
  return prefix;
}

// ---------------------------------------------------------------- load

/**
 * autocannon's CLI in its own process (so it never shares an event loop with a server):
 * returns { rps, p50, p99, non2xx, errors, requests } from its --json output.
 */
export async function autocannon(url, { connections, seconds }) {
  const cli = path.join(ROOT, 'node_modules', 'autocannon', 'autocannon.js');
  const out = await runNode([cli, '--json', '-c', String(connections), '-d', String(seconds), url]);
  return autocannonFigures(JSON.parse(out.slice(out.indexOf('{'))));
}

// ---------------------------------------------------------------- printing

export const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The comparison table: both sides and the ratio of throughputs, against a target. */
export function printComparison({ title, unit, subject, baseline, target }) {
  const ratio = subject.value.rps / baseline.value.rps;
  const row = (name, v) =>
    `  ${name.padEnd(26)} ${fmt(v.rps).padStart(9)} ${unit}   p50 ${fmt(v.p50, 2).padStart(7)} ms   p99 ${fmt(v.p99, 2).padStart(7)} ms` +
    (v.non2xx || v.errors ? `   (${v.non2xx ?? 0} non-2xx, ${v.errors} errors)` : '');
  console.log(`\n${title}`);
  console.log(row(subject.name, subject.value));
  console.log(row(baseline.name, baseline.value));
  console.log(
    `  ratio ${subject.name} ÷ ${baseline.name} = ${ratio.toFixed(3)}   (target ≥ ${target}: ${ratio >= target ? 'met' : 'NOT met'})` +
      `   p99 ratio = ${(subject.value.p99 / baseline.value.p99).toFixed(2)}`,
  );
  return ratio;
}
