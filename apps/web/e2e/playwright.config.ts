import { defineConfig } from '@playwright/test';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * Browser tests of the web app in Debian's Chromium (`CHROMIUM_PATH`, default /usr/bin/chromium;
 * Playwright's own browser download is not used), against the platform global-setup starts.
 */
export default defineConfig({
  testDir: __dirname,
  testMatch: '*.pw.ts',
  outputDir: path.join(ROOT, 'tmp', 'playwright'),
  globalSetup: path.join(__dirname, 'support', 'global-setup.mjs'),
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], [path.join(__dirname, 'support', 'summary-reporter.cjs'), { name: 'web-browser' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium' },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1280, height: 900 },
    trace: 'retain-on-failure',
  },
});
