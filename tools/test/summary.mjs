#!/usr/bin/env node
// Sums the per-project Jest results in reports/jest/*.json (written by json-result-reporter.cjs)
// into one count. Run alone it prints the summary of the last run: `node tools/test/summary.mjs`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPORTS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'reports',
  'jest',
);

/**
 * Reads every report and sums it. A test file that failed without a failing test (it did not
 * compile, a hook threw, it crashed) counts as one failure, so a broken suite is never silent.
 * @returns {{ passed: number, failed: number, skipped: number, projects: object[], broken: object[] }}
 */
export function summarize(dir = REPORTS) {
  const totals = { passed: 0, failed: 0, skipped: 0, projects: [], broken: [] };
  let files = [];
  try {
    files = fs
      .readdirSync(dir)
      .filter((file) => file.endsWith('.json'))
      .sort();
  } catch {
    return totals;
  }
  for (const file of files) {
    const project = path.basename(file, '.json');
    let report;
    try {
      report = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    } catch (error) {
      totals.failed += 1;
      totals.broken.push({ project, name: file, message: `unreadable report: ${error.message}` });
      continue;
    }
    const passed = report.numPassedTests ?? 0;
    const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    let failed = report.numFailedTests ?? 0;
    let suiteFailures = 0;
    for (const suite of report.testResults ?? []) {
      if (suite.failureMessage && !(suite.numFailingTests > 0)) {
        suiteFailures += 1;
        totals.broken.push({ project, name: suite.name, message: suite.failureMessage });
      }
    }
    // Without per-file detail, fall back on Jest's own count of suites that failed to run.
    failed += Math.max(suiteFailures, report.testResults ? 0 : (report.numRuntimeErrorTestSuites ?? 0));
    totals.passed += passed;
    totals.failed += failed;
    totals.skipped += skipped;
    totals.projects.push({ project, passed, failed, skipped, suites: report.numTotalTestSuites ?? 0 });
  }
  return totals;
}

/** `N passed, N failed` (and `, N skipped` when any were). */
export function summaryLine({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}

/** A short table per project, and the first lines of each suite that failed to run. */
export function details(totals) {
  const lines = [];
  for (const p of totals.projects) {
    lines.push(
      `  ${p.project.padEnd(28)} ${String(p.passed).padStart(4)} passed ${String(p.failed).padStart(3)} failed ${String(p.skipped).padStart(3)} skipped`,
    );
  }
  for (const b of totals.broken) {
    const first = b.message
      .replace(/\x1b\[[0-9;]*m/g, '')
      .split('\n')
      .filter((l) => l.trim())
      .slice(0, 6);
    lines.push(`  suite failed to run: ${b.project} ${b.name}`, ...first.map((l) => `      ${l}`));
  }
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const totals = summarize();
  console.log(details(totals).join('\n'));
  console.log(summaryLine(totals));
  process.exit(totals.failed > 0 || totals.passed + totals.failed === 0 ? 1 : 0);
}
