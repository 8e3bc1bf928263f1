// Prints vitest's JSON report as the one closing line CI reads: "N passed, N failed" (", N skipped" when any).
import { readFileSync } from 'node:fs';

const [file = 'test-results.json', exitCode = '0'] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch {
  console.log(`no test report at ${file}: the test run did not finish`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
// A suite that failed to load (a setup error) has no failed test of its own, but the run has failed: count it.
// Where every test is required (SCALEDECK_REQUIRE_ALL=1, as in CI), a skipped test is a failed run too.
const skipForbidden = process.env.SCALEDECK_REQUIRE_ALL === '1' && skipped > 0;
if (skipForbidden) {
  const names = (report.testResults ?? []).flatMap((file) =>
    (file.assertionResults ?? []).filter((t) => t.status === 'pending' || t.status === 'skipped' || t.status === 'todo').map((t) => `${file.name}: ${t.fullName}`));
  console.log(`SCALEDECK_REQUIRE_ALL=1 forbids skipping, and ${skipped} test(s) skipped:\n  ${names.join('\n  ')}`);
}
const failedRun = failed > 0 || (report.numFailedTestSuites ?? 0) > 0 || exitCode !== '0' || skipForbidden;
const shownFailed = failedRun && failed === 0 ? 1 : failed;
console.log(`${passed} passed, ${shownFailed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failedRun ? 1 : 0);
