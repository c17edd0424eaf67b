#!/usr/bin/env node
// The web project's `test` target: its unit specs with Jest (arguments from `npm test -- …` go to
// Jest), then its browser tests with Playwright in Debian's Chromium. The browser tests are left
// out when a `--testPathPatterns` is given that does not match apps/web/e2e.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const args = process.argv.slice(2);

const binOf = (pkg, name) => {
  const manifest = require.resolve(`${pkg}/package.json`, { paths: [ROOT] });
  const { bin } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  return path.join(path.dirname(manifest), typeof bin === 'string' ? bin : bin[name]);
};
const run = (file, extra) =>
  spawnSync(process.execPath, [file, ...extra], { cwd: ROOT, stdio: 'inherit', env: process.env }).status ??
  1;

const jest = run(binOf('jest', 'jest'), ['-c', 'apps/web/jest.unit.config.cjs', ...args]);

const at = args.findIndex((arg) => arg === '--testPathPatterns' || arg.startsWith('--testPathPatterns='));
const pattern = at < 0 ? undefined : args[at].includes('=') ? args[at].split('=')[1] : args[at + 1];
if (pattern && !new RegExp(pattern).test('apps/web/e2e/')) {
  console.log(`[web] browser tests left out: --testPathPatterns ${pattern} does not match apps/web/e2e`);
  process.exit(jest);
}
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!fs.existsSync(chromium)) {
  console.error(
    `[web] no Chromium at ${chromium}: apt-get install -y chromium fonts-wqy-microhei (or set CHROMIUM_PATH)`,
  );
}
const browser = run(binOf('@playwright/test', 'playwright'), [
  'test',
  '-c',
  'apps/web/e2e/playwright.config.ts',
]);
process.exit(jest || browser);
