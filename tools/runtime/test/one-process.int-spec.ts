// `npm start` as a newcomer runs it (embedded PostgreSQL, redis-server from PATH when there is one),
// with its data in a folder of this test's own: every service in the launcher's one process, a
// product served through the gateway, its PostgreSQL killed and started again while the services
// keep running, and SIGTERM stopping everything. Then a service that fails at boot stops the
// launcher with an error naming it. Not timed: bench/startup.mjs measures.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { isAlive, readPidFile } from '../lib/processes.mjs';
import { freePort, portIsFree } from '../lib/postgres.mjs';
import { SERVICES } from '../services.mjs';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const LAUNCHER = path.join(ROOT, 'tools', 'runtime', 'start.mjs');

interface Launch {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | string>;
}

function launch(env: Record<string, string | undefined>): Launch {
  const child = spawn(process.execPath, [LAUNCHER], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let partial = '';
  const collect = (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    output.push(...lines);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)),
  );
  return { child, output, exited };
}

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A demo user's sign-in through the gateway (its users are in PostgreSQL); the status, or 0. */
function signIn(port: number, password: string): Promise<number> {
  return new Promise((resolve) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/auth/login',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        timeout: 15_000,
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(0));
    request.end(JSON.stringify({ email: 'consumer@example.com', password }));
  });
}

function get(port: number, url: string, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: '127.0.0.1', port, path: url, timeout: timeoutMs, agent: false },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    request.once('timeout', () => request.destroy(new Error(`GET ${url}: no answer in ${timeoutMs} ms`)));
    request.once('error', reject);
  });
}

/** Command lines of the processes whose parent is `pid`. */
function childCommands(pid: number): string[] {
  const commands: string[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) {
        commands.push(fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' '));
      }
    } catch {
      // exited meanwhile
    }
  }
  return commands;
}

describe('npm start, every service in one process', () => {
  const dataDir = path.join(ROOT, 'tmp', `one-process-test-${process.pid}`);
  const ports: Record<string, number> = {};
  let env: Record<string, string | undefined> = {};
  const launched: Launch[] = [];

  beforeAll(async () => {
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
    env = {
      PORT: String(ports.gateway),
      CATALOG_GRPC_PORT: String(ports.catalog),
      BENEFICIARIES_GRPC_PORT: String(ports.beneficiaries),
      ORDERS_GRPC_PORT: String(ports.orders),
      LEDGER_GRPC_PORT: String(ports.ledger),
      LICENSING_GRPC_PORT: String(ports.licensing),
      YUGONG_PG_PORT: String(ports.pg),
      YUGONG_REDIS_PORT: String(ports.redis),
      YUGONG_DATA_DIR: dataDir,
      YUGONG_PROCESSES: undefined,
      NO_COLOR: '1',
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      DB_POOL_MAX: undefined,
      LOG_LEVEL: 'warn',
      DEMO_PASSWORD: 'one-process-test-demo',
    };
  });

  afterAll(async () => {
    for (const { child, exited } of launched) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        await exited;
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves a product through the gateway, outlives its PostgreSQL being killed, and SIGTERM stops everything', async () => {
    const run = launch({ ...env, LOG_LEVEL: 'info' });
    launched.push(run);
    await until(
      'the launcher to print "Yugong is running"',
      () => run.output.some((line) => line.includes('Yugong is running')) || run.child.exitCode !== null,
      180_000,
    );
    expect(run.output.find((line) => line.includes('Yugong is running'))).toContain('in one process');
    // One Node process: the launcher's children are the data stores only.
    const children = childCommands(run.child.pid!);
    const nodes = children.filter(
      (command) => command.split(' ')[0] === process.execPath || command.includes('main.js'),
    );
    expect(nodes).toEqual([]);
    // PostgreSQL with the laptop settings.
    expect(children.find((command) => command.includes('postgres'))).toContain('-c shared_buffers=16MB');
    // Every line under the name of the service that wrote it, Nest's own start-up lines included.
    const width = Math.max(...SERVICES.map((s) => s.name.length));
    const linesOf = (name: string) =>
      run.output.filter((line) => line.startsWith(`${name.padEnd(width)} │ `));
    for (const spec of SERVICES) {
      const own = linesOf(spec.name);
      expect(own.filter((line) => line.includes('(NestFactory) Starting Nest application'))).toHaveLength(1);
      expect(
        own.some((line) =>
          line.includes(`${spec.name} ${spec.protocol === 'http' ? 'listening' : 'serving gRPC'} on`),
        ),
      ).toBe(true);
      expect(await portIsFree(ports[spec.name])).toBe(false);
      expect(run.output.some((line) => line.startsWith(`start ${spec.name} ready in`))).toBe(true);
    }

    const list = await get(ports.gateway, '/api/v1/products');
    expect(list.status).toBe(200);
    const items = (JSON.parse(list.body) as { items: { id: string; producerId: string }[] }).items;
    expect(items.length).toBeGreaterThan(0);
    const one = await get(ports.gateway, `/api/v1/products/${items[0].id}`);
    expect(one.status).toBe(200);
    expect(JSON.parse(one.body)).toMatchObject({ id: items[0].id, producerId: items[0].producerId });

    // PostgreSQL killed outright: the launcher starts it again and the platform is ready again
    // (GET /readyz pings the gateway's database and catalog, which pings its own) within 10 s,
    // without the services being restarted; then a sign-in reads the users' table again.
    const killedPid = readPidFile(path.join(dataDir, 'postgres.pid'))!;
    expect(killedPid).toBeGreaterThan(0);
    expect(await signIn(ports.gateway, env.DEMO_PASSWORD!)).toBe(200);
    const ready = async () =>
      (await get(ports.gateway, '/readyz', 1_000).catch(() => undefined))?.status === 200;
    expect(await ready()).toBe(true);
    const killedAt = Date.now();
    process.kill(killedPid, 'SIGKILL');
    // On a fast machine PostgreSQL is back within the second one readiness answer is kept, so
    // /readyz need not ever be seen failing: wait for the launcher to act and for that second to
    // pass, so that the next answer comes from a check made since the kill.
    const restarting = (line: string) =>
      line.includes('PostgreSQL exited unexpectedly (SIGKILL): starting it again');
    await until('the launcher to start PostgreSQL again', () => run.output.some(restarting), 5_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await until('GET /readyz to answer 200 again', ready, 10_000);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(await signIn(ports.gateway, env.DEMO_PASSWORD!)).toBe(200);
    expect((await get(ports.gateway, `/api/v1/products/${items[0].id}`)).status).toBe(200);
    expect(run.child.exitCode).toBeNull();
    expect(run.output.filter((line) => line.includes('Yugong is running'))).toHaveLength(1);
    const postgresPid = readPidFile(path.join(dataDir, 'postgres.pid'));
    expect(postgresPid).toBeGreaterThan(0);
    expect(postgresPid).not.toBe(killedPid);

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output).toContain('start stopped; nothing left running');
    expect(isAlive(postgresPid!)).toBe(false);
    for (const spec of SERVICES) {
      expect(await portIsFree(ports[spec.name])).toBe(true);
    }
  }, 240_000);

  it('stops with an error naming the service and the setting when a service cannot boot', async () => {
    // DB_POOL_MAX=0 is refused by every service: none boots.
    const run = launch({ ...env, DB_POOL_MAX: '0' });
    launched.push(run);
    await until(
      'the launcher to exit',
      () => run.child.exitCode !== null || run.child.signalCode !== null,
      180_000,
    );
    expect(await run.exited).toBe(1);
    const text = run.output.join('\n');
    expect(text).toMatch(/catalog failed to start: Invalid configuration \(1 problem\):\n\s+- DB_POOL_MAX: /);
    expect(text).toMatch(/orders failed to start: Invalid configuration/);
    expect(text).not.toContain('Yugong is running');
    const postgresPid = readPidFile(path.join(dataDir, 'postgres.pid'));
    expect(postgresPid === undefined || !isAlive(postgresPid)).toBe(true);
    expect(await portIsFree(ports.pg)).toBe(true);
    expect(await portIsFree(ports.gateway)).toBe(true);
  }, 240_000);
});
