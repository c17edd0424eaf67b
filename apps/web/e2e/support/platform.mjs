// The platform for the browser tests, started the way `npm start` starts it: every service of
// tools/runtime/services.mjs as its own process from the build output, with the environment that
// table gives it, demo data seeded, the gateway serving the built web app. Unlike `npm start` it
// uses fresh databases of its own (dropped at the end), free ports and a private Redis prefix, so
// that runs never see each other's orders.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { databaseUrl, ensureDatabases, freePort } from '../../../../tools/runtime/lib/postgres.mjs';
import { eachLine, isAlive, killPid, sleep } from '../../../../tools/runtime/lib/processes.mjs';
import { SERVICES, randomSecrets, serviceEnv } from '../../../../tools/runtime/services.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const WEB_ROOT = path.join(ROOT, 'dist', 'apps', 'web');
export const DEMO_PASSWORD = 'web-e2e-demo-password';

function ready(port) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/readyz', timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(false));
  });
}

async function dropDatabases(serverUrl, names) {
  const client = new pg.Client({ connectionString: serverUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    for (const name of names) {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Starts every service; resolves to `{ baseUrl, stop }` once the gateway's /readyz (which waits
 * for every service behind it) answers 200. `log` receives each service's output line.
 * @param {{ log?: (line: string) => void, timeoutMs?: number }} [options]
 */
export async function startPlatform({ log = () => {}, timeoutMs = 120_000 } = {}) {
  const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const run = `web_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const names = Object.fromEntries(SERVICES.map((s) => [s.name, `yugong_${run}_${s.name}`]));
  await ensureDatabases(serverUrl, Object.values(names));
  const ports = {};
  for (const spec of SERVICES) {
    ports[spec.name] = await freePort();
  }
  const ctx = {
    databaseUrl: (service) => databaseUrl(serverUrl, names[service]),
    redisUrl: process.env.REDIS_URL || undefined,
    redisKeyPrefix: `yugong:${run}:`,
    secrets: randomSecrets(),
    ports,
    logLevel: 'warn',
    host: '127.0.0.1',
    demoPassword: DEMO_PASSWORD,
    webRoot: WEB_ROOT,
  };
  const children = [];
  const stop = async () => {
    await Promise.all(
      children
        .reverse()
        .filter((child) => child.pid && isAlive(child.pid))
        .map((child) => killPid(child.pid, { signals: ['SIGTERM', 'SIGKILL'], graceMs: 5000, group: true })),
    );
    await dropDatabases(serverUrl, Object.values(names)).catch((error) =>
      log(`could not drop the test databases: ${error.message}`),
    );
  };
  try {
    for (const spec of SERVICES) {
      const own = { ...process.env, TMPDIR: path.join(ROOT, 'tmp') };
      for (const key of Object.keys(spec.env(ctx))) {
        delete own[key];
      }
      const child = spawn(process.execPath, ['--enable-source-maps', path.join(ROOT, spec.entry)], {
        cwd: ROOT,
        // Many sign-ins from one address in a minute are the tests, not an attack.
        env: {
          ...own,
          ...serviceEnv(spec.name, ctx, spec.name === 'gateway' ? { AUTH_RATE_LIMIT_PER_MINUTE: '600' } : {}),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      children.push(child);
      eachLine(child.stdout, (line) => log(`${spec.name} │ ${line}`));
      eachLine(child.stderr, (line) => log(`${spec.name} │ ${line}`));
    }
    const deadline = Date.now() + timeoutMs;
    while (!(await ready(ports.gateway))) {
      const dead = children.find((child) => child.exitCode !== null || child.signalCode !== null);
      if (dead) {
        throw new Error(`a service exited during start-up (${dead.signalCode ?? `code ${dead.exitCode}`})`);
      }
      if (Date.now() > deadline) {
        throw new Error(`the gateway's /readyz was not 200 within ${timeoutMs / 1000} s`);
      }
      await sleep(250);
    }
    return { baseUrl: `http://127.0.0.1:${ports.gateway}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
