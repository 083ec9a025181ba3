import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Dataset,
  OptionError,
  readExtensionMetadata,
  type RasterSource,
  type StacItem,
} from '@pyramids/core';
import { fixturesDir } from '../../../../vitest.shared.js';
import { gdalinfo, gdalinfoAll, gdalRasterSource } from './gdal-raster-source.test-support.js';
import { createStacValidator } from './stac-schema-validator.test-support.js';
import { toStacItem } from './to-stac-item.js';
import type { Position } from './footprint.js';

const rastersDir = path.join(fixturesDir, 'rasters');
const validate = createStacValidator(path.join(fixturesDir, 'stac/schemas'));
const rasterFiles = (function list(directory: string): string[] {
  return readdirSync(directory)
    .sort()
    .flatMap((name) => {
      const full = path.join(directory, name);
      return statSync(full).isDirectory() ? list(full) : name.endsWith('.ovr') ? [] : [full];
    });
})(rastersDir);
const infos = await gdalinfoAll(rasterFiles);
const sources = new Map(
  rasterFiles.map((file) => [file, gdalRasterSource(file, { info: infos.get(file)! })]),
);
const georeferenced = rasterFiles.filter(
  (file) => sources.get(file)!.grid.crs !== null && sources.get(file)!.info.geoTransform,
);
const fixture = (relative: string) => sources.get(path.join(rastersDir, relative))!;

function outerRings(item: StacItem): Position[][] {
  const geometry = item.geometry as { type: string; coordinates: Position[][] | Position[][][] };
  return geometry.type === 'Polygon'
    ? [(geometry.coordinates as Position[][])[0]!]
    : (geometry.coordinates as Position[][][]).map((polygon) => polygon[0]!);
}

function pointInRing([x, y]: Position, ring: Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

describe('toStacItem on every georeferenced fixture raster', () => {
  it('finds the georeferenced fixtures', () => {
    expect(georeferenced.length).toBeGreaterThanOrEqual(35);
  });

  it.each(georeferenced.map((file) => [path.relative(rastersDir, file)]))(
    '%s: a valid Item whose proj fields rebuild the grid',
    async (relative) => {
      const source = fixture(relative);
      const warnings: string[] = [];
      const item = await toStacItem(source, 'item-1', {
        datetime: '2024-06-17T00:00:00Z',
        onWarning: (message) => warnings.push(message),
      });
      expect(validate(item)).toEqual([]);
      const metadata = readExtensionMetadata(item, 'data');
      expect(metadata.grid).toEqual(source.grid);
      expect(metadata.bands.map((band) => band.dataType)).toEqual(
        source.bands.map((band) => band.dataType),
      );
      expect(metadata.bands.map((band) => band.nodata)).toEqual(
        source.bands.map((band) => band.nodata),
      );
      // Every corner GDAL reports in EPSG:4326 lies inside the Item's bbox (when GDAL's extent does not wrap).
      const corners = source.info.wgs84Extent?.coordinates[0] ?? [];
      const [west, south, east, north] = item.bbox as number[];
      if (west! <= east! && corners.length > 0 && warnings.length === 0) {
        // NAD27 (byte.tif) is shifted without its datum grid, ~80 m off GDAL: allow 0.001° (~110 m), 1e-6° otherwise.
        const tolerance = /NAD27/.test(source.info.coordinateSystem?.wkt ?? '') ? 1e-3 : 1e-6;
        for (const [lon, lat] of corners) {
          if (Math.abs(lon) > 180 || Math.abs(lat) > 90) continue;
          expect(lon).toBeGreaterThanOrEqual(west! - tolerance);
          expect(lon).toBeLessThanOrEqual(east! + tolerance);
          expect(lat).toBeGreaterThanOrEqual(south! - tolerance);
          expect(lat).toBeLessThanOrEqual(north! + tolerance);
        }
      }
    },
  );

  it.each(
    georeferenced
      .filter((file) => {
        const source = sources.get(file)!;
        return (
          source.grid.width * source.grid.height * source.bands.length <= 1_000_000 &&
          !/cint|\.grib/.test(file)
        );
      })
      .map((file) => [path.relative(rastersDir, file)]),
  )('%s: a valid Item with a data footprint and statistics', async (relative) => {
    const item = await toStacItem(fixture(relative), 'item-2', {
      footprint: 'data',
      withStats: true,
      histogramBuckets: 16,
      onWarning: () => {},
    });
    expect(validate(item)).toEqual([]);
  });
});

describe('toStacItem', () => {
  it('writes the STAC fields a reader of rio-stac output expects', async () => {
    const source = fixture('rasterio/RGB.byte.tif');
    const item = await toStacItem(source, 'rgb', {
      assetHref: 'https://example.com/RGB.byte.tif',
      datetime: new Date('2020-01-02T03:04:05.678Z'),
      collection: 'landsat',
      properties: { platform: 'landsat-7' },
    });
    expect(item).toMatchObject({
      type: 'Feature',
      stac_version: '1.1.0',
      id: 'rgb',
      collection: 'landsat',
      stac_extensions: [
        'https://stac-extensions.github.io/projection/v2.0.0/schema.json',
        'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
      ],
      properties: {
        datetime: '2020-01-02T03:04:05.678Z',
        platform: 'landsat-7',
        'proj:code': 'EPSG:32618',
        'proj:shape': [718, 791],
        'proj:transform': [300.0379266750948, 0, 101985, 0, -300.041782729805, 2826915],
      },
      links: [{ rel: 'collection', href: '../collection.json', type: 'application/json' }],
      assets: {
        data: {
          href: 'https://example.com/RGB.byte.tif',
          type: 'image/tiff; application=geotiff',
          roles: ['data'],
          'raster:bands': [
            { data_type: 'uint8', nodata: 0 },
            { data_type: 'uint8', nodata: 0 },
            { data_type: 'uint8', nodata: 0 },
          ],
        },
      },
    });
    expect(item.geometry!.type).toBe('Polygon');
    // 4 edges × 21 segments, closed; rounded to 6 decimals.
    const ring = outerRings(item)[0]!;
    expect(ring.length).toBe(85);
    expect(
      ring.every(
        ([lon, lat]) =>
          Number.isInteger(lon * 1e6 + 1e-9 - ((lon * 1e6 + 1e-9) % 1)) && Math.abs(lat) < 90,
      ),
    ).toBe(true);
    expect(ring.flat().every((value) => Math.round(value * 1e6) / 1e6 === value)).toBe(true);
    expect(validate(item)).toEqual([]);
  });

  it('is what Dataset.toStacItem returns', async () => {
    const source = fixture('rio-cogeo/image_51px.tif');
    const options = { datetime: '2020-01-01T00:00:00Z' };
    expect(await new Dataset(source, 'gdal-test').toStacItem('same', options)).toEqual(
      await toStacItem(source, 'same', options),
    );
  });

  it('honours precision, asset key, roles and media type', async () => {
    const item = await toStacItem(fixture('rasterio/byte.tif'), 'byte', {
      precision: 2,
      assetKey: 'dem',
      assetRoles: ['data', 'elevation'],
      assetMediaType: 'image/tiff',
      datetime: '2021-05-01T00:00:00+02:00',
    });
    expect(item.properties['datetime']).toBe('2021-04-30T22:00:00.000Z');
    expect(item.assets['dem']).toMatchObject({ roles: ['data', 'elevation'], type: 'image/tiff' });
    expect(
      outerRings(item)[0]!
        .flat()
        .every((value) => Math.round(value * 100) / 100 === value),
    ).toBe(true);
    expect(validate(item)).toEqual([]);
  });

  it('splits a footprint that crosses the antimeridian into a MultiPolygon with west > east', async () => {
    const item = await toStacItem(fixture('rio-tiler/cog_dateline.tif'), 'dateline');
    expect(item.geometry!.type).toBe('MultiPolygon');
    const [west, south, east, north] = item.bbox!;
    expect(west).toBeGreaterThan(east!);
    expect(west).toBeGreaterThan(170);
    expect(east).toBeLessThan(-170);
    expect(south).toBeGreaterThan(50);
    expect(north).toBeLessThan(54);
    const rings = outerRings(item);
    expect(rings.some((ring) => ring.every(([lon]) => lon >= 0))).toBe(true);
    expect(rings.some((ring) => ring.every(([lon]) => lon <= 0))).toBe(true);
    expect(rings.flat().every(([lon]) => lon >= -180 && lon <= 180)).toBe(true);
    expect(validate(item)).toEqual([]);
  });

  it('closes a footprint that contains a pole over the pole', async () => {
    // NSIDC south polar stereographic grid: the raster covers the South Pole.
    const item = await toStacItem(fixture('geotiff-test-data/nt_20201024_f18_nrt_s.tif'), 'polar');
    expect(item.geometry!.type).toBe('Polygon');
    const [west, south, east, north] = item.bbox!;
    expect([west, south, east]).toEqual([-180, -90, 180]);
    expect(north).toBeLessThan(-30);
    expect(north).toBeGreaterThan(-50);
    expect(validate(item)).toEqual([]);
  });

  it('densifies edges: a UTM outline follows the curved edges, not just the corners', async () => {
    const item = await toStacItem(fixture('rio-tiler/cog_int16.tif'), 'utm');
    const ring = outerRings(item)[0]!;
    const corners = fixture('rio-tiler/cog_int16.tif').info.wgs84Extent!.coordinates[0]!;
    // The densified ring has many more points than the 4 corners and still passes through them.
    expect(ring.length).toBeGreaterThan(80);
    for (const corner of corners.slice(0, 4)) {
      expect(
        ring.some(
          ([lon, lat]) => Math.abs(lon - corner[0]) < 1e-5 && Math.abs(lat - corner[1]) < 1e-5,
        ),
      ).toBe(true);
    }
  });

  it('bounds the part of a geostationary full disk that lies on the Earth', async () => {
    // The GOES projection as a proj4 string (proj4 cannot read GDAL's WKT2 of it); the disk's corners are off the Earth.
    const file = path.join(rastersDir, 'rasterio/goes.tif');
    const geos =
      '+proj=geos +lon_0=-75 +h=35786023 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs +sweep=x';
    expect(execFileSync('gdalsrsinfo', ['-o', 'proj4', file], { encoding: 'utf8' })).toContain(
      '+proj=geos +lon_0=-75 +h=35786023',
    );
    const warnings: string[] = [];
    const item = await toStacItem(gdalRasterSource(file, { crs: geos }), 'goes', {
      onWarning: (message) => warnings.push(message),
    });
    expect(warnings).toContainEqual(
      expect.stringMatching(/outside its projection's domain; the footprint is the bounding box/),
    );
    // A proj4 string has no STAC field: proj:code null, with a warning.
    expect(warnings).toContainEqual(expect.stringMatching(/proj:code null/));
    const [west, south, east, north] = item.bbox!;
    // GOES-East at 75° W sees roughly 81° either way.
    expect(west).toBeGreaterThan(-160);
    expect(west).toBeLessThan(-140);
    expect(east).toBeGreaterThan(-10);
    expect(east).toBeLessThan(10);
    expect(south).toBeLessThan(-70);
    expect(north).toBeGreaterThan(70);
    expect(validate(item)).toEqual([]);
  });

  it('gives a raster without a CRS the whole world and warns', async () => {
    const warnings: string[] = [];
    const item = await toStacItem(fixture('rasterio/float.tif'), 'nocrs', {
      onWarning: (message) => warnings.push(message),
    });
    expect(item.bbox).toEqual([-180, -90, 180, 90]);
    expect(item.properties['proj:code']).toBeNull();
    expect(warnings).toEqual([
      expect.stringMatching(/has no CRS; the Item's geometry is the whole world/),
    ]);
    expect(validate(item)).toEqual([]);
    expect(readExtensionMetadata(item, 'data').grid).toEqual(fixture('rasterio/float.tif').grid);
  });

  it('writes a WKT CRS as proj:wkt2 with proj:code null, and the round trip keeps it', async () => {
    const source = fixture('rio-cogeo/image_with_offsets.tif');
    const item = await toStacItem(source, 'wkt');
    expect(item.properties['proj:code']).toBeNull();
    expect(item.properties['proj:wkt2']).toMatch(/^PROJCRS\["unnamed"/);
    expect(readExtensionMetadata(item, 'data')).toMatchObject({
      crsSource: 'proj:wkt2',
      grid: source.grid,
    });
    expect(item.assets['data']!['raster:bands']).toEqual([
      { data_type: 'int16', nodata: -1000, scale: 0.0001, offset: 1000 },
    ]);
  });

  it('spells a NaN nodata "nan"', async () => {
    const item = await toStacItem(fixture('rio-cogeo/image_nan.tif'), 'nan');
    expect(item.assets['data']!['raster:bands']).toEqual([{ data_type: 'float64', nodata: 'nan' }]);
    expect(readExtensionMetadata(item, 'data').bands[0]!.nodata).toBeNaN();
  });

  it('spells infinite nodata "inf" and "-inf"', async () => {
    const base = fixture('rasterio/byte.tif');
    const source: RasterSource = {
      ...base,
      read: base.read,
      bands: [
        { dataType: 'float32', nodata: Infinity },
        { dataType: 'float32', nodata: -Infinity },
      ],
    };
    const item = await toStacItem(source, 'inf');
    expect(item.assets['data']!['raster:bands']).toEqual([
      { data_type: 'float32', nodata: 'inf' },
      { data_type: 'float32', nodata: '-inf' },
    ]);
    expect(validate(item)).toEqual([]);
  });

  it('writes eo:bands names when the bands have names, or when asked', async () => {
    const base = fixture('rasterio/RGB.byte.tif');
    const named: RasterSource = {
      ...base,
      read: base.read,
      bands: base.bands.map((band, index) => ({ ...band, name: ['red', 'green', 'blue'][index]! })),
    };
    const item = await toStacItem(named, 'eo');
    expect(item.stac_extensions).toContain(
      'https://stac-extensions.github.io/eo/v1.1.0/schema.json',
    );
    expect(item.assets['data']!['eo:bands']).toEqual([
      { name: 'red' },
      { name: 'green' },
      { name: 'blue' },
    ]);
    expect(readExtensionMetadata(item, 'data').bandNames).toEqual(['red', 'green', 'blue']);
    expect(validate(item)).toEqual([]);
    const unnamed = await toStacItem(base, 'eo2', { withEo: true });
    expect(unnamed.assets['data']!['eo:bands']).toEqual([
      { name: 'b1' },
      { name: 'b2' },
      { name: 'b3' },
    ]);
    const without = await toStacItem(named, 'eo3', {
      withEo: false,
      withProj: false,
      withRaster: false,
    });
    expect(without.stac_extensions).toEqual([]);
    expect(without.properties['proj:code']).toBeUndefined();
    expect(without.assets['data']!['raster:bands']).toBeUndefined();
    expect(validate(without)).toEqual([]);
  });

  describe('datetime', () => {
    const source = () => fixture('rasterio/byte.tif');
    it('is null only when both range ends are given', async () => {
      const item = await toStacItem(source(), 'range', {
        startDatetime: '2020-01-01',
        endDatetime: new Date('2020-02-01T00:00:00Z'),
      });
      expect(item.properties).toMatchObject({
        datetime: null,
        start_datetime: '2020-01-01T00:00:00.000Z',
        end_datetime: '2020-02-01T00:00:00.000Z',
      });
      expect(validate(item)).toEqual([]);
    });
    it('defaults to now', async () => {
      const before = Date.now();
      const item = await toStacItem(source(), 'now');
      const datetime = Date.parse(item.properties['datetime'] as string);
      expect(datetime).toBeGreaterThanOrEqual(before);
      expect(datetime).toBeLessThanOrEqual(Date.now());
    });
    it('refuses half a range and bad dates', async () => {
      await expect(toStacItem(source(), 'x', { startDatetime: '2020-01-01' })).rejects.toThrowError(
        OptionError,
      );
      await expect(toStacItem(source(), 'x', { datetime: 'yesterday' })).rejects.toThrowError(
        /datetime "yesterday" is not a valid date/,
      );
      await expect(
        toStacItem(source(), 'x', { startDatetime: '2021-01-01', endDatetime: '2020-01-01' }),
      ).rejects.toThrowError(/is after/);
      await expect(toStacItem(source(), '')).rejects.toThrowError(/non-empty Item id/);
    });
  });

  it('drops a query string (a possible token) from the default href, with a warning that does not show it', async () => {
    const base = fixture('rasterio/byte.tif');
    const warnings: string[] = [];
    const item = await toStacItem(
      {
        ...base,
        read: base.read,
        href: 'https://account.blob.core.windows.net/c/byte.tif?sig=SECRET',
      },
      'signed',
      {
        onWarning: (message) => warnings.push(message),
      },
    );
    expect(item.assets['data']!.href).toBe('https://account.blob.core.windows.net/c/byte.tif');
    expect(warnings.join('\n')).toMatch(/query string/);
    expect(warnings.join('\n')).not.toMatch(/SECRET/);
  });

  it('traces the valid pixels for footprint "data": smaller than the outline, covering the data', async () => {
    const source = fixture('rasterio/RGB.byte.tif');
    const outline = await toStacItem(source, 'bbox');
    const data = await toStacItem(source, 'data', { footprint: 'data' });
    expect(validate(data)).toEqual([]);
    const area = (ring: Position[]) =>
      Math.abs(
        ring.reduce(
          (sum, [x0, y0], index) =>
            sum + (index ? ring[index - 1]![0] * y0 - x0 * ring[index - 1]![1] : 0),
          0,
        ),
      ) / 2;
    const dataRing = outerRings(data)[0]!;
    expect(area(dataRing)).toBeLessThan(0.8 * area(outerRings(outline)[0]!));
    expect(dataRing.length).toBeLessThan(200);
    // Pixels well inside the data are inside the footprint; pixels well inside the nodata border are outside.
    const [band] = await source.read({
      window: { x: 0, y: 0, width: source.grid.width, height: source.grid.height },
      bands: [0],
    });
    const { width, height, transform } = source.grid;
    const { createTransformer } = await import('@pyramids/core');
    const toLonLat = createTransformer('EPSG:32618', 'EPSG:4326');
    const margin = 6;
    const allSame = (col: number, row: number, valid: boolean) => {
      for (let dy = -margin; dy <= margin; dy++) {
        for (let dx = -margin; dx <= margin; dx++) {
          const c = col + dx;
          const r = row + dy;
          const inside = c >= 0 && r >= 0 && c < width && r < height && band![r * width + c] !== 0;
          if (inside !== valid) return false;
        }
      }
      return true;
    };
    let checkedIn = 0;
    let checkedOut = 0;
    for (let row = 0; row < height; row += 23) {
      for (let col = 0; col < width; col += 23) {
        const valid = band![row * width + col] !== 0;
        if (!allSame(col, row, valid)) continue;
        const point = toLonLat(
          transform[0] + (col + 0.5) * transform[1],
          transform[3] + (row + 0.5) * transform[5],
        );
        expect(pointInRing(point, dataRing)).toBe(valid);
        if (valid) checkedIn++;
        else checkedOut++;
      }
    }
    expect(checkedIn).toBeGreaterThan(100);
    expect(checkedOut).toBeGreaterThan(50);
  });

  it('reads no pixel for a data footprint of integer bands without nodata: the outline is the footprint', async () => {
    const base = fixture('rasterio/byte.tif');
    let reads = 0;
    const counting: RasterSource = {
      ...base,
      read: async (request) => {
        reads++;
        return base.read(request);
      },
    };
    const data = await toStacItem(counting, 'outline', { footprint: 'data' });
    expect(reads).toBe(0);
    expect(data.geometry).toEqual((await toStacItem(base, 'outline')).geometry);
  });

  it('gives an all-nodata raster a null geometry and no bbox', async () => {
    const base = fixture('rasterio/byte.tif');
    const warnings: string[] = [];
    const options = {
      footprint: 'data' as const,
      onWarning: (message: string) => warnings.push(message),
    };
    const withData = await toStacItem(
      { ...base, read: base.read, bands: [{ dataType: 'uint8', nodata: 0 }] },
      'full',
      options,
    );
    expect(withData.geometry).not.toBeNull();
    expect(warnings).toEqual([]);
    const empty: RasterSource = {
      ...base,
      bands: [{ dataType: 'uint8', nodata: 0 }],
      read: async (request) => [new Uint8Array(request.window.width * request.window.height)],
    };
    const emptyItem = await toStacItem(empty, 'empty', options);
    expect(emptyItem.geometry).toBeNull();
    expect(emptyItem.bbox).toBeUndefined();
    expect(warnings).toEqual([
      expect.stringMatching(/has no valid pixel; the Item has a null geometry/),
    ]);
    expect(validate(emptyItem)).toEqual([]);
  });

  it('reprojects NAD27 (a datum proj4 has no grid for) close to where GDAL puts it', async () => {
    const source = fixture('rasterio/byte.tif');
    const warnings: string[] = [];
    const item = await toStacItem(source, 'nad27', {
      onWarning: (message) => warnings.push(message),
    });
    expect(warnings).toEqual([]);
    const corners = source.info.wgs84Extent!.coordinates[0]!;
    const lons = corners.map((corner) => corner[0]);
    const lats = corners.map((corner) => corner[1]);
    const expected = [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
    // Without the NAD27 grid shift the error stays well under 0.002° (~200 m).
    item.bbox!.forEach((value, index) =>
      expect(Math.abs(value - expected[index]!)).toBeLessThan(0.002),
    );
  });
});

describe('toStacItem statistics', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'pyramids-stats-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it.each([
    ['rasterio/byte.tif'],
    ['rasterio/rgb1_fake_nir_epsg3857.tif'],
    ['rio-cogeo/image_nan.tif'],
    ['cogeotiff/DEM_BS28_2016_1000_1141.tif'],
  ])('%s: statistics match GDAL', async (relative) => {
    // gdalinfo -stats writes an .aux.xml beside the file: work on a copy.
    const copy = path.join(directory, path.basename(relative));
    copyFileSync(path.join(rastersDir, relative), copy);
    const info = gdalinfo(copy, ['-stats']) as unknown as {
      bands: {
        minimum: number;
        maximum: number;
        mean: number;
        stdDev: number;
        metadata: { ''?: Record<string, string> };
      }[];
    };
    const item = await toStacItem(fixture(relative), 'stats', {
      withStats: true,
      histogramBuckets: 10,
    });
    const bands = item.assets['data']!['raster:bands'] as {
      statistics: Record<string, number>;
      histogram: { buckets: number[]; count: number };
    }[];
    info.bands.forEach((gdalBand, index) => {
      const statistics = bands[index]!.statistics;
      expect(statistics['minimum']).toBeCloseTo(gdalBand.minimum, 4);
      expect(statistics['maximum']).toBeCloseTo(gdalBand.maximum, 4);
      expect(statistics['mean']).toBeCloseTo(gdalBand.mean, 3);
      expect(statistics['stddev']).toBeCloseTo(gdalBand.stdDev, 3);
      expect(Number(gdalBand.metadata['']?.['STATISTICS_VALID_PERCENT'])).toBeCloseTo(
        statistics['valid_percent']!,
        2,
      );
      expect(bands[index]!.histogram.count).toBe(10);
      const validPixels = Math.round(
        (statistics['valid_percent']! / 100) *
          fixture(relative).grid.width *
          fixture(relative).grid.height,
      );
      expect(bands[index]!.histogram.buckets.reduce((sum, value) => sum + value, 0)).toBe(
        validPixels,
      );
    });
    expect(validate(item)).toEqual([]);
  });
});

describe('the schema check can fail', () => {
  it('rejects broken Items', async () => {
    const item = await toStacItem(fixture('rasterio/byte.tif'), 'good');
    expect(validate(item)).toEqual([]);
    const broken = structuredClone(item) as Record<string, unknown> & StacItem;
    delete (broken as { links?: unknown }).links;
    expect(validate(broken).join('\n')).toMatch(/links/);
    const badNodata = structuredClone(item);
    (badNodata.assets['data']!['raster:bands'] as Record<string, unknown>[])[0]!['nodata'] = 'NaN';
    expect(validate(badNodata).join('\n')).toMatch(/raster/);
    const badShape = structuredClone(item);
    badShape.properties['proj:shape'] = [20.5, 20];
    expect(validate(badShape).join('\n')).toMatch(/projection/);
    const badDatetime = structuredClone(item);
    badDatetime.properties['datetime'] = '2020-01-01T00:00:00+02:00';
    expect(validate(badDatetime).length).toBeGreaterThan(0);
  });
});
