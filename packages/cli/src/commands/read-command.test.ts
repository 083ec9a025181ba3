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
      // Pixels: our file, decoded by GDAL, against the source decoded by GDAL. JPEG too:
      // its tiles decode through libjpeg-turbo, as in GDAL.
      const expected = gdalReadPixels(source);
      const actual = gdalReadPixels(output);
      expected.data.forEach((band, index) => {
        expect(sameValues(actual.data[index]!, band), `band ${index + 1}`).toBe(true);
      });
      // And GDAL's own checksum of each band, as `gdalinfo -checksum` prints it.
      expect(gdalInfo(output, ['-checksum']).bands.map((band) => band.checksum)).toEqual(
        gdalInfo(source, ['-checksum']).bands.map((band) => band.checksum),
      );
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

// Files with several variables: `--variable NAME` reads what gdal_translate reads from the
// subdataset NETCDF:"file":NAME (HDF5:"file"://NAME); without it, one line listing them.
describe(
  'pyramids read --variable, NetCDF and HDF5 files with several variables',
  { timeout: 120_000 },
  () => {
    const netcdf: [string, string[]][] = [
      ['rasterio/RGB.nc', ['Band1', 'Band2', 'Band3']],
      ['rioxarray/PLANET_SCOPE_3D.nc', ['blue', 'green']],
      ['xarray/example_1.nc', ['temp', 'rh']],
    ];
    // `listed`: the names as the error lists them (HDF5's are paths).
    const cases: {
      label: string;
      file: () => string;
      variables: string[];
      listed?: string[];
      subdataset: (file: string, name: string) => string;
    }[] = [
      ...netcdf.map(([relative, variables]) => ({
        label: relative,
        file: () => path.join(rastersDir, relative),
        variables,
        subdataset: (file: string, name: string) => `NETCDF:"${file}":${name}`,
      })),
      {
        // GDAL writes HDF5 only as NetCDF-4: a 3-band GeoTIFF becomes variables Band1..Band3.
        label: 'HDF5 (NetCDF-4 of rasterio/RGB.byte.tif)',
        file: () => {
          const written = path.join(directory, 'variables-hdf5.nc');
          execFileSync('gdal_translate', [
            '-q',
            '-of',
            'netCDF',
            '-co',
            'FORMAT=NC4',
            path.join(rastersDir, 'rasterio/RGB.byte.tif'),
            written,
          ]);
          const target = path.join(directory, 'variables.h5');
          renameSync(written, target);
          return target;
        },
        variables: ['Band1', 'Band2', 'Band3'],
        listed: ['/Band1', '/Band2', '/Band3'],
        subdataset: (file: string, name: string) => `HDF5:"${file}"://${name}`,
      },
    ];
    for (const { label, file, variables, listed = variables, subdataset } of cases) {
      it(label, async () => {
        const source = file();
        const refused = path.join(directory, `${label.replace(/[^A-Za-z0-9]/g, '_')}-none.tif`);
        const without = await runCli(['read', source, '-o', refused]);
        expect(without.code).toBe(1);
        expect(without.stderr.trim()).toBe(
          `pyramids: OptionError: ${source} holds ${listed.length} variables (${listed.join(', ')}); pass --variable NAME, e.g. --variable ${listed[0]}`,
        );
        expect(existsSync(refused)).toBe(false);
        for (const variable of variables) {
          const output = path.join(
            directory,
            `${label.replace(/[^A-Za-z0-9]/g, '_')}-${variable}.tif`,
          );
          const result = await runCli(['read', source, '--variable', variable, '-o', output]);
          expect(result.stderr).toMatch(/^wrote /);
          expect(result.code).toBe(0);
          const reference = subdataset(source, variable);
          const sourceInfo = gdalInfo(reference);
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
            const comparison = gdalSrsIsSame({ file: output }, { file: reference });
            expect(comparison.same, `written:\n${comparison.a}\nsource:\n${comparison.b}`).toBe(
              true,
            );
          }
          const expected = gdalReadPixels(reference);
          const actual = gdalReadPixels(output);
          expect(actual.data.length).toBe(expected.data.length);
          expected.data.forEach((band, index) =>
            expect(sameValues(actual.data[index]!, band), `${variable} band ${index + 1}`).toBe(
              true,
            ),
          );
        }
        const unknown = await runCli(['read', source, '--variable', 'nope', '-o', refused]);
        expect(unknown.code).toBe(1);
        expect(unknown.stderr).toMatch(
          new RegExp(`OptionError: .* has no variable 'nope'; it has: ${listed.join(', ')}`),
        );
        expect(existsSync(refused)).toBe(false);
      });
    }

    it('--variable on a file without variables says to drop it', async () => {
      const result = await runCli([
        'read',
        path.join(rastersDir, 'rio-tiler/dataset_2d.nc'),
        '--variable',
        'x',
        '-o',
        path.join(directory, 'no-variables.tif'),
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /OptionError: .* has no variables \(subdatasets\) to choose 'x' from; drop the variable option/,
      );
    });
  },
);
