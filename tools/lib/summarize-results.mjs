// Prints one line per suite and a closing "N passed, N failed" line from the JSON reports.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];

for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const report = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  let row;
  let runnerError = false;
  if ('numPassedTests' in report) {
    row = { passed: report.numPassedTests, failed: report.numFailedTests, skipped: report.numPendingTests + report.numTodoTests };
    runnerError = report.success === false && row.failed === 0;
  } else {
    const s = report.stats;
    row = { passed: s.expected + s.flaky, failed: s.unexpected, skipped: s.skipped };
    runnerError = (report.errors?.length ?? 0) > 0 && row.failed === 0;
  }
  // A runner that stopped before running its tests (a port in use, a crash) counts as a failure.
  if (runnerError) row.failed += 1;
  rows.push(`${path.basename(file, '.json').padEnd(18)} ${String(row.passed).padStart(4)} passed ${String(row.failed).padStart(3)} failed ${String(row.skipped).padStart(3)} skipped${runnerError ? '  (the runner itself failed: see its output above)' : ''}`);
  passed += row.passed;
  failed += row.failed;
  skipped += row.skipped;
}

console.log(['', 'Test summary', ...rows.map((r) => `  ${r}`), ''].join('\n'));
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
