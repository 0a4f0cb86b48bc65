// Mocha reporter for the host tests: the usual spec output (it reaches the terminal through the
// workbench) plus a JSON summary at `reporterOption.output`, which scripts/test.mjs adds into its
// "tests: N passed, N failed" line. CommonJS with `module.exports` because that is how mocha loads
// a reporter by path.
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

const { EVENT_RUN_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class ResultsReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const reporterOption = options.reporterOption ?? options.reporterOptions;
    const output = reporterOption?.output;
    const summary = { passed: 0, failed: 0, pending: 0, failures: [] };
    // `append`: a later window of the same host run adds its counts to the earlier one's.
    if (output && reporterOption.append && fs.existsSync(output)) Object.assign(summary, JSON.parse(fs.readFileSync(output, 'utf8')));
    runner.on(EVENT_TEST_PASS, () => summary.passed++);
    runner.on(EVENT_TEST_PENDING, () => summary.pending++);
    // Also counts failing hooks, which fail the run without being a test.
    runner.on(EVENT_TEST_FAIL, (test, error) => {
      summary.failed++;
      summary.failures.push({ title: test.fullTitle(), message: String(error?.message ?? error) });
    });
    runner.once(EVENT_RUN_END, () => {
      if (!output) return;
      fs.mkdirSync(path.dirname(output), { recursive: true });
      fs.writeFileSync(output, JSON.stringify(summary, null, 2));
    });
  }
}

module.exports = ResultsReporter;
