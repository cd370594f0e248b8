// Prints the closing line of a test run from vitest's JSON report: "N passed, N failed, N skipped".
// With a second argument, a file holding "<wall> <user> <system>" seconds (bash's `time` with
// TIMEFORMAT='%R %U %S'), the line before it gives the suite's CPU time, so a slower suite shows.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2];
const timing = process.argv[3];
if (timing && existsSync(timing)) {
  const [wall, user, system] = readFileSync(timing, 'utf8').trim().split(/\s+/).map(Number);
  if ([wall, user, system].every(Number.isFinite)) {
    console.log(`test CPU time: ${(user + system).toFixed(0)} s (user ${user.toFixed(0)} s, system ${system.toFixed(0)} s) in ${wall.toFixed(0)} s wall`);
  }
}
if (!file || !existsSync(file) || readFileSync(file, 'utf8').trim() === '') {
  console.log('0 passed, 1 failed, 0 skipped');
  console.error('test-summary: no vitest report was written (the run crashed before reporting)');
  process.exit(0);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const failedSuites = (r.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0).length;
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`${r.numPassedTests} passed, ${r.numFailedTests + failedSuites} failed, ${skipped} skipped`);
