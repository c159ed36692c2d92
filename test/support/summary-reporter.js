// Ends the run with how many tests ran on each database engine, then one plain
// line, "tests: N passed, N failed", that any CI can read.
const ENGINES = ['sqlite', 'postgresql'];

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const perEngine = Object.fromEntries(ENGINES.map((engine) => [engine, { passed: 0, failed: 0 }]));
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        const engine = ENGINES.find((name) =>
          test.ancestorTitles.some((title) => title === name || title.startsWith(`${name}:`)),
        );
        if (engine && (test.status === 'passed' || test.status === 'failed')) perEngine[engine][test.status]++;
      }
    }
    for (const engine of ENGINES) {
      process.stdout.write(
        `\nengine ${engine}: ${perEngine[engine].passed} passed, ${perEngine[engine].failed} failed (engine-dependent suites)`,
      );
    }
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(
      `\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
    );
  }
}
module.exports = SummaryReporter;
