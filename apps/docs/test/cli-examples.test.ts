// Runs examples/cli.sh (the CLI lines the guides include) with the built `pyramids` command on the
// bundled sample data, and checks the files it writes with GDAL and by reading them back.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseItemsText } from '@pyramids/core';
import { gdalInfo } from '../../../test-support/gdal.js';

const repositoryRoot = path.resolve(import.meta.dirname, '../../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-docs-cli-'));
let output = '';

beforeAll(() => {
  // `pyramids` on PATH, as after `npm install -g @pyramids/cli`: the workspace's built command.
  const bin = path.join(scratch, 'bin');
  mkdirSync(bin);
  writeFileSync(
    path.join(bin, 'pyramids'),
    `#!/bin/sh\nexec "${process.execPath}" "${path.join(repositoryRoot, 'packages/cli/bin/pyramids.js')}" "$@"\n`,
  );
  chmodSync(path.join(bin, 'pyramids'), 0o755);
  symlinkSync(path.join(repositoryRoot, 'sample-data'), path.join(scratch, 'sample-data'));
  output = execFileSync('bash', [path.join(import.meta.dirname, '../examples/cli.sh')], {
    cwd: scratch,
    encoding: 'utf8',
    env: {
      ...process.env,
      PATH: `${bin}:${process.env['PATH'] ?? ''}`,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
}, 180_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the CLI lines of the guides', () => {
  const sampleItems = parseItemsText(
    readFileSync(path.join(repositoryRoot, 'sample-data/items.json'), 'utf8'),
  );

  it('cube writes a GeoTIFF of 3 days × 3 bands and a PNG quicklook', () => {
    const info = gdalInfo(path.join(scratch, 'cube.tif'));
    expect(info.bands).toHaveLength(9);
    expect(readFileSync(path.join(scratch, 'cube.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('dry run and info print without writing pixels', () => {
    expect(output).toMatch(/"timeSteps": 3/); // the dry run's estimate: three solar days
    expect(output).toMatch(/"crsSource": "proj:code"/); // info: read from the Item alone
  });

  it('vrt opens in gdalinfo; item describes the cube', () => {
    expect(gdalInfo(path.join(scratch, 'mosaic.vrt')).size[0]).toBeGreaterThan(0);
    const item = JSON.parse(readFileSync(path.join(scratch, 'cube.json'), 'utf8')) as {
      id: string;
      bbox: number[];
    };
    expect(item.id).toBe('my-cube');
    expect(item.bbox).toHaveLength(4);
  });

  it('parquet write and a search of the file find Items of the sample', () => {
    const found = parseItemsText(readFileSync(path.join(scratch, 'found.json'), 'utf8'));
    expect(found.length).toBeGreaterThan(0);
    expect(found.length).toBeLessThanOrEqual(sampleItems.length);
    expect(found.every((item) => sampleItems.some((sample) => sample.id === item.id))).toBe(true);
  });
});
