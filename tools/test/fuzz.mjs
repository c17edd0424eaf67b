#!/usr/bin/env node
// `npm run fuzz -- --cases 10000 --seed 7`: the gateway's fuzz suite (apps/gateway/test/fuzz.e2e-spec.ts)
// with more cases than `npm test` gives it. Every operation of the OpenAPI document gets its share of
// generated invalid, boundary and oversized requests; the run fails on any 5xx, or a 400/422 that
// names no field. The same seed makes the same cases.
// Needs PostgreSQL (DATABASE_URL, default postgres@127.0.0.1:5432) and uses Redis when REDIS_URL is set.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
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
const child = spawn(
  process.execPath,
  [
    createRequire(import.meta.url).resolve('jest/bin/jest'),
    '-c',
    'apps/gateway/jest.config.cjs',
    'test/fuzz.e2e-spec.ts',
  ],
  {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      FUZZ_CASES: values.cases,
      FUZZ_SEED: values.seed,
    },
  },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
