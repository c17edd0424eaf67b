// `npm run chaos -- --only disk-full`: orders' disk full under load. Where this process may mount
// (root on Linux), on a real full disk: orders' tables and indexes on a tablespace of a small
// tmpfs, filled until PostgreSQL refuses to extend a file (53100). Elsewhere the suite simulates
// it, and that is what this checks there (the real-disk test is skipped, with the reason). Either
// way: the fault bit (requests refused with 503 while the disk was full, PostgreSQL's refusals in
// orders' log), no 500, no partial order, every invariant holds, and nothing stays mounted.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { INVARIANTS, ROOT, runChaos, suiteLines, type ChaosRun } from './run-chaos';

/** Why no tmpfs can be mounted here (undefined: one can), tried the way the suite does. */
function mountBlocker(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    return 'not root on Linux, so no tmpfs can be mounted';
  }
  fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(ROOT, 'tmp', 'mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'mount-probe', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `mount refused: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  } finally {
    fs.rmdirSync(dir);
  }
}

/** The tmpfs mounts the suite made under the checkout's tmp/ that are still there. */
const suiteMounts = () =>
  fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter((line) => line.includes(path.join(ROOT, 'tmp', 'chaos-')));

const blocker = mountBlocker();
const real = blocker === undefined;

describe('npm run chaos -- --only disk-full', () => {
  let run: ChaosRun;

  beforeAll(async () => {
    run = await runChaos(['--only', 'disk-full', '--seconds', '12']);
  }, 300_000);

  it('refuses writes with 503 while orders’ disk is full, with no partial write and every invariant held', () => {
    if (run.exitCode !== 0) {
      console.log(suiteLines(run));
    }
    expect(run.exitCode).toBe(0);
    expect(run.failed).toBe(false);
    expect(run.scenarios).toHaveLength(1);
    const [disk] = run.scenarios;
    expect(disk.scenario).toBe('disk-full');
    // Never called real when it was simulated, and a simulation says why.
    expect(disk.disk!.mode).toBe(real ? 'real' : 'simulated');
    expect(disk.label).toBe(real ? 'disk-full (real)' : `disk-full (simulated: ${disk.disk!.reason})`);
    // The fault bit: requests were refused with 503 meanwhile, none with a 500, and orders logged
    // PostgreSQL's "No space left on device".
    expect(disk.disk!.unavailable).toBeGreaterThan(0);
    expect(disk.disk!.refusedByServer).toBeGreaterThan(0);
    expect(disk.unavailable).toBeGreaterThan(0);
    expect(disk.errors500).toBe(0);
    expect(Object.keys(disk.disk!.failuresDuringFault).filter((s) => s !== '503' && s !== '504')).toEqual([]);
    expect(disk.ordersCreated).toBeGreaterThan(0);
    expect(disk.checks.map((c) => c.name).sort()).toEqual([...INVARIANTS, 'the fault bit'].sort());
    expect(disk.checks.filter((c) => !c.ok)).toEqual([]);
    expect(disk.checks.find((c) => c.name === 'no effect twice, no partial write')!.detail).toBe(
      '0 Idempotency-Keys with two orders, 0 orders without lines',
    );
  });

  (real ? it : it.skip)(
    `fills a real disk: a small tmpfs under orders' tables, unmounted after${real ? '' : ` (skipped: ${blocker})`}`,
    () => {
      const { disk } = run.scenarios[0]!;
      expect(disk!.reason).toBe('');
      expect(disk!.sizeMiB).toBeGreaterThan(0);
      expect(disk!.sizeMiB).toBeLessThanOrEqual(64);
      // order_line, outbox_event, customer_order and the rest, with their indexes.
      expect(disk!.relationsMoved).toBeGreaterThanOrEqual(6);
      expect(disk!.fillerMiB).toBeGreaterThan(0);
      expect(disk!.fillerMiB).toBeLessThan(disk!.sizeMiB);
      expect(suiteMounts()).toEqual([]);
    },
  );
});
