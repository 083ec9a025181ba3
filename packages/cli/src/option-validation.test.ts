// Absurd option values, command by command: each is refused before any work (no request, no
// file) with one line that names the option, in well under a second.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli-for-tests.js';

const items = path.resolve(import.meta.dirname, '../../../sample-data/items.json');
const raster = path.resolve(
  import.meta.dirname,
  '../../../sample-data/tiles/sample-s2l2a-a-20240605/B04.tif',
);
const scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-options-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const out = (name: string) => path.join(scratch, name);
// A port nothing listens on: a command that got as far as a request would fail differently.
const api = 'http://127.0.0.1:9/';

const cases: [string, string[], RegExp][] = [
  ['search --max-items -1', ['search', api, '--max-items', '-1'], /--max-items/],
  ['search --limit 0', ['search', api, '--limit', '0'], /--limit/],
  ['search --bbox out of range', ['search', api, '--bbox', '-200,-100,200,100'], /bbox/],
  [
    'collections --max-collections -5',
    ['collections', api, '--max-collections', '-5'],
    /--max-collections/,
  ],
  [
    'download --concurrency 0',
    ['download', items, '--dir', out('dl'), '--concurrency', '0'],
    /--concurrency/,
  ],
  ['download --dir /proc/self', ['download', items, '--dir', '/proc/self'], /kernel file system/],
  [
    'vrt --resolution abc',
    ['vrt', items, '--asset', 'B04', '-o', out('x.vrt'), '--resolution', 'abc'],
    /--resolution/,
  ],
  [
    'read --bbox with three numbers',
    ['read', items, '--asset', 'B04', '-o', out('r.tif'), '--bbox', '1,2,3'],
    /--bbox/,
  ],
  [
    'read --overview -3',
    ['read', items, '--asset', 'B04', '-o', out('r.tif'), '--overview', '-3'],
    /overview/,
  ],
  [
    'point --lat 100',
    [
      'point',
      '--stac',
      api,
      '--lat',
      '100',
      '--lon',
      '0',
      '--collection',
      'c',
      '--bands',
      'B04',
      '-o',
      out('p.tif'),
    ],
    /latitude/,
  ],
  [
    'point --edge-size -5',
    [
      'point',
      '--stac',
      api,
      '--lat',
      '10',
      '--lon',
      '0',
      '--collection',
      'c',
      '--bands',
      'B04',
      '--edge-size',
      '-5',
      '-o',
      out('p.tif'),
    ],
    /--edge-size/,
  ],
  [
    'point-values --point 500,500',
    ['point-values', items, '--asset', 'B04', '--point', '500,500'],
    /latitude/,
  ],
  ['item --id ""', ['item', raster, '-o', out('i.json'), '--id', ''], /id/],
  [
    'parquet write to a non-parquet path',
    ['parquet', 'write', items, out('items.txt')],
    /\.parquet/,
  ],
  [
    'cube --chunk-size 0',
    ['cube', items, '--asset', 'B04', '--dry-run', '--chunk-size', '0'],
    /--chunk-size/,
  ],
  [
    'cube --dtype float128',
    ['cube', items, '--asset', 'B04', '--dry-run', '--dtype', 'float128'],
    /dtype/,
  ],
  [
    'cube --nodata abc',
    ['cube', items, '--asset', 'B04', '--dry-run', '--nodata', 'abc'],
    /nodata/,
  ],
  [
    'cube --resolution 1e308',
    ['cube', items, '--asset', 'B04', '--dry-run', '--crs', 'EPSG:32633', '--resolution', '1e308'],
    /resolution/,
  ],
  [
    'cube --workers -1',
    ['cube', items, '--asset', 'B04', '-o', out('c.tif'), '--workers', '-1'],
    /--workers/,
  ],
  ['--timeout soon', ['--timeout', 'soon', 'info', items, '--asset', 'B04'], /--timeout/],
];

describe('absurd options are refused before any work', () => {
  it.each(cases)('%s', async (_, args, names) => {
    const started = performance.now();
    const result = await runCli(args);
    const seconds = (performance.now() - started) / 1000;
    expect(result.code, result.stdout).not.toBe(0);
    const message = result.stderr.trim().split('\n')[0]!;
    expect(message).toMatch(/^(pyramids: \w+Error: |error: )/);
    expect(message).toMatch(names);
    expect(message).not.toMatch(/undefined|NaN/);
    expect(seconds).toBeLessThan(5);
    expect(existsSync(out('c.tif')) || existsSync(out('r.tif')) || existsSync(out('p.tif'))).toBe(
      false,
    );
  });
});
