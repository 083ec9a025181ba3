import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../../vitest.shared.js';
import { GridError } from '../errors/grid-error.js';
import { OptionError } from '../errors/option-error.js';
import type { ReaderContext, ReaderPlugin } from '../plugins/plugin-types.js';
import { createRegistry } from '../plugins/registry.js';
import type { RasterSource } from '../raster/raster-source.js';
import type { StacItem } from '../stac/stac-types.js';
import { gdalRasterSource, readWithGdal } from '../test-support/gdal-raster.js';
import { PLUGIN_API_VERSION } from '../version.js';
import { readItemFeature } from './read-item-feature.js';

// A real COG in EPSG:32621 (Greenland), ~100 m pixels, nodata -32768.
const file = path.join(fixturesDir, 'rasters/rio-tiler/cog_int16.tif');
let scratch: string;

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

const item = {
  type: 'Feature',
  stac_version: '1.0.0',
  id: 'greenland',
  geometry: null,
  properties: { datetime: '2024-01-01T00:00:00Z' },
  links: [],
  assets: { data: { href: file, type: 'image/tiff' } },
} as StacItem;

// A triangle with a square hole, a few km across, in lon/lat.
const outer: Array<[number, number]> = [
  [-54.9, 73.35],
  [-54.7, 73.35],
  [-54.8, 73.45],
  [-54.9, 73.35],
];
const hole: Array<[number, number]> = [
  [-54.82, 73.37],
  [-54.78, 73.37],
  [-54.78, 73.39],
  [-54.82, 73.39],
  [-54.82, 73.37],
];
const feature = {
  type: 'Feature' as const,
  properties: {},
  geometry: { type: 'Polygon', coordinates: [outer, hole] },
} as never;

/** Ring vertices in EPSG:32621 by GDAL's gdaltransform. */
function toUtm(ring: Array<[number, number]>): number[][] {
  const output = execFileSync('gdaltransform', ['-s_srs', 'EPSG:4326', '-t_srs', 'EPSG:32621'], {
    input: ring.map(([lon, lat]) => `${lon} ${lat}`).join('\n') + '\n',
    encoding: 'utf8',
  });
  return output
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).slice(0, 2).map(Number));
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-feature-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('readItemFeature', { timeout: 60_000 }, () => {
  it('masks the pixels whose centres are inside, as gdal_rasterize burns them, and keeps GDAL values there', async () => {
    const result = await readItemFeature(item, 'data', feature, {
      registry: createRegistry().use(gdalTestReader()),
    });
    const { width, height } = result.window;
    // The reference: the polygon (vertices by gdaltransform) burnt by gdal_rasterize onto the same grid.
    const polygon = path.join(scratch, 'polygon.geojson');
    writeFileSync(
      polygon,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: {},
            geometry: { type: 'Polygon', coordinates: [toUtm(outer), toUtm(hole)] },
          },
        ],
      }),
    );
    const [x0, dx, , y0, , dy] = result.grid.transform;
    const burnt = path.join(scratch, 'burnt.tif');
    execFileSync('gdal_rasterize', [
      '-q',
      '-burn',
      '1',
      '-init',
      '0',
      '-ot',
      'Byte',
      '-a_srs',
      'EPSG:32621',
      '-te',
      String(x0),
      String(y0 + height * dy),
      String(x0 + width * dx),
      String(y0),
      '-ts',
      String(width),
      String(height),
      polygon,
      burnt,
    ]);
    const expectedMask = readWithGdal(burnt, { scratch }).bands[0]!;
    expect(Array.from(result.mask)).toEqual(Array.from(expectedMask));
    const inside = result.mask.reduce((sum, value) => sum + value, 0);
    expect(inside).toBeGreaterThan(100);
    expect(inside).toBeLessThan(width * height);
    // Values: GDAL's inside, nodata outside.
    const window = path.join(scratch, 'window.tif');
    execFileSync('gdal_translate', [
      '-q',
      '-srcwin',
      String(result.window.x),
      String(result.window.y),
      String(width),
      String(height),
      file,
      window,
    ]);
    const values = readWithGdal(window, { scratch }).bands[0]!;
    const expectedValues = Array.from(values, (value, index) =>
      result.mask[index] ? value : -32768,
    );
    expect(Array.from(result.data[0]!)).toEqual(expectedValues);
  });

  it('refuses a point and a feature that misses the raster', async () => {
    const registry = createRegistry().use(gdalTestReader());
    await expect(
      readItemFeature(item, 'data', { type: 'Point', coordinates: [-54.8, 73.4] } as never, {
        registry,
      }),
    ).rejects.toThrow(OptionError);
    const far = {
      type: 'Polygon',
      coordinates: [
        [
          [10, 45],
          [10.1, 45],
          [10.1, 45.1],
          [10, 45],
        ],
      ],
    } as never;
    await expect(readItemFeature(item, 'data', far, { registry })).rejects.toSatisfy(
      (error: unknown) => GridError.isInstance(error),
    );
  });
});
