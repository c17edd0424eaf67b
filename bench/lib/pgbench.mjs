// pgbench, PostgreSQL's own load tool, run against a database URL: the baseline of the benchmarks
// that compare with what the server does bare (bench:checkout's TPC-B, bench:ledger's -N).
import { spawnSync } from 'node:child_process';

/** Runs pgbench against `url` with `args` (its database last); resolves to its stdout. */
export function pgbench(url, args) {
  const u = new URL(url);
  const res = spawnSync(
    'pgbench',
    [
      '-h',
      u.hostname,
      '-p',
      u.port || '5432',
      '-U',
      decodeURIComponent(u.username || 'postgres'),
      ...args,
      u.pathname.slice(1),
    ],
    { encoding: 'utf8', env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) } },
  );
  if (res.status !== 0) {
    throw new Error(`pgbench ${args.join(' ')} failed: ${res.stderr || res.error}`);
  }
  return res.stdout;
}
