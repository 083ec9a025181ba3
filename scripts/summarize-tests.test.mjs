import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { summarize } from './summarize-tests.mjs';

const scriptsDir = path.dirname(fileURLToPath(import.meta.url));
const vitestBin = path.resolve(scriptsDir, '../node_modules/vitest/vitest.mjs');
const work = mkdtempSync(path.join(tmpdir(), 'summarize-tests-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs real vitest on `files` in a scratch project and returns its JSON report's path. */
function vitestReport(name, files) {
  const root = path.join(work, name);
  execFileSync('mkdir', ['-p', root]);
  writeFileSync(
    path.join(root, 'vitest.config.mjs'),
    'export default { test: { include: ["*.test.mjs"] } };\n',
  );
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(root, file), text);
  const output = path.join(root, 'report.json');
  spawnSync(
    process.execPath,
    [vitestBin, 'run', '--root', root, '--reporter=json', `--outputFile=${output}`],
    { cwd: root, encoding: 'utf8' },
  );
  return output;
}

function runSummary(report) {
  const result = spawnSync(
    process.execPath,
    [path.join(scriptsDir, 'summarize-tests.mjs'), report],
    { encoding: 'utf8' },
  );
  return { status: result.status, line: result.stdout.trim(), stderr: result.stderr };
}

const passing = 'import { it, expect } from "vitest";\nit("adds", () => expect(1 + 1).toBe(2));\n';

describe('summarize-tests', () => {
  it('counts a test file that fails to import as a failure, and exits 1', () => {
    const report = vitestReport('import-error', {
      'good.test.mjs': passing,
      'broken.test.mjs':
        'import { nothing } from "./does-not-exist.mjs";\nimport { it } from "vitest";\nit("never runs", () => nothing());\n',
    });
    const { status, line, stderr } = runSummary(report);
    expect(line).toBe('1 passed, 1 failed');
    expect(status).toBe(1);
    expect(stderr).toContain('broken.test.mjs');
  });

  it('counts a throwing beforeAll as a failure', () => {
    const report = vitestReport('hook-error', {
      'good.test.mjs': passing,
      'hook.test.mjs':
        'import { beforeAll, it } from "vitest";\nbeforeAll(() => { throw new Error("no server"); });\nit("needs the server", () => {});\n',
    });
    const { status, line } = runSummary(report);
    expect(line).toMatch(/^1 passed, [1-9]\d* failed/);
    expect(status).toBe(1);
  });

  it('passes a clean run and fails loudly when the fixtures are missing', () => {
    const report = {
      numPassedTests: 3,
      numFailedTests: 0,
      success: true,
      testResults: [{ name: 'a.test.ts', status: 'passed', assertionResults: [] }],
    };
    expect(summarize(report, { fixturesFound: true, fixturesDir: '/x' })).toMatchObject({
      passed: 3,
      failed: 0,
      problems: [],
    });
    const missing = summarize(report, {
      fixturesFound: false,
      fixturesDir: '/nowhere/shared/fixtures',
    });
    expect(missing.failed).toBe(1);
    expect(missing.problems[0]).toContain('/nowhere/shared/fixtures');
  });

  it('says "no test report" when there is none', () => {
    const { status, line } = runSummary(path.join(work, 'absent.json'));
    expect(line).toBe('0 passed, 1 failed');
    expect(status).toBe(1);
  });
});
