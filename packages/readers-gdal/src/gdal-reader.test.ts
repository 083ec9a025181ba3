import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry, loadAsset, openRaster, OptionError, ReadError, type StacItem } from '@pyramids/core';
import { gdalReader, GdalUnavailableError, sniffGdalFormat } from '@pyramids/readers-gdal';
import { fixturesDir } from '../../../vitest.shared.js';
import { importGdal } from './load-gdal.js';
import { firstDifference, makeTempDir, translatePixels } from './test-helpers.js';

const rasters = path.join(fixturesDir, 'rasters');
const AOT = path.join(rasters, 'sentinel2-jp2/T29UNU_20221005T115411_AOT_60m.jp2');
const SCL = path.join(rasters, 'sentinel2-jp2/T29UNU_20221005T115411_SCL_60m.jp2');
const PLANET = path.join(rasters, 'rioxarray/PLANET_SCOPE_3D.nc');
const DATASET_2D = path.join(rasters, 'rio-tiler/dataset_2d.nc');
const RGB_NC = path.join(rasters, 'rasterio/RGB.nc');
const GRIB1 = path.join(rasters, 'xarray/example.grib');
const GRIB2 = path.join(rasters, 'rio-tiler/gfs.t06z.pgrb2.10p0.f010.grib2');

const registry = () => createRegistry().use(gdalReader());

function itemFor(href: string, type: string): StacItem {
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    id: path.basename(href),
    geometry: null,
    bbox: undefined,
    properties: { datetime: '2022-10-05T11:54:11Z' },
    links: [],
    assets: { data: { href, type } },
  } as unknown as StacItem;
}

function expectSamePixels(ours: ArrayLike<number | bigint>[], gdal: ArrayLike<number | bigint>[]): void {
  expect(ours.length).toBe(gdal.length);
  ours.forEach((band, index) => {
    expect(band.length).toBe(gdal[index]!.length);
    expect(firstDifference(band, gdal[index]!)).toBe(-1);
  });
}

describe('gdalReader on the fixtures equals gdal_translate', () => {
  it('reads a Sentinel-2 JP2 (UInt16) window at full resolution and a whole overview level', async () => {
    const dataset = await loadAsset(itemFor(AOT, 'image/jp2'), 'data', { registry: registry() });
    try {
      expect(dataset.readerId).toBe('gdal');
      expect(dataset.crs).toBe('EPSG:32629');
      expect([dataset.width, dataset.height]).toEqual([1830, 1830]);
      expect(dataset.bands[0]!.dataType).toBe('uint16');
      expect(dataset.levels.length).toBe(5);
      const window = { x: 500, y: 600, width: 192, height: 128 };
      const { data } = await dataset.read({ window });
      expectSamePixels(data, translatePixels(AOT, ['-srcwin', '500', '600', '192', '128']));
      const overview = await dataset.read({ overview: 3 });
      expect(overview.window).toEqual({ x: 0, y: 0, width: dataset.levels[3]!.width, height: dataset.levels[3]!.height });
      expectSamePixels(overview.data, translatePixels(AOT, ['-ovr', '2']));
      expect(overview.grid.transform[1]).toBeCloseTo(dataset.transform[1] * (1830 / dataset.levels[3]!.width), 6);
    } finally {
      await dataset.close();
    }
  });

  it('reads a Sentinel-2 JP2 (Byte) scene classification window', async () => {
    const dataset = await openRaster(SCL, { registry: registry() });
    try {
      const { data } = await dataset.read({ window: { x: 1200, y: 40, width: 300, height: 128 } });
      expect(data[0]).toBeInstanceOf(Uint8Array);
      expectSamePixels(data, translatePixels(SCL, ['-srcwin', '1200', '40', '300', '128']));
    } finally {
      await dataset.close();
    }
  });

  it('reads a variable of a 3-D NetCDF cube: the time axis becomes bands, CRS from CF metadata', async () => {
    const dataset = await loadAsset(itemFor(PLANET, 'application/x-netcdf'), 'data', { registry: registry(), readerOptions: { variable: 'blue' } });
    try {
      expect(dataset.crs).toBe('EPSG:32722');
      expect(dataset.bands.length).toBe(2);
      expect(dataset.bands[0]!.dataType).toBe('float64');
      expect(Number.isNaN(dataset.bands[0]!.nodata)).toBe(true);
      expect(dataset.bands.map((band) => band.name)).toEqual([expect.stringMatching(/^time=/), expect.stringMatching(/^time=/)]);
      const metadata = dataset.source.metadata as { variable: string; variables: string[]; dimensions: Record<string, { values: number[] }> };
      expect(metadata.variable).toBe('blue');
      expect(metadata.variables).toEqual(['blue', 'green']);
      expect(metadata.dimensions.time!.values.length).toBe(2);
      const { data } = await dataset.read();
      expectSamePixels(data, translatePixels(`NETCDF:"${PLANET}":blue`));
    } finally {
      await dataset.close();
    }
  });

  it('reads a 2-D NetCDF variable without a geotransform (pixel space)', async () => {
    const dataset = await openRaster(DATASET_2D, { registry: registry() });
    try {
      expect([dataset.width, dataset.height]).toEqual([2000, 1000]);
      const { data } = await dataset.read({ window: { x: 1700, y: 850, width: 300, height: 150 } });
      expect(data[0]).toBeInstanceOf(Float64Array);
      expectSamePixels(data, translatePixels(DATASET_2D, ['-srcwin', '1700', '850', '300', '150']));
    } finally {
      await dataset.close();
    }
  });

  it('reads every band of a GRIB1 file', async () => {
    const dataset = await openRaster(GRIB1, { registry: registry() });
    try {
      expect(dataset.bands.length).toBe(24);
      expect(dataset.bands[0]!.name).toBeTruthy();
      const { data } = await dataset.read();
      expectSamePixels(data, translatePixels(GRIB1));
    } finally {
      await dataset.close();
    }
  });

  it('reads every band of a GRIB2 forecast, chosen by media type', async () => {
    const dataset = await loadAsset(itemFor(GRIB2, 'application/wmo-grib2'), 'data', { registry: registry() });
    try {
      expect([dataset.width, dataset.height, dataset.bands.length]).toEqual([36, 18, 6]);
      const { data } = await dataset.read({ bands: [2, 5] });
      expectSamePixels(data, translatePixels(GRIB2, ['-b', '2', '-b', '5']));
    } finally {
      await dataset.close();
    }
  });
});

describe('gdalReader on Zarr and HDF5 written by GDAL', () => {
  const RGB = path.join(rasters, 'rasterio/RGB.byte.tif');

  it('reads a variable of a Zarr store (a directory) equal to gdal_translate', async () => {
    const { dir, remove } = makeTempDir();
    try {
      const store = path.join(dir, 'tile.zarr');
      execFileSync('gdal_translate', ['-q', '-of', 'ZARR', '-srcwin', '300', '200', '64', '48', RGB, store]);
      const dataset = await loadAsset(itemFor(store, 'application/vnd+zarr'), 'data', { registry: registry(), readerOptions: { variable: 'Band2' } });
      expect(dataset.crs).toBe('EPSG:32618');
      expect([dataset.width, dataset.height]).toEqual([64, 48]);
      expect((dataset.source.metadata as { variable: string }).variable).toBe('/Band2');
      const { data } = await dataset.read();
      expectSamePixels(data, translatePixels(`ZARR:"${store}":/Band2`));
      await dataset.close();
    } finally {
      remove();
    }
  });

  it('reads an HDF5-based (NetCDF-4) file chosen by the HDF5 media type', async () => {
    const { dir, remove } = makeTempDir();
    try {
      // GDAL writes NetCDF-4 (an HDF5 file) only under a NetCDF name; as .h5 its HDF5 driver opens it.
      const written = path.join(dir, 'tile.nc');
      const file = path.join(dir, 'tile.h5');
      execFileSync('gdal_translate', ['-q', '-of', 'netCDF', '-co', 'FORMAT=NC4', '-b', '1', '-srcwin', '300', '200', '64', '48', RGB, written]);
      copyFileSync(written, file);
      const dataset = await loadAsset(itemFor(file, 'application/x-hdf5'), 'data', { registry: registry() });
      expect(dataset.readerId).toBe('gdal');
      expect((dataset.source.metadata as { driver: string }).driver).toBe('HDF5Image');
      expect([dataset.width, dataset.height]).toEqual([64, 48]);
      const { data } = await dataset.read();
      expectSamePixels(data, translatePixels(file));
      await dataset.close();
    } finally {
      remove();
    }
  });
});

describe('gdalReader errors', () => {
  it('asks for a variable when a NetCDF file has several, listing them', async () => {
    const error = await openRaster(RGB_NC, { registry: registry() }).catch((caught: unknown) => caught);
    expect(OptionError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/3 variables \(Band1, Band2, Band3\).*variable: 'Band1'/);
    const missing = await openRaster(RGB_NC, { registry: registry(), readerOptions: { variable: 'Band9' } }).catch((caught: unknown) => caught);
    expect(OptionError.isInstance(missing)).toBe(true);
    expect((missing as Error).message).toContain("no variable 'Band9'; it has: Band1, Band2, Band3");
  });

  it('turns a corrupt file into a ReadError naming it', async () => {
    const { dir, remove } = makeTempDir();
    try {
      const broken = path.join(dir, 'broken.jp2');
      writeFileSync(broken, readFileSync(AOT).subarray(0, 2000));
      const error = await openRaster(broken, { registry: registry() })
        .then(async (dataset) => dataset.read({ window: { x: 0, y: 0, width: 1830, height: 1830 } }))
        .catch((caught: unknown) => caught);
      expect(ReadError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain('broken.jp2');
    } finally {
      remove();
    }
  });

  it('rethrows an abort unwrapped, before and during a read', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(openRaster(SCL, { registry: registry(), signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    const dataset = await openRaster(SCL, { registry: createRegistry().use(gdalReader({ pixelsPerRead: 1830 * 8 })) });
    try {
      const during = new AbortController();
      const reading = dataset.read({ signal: during.signal });
      during.abort();
      await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      await dataset.close();
    }
  });

  it('rejects a window outside the raster with an OptionError', async () => {
    const dataset = await openRaster(GRIB2, { registry: registry() });
    try {
      await expect(dataset.source.read({ window: { x: 30, y: 0, width: 10, height: 1 } })).rejects.toSatisfy(OptionError.isInstance);
    } finally {
      await dataset.close();
    }
  });

  it('says how to install GDAL when gdal-async cannot be loaded', async () => {
    const error = await importGdal(() => Promise.reject(new Error("Cannot find module 'gdal-async'"))).catch((caught: unknown) => caught);
    expect(GdalUnavailableError.isInstance(error)).toBe(true);
    expect((error as GdalUnavailableError).code).toBe('GDAL_UNAVAILABLE');
    expect((error as Error).message).toContain("Cannot find module 'gdal-async'");
    expect((error as Error).message).toContain('apt-get install -y libgdal-dev gdal-bin');
    expect((error as Error).message).toContain('scripts/install-gdal.sh');
  });
});

describe('gdalReader plugin', () => {
  it('serves JP2, NetCDF, GRIB, Zarr, HDF5 and VRT, and GeoTIFF only when asked', () => {
    const plain = createRegistry().use(gdalReader());
    for (const [href, type] of [
      ['a.jp2', undefined],
      ['a.nc', undefined],
      ['a.grib2', undefined],
      ['s3://bucket/store.zarr/', undefined],
      ['a.h5', undefined],
      ['mosaic.vrt', undefined],
      ['x', 'application/x-netcdf'],
      ['x', 'application/vnd+zarr'],
    ] as const) {
      expect(plain.selectReaderSync({ href, ...(type ? { mediaType: type } : {}) })?.reader.id).toBe('gdal');
    }
    expect(plain.selectReaderSync({ href: 'a.tif' })).toBeUndefined();
    expect(plain.selectReaderSync({ href: 'x', mediaType: 'image/tiff; application=geotiff' })).toBeUndefined();
    const withTiff = createRegistry().use(gdalReader({ geotiff: true }));
    expect(withTiff.selectReaderSync({ href: 'a.tif' })?.reader.id).toBe('gdal');
    expect(withTiff.selectReaderSync({ href: 'x', mediaType: 'image/tiff; application=geotiff' })?.reader.id).toBe('gdal');
  });

  it('sniffs the formats it serves from their first bytes', () => {
    expect(sniffGdalFormat(readFileSync(AOT).subarray(0, 64))).toBe(true);
    expect(sniffGdalFormat(readFileSync(PLANET).subarray(0, 64))).toBe(true);
    expect(sniffGdalFormat(readFileSync(GRIB1).subarray(0, 64))).toBe(true);
    const tiff = readFileSync(path.join(rasters, 'rasterio/byte.tif')).subarray(0, 64);
    expect(sniffGdalFormat(tiff)).toBe(false);
    expect(sniffGdalFormat(tiff, { geotiff: true })).toBe(true);
  });

  it('opens a file with no extension by content sniffing', async () => {
    const { dir, remove } = makeTempDir();
    try {
      const bare = path.join(dir, 'forecast');
      copyFileSync(GRIB2, bare);
      const dataset = await openRaster(bare, { registry: registry() });
      expect(dataset.bands.length).toBe(6);
      await dataset.close();
    } finally {
      remove();
    }
  });
});
