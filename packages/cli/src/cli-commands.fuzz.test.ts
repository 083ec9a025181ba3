// Property-based fuzzing of CLI commands: random and absurd argument lists for `info`, `read`,
// `vrt`, `cube --dry-run` and `search` (against a closed loopback port), run in-process.
// Seeded, so a failure reproduces; a secret is planted in the environment and in an href.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixturesDir } from '../../../vitest.shared.js';
import { runCli } from './run-cli-for-tests.js';

const fuzzSeed = 20261203;
const fuzzRuns = 150;
const perCaseMilliseconds = 5000;
const secret = 'fuzz-secret-6f1d2c';
const raster = path.join(fixturesDir, 'rasters/rio-tiler/cog_ovr.tif');
let directory: string;

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'pyramids-cli-fuzz-'));
  vi.stubEnv('PYRAMIDS_BEARER_TOKEN', secret);
});
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(directory, { recursive: true, force: true });
});

const absurdValue = fc.oneof(
  fc.constantFrom(
    '-1',
    '0',
    'NaN',
    'Infinity',
    '1e308',
    '-0',
    '',
    ' ',
    '9'.repeat(40),
    'x,y,z',
    '1,2,3',
    '1,2,3,4',
  ),
  fc.constantFrom(
    'EPSG:0',
    'EPSG:999999',
    'nearest',
    'bogus',
    '{"a":',
    '../../etc/passwd',
    `http://127.0.0.1:9/a.tif?sig=${secret}`,
  ),
  fc.string({ maxLength: 12 }),
  fc.integer().map(String),
  fc.double().map(String),
);
const optionName = fc.constantFrom(
  '--asset',
  '--bbox',
  '--crs',
  '--resolution',
  '--resampling',
  '--band',
  '--window',
  '--bands',
  '--max-items',
  '--limit',
  '--collections',
  '--datetime',
  '--timeout',
  '--signer',
  '--format',
  '--nodata',
  '--overview',
  '--json',
  '--dry-run',
  '--allow-local',
  '--help',
  '-o',
);
const command = fc.constantFrom(
  ['info', raster],
  ['read', raster],
  ['vrt', raster],
  ['cube', raster, '--dry-run'],
  ['search', `http://127.0.0.1:9/stac?sig=${secret}`],
);

describe('cli: random and absurd options (fuzz)', () => {
  it('exits 0/1/2 with a message on failure, quickly, without leaking the secret or writing stray files', async () => {
    const codes = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        command,
        fc.array(fc.tuple(optionName, absurdValue), { maxLength: 4 }),
        async (base, options) => {
          const output = path.join(directory, 'out.tif');
          const args = [
            ...base,
            ...options.flatMap(([name, value]) => (name === '-o' ? [name, output] : [name, value])),
          ];
          const started = performance.now();
          const result = await runCli(args);
          expect(performance.now() - started).toBeLessThan(perCaseMilliseconds);
          expect([0, 1, 2]).toContain(result.code);
          codes.add(result.code);
          expect(result.stdout + result.stderr).not.toContain(secret);
          if (result.code !== 0) expect(result.stderr.trim().length).toBeGreaterThan(0);
          // A failed run leaves no partial output behind; nothing else is ever written here.
          const left = readdirSync(directory);
          if (result.code !== 0) expect(left).toEqual([]);
          else expect(left.every((name) => name === 'out.tif')).toBe(true);
          rmSync(output, { force: true });
        },
      ),
      { seed: fuzzSeed, numRuns: fuzzRuns },
    );
    // Guard against a vacuous property: both successes and refusals occur.
    expect(codes.has(0)).toBe(true);
    expect(codes.size).toBeGreaterThan(1);
  }, 180_000);
});
