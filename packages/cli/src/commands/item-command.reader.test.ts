// toStacItem on the fixture rasters opened through the real GeoTIFF reader
// (@pyramids/readers-geotiff + openRaster), checked against GDAL and the STAC schemas.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry, openRaster, readExtensionMetadata, type StacItem } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { fixturesDir } from '../../../../vitest.shared.js';
import { gdalinfoAll, gdalCrs } from '../../../core/src/item/gdal-raster-source.test-support.js';
import { createStacValidator } from '../../../core/src/item/stac-schema-validator.test-support.js';
import { runItemCommand } from './item-command.js';

const rastersDir = path.join(fixturesDir, 'rasters');
const validate = createStacValidator(path.join(fixturesDir, 'stac/schemas'));
const registry = createRegistry().use(geotiffReader());
const tiffs = (function list(directory: string): string[] {
  return readdirSync(directory)
    .sort()
    .flatMap((name) => {
      const full = path.join(directory, name);
      return statSync(full).isDirectory() ? list(full) : /\.tiff?$/.test(name) ? [full] : [];
    });
})(rastersDir);
const infos = await gdalinfoAll(tiffs);
// GeoTIFFs GDAL georeferences with a CRS and a geotransform (GCP-only files have none).
// WebP files are refused by this reader (typed error, tested in readers-geotiff).
const georeferenced = tiffs.filter(
  (file) =>
    gdalCrs(infos.get(file)!) !== null &&
    infos.get(file)!.geoTransform &&
    infos.get(file)!.metadata?.['IMAGE_STRUCTURE']?.['COMPRESSION'] !== 'WEBP',
);
const directory = mkdtempSync(path.join(tmpdir(), 'pyramids-item-reader-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('toStacItem through the GeoTIFF reader', () => {
  it('finds the georeferenced GeoTIFF fixtures', () => {
    expect(georeferenced.length).toBeGreaterThanOrEqual(30);
  });

  it.each(georeferenced.map((file) => [path.relative(rastersDir, file)]))(
    '%s: a valid Item that rebuilds the grid GDAL sees',
    async (relative) => {
      const file = path.join(rastersDir, relative);
      const info = infos.get(file)!;
      const dataset = await openRaster(file, { registry });
      try {
        const item = await dataset.toStacItem('reader-item', {
          datetime: '2024-01-01T00:00:00Z',
          onWarning: () => {},
        });
        expect(validate(item)).toEqual([]);
        const metadata = readExtensionMetadata(item, 'data');
        // The Item's proj fields rebuild the reader's grid exactly … (a CRS the reader can only
        // give as a proj4 string has no STAC field: the Item then carries proj:code null).
        if (/^EPSG:\d+$/.test(dataset.crs ?? '')) expect(metadata.grid).toEqual(dataset.grid);
        else expect({ ...metadata.grid, crs: dataset.crs }).toEqual(dataset.grid);
        // … and that grid is GDAL's.
        expect([dataset.width, dataset.height]).toEqual(info.size);
        dataset.transform.forEach((value, index) =>
          expect(value).toBeCloseTo(info.geoTransform![index]!, 6),
        );
        expect(metadata.bands.map((band) => band.dataType)).toEqual(
          dataset.bands.map((band) => band.dataType),
        );
        const epsg = info.stac?.['proj:epsg'];
        if (typeof epsg === 'number') expect(item.properties['proj:code']).toBe(`EPSG:${epsg}`);
        const corners = info.wgs84Extent?.coordinates[0] ?? [];
        const [west, south, east, north] = item.bbox as number[];
        const tolerance = /NAD27/.test(info.coordinateSystem?.wkt ?? '') ? 1e-3 : 1e-5;
        if (
          west! <= east! &&
          corners.length > 0 &&
          !(west === -180 && south === -90 && east === 180 && north === 90)
        ) {
          for (const [lon, lat] of corners) {
            if (Math.abs(lon) > 180 || Math.abs(lat) > 90) continue;
            expect(lon).toBeGreaterThanOrEqual(west! - tolerance);
            expect(lon).toBeLessThanOrEqual(east! + tolerance);
            expect(lat).toBeGreaterThanOrEqual(south! - tolerance);
            expect(lat).toBeLessThanOrEqual(north! + tolerance);
          }
        }
      } finally {
        await dataset.close();
      }
    },
  );

  it.each(
    georeferenced
      .filter(
        (file) =>
          infos.get(file)!.size[0] * infos.get(file)!.size[1] * infos.get(file)!.bands.length <=
          1_000_000,
      )
      .map((file) => [path.relative(rastersDir, file)]),
  )(
    '%s: a valid Item with a data footprint and statistics read through the reader',
    async (relative) => {
      const dataset = await openRaster(path.join(rastersDir, relative), { registry });
      try {
        const item = await dataset.toStacItem('reader-stats', {
          footprint: 'data',
          withStats: true,
          histogramBuckets: 8,
          onWarning: () => {},
        });
        expect(validate(item)).toEqual([]);
      } finally {
        await dataset.close();
      }
    },
  );

  it('pyramids item writes the same Item through the default reader', async () => {
    const raster = path.join(rastersDir, 'rio-tiler/cog_dateline.tif');
    const output = path.join(directory, 'dateline.json');
    await runItemCommand(raster, { id: 'dateline', datetime: '2024-01-01T00:00:00Z', output });
    const item = JSON.parse(readFileSync(output, 'utf8')) as StacItem;
    expect(item.geometry!.type).toBe('MultiPolygon');
    expect(item.bbox![0]).toBeGreaterThan(item.bbox![2]!);
    expect(validate(item)).toEqual([]);
  });
});
