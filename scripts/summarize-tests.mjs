// Prints the closing line CI reads: "N passed, N failed" (", N skipped" when any).
// A test file that fails to import, a suite whose hook throws and an unhandled error
// are failures too (vitest 4 reports them as failed suites or errors, not failed tests),
// and so is a checkout without the shared fixtures beside it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The counts CI reports for a vitest JSON report, with the reasons for every failure
 * that is not a failed test.
 * @param {Record<string, any>} report parsed vitest JSON report
 * @param {{ fixturesFound: boolean, fixturesDir: string }} fixtures where the fixtures were looked for
 */
export function summarize(report, fixtures) {
  const problems = [];
  const passed = report.numPassedTests ?? 0;
  let failed = report.numFailedTests ?? 0;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A file that failed without a failed test in it: an import error or a throwing hook.
  for (const file of report.testResults ?? []) {
    const failedTests = (file.assertionResults ?? []).filter(
      (test) => test.status === 'failed',
    ).length;
    if (file.status === 'failed' && failedTests === 0) {
      failed++;
      const firstLine = String(file.message ?? 'failed without a failed test').split('\n')[0];
      problems.push(`${path.relative(process.cwd(), file.name ?? '?')}: ${firstLine}`);
    }
  }
  // Unhandled errors leave every test green but the run unsuccessful.
  if (report.success === false && failed === 0) {
    failed++;
    problems.push('the run was not successful (unhandled errors); see the log above');
  }
  if (!fixtures.fixturesFound) {
    failed++;
    problems.push(
      `the shared fixtures are missing: expected them at ${fixtures.fixturesDir} (see SOURCES.md there)`,
    );
  }
  return { passed, failed, skipped, problems };
}

/** `../shared/fixtures` beside the repository or one of its parents, as vitest.shared.ts finds it. */
function findFixtures(start) {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.resolve(dir, '..', 'shared', 'fixtures');
    if (existsSync(candidate)) return { fixturesFound: true, fixturesDir: candidate };
    if (path.dirname(dir) === dir)
      return { fixturesFound: false, fixturesDir: path.resolve(start, '../shared/fixtures') };
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? '.test-results/vitest.json';
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.log(`0 passed, 1 failed`);
    console.error(`summarize-tests: no test report at ${file}: ${error.message}`);
    process.exit(1);
  }
  const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const fixtures = findFixtures(repositoryRoot);
  const summary = summarize(report, fixtures);
  const { passed, skipped, problems } = summary;
  // Checks run beside the tests (scripts/test.sh: lint, typecheck, prettier, publint and attw)
  // count as failed suites too.
  const failedChecks = Number(process.env.PYRAMIDS_FAILED_CHECKS ?? 0) || 0;
  if (failedChecks > 0)
    problems.push(`${failedChecks} check(s) beside the tests failed; see the log above`);
  const failed = summary.failed + failedChecks;
  for (const problem of problems) console.error(`summarize-tests: ${problem}`);
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}
