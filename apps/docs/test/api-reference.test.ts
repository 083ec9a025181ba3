// The API reference's gate: TypeDoc with the site's own options (typedoc.json) must fail on an
// undocumented export and pass once it is documented. Runs TypeDoc on a scratch package.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const siteRoot = path.resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-typedoc-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs TypeDoc with typedoc.json's options on `source`; returns the exit code and output. */
async function runTypeDoc(source: string): Promise<{ code: number; output: string }> {
  const options = JSON.parse(readFileSync(path.join(siteRoot, 'typedoc.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  writeFileSync(path.join(scratch, 'index.ts'), source);
  writeFileSync(
    path.join(scratch, 'package.json'),
    JSON.stringify({ name: 'scratch', type: 'module' }),
  );
  writeFileSync(
    path.join(scratch, 'tsconfig.json'),
    JSON.stringify({
      extends: path.resolve(siteRoot, '../../tsconfig.base.json'),
      compilerOptions: { noEmit: true, types: [] },
      include: ['index.ts'],
    }),
  );
  writeFileSync(
    path.join(scratch, 'typedoc.json'),
    JSON.stringify({
      ...options,
      entryPoints: ['index.ts'],
      tsconfig: 'tsconfig.json',
      out: 'out',
      plugin: ['typedoc-plugin-markdown'].map((name) =>
        path.join(siteRoot, 'node_modules', name, 'dist/index.js'),
      ),
    }),
  );
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [path.join(siteRoot, 'node_modules/typedoc/bin/typedoc'), '--options', 'typedoc.json'],
      {
        cwd: scratch,
      },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? -1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

describe('the API reference build', () => {
  it('fails on an undocumented export, naming it', async () => {
    const result = await runTypeDoc(
      '/** Documented. */\nexport const documented = 1;\nexport function undocumentedFunction(): number {\n  return 2;\n}\n',
    );
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/undocumentedFunction/);
    expect(result.output).toMatch(/does not have any documentation/);
  });

  it('passes when every export is documented', async () => {
    const result = await runTypeDoc(
      '/** Documented. */\nexport const documented = 1;\n/** Also documented. */\nexport function documentedFunction(): number {\n  return 2;\n}\n',
    );
    expect(result.output).not.toMatch(/does not have any documentation/);
    expect(result.code).toBe(0);
  });
});
