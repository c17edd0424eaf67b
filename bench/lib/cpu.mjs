// CPU time of the processes a benchmark measures, read from Linux /proc (schedstat of every
// thread), so that a figure can say where the time went: per service, PostgreSQL's backends of
// the run's databases, and the load client (this process).
import fs from 'node:fs';
import pg from 'pg';

/** CPU time (ms) of process `pid`, all its threads. */
export function cpuMsOf(pid) {
  let ns = 0;
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ns / 1e6;
}

/** CPU time (ms) of the main thread of process `pid` (the thread whose id is the pid's: the event loop's in Node). */
export function mainThreadCpuMsOf(pid) {
  return Number(fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

/** The group `stop()` answers for the main thread of the process named `name` (part of `name`'s own). */
export const mainThreadOf = (name) => `${name}: main thread`;

/**
 * `start()` and `stop()` around a timed stretch; `stop()` answers ms of CPU per group (each name of
 * `pids`, `postgres`, `load client`, and with `mainThreads` {@link mainThreadOf} each name, a part
 * of that name's time, not added to the sum by {@link cpuPer}). `load client` is this process, or
 * the process `client` (a pid) when the load runs in one of its own. Off Linux, `stop()` answers undefined.
 */
export async function cpuMeter({ pids, pgUrl, databases, mainThreads = false, client }) {
  if (!fs.existsSync('/proc/self/task')) {
    return { start: async () => {}, stop: async () => undefined, close: async () => {} };
  }
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  const sample = async () => {
    const now = new Map(Object.entries(pids).map(([name, pid]) => [name, cpuMsOf(pid)]));
    if (mainThreads) {
      for (const [name, pid] of Object.entries(pids)) {
        now.set(mainThreadOf(name), mainThreadCpuMsOf(pid));
      }
    }
    const { rows } = await admin.query(
      'select pid from pg_stat_activity where datname = any($1) and pid <> pg_backend_pid()',
      [databases],
    );
    for (const { pid } of rows) {
      try {
        now.set(`pg:${pid}`, cpuMsOf(pid));
      } catch {
        // The backend ended meanwhile.
      }
    }
    if (client) {
      now.set('load client', cpuMsOf(client));
    } else {
      const own = process.cpuUsage();
      now.set('load client', (own.user + own.system) / 1000);
    }
    return now;
  };
  let before;
  return {
    start: async () => {
      before = await sample();
    },
    stop: async () => {
      const totals = {
        ...Object.fromEntries(Object.keys(pids).map((n) => [n, 0])),
        ...(mainThreads ? Object.fromEntries(Object.keys(pids).map((n) => [mainThreadOf(n), 0])) : {}),
        postgres: 0,
        'load client': 0,
      };
      for (const [key, ms] of await sample()) {
        totals[key.startsWith('pg:') ? 'postgres' : key] += ms - (before.get(key) ?? 0);
      }
      return totals;
    },
    close: () => admin.end(),
  };
}

/** "ledger 1.20, postgres 0.80, load client 0.30 ms" per unit of work. */
export function cpuPer(totals, count) {
  if (!totals || count === 0) {
    return 'not measured';
  }
  const parts = Object.entries(totals).map(([name, ms]) => `${name} ${(ms / count).toFixed(2)}`);
  // A main thread's time is part of its process's: not counted twice.
  const sum =
    Object.entries(totals)
      .filter(([name]) => !name.endsWith(mainThreadOf('')))
      .reduce((a, [, ms]) => a + ms, 0) / count;
  return `${sum.toFixed(2)} ms (${parts.join(', ')})`;
}
