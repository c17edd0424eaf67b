// Writes the browser tests' counts to reports/jest/<name>.json in the shape of Jest's results, so
// that `npm test` sums them into its closing `N passed, N failed` line with every other project.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(options = {}) {
    this.name = options.name ?? 'web-browser';
    this.files = new Map();
  }

  onTestEnd(test, result) {
    const file = path.relative(process.cwd(), test.location.file);
    const entry = this.files.get(file) ?? { name: file, passed: 0, failed: 0, skipped: 0, messages: [] };
    if (result.status === 'skipped') {
      entry.skipped += 1;
    } else if (result.status === test.expectedStatus) {
      entry.passed += 1;
    } else {
      entry.failed += 1;
      entry.messages.push(`${test.title}: ${result.error?.message ?? result.status}`);
    }
    this.files.set(file, entry);
  }

  onEnd(result) {
    const files = [...this.files.values()];
    const sum = (key) => files.reduce((total, file) => total + file[key], 0);
    const broken = result.status !== 'passed' && sum('failed') === 0;
    const report = {
      numPassedTests: sum('passed'),
      numFailedTests: sum('failed'),
      numPendingTests: sum('skipped'),
      numTotalTestSuites: files.length,
      testResults: [
        ...files.map((file) => ({
          name: file.name,
          failureMessage: file.messages.join('\n') || null,
          numPassingTests: file.passed,
          numFailingTests: file.failed,
          numPendingTests: file.skipped,
        })),
        // A run that failed without a failing test (global setup threw, a timeout) is one failure.
        ...(broken
          ? [{ name: 'apps/web/e2e (setup)', failureMessage: `run ${result.status}`, numFailingTests: 0 }]
          : []),
      ],
    };
    const dir = path.join(__dirname, '..', '..', '..', '..', 'reports', 'jest');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${this.name}.json`), JSON.stringify(report, null, 2));
  }
}

module.exports = SummaryReporter;
