// The fault suite's short scenario in CI: `npm run chaos -- --only network` on a platform of its
// own (private embedded PostgreSQL and redis-server, the six services from a fresh build), with
// latency and connection resets on gateway→orders, orders→catalog and orders→ledger under load.
// Asserts what the suite asserts: every invariant read from the databases holds, no request
// outlived its deadline, and no answer was a 500. Not timed.
import { INVARIANTS, runChaos, suiteLines, type ChaosRun } from './run-chaos';

describe('npm run chaos -- --only network', () => {
  let run: ChaosRun;

  beforeAll(async () => {
    run = await runChaos(['--only', 'network', '--seconds', '12']);
  }, 300_000);

  it('holds every invariant and answers no 500 under latency and connection resets', () => {
    if (run.exitCode !== 0) {
      console.log(suiteLines(run));
    }
    expect(run.exitCode).toBe(0);
    expect(run.failed).toBe(false);
    expect(run.scenarios).toHaveLength(1);
    const [network] = run.scenarios;
    expect(network.scenario).toBe('network');
    // The fault was there: connections were reset under load, and orders were still made.
    expect(network.resets).toBeGreaterThan(0);
    expect(network.steps).toBeGreaterThan(0);
    expect(network.ordersCreated).toBeGreaterThan(0);
    expect(network.errors500).toBe(0);
    expect(network.otherErrors).toBe(0);
    expect(network.checks.map((c) => c.name).sort()).toEqual([...INVARIANTS].sort());
    expect(network.checks.filter((c) => !c.ok)).toEqual([]);
  });
});
