/**
 * Ends a jest run with one plain line, "N passed, N failed, N skipped", that
 * CI reads to know tests ran.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    process.stdout.write(
      `\njest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped` +
        // A file that fails before any test runs (a missing browser, a syntax error) counts no test.
        (results.numRuntimeErrorTestSuites > 0 ? `, ${results.numRuntimeErrorTestSuites} test files failed to run` : '') +
        '\n',
    );
  }
}
module.exports = SummaryReporter;
