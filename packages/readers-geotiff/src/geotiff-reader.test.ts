import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createRegistry,
  openRaster,
  ReadError,
  UnsupportedAssetError,
  type Dataset,
} from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { fixturesDir } from '../../../vitest.shared.js';
import { gdalEpsg, gdalInfo, gdalReadPixels } from '../../../test-support/gdal.js';

const rastersDir = path.join(fixturesDir, 'rasters');
const registry = createRegistry().use(geotiffReader());

/** Every GeoTIFF fixture, as a path relative to the rasters folder. */
const tiffs = readdirSync(rastersDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => /\.tiff?$/.test(file))
  .sort();

/** Fixtures the issue allows to end in a typed error instead: WebP and complex-valued data. */
const EXPECTED_UNSUPPORTED = /WebP|complex-valued/;

/** GDAL's type names in ours. */
const TYPE_NAMES: Record<string, string> = {
  Byte: 'uint8',
  Int8: 'int8',
  UInt16: 'uint16',
  Int16: 'int16',
  UInt32: 'uint32',
  Int32: 'int32',
  Float32: 'float32',
  Float64: 'float64',
};

/**
 * Pixel differences beyond `tolerance`, the largest difference, and the mean
 * absolute difference (NaN equals NaN).
 */
function compareBand(
  ours: ArrayLike<number>,
  reference: ArrayLike<number>,
  tolerance: number,
): { mismatches: number; maxDifference: number; meanDifference: number } {
  let mismatches = 0;
  let maxDifference = 0;
  let sum = 0;
  for (let index = 0; index < reference.length; index++) {
    const a = ours[index]!;
    const b = reference[index]!;
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    const difference = Math.abs(a - b);
    if (!(difference <= tolerance)) mismatches++;
    sum += difference;
    if (difference > maxDifference || Number.isNaN(difference))
      maxDifference = Number.isNaN(difference) ? Infinity : difference;
  }
  return { mismatches, maxDifference, meanDifference: sum / reference.length };
}

describe('geotiff reader against GDAL, every GeoTIFF fixture', () => {
  it('finds the fixtures', () => {
    expect(tiffs.length).toBeGreaterThan(40);
  });

  for (const relative of tiffs) {
    it(relative, async () => {
      const file = path.join(rastersDir, relative);
      const info = gdalInfo(file);
      const compression = info.metadata['IMAGE_STRUCTURE']?.['COMPRESSION'] ?? '';
      let dataset: Dataset;
      try {
        dataset = await openRaster(file, { registry });
      } catch (error) {
        // Only WebP and complex data may refuse, and only with a typed error that names what can read them.
        expect(UnsupportedAssetError.isInstance(error), String(error)).toBe(true);
        expect((error as Error).message).toMatch(EXPECTED_UNSUPPORTED);
        expect((error as Error).message).toMatch(/@pyramids\/readers-gdal/);
        expect(compression === 'WEBP' || info.bands[0]!.type.startsWith('C')).toBe(true);
        return;
      }
      expect(compression).not.toBe('WEBP');
      // Grid: size, geotransform, CRS.
      expect([dataset.width, dataset.height]).toEqual(info.size);
      const geoTransform = info.geoTransform ?? [0, 1, 0, 0, 0, 1];
      dataset.transform.forEach((value, index) =>
        expect(value).toBeCloseTo(geoTransform[index]!, 6),
      );
      const epsg = gdalEpsg(info);
      if (info.gcps?.gcpList.length) {
        expect(dataset.crs).toBeNull();
        expect((dataset.source.metadata?.['gcps'] as unknown[]).length).toBe(
          info.gcps.gcpList.length,
        );
      } else if (epsg !== undefined) {
        expect(dataset.crs).toBe(`EPSG:${epsg}`);
      } else if (info.coordinateSystem?.wkt) {
        expect(dataset.crs).not.toBeNull();
      } else {
        expect(dataset.crs).toBeNull();
      }
      // Bands: type, nodata, scale/offset, description.
      expect(dataset.bands.length).toBe(info.bands.length);
      info.bands.forEach((band, index) => {
        const ours = dataset.bands[index]!;
        const bandMetadata = (
          band as unknown as { metadata?: Record<string, Record<string, string>> }
        ).metadata;
        const signed = bandMetadata?.['IMAGE_STRUCTURE']?.['PIXELTYPE'] === 'SIGNEDBYTE';
        expect(ours.dataType).toBe(signed ? 'int8' : TYPE_NAMES[band.type]);
        if (band.noDataValue === undefined) expect(ours.nodata).toBeUndefined();
        else if (band.noDataValue === 'NaN') expect(ours.nodata).toBeNaN();
        else expect(ours.nodata).toBeCloseTo(Number(band.noDataValue), 0);
        if (band.scale !== undefined && band.scale !== 1)
          expect(ours.scale).toBeCloseTo(band.scale, 12);
        if (band.offset !== undefined && band.offset !== 0)
          expect(ours.offset).toBeCloseTo(band.offset, 12);
        if (band.description) expect(ours.name).toBe(band.description);
      });
      // Pixels: a full read for small files, a top-left 1024² window for large ones.
      const [width, height] = info.size;
      const window: [number, number, number, number] = [
        0,
        0,
        Math.min(width, 1024),
        Math.min(height, 1024),
      ];
      const reference = gdalReadPixels(file, { window });
      const result = await dataset.read({
        window: { x: window[0], y: window[1], width: window[2], height: window[3] },
      });
      // GDAL 3.6 reads signed bytes as Byte plus PIXELTYPE=SIGNEDBYTE; we hand out int8.
      const signedByte = info.bands[0]!.type === 'Byte' && dataset.bands[0]!.dataType === 'int8';
      result.data.forEach((band, index) => {
        let expected = reference.data[index]!;
        if (signedByte) expected = new Int8Array((expected as Uint8Array).buffer);
        expect(band.length).toBe(expected.length);
        const { mismatches, maxDifference, meanDifference } = compareBand(
          band as ArrayLike<number>,
          expected,
          0,
        );
        const detail = `band ${index + 1}: ${mismatches} pixels differ, max ${maxDifference}, mean ${meanDifference}`;
        // JPEG too: in Node its tiles decode through libjpeg-turbo, as in GDAL.
        expect(mismatches, detail).toBe(0);
      });
      await dataset.close();
    });
  }

  it('reads an interior window equal to GDAL (odd offsets across tile edges)', async () => {
    const file = path.join(rastersDir, 'rio-tiler/cog_int16.tif');
    const dataset = await openRaster(file, { registry });
    const reference = gdalReadPixels(file, { window: [301, 507, 333, 129] });
    const result = await dataset.read({ window: { x: 301, y: 507, width: 333, height: 129 } });
    expect(Array.from(result.data[0]!)).toEqual(Array.from(reference.data[0]!));
    expect(result.grid.transform[0]).toBeCloseTo(373185 + 301 * 100.01126757344893, 6);
  });

  it('lists overview levels, external .ovr included', async () => {
    const internal = await openRaster(path.join(rastersDir, 'rio-tiler/cog_ovr.tif'), { registry });
    const info = gdalInfo(path.join(rastersDir, 'rio-tiler/cog_ovr.tif'));
    const overviews =
      (info.bands[0] as unknown as { overviews?: { size: [number, number] }[] }).overviews ?? [];
    expect(internal.levels.slice(1).map((level) => [level.width, level.height])).toEqual(
      overviews.map((overview) => overview.size),
    );
    const external = await openRaster(path.join(rastersDir, 'rasterio/red.tif'), { registry });
    expect(external.levels.length).toBeGreaterThan(1);
    const reference = gdalReadPixels(path.join(rastersDir, 'rasterio/red.tif'), { overview: 1 });
    const overviewRead = await external.read({ overview: 1 });
    expect([overviewRead.window.width, overviewRead.window.height]).toEqual([
      reference.width,
      reference.height,
    ]);
    overviewRead.data.forEach((band, index) =>
      expect(Array.from(band)).toEqual(Array.from(reference.data[index]!)),
    );
  });

  it('a missing file is a ReadError naming the path', async () => {
    await expect(openRaster('/nonexistent/x.tif', { registry })).rejects.toSatisfy(
      (error: unknown) =>
        ReadError.isInstance(error) &&
        /not found: \/nonexistent\/x\.tif/.test((error as Error).message),
    );
  });
});
