#!/usr/bin/env node
// `npm test`: finds or starts PostgreSQL and Redis, runs every project's Jest tests through Nx
// with DATABASE_URL / REDIS_URL set, and ends with one line: `N passed, N failed[, N skipped]`.
//
// PostgreSQL: DATABASE_URL (a server URL), else postgres@127.0.0.1:5432 if it answers within 2 s,
// else an embedded PostgreSQL in tmp/test-postgres (fresh each run), stopped at the end.
// Redis: REDIS_URL, else 127.0.0.1:6379 if it answers PING, else a redis-server from PATH on a
// free port, else none (Redis suites are skipped, and it says so).
// Extra arguments go to Jest: `npm test -- --testPathPatterns money`.
// The services and the web app are built into dist/ first (skipped when current).
// The web project's `test` target (apps/web/e2e/run.mjs) runs its Jest specs with those arguments,
// then its browser tests (Playwright in Debian's chromium, against the platform started from the
// build as `npm start` starts it), whose counts join the summary as `web-browser`.
// Overrides: YUGONG_TEST_PG_PROBE / YUGONG_TEST_REDIS_PROBE (host:port probed instead of the
// defaults), YUGONG_REDIS_SERVER (path, or `none`), YUGONG_TEST_TIMEOUT_MIN (20).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from '../runtime/build.mjs';
import { isAlive, killPid } from '../runtime/lib/processes.mjs';
import { freePort, probePostgres, redactUrl, startEmbeddedPostgres } from '../runtime/lib/postgres.mjs';
import { findRedisServer, pingRedis, startRedisServer } from '../runtime/lib/redis.mjs';
import { details, REPORTS, summarize, summaryLine } from './summary.mjs';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TMP = path.join(ROOT, 'tmp');
const env = process.env;
const say = (line) => console.log(`[test] ${line}`);
const minutes = Number.parseFloat(env.YUGONG_TEST_TIMEOUT_MIN ?? '20');

const started = { postgres: undefined, redis: undefined, nx: undefined };
let timedOut = false;

function hostPort(value, fallbackPort) {
  const [host, port] = value.split(':');
  return { host: host || '127.0.0.1', port: Number.parseInt(port ?? '', 10) || fallbackPort };
}

async function resolvePostgres() {
  if (env.DATABASE_URL) {
    say(`PostgreSQL: ${redactUrl(env.DATABASE_URL)} (DATABASE_URL)`);
    return env.DATABASE_URL;
  }
  const { host, port } = hostPort(env.YUGONG_TEST_PG_PROBE ?? '127.0.0.1:5432', 5432);
  const local = `postgres://postgres@${host}:${port}/postgres`;
  if (await probePostgres(local, 2000)) {
    say(`PostgreSQL: ${local} (answering)`);
    return local;
  }
  const t0 = Date.now();
  const dataDir = path.join(TMP, 'test-postgres');
  fs.rmSync(dataDir, { recursive: true, force: true });
  started.postgres = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    password: 'postgres',
    pidFile: path.join(TMP, 'test-postgres.pid'),
    workspace: ROOT,
    tmpDir: TMP,
    log: say,
  });
  say(
    `PostgreSQL: nothing at ${host}:${port}; started embedded PostgreSQL on 127.0.0.1:${started.postgres.port} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return started.postgres.url;
}

async function resolveRedis() {
  if (env.REDIS_URL) {
    say(`Redis: ${redactUrl(env.REDIS_URL)} (REDIS_URL)`);
    return env.REDIS_URL;
  }
  const { host, port } = hostPort(env.YUGONG_TEST_REDIS_PROBE ?? '127.0.0.1:6379', 6379);
  if (await pingRedis(host, port, 2000)) {
    say(`Redis: redis://${host}:${port} (answering)`);
    return `redis://${host}:${port}`;
  }
  const binary = findRedisServer();
  if (!binary) {
    say(
      `Redis: none (nothing at ${host}:${port}, no redis-server on PATH): Redis-dependent suites will be SKIPPED.`,
    );
    say('       Set REDIS_URL or install redis-server to run them.');
    return undefined;
  }
  const redisPort = await freePort();
  started.redis = await startRedisServer({
    binary,
    port: redisPort,
    dataDir: path.join(TMP, 'test-redis'),
    pidFile: path.join(TMP, 'test-redis.pid'),
    log: say,
  });
  say(`Redis: nothing at ${host}:${port}; started ${binary} on 127.0.0.1:${redisPort}`);
  return started.redis.url;
}

let cleaning;
/** Stops whatever this run started (once, however many times it is asked). */
function cleanup() {
  cleaning ??= stopStarted();
  return cleaning;
}

async function stopStarted() {
  if (started.nx?.pid && isAlive(started.nx.pid)) {
    await killPid(started.nx.pid, { signals: ['SIGTERM', 'SIGKILL'], graceMs: 5000, group: true });
  }
  if (started.redis) {
    await started.redis.stop();
    fs.rmSync(path.join(TMP, 'test-redis'), { recursive: true, force: true });
    say('stopped the redis-server it started');
  }
  if (started.postgres) {
    await started.postgres.stop();
    fs.rmSync(path.join(TMP, 'test-postgres'), { recursive: true, force: true });
    say('stopped the embedded PostgreSQL it started');
  }
}

/** Runs nx in its own process group (so a timeout can stop Jest workers too). */
function runNx(childEnv, jestArgs) {
  const manifest = require.resolve('nx/package.json', { paths: [ROOT] });
  const nx = path.join(path.dirname(manifest), JSON.parse(fs.readFileSync(manifest, 'utf8')).bin.nx);
  const args = [nx, 'run-many', '-t', 'test', '--outputStyle=static', '--', '--passWithNoTests', ...jestArgs];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: childEnv,
      stdio: 'inherit',
      detached: true,
    });
    started.nx = child;
    const timer = setTimeout(() => {
      timedOut = true;
      say(`TIMEOUT: tests still running after ${minutes} min (YUGONG_TEST_TIMEOUT_MIN); stopping them`);
      void killPid(child.pid, { signals: ['SIGTERM', 'SIGKILL'], graceMs: 5000, group: true });
    }, minutes * 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      say(`cannot run nx: ${error.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ? 128 : (code ?? 1));
    });
  });
}

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (interrupted) {
      return;
    }
    interrupted = true;
    say(`${sig}: stopping tests and cleaning up`);
    void cleanup().finally(() => {
      console.log(summaryLine(summarize()));
      process.exit(130);
    });
  });
}

async function main() {
  const t0 = Date.now();
  fs.mkdirSync(TMP, { recursive: true });
  fs.rmSync(REPORTS, { recursive: true, force: true });
  let nxCode = 1;
  try {
    const databaseUrl = await resolvePostgres();
    const redisUrl = await resolveRedis();
    const childEnv = {
      ...env,
      DATABASE_URL: databaseUrl,
      TMPDIR: TMP,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_SKIP_NX_CACHE: 'true',
    };
    if (redisUrl) {
      childEnv.REDIS_URL = redisUrl;
    } else {
      delete childEnv.REDIS_URL;
    }
    // Built once here: the browser tests and the launcher's own test then find dist/ current, and
    // neither rewrites it while the other may be running from it.
    await build({ log: (line) => say(line) });
    if (!interrupted) {
      nxCode = await runNx(childEnv, process.argv.slice(2));
    }
  } catch (error) {
    say(`cannot run the tests: ${error.message ?? error}`);
  } finally {
    await cleanup();
  }
  if (interrupted) {
    return; // the signal handler prints and exits
  }
  const totals = summarize();
  if (nxCode !== 0 && totals.failed === 0) {
    // Nx failed but no Jest report says why (a project crashed before reporting, a timeout):
    // never let that pass as green.
    totals.failed = 1;
    const why = timedOut
      ? 'the run timed out'
      : `nx exited with ${nxCode} without a failing test in the reports`;
    say(`${why}: counted as 1 failure (see the output above)`);
  }
  const lines = details(totals);
  if (lines.length > 0) {
    console.log(['', '[test] results by project:', ...lines].join('\n'));
  }
  say(`took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const noTests = totals.passed + totals.failed === 0;
  if (noTests) {
    say('no tests ran at all');
  }
  console.log(summaryLine(totals));
  process.exit(nxCode !== 0 || totals.failed > 0 || noTests ? 1 : 0);
}

void main();
