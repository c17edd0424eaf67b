// Runs the fault suite (`npm run chaos`) as a child for a spec: its output, its exit and what
// `--json` wrote. The suite stops everything it started on SIGTERM; a hung one is killed with its
// process group.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioResult {
  scenario: string;
  label: string;
  steps: number;
  errors500: number;
  unavailable: number;
  otherErrors: number;
  repeatedWrites: number;
  ordersCreated: number;
  resets: number;
  recoveryMs: number | null;
  checks: Check[];
  disk?: {
    mode: 'real' | 'simulated';
    reason: string;
    sizeMiB: number;
    relationsMoved: number;
    fillerMiB: number;
    unavailable: number;
    refusedByServer: number;
    failuresDuringFault: Record<string, number>;
  };
}

export interface ChaosRun {
  exitCode: number | string;
  output: string;
  failed: boolean;
  scenarios: ScenarioResult[];
}

/** The suite's checks after every scenario (those `baseline` enables aside). */
export const INVARIANTS = [
  'deadlines hold',
  'every paid order posted once',
  'every transaction balanced',
  'hash chain valid',
  'no effect twice, no partial write',
  'no order lost',
  'no unit oversold',
  'recovers in time',
];

export async function runChaos(args: string[], timeoutMs = 270_000): Promise<ChaosRun> {
  const json = path.join(ROOT, 'tmp', `chaos-test-${process.pid}-${Date.now()}.json`);
  const output: string[] = [];
  const child = spawn(process.execPath, [path.join(ROOT, 'tools/chaos/chaos.mjs'), ...args, '--json', json], {
    cwd: ROOT,
    env: { ...process.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
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
  }, timeoutMs);
  const exitCode = await new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)),
  );
  clearTimeout(timer);
  try {
    const { failed, scenarios } = JSON.parse(fs.readFileSync(json, 'utf8')) as {
      failed: boolean;
      scenarios: ScenarioResult[];
    };
    return { exitCode, output: output.join(''), failed, scenarios };
  } catch {
    return { exitCode, output: output.join(''), failed: true, scenarios: [] };
  } finally {
    fs.rmSync(json, { force: true });
  }
}

/** What the suite printed without the services' own lines: the table and what failed. */
export function suiteLines(run: ChaosRun, last = 60): string {
  return run.output
    .split('\n')
    .filter((line) => !line.includes(' │ {'))
    .slice(-last)
    .join('\n');
}
