import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../../vitest.shared.js';
import { OptionError } from '../errors/option-error.js';
import type { ReaderContext, ReaderPlugin } from '../plugins/plugin-types.js';
import { createRegistry } from '../plugins/registry.js';
import type { RasterSource } from '../raster/raster-source.js';
import type { StacItem } from '../stac/stac-types.js';
import { gdalRasterSource } from '../test-support/gdal-raster.js';
import { PLUGIN_API_VERSION } from '../version.js';
import { readItemPoint } from './read-item-point.js';

// A real COG in EPSG:32621 (Greenland), nodata -32768.
const file = path.join(fixturesDir, 'rasters/rio-tiler/cog_int16.tif');
let scratch: string;

/** A reader over GDAL-decoded local files: the I/O seam. */
function gdalTestReader(): ReaderPlugin {
  return {
    kind: 'reader',
    id: 'gdal-test',
    apiVersion: PLUGIN_API_VERSION,
    mediaTypes: ['image/tiff'],
    extensions: ['.tif'],
    load: async () => ({
      open: async (href: string, _context: ReaderContext): Promise<RasterSource> => ({
        ...gdalRasterSource(href, scratch),
        href,
      }),
    }),
  };
}

/** The value GDAL reads at a lon/lat point: the independent reference. */
function gdalLocationValue(lon: number, lat: number): number {
  return Number(
    execFileSync('gdallocationinfo', ['-valonly', '-wgs84', file, String(lon), String(lat)], {
      encoding: 'utf8',
    }).trim(),
  );
}

const item = {
  type: 'Feature',
  stac_version: '1.0.0',
  id: 'greenland',
  geometry: null,
  properties: { datetime: '2024-01-01T00:00:00Z' },
  links: [],
  assets: { data: { href: file, type: 'image/tiff' } },
} as StacItem;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-point-values-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('readItemPoint', { timeout: 60_000 }, () => {
  it('reads the pixel holding each lon/lat point, as gdallocationinfo -wgs84, and null outside', async () => {
    const points: Array<[number, number]> = [
      [-54.8, 73.4],
      [-55.3, 72.9],
      [-53.1, 74.0],
      [10, 45],
    ];
    const results = await readItemPoint(item, 'data', points, {
      registry: createRegistry().use(gdalTestReader()),
    });
    for (const [index, [lon, lat]] of points.slice(0, 3).entries()) {
      expect(results[index]!.values).toEqual([gdalLocationValue(lon, lat)]);
      expect(results[index]!.nodata).toEqual([results[index]!.values![0] === -32768]);
    }
    expect(results[3]).toMatchObject({ lon: 10, lat: 45, values: null, nodata: null });
    expect(results[3]!.column).toBeUndefined();
  });

  it('refuses a point that is not lon/lat', async () => {
    await expect(
      readItemPoint(item, 'data', [[73.4, 100]], {
        registry: createRegistry().use(gdalTestReader()),
      }),
    ).rejects.toThrow(OptionError);
  });
});
