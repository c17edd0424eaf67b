// The harness's side of `npm run bench:trace`'s load: the load client forked into a process of its
// own (bench/lib/trace-client.mjs), and the ledger's own timing of the same calls, read from its
// RED histogram (`yugong_grpc_server_handling_seconds` on METRICS_PORT) before and after.
import { fork } from 'node:child_process';
import path from 'node:path';
import { httpGet, onCleanup, ROOT } from './harness.mjs';
import { killPid } from '../../tools/runtime/lib/processes.mjs';

/**
 * Forks the load client with `nodeArgs` (and `env`) and hands it `config`; answers
 * `{ pid, warm(seconds), measure(seconds, trace), close() }`, each resolving to its reply.
 */
export function forkTraceClient(config, { nodeArgs = [], env = {} } = {}) {
  const child = fork(path.join(ROOT, 'bench/lib/trace-client.mjs'), [], {
    execArgv: nodeArgs,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  onCleanup(() =>
    child.exitCode === null && child.signalCode === null ? killPid(child.pid, { graceMs: 2000 }) : undefined,
  );
  const ask = (message) =>
    new Promise((resolve, reject) => {
      const onExit = (code) => reject(new Error(`the trace load client exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (reply) => {
        child.off('exit', onExit);
        if (reply.error) {
          reject(new Error(`the trace load client: ${reply.error}`));
        } else {
          resolve(reply);
        }
      });
      child.send({ config, ...message });
    });
  return {
    pid: child.pid,
    warm: (seconds) => ask({ warm: seconds }),
    measure: async (seconds, trace = false) => (await ask({ measure: seconds, trace })).figures,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.send({ close: true });
      }),
  };
}

/**
 * The cumulative buckets (upper bound in ms → count) of the ledger's histogram of `method`'s OK
 * calls, from its metrics endpoint on `port`: the time from the handler's start to its answer,
 * inside the ledger (not its reply's encoding and write, nor the wire).
 */
export async function handlingBuckets(port, method) {
  const response = await httpGet(port, '/metrics');
  if (response?.status !== 200) {
    throw new Error(`the ledger's metrics on port ${port} answered ${response?.status}`);
  }
  const buckets = new Map();
  for (const line of response.body.toString('utf8').split('\n')) {
    const match = /^yugong_grpc_server_handling_seconds_bucket\{([^}]*)\} (\d+)/.exec(line);
    if (!match) {
      continue;
    }
    const labels = Object.fromEntries([...match[1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (labels.code === 'OK' && labels.method?.endsWith(`/${method}`)) {
      buckets.set(labels.le === '+Inf' ? Infinity : Number(labels.le) * 1000, Number(match[2]));
    }
  }
  return buckets;
}

/** "≤ 1 ms 61.2 %, ≤ 2.5 ms 97.0 %, …, > 10 ms 0.1 %" of the calls between two readings. */
export function handlingShares(before, after) {
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total <= 0) {
    return { total: 0, text: 'no calls counted' };
  }
  const parts = [];
  for (const [le, count] of after) {
    if (le !== Infinity && le <= 25) {
      parts.push(`≤ ${le} ms ${((100 * (count - (before.get(le) ?? 0))) / total).toFixed(1)} %`);
    }
  }
  const within10 = (after.get(10) ?? 0) - (before.get(10) ?? 0);
  return {
    total,
    over10: total - within10,
    text: `${parts.join(', ')}; > 10 ms ${((100 * (total - within10)) / total).toFixed(2)} %`,
  };
}
