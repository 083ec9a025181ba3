// Property-based fuzzing of `pyramids cube --dry-run`'s options on the bundled sample Items:
// random and absurd values (numbers of every size, NaN, text, empty strings, lists) either
// give a plan or a one-line typed error, quickly, and never print "undefined" or a stack.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli-for-tests.js';

const items = path.resolve(import.meta.dirname, '../../../sample-data/items.json');
const scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-cube-fuzz-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const number = fc.oneof(
  fc.constantFrom('NaN', 'Infinity', '-1', '0', '1e308', '-1e308', '0.0000001', '4294967296', ''),
  fc.double({ noNaN: false }).map(String),
  fc.integer({ min: -100, max: 5000 }).map(String),
  fc.string({ maxLength: 6 }),
);
const option = fc.oneof(
  fc.tuple(
    fc.constant('--resolution'),
    fc.oneof(
      number,
      fc.tuple(number, number).map((pair) => pair.join(',')),
    ),
  ),
  fc.tuple(fc.constant('--chunk-size'), number),
  fc.tuple(fc.constant('--concurrency'), number),
  fc.tuple(fc.constant('--nodata'), number),
  fc.tuple(
    fc.constant('--dtype'),
    fc.constantFrom('uint8', 'int16', 'float32', 'float128', 'complex64', '', 'UINT16'),
  ),
  fc.tuple(
    fc.constant('--resampling'),
    fc.constantFrom('nearest', 'bilinear', 'lanczos', '', 'B04=cubic', '=x', 'B99=nearest'),
  ),
  fc.tuple(fc.constant('--method'), fc.constantFrom('first', 'median', 'p50', '', 'sum')),
  fc.tuple(
    fc.constant('--groupby'),
    fc.constantFrom('solar_day', 'id', 'time', 'P1M', '', 'nonsense'),
  ),
  fc.tuple(
    fc.constant('--crs'),
    fc.constantFrom(
      'EPSG:32633',
      'EPSG:4326',
      'utm',
      'EPSG:NaN',
      'EPSG:-1',
      'EPSG:32633.5',
      '',
      'foo',
    ),
  ),
  fc.tuple(
    fc.constant('--bounds'),
    fc.oneof(
      fc.tuple(number, number, number, number).map((four) => four.join(',')),
      fc.constantFrom('1,2,3', 'a,b,c,d', '500000,5000000,400000,4900000'),
    ),
  ),
  fc.tuple(fc.constant('--bbox'), fc.constantFrom('-200,-100,200,100', '14,45,15,46', '1,2', 'x')),
  fc.tuple(fc.constant('--max-items'), number),
);

describe('cube --dry-run options, fuzzed', () => {
  it('give a plan or a one-line typed error, in bounded time (100 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(option, { minLength: 1, maxLength: 4 }), async (options) => {
        const args = ['cube', items, '--asset', 'B04', '--dry-run', ...options.flat()];
        const started = performance.now();
        const result = await runCli(args);
        expect(performance.now() - started).toBeLessThan(10_000);
        if (result.code === 0) {
          const plan = JSON.parse(result.stdout) as { shape: number[] };
          expect(plan.shape.every((size) => Number.isInteger(size) && size >= 0)).toBe(true);
          return;
        }
        const lines = result.stderr.trim().split('\n');
        expect(lines[0]).toMatch(/^(pyramids: \w+Error: |error: )/);
        expect(result.stderr).not.toMatch(/\bundefined\b|\n\s+at /);
      }),
      {
        numRuns: Number(process.env['FUZZ_RUNS'] ?? 100),
        seed: Number(process.env['FUZZ_SEED'] ?? 20261203),
      },
    );
  }, 240_000);

  it('write the cube whole or nothing, only at the target (40 cases)', async () => {
    let caseNumber = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(option, { minLength: 1, maxLength: 3 }), async (options) => {
        const directory = path.join(scratch, `case-${caseNumber++}`);
        mkdirSync(directory);
        const target = path.join(directory, 'cube.tif');
        // A coarse default grid keeps each case small; the fuzzed options come after and win.
        const args = ['cube', items, '--asset', 'B04', '--crs', 'EPSG:32633', '--resolution', '80'];
        const result = await runCli([...args, ...options.flat(), '-o', target, '--quiet']);
        const written = readdirSync(directory);
        if (result.code === 0) expect(written).toEqual(['cube.tif']);
        else {
          // No partial output, not even a hidden temporary file.
          expect(written).toEqual([]);
          expect(result.stderr.trim().split('\n')[0]).toMatch(/^(pyramids: \w+Error: |error: )/);
        }
        // Nothing beside the case directories: no file written outside the target.
        expect(readdirSync(scratch).every((name) => name.startsWith('case-'))).toBe(true);
      }),
      {
        numRuns: Number(process.env['FUZZ_RUNS'] ?? 40),
        seed: Number(process.env['FUZZ_SEED'] ?? 20261203),
      },
    );
  }, 240_000);
});
