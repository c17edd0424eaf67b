// The fault suite's short scenario in CI: `npm run chaos -- --only network` on a platform of its
// own (private embedded PostgreSQL and redis-server, the six services from a fresh build), with
// latency and connection resets on gateway→orders, orders→catalog and orders→ledger under load.
// Asserts what the suite asserts: every invariant read from the databases holds, no request
// outlived its deadline, and no answer was a 500. Not timed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}
interface ScenarioResult {
  scenario: string;
  steps: number;
  errors500: number;
  unavailable: number;
  otherErrors: number;
  repeatedWrites: number;
  ordersCreated: number;
  resets: number;
  checks: Check[];
}

describe('npm run chaos -- --only network', () => {
  const json = path.join(ROOT, 'tmp', `chaos-test-${process.pid}.json`);
  const output: string[] = [];
  let exitCode: number | string;

  beforeAll(async () => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'tools/chaos/chaos.mjs'), '--only', 'network', '--seconds', '12', '--json', json],
      { cwd: ROOT, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    // The suite stops everything it started on SIGTERM; a hung one is killed with its group.
    const stop = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // gone
      }
    };
    const timer = setTimeout(() => {
      stop('SIGTERM');
      setTimeout(() => stop('SIGKILL'), 15_000).unref();
    }, 270_000);
    exitCode = await new Promise<number | string>((resolve) =>
      child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)),
    );
    clearTimeout(timer);
  }, 300_000);

  afterAll(() => fs.rmSync(json, { force: true }));

  it('holds every invariant and answers no 500 under latency and connection resets', () => {
    const text = output.join('');
    if (exitCode !== 0) {
      // What the suite printed without the services' own lines: the table and what failed.
      console.log(
        text
          .split('\n')
          .filter((line) => !line.includes(' │ {'))
          .slice(-60)
          .join('\n'),
      );
    }
    expect(exitCode).toBe(0);
    const { failed, scenarios } = JSON.parse(fs.readFileSync(json, 'utf8')) as {
      failed: boolean;
      scenarios: ScenarioResult[];
    };
    expect(failed).toBe(false);
    expect(scenarios).toHaveLength(1);
    const [network] = scenarios;
    expect(network.scenario).toBe('network');
    // The fault was there: connections were reset under load, and orders were still made.
    expect(network.resets).toBeGreaterThan(0);
    expect(network.steps).toBeGreaterThan(0);
    expect(network.ordersCreated).toBeGreaterThan(0);
    expect(network.errors500).toBe(0);
    expect(network.otherErrors).toBe(0);
    expect(network.checks.map((c) => c.name).sort()).toEqual(
      [
        'deadlines hold',
        'every paid order posted once',
        'every transaction balanced',
        'hash chain valid',
        'no effect twice, no partial write',
        'no order lost',
        'no unit oversold',
        'recovers in time',
      ].sort(),
    );
    expect(network.checks.filter((c) => !c.ok)).toEqual([]);
  });
});
