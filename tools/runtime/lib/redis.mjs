// Redis for the launcher and the test runner: probe a server with PING, or start a
// `redis-server` found on PATH as a child process on its own port.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import {
  eachLine,
  findOnPath,
  isAlive,
  killPid,
  killStale,
  removeFile,
  sleep,
  writePidFile,
} from './processes.mjs';
import { portIsFree } from './postgres.mjs';

/** Resolves to true when a Redis server at host:port answers PING with PONG within `timeoutMs`. */
export function pingRedis(host, port, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let reply = '';
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) {
        done(reply.startsWith('+PONG'));
      }
    });
  });
}

/**
 * The redis-server binary to use: `YUGONG_REDIS_SERVER` when set (`none` disables it), else
 * `redis-server` on PATH; undefined when there is none.
 */
export function findRedisServer(env = process.env) {
  const override = env.YUGONG_REDIS_SERVER;
  if (override !== undefined && override !== '') {
    return override === 'none' ? undefined : override;
  }
  return findOnPath('redis-server');
}

/**
 * Starts `redis-server` as a child process (its own process group, so a terminal's Ctrl-C reaches
 * only us and we stop it after the services), bound to 127.0.0.1:`port`, no persistence.
 * A server left running by a SIGKILLed run (named in `pidFile`) is stopped first.
 */
export async function startRedisServer({ binary, port, dataDir, pidFile, log = () => {} }) {
  const stale = await killStale(pidFile, ['redis-server', `:${port}`]);
  if (stale) {
    log(`stopped a redis-server (pid ${stale}) left running by an earlier run`);
  }
  if (!(await portIsFree(port))) {
    throw new Error(
      `port ${port} is already in use: choose another with YUGONG_REDIS_PORT, or set REDIS_URL`,
    );
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--dir', dataDir];
  args.push('--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes');
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output = [];
  for (const stream of [child.stdout, child.stderr]) {
    eachLine(stream, (line) => {
      output.push(line);
      if (output.length > 30) {
        output.shift();
      }
    });
  }
  const spawnError = new Promise((resolve) => child.once('error', resolve));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await pingRedis('127.0.0.1', port, 500)) {
      break;
    }
    const error = await Promise.race([spawnError, sleep(100).then(() => undefined)]);
    if (error || child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      if (child.pid && isAlive(child.pid)) {
        await killPid(child.pid, { graceMs: 2000 });
      }
      const reason = error
        ? error.message
        : child.exitCode !== null
          ? `exited with code ${child.exitCode}`
          : 'no PONG within 10 s';
      throw new Error(`redis-server failed to start: ${reason}\n${output.slice(-10).join('\n')}`);
    }
  }
  writePidFile(pidFile, child.pid);

  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      await killPid(child.pid, { signals: ['SIGTERM', 'SIGKILL'], graceMs: 3000 });
      removeFile(pidFile);
    })();
    return stopping;
  };
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid, process: child, output, stop };
}
