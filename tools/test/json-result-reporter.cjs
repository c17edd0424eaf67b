// Writes Jest's aggregated results (the same object `jest --json` prints) to
// reports/jest/<project>.json, so one summary can be summed across every project.
const fs = require('node:fs');
const path = require('node:path');

class JsonResultReporter {
  constructor(_globalConfig, options) {
    this.name = options.name;
  }

  onRunComplete(_contexts, results) {
    const dir = path.join(__dirname, '..', '..', 'reports', 'jest');
    fs.mkdirSync(dir, { recursive: true });
    const { testResults, ...summary } = results;
    const files = testResults.map((file) => ({
      name: path.relative(process.cwd(), file.testFilePath),
      failureMessage: file.failureMessage,
      numPassingTests: file.numPassingTests,
      numFailingTests: file.numFailingTests,
      numPendingTests: file.numPendingTests,
    }));
    fs.writeFileSync(
      path.join(dir, `${this.name}.json`),
      JSON.stringify({ ...summary, testResults: files }, null, 2),
    );
  }
}

module.exports = JsonResultReporter;
