// The read command's promise: `pyramids read FILE -o out.tif` on every GeoTIFF fixture gives the
// data type, pixels, CRS, geotransform and nodata GDAL reads from the source.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, renameSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../../vitest.shared.js';
import { gdalInfo, gdalReadPixels } from '../../../../test-support/gdal.js';
import { gdalSrsIsSame } from '../../../../test-support/gdal-srs.js';
import { runCli } from '../run-cli-for-tests.js';

const rastersDir = path.join(fixturesDir, 'rasters');
const tiffs = readdirSync(rastersDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => /\.tiff?$/.test(file))
  .sort();
let directory: string;

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'pyramids-read-'));
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) {
    if (a[index] !== b[index] && !(Number.isNaN(a[index]) && Number.isNaN(b[index]))) return false;
  }
  return true;
}

/** Largest and mean absolute difference of two equally long arrays. */
function differenceOf(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): { maxDifference: number; meanDifference: number } {
  expect(a.length).toBe(b.length);
  let maxDifference = 0;
  let total = 0;
  for (let index = 0; index < a.length; index++) {
    const difference = Math.abs(a[index]! - b[index]!);
    maxDifference = Math.max(maxDifference, difference);
    total += difference;
  }
  return { maxDifference, meanDifference: total / Math.max(1, a.length) };
}

describe('pyramids read FILE -o out.tif, every GeoTIFF fixture', () => {
  for (const relative of tiffs) {
    it(relative, async () => {
      const source = path.join(rastersDir, relative);
      const output = path.join(directory, `${relative.replace(/[/.]/g, '_')}.tif`);
      const sourceInfo = gdalInfo(source);
      const compression = sourceInfo.metadata['IMAGE_STRUCTURE']?.['COMPRESSION'] ?? '';
      const result = await runCli(['read', source, '-o', output]);
      if (compression === 'WEBP' || sourceInfo.bands[0]!.type.startsWith('C')) {
        // Allowed to refuse, with one line naming the reader that can, and no output left behind.
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/UnsupportedAssetError: .*@pyramids\/readers-gdal/);
        expect(existsSync(output)).toBe(false);
        return;
      }
      expect(result.stderr).toMatch(/^wrote /);
      expect(result.code).toBe(0);
      const outputInfo = gdalInfo(output);
      expect(outputInfo.size).toEqual(sourceInfo.size);
      expect(outputInfo.bands.map((band) => band.type)).toEqual(
        sourceInfo.bands.map((band) => band.type),
      );
      expect(outputInfo.bands.map((band) => band.noDataValue)).toEqual(
        sourceInfo.bands.map((band) => band.noDataValue),
      );
      if (sourceInfo.geoTransform) {
        outputInfo.geoTransform!.forEach((value, index) =>
          expect(value).toBeCloseTo(sourceInfo.geoTransform![index]!, 6),
        );
      } else {
        expect(outputInfo.geoTransform).toBeUndefined();
      }
      expect(outputInfo.coordinateSystem?.wkt ?? '').toBe(sourceInfo.coordinateSystem?.wkt ?? '');
      expect(outputInfo.gcps?.gcpList.length ?? 0).toBe(sourceInfo.gcps?.gcpList.length ?? 0);
      // Pixels: our file, decoded by GDAL, against the source decoded by GDAL.
      const expected = gdalReadPixels(source);
      const actual = gdalReadPixels(output);
      expected.data.forEach((band, index) => {
        if (/JPEG/.test(compression)) {
          // Lossy: geotiff.js and libjpeg round the inverse DCT differently, and geotiff.js
          // replicates subsampled chroma where libjpeg interpolates it. Bounded, as in the reader tests.
          const { maxDifference, meanDifference } = differenceOf(actual.data[index]!, band);
          if (compression === 'YCbCr JPEG')
            expect(meanDifference, `band ${index + 1}`).toBeLessThan(5);
          else expect(maxDifference, `band ${index + 1}`).toBeLessThanOrEqual(2);
          return;
        }
        expect(sameValues(actual.data[index]!, band), `band ${index + 1}`).toBe(true);
      });
    });
  }

  it('reads a bbox window of an Item asset from the bundled sample data', async () => {
    const output = path.join(directory, 'window.tif');
    const items = path.resolve(import.meta.dirname, '../../../../sample-data/items.json');
    const info = JSON.parse((await runCli(['info', items, '--asset', 'B04'])).stdout) as {
      transform: number[];
      crs: string;
    };
    const [originX, , , originY] = info.transform;
    const bbox = [originX! + 100, originY! - 600, originX! + 700, originY! - 100].join(',');
    const result = await runCli(['read', items, '--asset', 'B04', '--bbox', bbox, '-o', output]);
    expect(result.code).toBe(0);
    const outputInfo = gdalInfo(output);
    expect(outputInfo.size).toEqual([60, 50]);
    expect(outputInfo.geoTransform![0]).toBeCloseTo(originX! + 100, 6);
    expect(outputInfo.geoTransform![3]).toBeCloseTo(originY! - 100, 6);
  });

  it('an Items file without --asset is one line saying to pass it', async () => {
    const items = path.resolve(import.meta.dirname, '../../../../sample-data/items.json');
    const result = await runCli(['read', items, '-o', path.join(directory, 'x.tif')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/pass --asset KEY/);
  });
});

// The other reader formats (through @pyramids/readers-gdal): the written GeoTIFF holds the
// pixels, grid and CRS GDAL reads from the source; CRSs without an EPSG code (GRIB's sphere,
// MODIS sinusoidal) compared with GDAL's IsSame.
describe(
  'pyramids read FILE -o out.tif, JPEG 2000, GRIB, NetCDF, Zarr and HDF5',
  { timeout: 120_000 },
  () => {
    const others = [
      'rio-tiler/gfs.t06z.pgrb2.10p0.f010.grib2',
      'xarray/example.grib',
      'rioxarray/tmmx_20190121.nc',
      'rioxarray/MODIS_ARRAY.nc',
      'rio-tiler/dataset_2d.nc',
      'sentinel2-jp2/T29UNU_20221005T115411_SCL_60m.jp2',
      'sentinel2-jp2/T29UNU_20221005T115411_AOT_60m.jp2',
    ];
    // No Zarr or HDF5 fixture exists: made by GDAL from GeoTIFF fixtures (GDAL writes HDF5 only as NetCDF-4).
    const generated: Record<string, () => string> = {
      'Zarr (gdal_translate of rio-tiler/cog_int16.tif)': () => {
        const target = path.join(directory, 'generated.zarr');
        execFileSync('gdal_translate', [
          '-q',
          '-of',
          'Zarr',
          path.join(rastersDir, 'rio-tiler/cog_int16.tif'),
          target,
        ]);
        return target;
      },
      'HDF5 (NetCDF-4 of rasterio/byte.tif)': () => {
        // GDAL's netCDF driver writes only to a .nc name; the bytes are HDF5, opened as such under .h5.
        const written = path.join(directory, 'generated-hdf5.nc');
        execFileSync('gdal_translate', [
          '-q',
          '-of',
          'netCDF',
          '-co',
          'FORMAT=NC4',
          path.join(rastersDir, 'rasterio/byte.tif'),
          written,
        ]);
        const target = path.join(directory, 'generated.h5');
        renameSync(written, target);
        expect((gdalInfo(target) as unknown as { driverShortName: string }).driverShortName).toBe(
          'HDF5Image',
        );
        return target;
      },
    };
    const cases: [string, () => string][] = [
      ...others.map((relative): [string, () => string] => [
        relative,
        () => path.join(rastersDir, relative),
      ]),
      ...Object.entries(generated),
    ];
    for (const [relative, sourceOf] of cases) {
      it(relative, async () => {
        const source = sourceOf();
        const output = path.join(directory, `${relative.replace(/[/.]/g, '_')}.tif`);
        const result = await runCli(['read', source, '-o', output]);
        expect(result.stderr).toMatch(/^wrote /);
        expect(result.code).toBe(0);
        const sourceInfo = gdalInfo(source);
        const outputInfo = gdalInfo(output);
        expect(outputInfo.size).toEqual(sourceInfo.size);
        expect(outputInfo.bands.map((band) => band.type)).toEqual(
          sourceInfo.bands.map((band) => band.type),
        );
        if (sourceInfo.geoTransform) {
          outputInfo.geoTransform!.forEach((value, index) =>
            expect(value).toBeCloseTo(sourceInfo.geoTransform![index]!, 6),
          );
          const comparison = gdalSrsIsSame({ file: output }, { file: source });
          expect(comparison.same, `written:\n${comparison.a}\nsource:\n${comparison.b}`).toBe(true);
        } else {
          // No georeferencing in the source (dataset_2d.nc): none invented in the output.
          expect(outputInfo.geoTransform).toBeUndefined();
          expect(outputInfo.coordinateSystem?.wkt ?? '').toBe('');
        }
        const expected = gdalReadPixels(source);
        const actual = gdalReadPixels(output);
        expect(actual.data.length).toBe(expected.data.length);
        expected.data.forEach((band, index) =>
          expect(sameValues(actual.data[index]!, band), `band ${index + 1}`).toBe(true),
        );
      });
    }
  },
);
