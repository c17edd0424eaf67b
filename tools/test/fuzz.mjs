#!/usr/bin/env node
// `npm run fuzz -- --cases 10000 --seed 7`: the gateway's fuzz suite (apps/gateway/test/fuzz.e2e-spec.ts)
// with more cases than `npm test` gives it. Every operation of the OpenAPI document gets its share of
// generated invalid, boundary and oversized requests; the run fails on any 5xx, or a 400/422 that
// names no field. The same seed makes the same cases.
// Runs through `npm test`'s runner (tools/test/run.mjs), which finds or starts PostgreSQL and Redis.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    seed: { type: 'string', default: String(Date.now() % 1e9) },
  },
});
for (const [name, value] of Object.entries(values)) {
  if (!/^\d+$/.test(value)) {
    console.error(`--${name} must be a whole number, not ${JSON.stringify(value)}`);
    process.exit(2);
  }
}
console.log(`[fuzz] ${values.cases} cases, seed ${values.seed} (run again with --seed ${values.seed})`);
// The fuzz file only; npm test's runner leaves the other projects' files and the browser tests out.
const child = spawn(
  process.execPath,
  [path.join(ROOT, 'tools/test/run.mjs'), '--testPathPatterns', 'fuzz\\.e2e-spec'],
  {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, FUZZ_CASES: values.cases, FUZZ_SEED: values.seed },
  },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
