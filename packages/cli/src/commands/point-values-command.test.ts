import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../../vitest.shared.js';
import { runCli } from '../run-cli-for-tests.js';

// A real COG in EPSG:32621 (Greenland), nodata -32768.
const file = path.join(fixturesDir, 'rasters/rio-tiler/cog_int16.tif');

function gdalLocationValue(lon: number, lat: number): number {
  return Number(
    execFileSync('gdallocationinfo', ['-valonly', '-wgs84', file, String(lon), String(lat)], {
      encoding: 'utf8',
    }).trim(),
  );
}

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'pyramids-point-values-cli-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('pyramids point-values', { timeout: 60_000 }, () => {
  it('prints the value of each Item at each point, as gdallocationinfo reads them', async () => {
    const item = (id: string, datetime: string) => ({
      type: 'Feature',
      stac_version: '1.0.0',
      id,
      geometry: null,
      properties: { datetime },
      links: [],
      assets: { data: { href: file, type: 'image/tiff; application=geotiff' } },
    });
    const itemsFile = path.join(directory, 'items.json');
    await writeFile(
      itemsFile,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [item('t1', '2024-05-01T10:00:00Z'), item('t2', '2024-05-06T10:00:00Z')],
      }),
    );
    const result = await runCli([
      'point-values',
      itemsFile,
      '--asset',
      'data',
      '--point',
      '-54.8,73.4',
      '--point',
      '10,45',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const expected = gdalLocationValue(-54.8, 73.4);
    expect(JSON.parse(result.stdout)).toEqual([
      {
        item: 't1',
        datetime: '2024-05-01T10:00:00.000Z',
        lon: -54.8,
        lat: 73.4,
        values: [expected],
        nodata: [false],
      },
      {
        item: 't1',
        datetime: '2024-05-01T10:00:00.000Z',
        lon: 10,
        lat: 45,
        values: null,
        nodata: null,
      },
      {
        item: 't2',
        datetime: '2024-05-06T10:00:00.000Z',
        lon: -54.8,
        lat: 73.4,
        values: [expected],
        nodata: [false],
      },
      {
        item: 't2',
        datetime: '2024-05-06T10:00:00.000Z',
        lon: 10,
        lat: 45,
        values: null,
        nodata: null,
      },
    ]);
  });

  it('fails in one line on a malformed point', async () => {
    const result = await runCli([
      'point-values',
      path.join(directory, 'none.json'),
      '--asset',
      'data',
      '--point',
      '73.4',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--point must be LON,LAT/);
  });
});
