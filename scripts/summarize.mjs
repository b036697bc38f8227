// Reads vitest's JSON report and prints the closing "N passed, N failed" line.
// A suite that failed to load (no tests ran in it) counts as one failure, and
// so does each failed step outside vitest (the second argument), and a runner
// that exited non-zero with nothing failed (the third) counts once, so
// the line can never read "0 failed" when something went wrong.
import { readFileSync } from 'node:fs';

const [reportPath, extraFailures = '0', runnerExit = '0'] = process.argv.slice(2);
let report = null;
try {
  report = JSON.parse(readFileSync(reportPath, 'utf8'));
} catch {
  report = null;
}
const passed = report?.numPassedTests ?? 0;
const brokenSuites = (report?.testResults ?? []).filter(
  (s) => s.status === 'failed' && (s.assertionResults ?? []).every((a) => a.status !== 'failed'),
).length;
let failed = (report ? report.numFailedTests + brokenSuites : 1) + Number(extraFailures);
// vitest exiting non-zero with every test green (an unhandled error, say) still fails.
if (failed === 0 && runnerExit !== '0') failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
