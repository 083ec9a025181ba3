// End to end: COGs made by GDAL, served over loopback HTTP with byte ranges, read
// by the geotiff reader into cubes, compared with gdalwarp on the same grid.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistry,
  DatasetCollection,
  PLUGIN_API_VERSION,
  type CubeOptions,
  type Grid,
  type Signer,
  type StacItem,
} from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { createCubeScene } from '../../../core/src/test-support/cube-scene.js';
import { gdalInfo, readWithGdal, runGdal } from '../../../core/src/test-support/gdal-raster.js';
import { startRangeServer, type RangeServer } from '../../../../test-support/range-server.js';
import { Command } from 'commander';
import { runCli } from '../run-cli-for-tests.js';
import { registerCubeCommand } from './cube-command.js';

let scratch: string;
let server: RangeServer;
let items: StacItem[];
let itemsFile: string;
const registry = createRegistry().use(geotiffReader());
/** UTM 32N, 10 m: covers tiles A and B and the western part of C (which is in UTM 33N). */
const TARGET: Grid = {
  crs: 'EPSG:32632',
  transform: [699000, 10, 0, 5321500, 0, -10],
  width: 400,
  height: 350,
};
const bounds = (grid: Grid): [number, number, number, number] => {
  const t = grid.transform;
  return [t[0], t[3] + t[5] * grid.height, t[0] + t[1] * grid.width, t[3]];
};

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-cube-cli-'));
  const scene = createCubeScene(scratch);
  server = await startRangeServer(scratch);
  items = scene.items(server.url);
  itemsFile = path.join(scratch, 'items.json');
  writeFileSync(itemsFile, JSON.stringify({ type: 'FeatureCollection', features: items }));
});
afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** gdalwarp of local copies of `files` (later files win where valid, as gdalwarp mosaics) onto `grid`. */
function gdalwarp(
  files: string[],
  grid: Grid,
  resampling: string,
  extra: string[] = [],
): Uint16Array {
  const output = path.join(scratch, `gdalwarp-${process.hrtime.bigint()}.tif`);
  const [minX, minY, maxX, maxY] = bounds(grid);
  runGdal('gdalwarp', [
    '-q',
    '-t_srs',
    grid.crs!,
    '-te',
    String(minX),
    String(minY),
    String(maxX),
    String(maxY),
    '-ts',
    String(grid.width),
    String(grid.height),
    '-r',
    resampling,
    ...extra,
    ...files.map((file) => path.join(scratch, file)),
    output,
  ]);
  return readWithGdal(output, { scratch }).bands[0] as Uint16Array;
}

function mismatches(
  ours: ArrayLike<number>,
  theirs: ArrayLike<number>,
  tolerance: number,
): number[] {
  const found: number[] = [];
  for (let index = 0; index < theirs.length; index++) {
    const a = ours[index]!;
    const b = theirs[index]!;
    if ((a === 0) !== (b === 0) || Math.abs(a - b) > tolerance) found.push(index);
  }
  return found;
}

const options = (extra: Partial<CubeOptions> = {}): CubeOptions => ({
  registry,
  asset: 'B04',
  ...extra,
});

describe('cubes over HTTP against gdalwarp', () => {
  it('nearest: one solar day fused from three tiles in two UTM zones equals gdalwarp pixel for pixel', async () => {
    const cube = await DatasetCollection.fromStac(
      items,
      options({
        groupby: 'solar_day',
        crs: TARGET.crs!,
        resolution: 10,
        bounds: bounds(TARGET),
        errorThreshold: 0,
      }),
    );
    expect(cube.grid).toEqual(TARGET);
    expect(cube.coords.time).toEqual(['2024-05-01', '2024-05-06']);
    expect(cube.steps[0]!.items.map((item) => item.id)).toEqual([
      'A-20240501',
      'B-20240501',
      'C-20240501',
    ]);
    server.requests.length = 0;
    const result = await cube.read();
    expect(server.requests.length).toBeGreaterThan(0);
    expect(
      server.requests.every((request) => /^bytes=\d+-\d+$/.test(String(request.headers.range))),
    ).toBe(true);
    const day = result.data.subarray(0, TARGET.width * TARGET.height);
    // `first` valid pixel in (A, B, C) order = gdalwarp with C, B, A (the last one written wins).
    const theirs = gdalwarp(
      ['C-20240501_B04.tif', 'B-20240501_B04.tif', 'A-20240501_B04.tif'],
      TARGET,
      'near',
      ['-et', '0'],
    );
    expect(mismatches(day, theirs, 0)).toEqual([]);
    expect(Array.from(day).filter((value) => value === 0).length).toBeGreaterThan(1000); // holes and uncovered corners stay nodata
  });

  it('bilinear, last valid pixel, exact transforms: within 1 of gdalwarp -et 0', async () => {
    const cube = await DatasetCollection.fromStac(
      items,
      options({
        groupby: 'solar_day',
        method: 'last',
        resampling: 'bilinear',
        like: TARGET,
        errorThreshold: 0,
      }),
    );
    const result = await cube.readWindow({
      x: 0,
      y: 0,
      width: TARGET.width,
      height: TARGET.height,
    });
    const theirs = gdalwarp(
      ['A-20240501_B04.tif', 'B-20240501_B04.tif', 'C-20240501_B04.tif'],
      TARGET,
      'bilinear',
      ['-et', '0'],
    );
    expect(mismatches(result.data.subarray(0, TARGET.width * TARGET.height), theirs, 1)).toEqual(
      [],
    );
  });

  it('with the default approximate transformers on both sides too: nearest equal, bilinear within 1', async () => {
    const bilinear = await (
      await DatasetCollection.fromStac(
        items,
        options({ groupby: 'solar_day', method: 'last', resampling: 'bilinear', like: TARGET }),
      )
    ).read();
    const plane = TARGET.width * TARGET.height;
    const files = ['A-20240501_B04.tif', 'B-20240501_B04.tif', 'C-20240501_B04.tif'];
    const bilinearOff = mismatches(
      bilinear.data.subarray(0, plane),
      gdalwarp(files, TARGET, 'bilinear'),
      1,
    );
    const nearest = await (
      await DatasetCollection.fromStac(
        items,
        options({ groupby: 'solar_day', method: 'last', like: TARGET }),
      )
    ).read();
    const nearestOff = mismatches(
      nearest.data.subarray(0, plane),
      gdalwarp(files, TARGET, 'near'),
      0,
    );
    expect(bilinearOff).toEqual([]);
    expect(nearestOff).toEqual([]);
  });

  it('a 20 m asset is resampled onto the first asset’s 10 m grid (align), as gdalwarp does', async () => {
    const cube = await DatasetCollection.fromStac(
      [items[1]!],
      options({ asset: ['B04', 'B05'], resampling: 'bilinear' }),
    );
    expect(cube.grid.transform[1]).toBe(10);
    const result = await cube.read();
    const plane = cube.grid.width * cube.grid.height;
    const theirs = gdalwarp(['B-20240501_B05.tif'], cube.grid, 'bilinear');
    expect(mismatches(result.data.subarray(plane, 2 * plane), theirs, 1)).toEqual([]);
  });

  it('reads the overview that suits a 20 m target, like gdalwarp, with fewer bytes', async () => {
    const coarse: Grid = {
      ...TARGET,
      transform: [699000, 20, 0, 5321500, 0, -20],
      width: 200,
      height: 175,
    };
    const fine = await DatasetCollection.fromStac([items[0]!], options({ like: TARGET }));
    // Bytes asked for (the ranges' lengths): merged tile reads make requests few either way.
    const bytesAsked = () =>
      server.requests.reduce((sum, request) => {
        const range = /bytes=(\d+)-(\d+)/.exec(request.headers.range ?? '');
        return sum + (range ? Number(range[2]) - Number(range[1]) + 1 : 0);
      }, 0);
    server.requests.length = 0;
    await fine.read();
    const fineBytes = bytesAsked();
    const cube = await DatasetCollection.fromStac(
      [items[0]!],
      options({ like: coarse, resampling: 'average' }),
    );
    server.requests.length = 0;
    const result = await cube.read();
    expect(bytesAsked()).toBeLessThan(fineBytes / 2);
    expect(mismatches(result.data, gdalwarp(['A-20240501_B04.tif'], coarse, 'average'), 1)).toEqual(
      [],
    );
  });

  it('signs each read: the signer’s headers reach every range request', async () => {
    let calls = 0;
    const signer: Signer = {
      kind: 'signer',
      id: 'test-header',
      apiVersion: PLUGIN_API_VERSION,
      matches: (url) => url.startsWith(server.url),
      headers: async () => ({ authorization: `Bearer token-${++calls}` }),
    };
    const cube = await DatasetCollection.fromStac([items[0]!], options({ signer, like: TARGET }));
    server.requests.length = 0;
    await cube.read();
    expect(server.requests.length).toBeGreaterThan(0);
    expect(
      server.requests.every((request) =>
        /^Bearer token-\d+$/.test(String(request.headers.authorization)),
      ),
    ).toBe(true);
  });
});

describe('pyramids cube', () => {
  it('writes a GeoTIFF with time-major bands described <time>/<band>, nodata and the grid, and a PNG preview', async () => {
    const output = path.join(scratch, 'cube.tif');
    const preview = path.join(scratch, 'cube.png');
    const [minX, minY, maxX, maxY] = bounds(TARGET);
    const result = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--asset',
      'B05',
      '--groupby',
      'solar_day',
      '--crs',
      'EPSG:32632',
      '--resolution',
      '10',
      '--bounds',
      `${minX},${minY},${maxX},${maxY}`,
      '-o',
      output,
      '--preview',
      preview,
    ]);
    expect(result.stderr).toMatch(
      /wrote .*cube\.tif: 2 time step\(s\) × 2 band\(s\), 400 × 350 px; preview/,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('chunks |'); // no progress bar when stderr is not a terminal
    const info = gdalInfo(output) as ReturnType<typeof gdalInfo> & {
      bands: { description?: string; noDataValue?: number }[];
    };
    expect(info.size).toEqual([400, 350]);
    expect(info.geoTransform).toEqual(TARGET.transform);
    expect(info.bands.map((band) => band.description)).toEqual([
      '2024-05-01/B04',
      '2024-05-01/B05',
      '2024-05-06/B04',
      '2024-05-06/B05',
    ]);
    expect(info.bands.every((band) => band.noDataValue === 0)).toBe(true);
    expect(info.coordinateSystem?.wkt).toMatch(/ID\["EPSG",32632\]\]$/);
    // The file holds what the API reads.
    const api = await (
      await DatasetCollection.fromStac(
        items,
        options({ asset: ['B04', 'B05'], groupby: 'solar_day', like: TARGET }),
      )
    ).read();
    const written = readWithGdal(output, { scratch }).bands;
    const plane = TARGET.width * TARGET.height;
    for (let band = 0; band < 4; band++)
      expect(
        mismatches(written[band]!, api.data.subarray(band * plane, (band + 1) * plane), 0),
      ).toEqual([]);
    expect(readFileSync(preview).subarray(1, 4).toString()).toBe('PNG');
    expect(gdalInfo(preview).size).toEqual([400, 350]);
  });

  it('writes one GeoTIFF per time step into a directory', async () => {
    const directory = path.join(scratch, 'steps/');
    const result = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--groupby',
      'solar_day',
      '--crs',
      'utm',
      '--resolution',
      '20',
      '-o',
      directory,
    ]);
    expect(result.code).toBe(0);
    expect(readdirSync(directory).sort()).toEqual(['2024-05-01.tif', '2024-05-06.tif']);
    expect(
      gdalInfo(path.join(directory, '2024-05-06.tif')).bands.map((band) => band.description),
    ).toEqual(['2024-05-06/B04']);
  });

  it('streams small chunks into an uncompressed COG with overviews, quietly; GDAL reads the pixels the API reads', async () => {
    const output = path.join(scratch, 'cog.tif');
    const [minX, minY, maxX, maxY] = bounds(TARGET);
    const result = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--groupby',
      'solar_day',
      '--crs',
      'EPSG:32632',
      '--resolution',
      '10',
      '--bounds',
      `${minX},${minY},${maxX},${maxY}`,
      '--chunk-size',
      '96',
      '--compress',
      'none',
      '--overviews',
      '--quiet',
      '-o',
      output,
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const info = gdalInfo(output) as ReturnType<typeof gdalInfo> & {
      metadata: Record<string, Record<string, string>>;
      bands: { overviews?: { size: number[] }[] }[];
    };
    expect(info.metadata['IMAGE_STRUCTURE']?.['COMPRESSION']).toBeUndefined();
    expect(info.bands[0]!.overviews?.map((overview) => overview.size)).toEqual([[200, 175]]);
    const api = await (
      await DatasetCollection.fromStac(
        items,
        options({ asset: 'B04', groupby: 'solar_day', like: TARGET }),
      )
    ).read();
    const written = readWithGdal(output, { scratch }).bands;
    const plane = TARGET.width * TARGET.height;
    for (let band = 0; band < 2; band++)
      expect(
        mismatches(written[band]!, api.data.subarray(band * plane, (band + 1) * plane), 0),
      ).toEqual([]);
    expect(
      runGdal('/usr/bin/python3', [
        '-m',
        'osgeo_utils.samples.validate_cloud_optimized_geotiff',
        output,
      ]),
    ).toMatch(/is a valid cloud optimized GeoTIFF/);
  });

  it('writes a Zarr v3 store for -o cube.zarr, with dims time, band, y, x', async () => {
    const output = path.join(scratch, 'cube.zarr');
    const result = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--asset',
      'B05',
      '--groupby',
      'solar_day',
      '--crs',
      'utm',
      '--resolution',
      '20',
      '--quiet',
      '-o',
      output,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const metadata = JSON.parse(
      readFileSync(path.join(output, 'band_data', 'zarr.json'), 'utf8'),
    ) as { shape: number[]; dimension_names: string[]; attributes: Record<string, unknown> };
    expect(metadata.dimension_names).toEqual(['time', 'band', 'y', 'x']);
    expect(metadata.shape.slice(0, 2)).toEqual([2, 2]);
    expect(metadata.attributes['long_name']).toEqual(['B04', 'B05']);
    expect(readdirSync(path.join(output, 'band_data', 'c'))).toEqual(['0', '1']);
    const predictor = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--crs',
      'utm',
      '--resolution',
      '20',
      '--predictor',
      '2',
      '-o',
      path.join(scratch, 'p.zarr'),
    ]);
    expect(predictor.stderr).toMatch(/--predictor applies to GeoTIFF output only/);
    const netcdf = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--crs',
      'utm',
      '--resolution',
      '20',
      '-o',
      path.join(scratch, 'cube.nc'),
    ]);
    expect(netcdf.code).toBe(1);
    expect(netcdf.stderr).toMatch(
      /OptionError: no registered writer serves the output ".*cube\.nc"; known: \.tif, \.tiff, gtiff, geotiff, cog, \.zarr, zarr, zarr3/,
    );
  });

  it('refuses a compression or predictor it cannot write, naming what it can', async () => {
    const zstd = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--crs',
      'utm',
      '--resolution',
      '20',
      '--compress',
      'zstd',
      '-o',
      path.join(scratch, 'zstd.tif'),
    ]);
    expect(zstd.code).toBe(1);
    expect(zstd.stderr).toMatch(/--compress zstd is not supported; use deflate, lzw or none/);
    const predictor = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--crs',
      'utm',
      '--resolution',
      '20',
      '--predictor',
      '3',
      '-o',
      path.join(scratch, 'p3.tif'),
    ]);
    expect(predictor.code).toBe(1);
    expect(predictor.stderr).toMatch(
      /--predictor 3 does not fit uint16 pixels; use yes, no, 1 or 2/,
    );
    expect(
      readdirSync(scratch).filter((name) => name.startsWith('zstd') || name.startsWith('p3')),
    ).toEqual([]);
  });

  it('--dry-run prints the estimate as JSON without reading pixels', async () => {
    server.requests.length = 0;
    const result = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--groupby',
      'solar_day',
      '--crs',
      'EPSG:32632',
      '--resolution',
      '10',
      '--dry-run',
    ]);
    expect(result.code).toBe(0);
    const estimate = JSON.parse(result.stdout);
    expect(estimate).toMatchObject({
      items: 4,
      timeSteps: 2,
      bands: 1,
      sources: 4,
      time: ['2024-05-01', '2024-05-06'],
      band: ['B04'],
    });
    expect(estimate.tiles).toBeGreaterThan(0);
    expect(estimate.requests).toBeGreaterThan(estimate.sources);
  });

  it('passes every option through: max-items, bbox, method, resampling, rescale, dtype, nodata, skip-missing, no-align', async () => {
    const dry = async (...flags: string[]) =>
      JSON.parse(
        (
          await runCli([
            'cube',
            itemsFile,
            '--asset',
            'B04',
            '--crs',
            'EPSG:32632',
            '--resolution',
            '10',
            '--dry-run',
            ...flags,
          ])
        ).stdout,
      );
    expect((await dry('--max-items', '2')).items).toBe(2);
    const bbox = items[0]!.bbox!;
    expect(
      (await dry('--bbox', `${bbox[0]},${bbox[1]},${bbox[0]! + 0.001},${bbox[1]! + 0.001}`)).items,
    ).toBe(2); // tile A, two dates
    expect((await dry('--rescale')).dataType).toBe('float32');
    expect((await dry('--dtype', 'int32')).dataType).toBe('int32');
    expect((await dry('--nodata', '7')).nodata).toEqual([7]);
    expect((await dry('--groupby', 'grid:code')).time).toEqual(['32TPT', '32TQT', '33TUN']);
    // Composites: a calendar period and a percentile.
    expect((await dry('--groupby', 'P1M', '--method', 'p75')).time).toEqual(['2024-05']);
    expect((await dry('--groupby', 'P1W', '--method', 'median')).time).toEqual([
      '2024-W18',
      '2024-W19',
    ]);
    const chunked = await dry('--chunk-size', '100', '--concurrency', '2');
    expect(chunked.chunks).toBe(
      4 * Math.ceil(chunked.grid.width / 100) * Math.ceil(chunked.grid.height / 100),
    );
    expect(chunked.chunks).toBeGreaterThan((await dry()).chunks);
    const like = JSON.parse(
      (
        await runCli([
          'cube',
          itemsFile,
          '--asset',
          'B04',
          '--like',
          path.join(scratch, 'B-20240501_B05.tif'),
          '--dry-run',
        ])
      ).stdout,
    );
    expect(like.grid).toEqual({
      crs: 'EPSG:32632',
      transform: [700500, 20, 0, 5320500, 0, -20],
      width: 100,
      height: 100,
    });
    const skipped = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B09',
      '--skip-missing',
      '--dry-run',
    ]);
    expect(skipped.stderr).toMatch(
      /StacAssetError: none of the 4 item\(s\) has all of the assets B09/,
    );
    const failed = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--asset',
      'B05',
      '--no-align',
      '--dry-run',
    ]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /AlignmentError: assets of item A-20240501 are on different grids/,
    );
    const missing = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B09',
      '--dry-run',
      '--crs',
      'utm',
      '--resolution',
      '10',
    ]);
    expect(missing.stderr).toMatch(
      /StacAssetError: asset 'B09' not found on item A-20240501; available: B04, B05\. Pass skipMissing/,
    );
    const method = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--method',
      'avg',
      '--dry-run',
    ]);
    expect(method.stderr).toMatch(/OptionError: unknown method "avg"/);
    expect(method.stderr).toMatch(/or a percentile p0…p100/);
    const period = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--groupby',
      'P5M',
      '--dry-run',
    ]);
    expect(period.code).not.toBe(0);
    expect(period.stderr).toMatch(/OptionError: groupby "P5M".*use P1D, P1W, P1M/);
    const resampling = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--resampling',
      'lanczos',
      '--dry-run',
    ]);
    expect(resampling.stderr).toMatch(/OptionError: unknown resampling "lanczos"/);
  });

  it('signs every read with the signer the resolveSigner hook returns (where --signer plugs in)', async () => {
    const seen: Record<string, unknown>[] = [];
    const signer: Signer = {
      kind: 'signer',
      id: 'hook-signer',
      apiVersion: PLUGIN_API_VERSION,
      matches: (url) => url.startsWith(server.url),
      headers: async () => ({ 'x-signed': 'yes' }),
    };
    const program = new Command('pyramids').exitOverride();
    registerCubeCommand(program, { resolveSigner: (options) => (seen.push(options), signer) });
    server.requests.length = 0;
    const output = path.join(scratch, 'signed.tif');
    const originalErr = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      await program.parseAsync([
        'node',
        'pyramids',
        'cube',
        itemsFile,
        '--asset',
        'B04',
        '--max-items',
        '1',
        '-o',
        output,
      ]);
    } finally {
      process.stderr.write = originalErr;
    }
    expect(seen[0]).toMatchObject({ asset: ['B04'], maxItems: '1' });
    expect(server.requests.length).toBeGreaterThan(0);
    expect(server.requests.every((request) => request.headers['x-signed'] === 'yes')).toBe(true);
  });

  it('explains what is missing', async () => {
    expect((await runCli(['cube', itemsFile, '--asset', 'B04'])).stderr).toMatch(
      /pass -o OUT\.tif \(or a directory\) to write the cube, or --dry-run/,
    );
    expect((await runCli(['cube', itemsFile, '--asset', 'B04', '--dry-run'])).stderr).toMatch(
      /GridError: the items are in 2 CRSs \(EPSG:32632, EPSG:32633\); pass crs and resolution/,
    );
    expect((await runCli(['cube', itemsFile, '--dry-run'])).stderr).toMatch(/pass --asset KEY/);
  });
});

// `pyramids cube` with every resampling method, read by the geotiff reader over HTTP onto a
// 30 m grid (downsampling through an overview), compared with gdalwarp of the same file onto
// the same grid: every method reprojected (the UTM 33N tile C onto UTM 32N, whose rotated edge
// has target pixels only partly on the source), the area methods also in the tile's own CRS.
describe('pyramids cube, every resampling method, against gdalwarp', { timeout: 120_000 }, () => {
  const reprojected = {
    item: 'C-20240501',
    grid: {
      crs: 'EPSG:32632',
      transform: [701400, 30, 0, 5319600, 0, -30],
      width: 90,
      height: 85,
    } as Grid,
  };
  const sameCrs = {
    item: 'A-20240501',
    grid: {
      crs: 'EPSG:32632',
      transform: [699000, 30, 0, 5321010, 0, -30],
      width: 60,
      height: 60,
    } as Grid,
  };
  for (const [resampling, gdalName, tolerance, scene] of [
    ['nearest', 'near', 0, reprojected],
    ['bilinear', 'bilinear', 1, reprojected],
    ['cubic', 'cubic', 1, reprojected],
    ['average', 'average', 1, sameCrs],
    ['mode', 'mode', 0, sameCrs],
    ['min', 'min', 0, sameCrs],
    ['max', 'max', 0, sameCrs],
    ['median', 'med', 0, sameCrs],
    ['average', 'average', 1, reprojected],
    ['mode', 'mode', 0, reprojected],
    ['min', 'min', 0, reprojected],
    ['max', 'max', 0, reprojected],
    ['median', 'med', 0, reprojected],
  ] as const) {
    it(`${resampling} (${scene === reprojected ? 'reprojected' : 'same CRS'})`, async () => {
      const { item, grid } = scene;
      const output = path.join(scratch, `cube-${resampling}-${item}.tif`);
      const single = path.join(scratch, `items-${resampling}-${item}.json`);
      writeFileSync(
        single,
        JSON.stringify({
          type: 'FeatureCollection',
          features: [items.find((candidate) => candidate.id === item)],
        }),
      );
      const result = await runCli([
        'cube',
        single,
        '--asset',
        'B04',
        '--crs',
        'EPSG:32632',
        '--resolution',
        '30',
        '--bounds',
        bounds(grid).join(','),
        '--resampling',
        resampling,
        '-o',
        output,
      ]);
      expect(result.code, result.stderr).toBe(0);
      const ours = readWithGdal(output, { scratch });
      expect([ours.width, ours.height]).toEqual([grid.width, grid.height]);
      const theirs = gdalwarp([`${item}_B04.tif`], grid, gdalName);
      const valid = Array.from(theirs).filter((value) => value !== 0).length;
      expect(valid).toBeGreaterThan(2000);
      const off = mismatches(ours.bands[0]!, theirs, tolerance);
      console.info(
        `cube ${resampling} (${item}): ${off.length} of ${valid} pixels differ from gdalwarp by more than ${tolerance}`,
      );
      expect(off.length, `${off.length} of ${valid}`).toBe(0);
    });
  }
});

// Per-band resampling: B05 (say, a class band) with nearest, B04 with bilinear, in one cube;
// each band equals gdalwarp of its file with its own method, reprojected.
describe('pyramids cube --resampling BAND=method', { timeout: 120_000 }, () => {
  it('resamples each band with its own method, as gdalwarp does band by band', async () => {
    const grid: Grid = {
      crs: 'EPSG:32632',
      transform: [701400, 30, 0, 5319600, 0, -30],
      width: 90,
      height: 85,
    };
    const single = path.join(scratch, 'items-per-band.json');
    writeFileSync(
      single,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [items.find((candidate) => candidate.id === 'C-20240501')],
      }),
    );
    const output = path.join(scratch, 'cube-per-band.tif');
    const result = await runCli([
      'cube',
      single,
      '--asset',
      'B04',
      '--asset',
      'B05',
      '--crs',
      'EPSG:32632',
      '--resolution',
      '30',
      '--bounds',
      bounds(grid).join(','),
      '--resampling',
      'B05=nearest',
      '--resampling',
      'bilinear',
      '-o',
      output,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const ours = readWithGdal(output, { scratch });
    const bilinear = gdalwarp(['C-20240501_B04.tif'], grid, 'bilinear');
    const nearest = gdalwarp(['C-20240501_B05.tif'], grid, 'near');
    expect(mismatches(ours.bands[0]!, bilinear, 1)).toEqual([]);
    expect(mismatches(ours.bands[1]!, nearest, 0)).toEqual([]);
    // The other way round differs: the methods really are per band.
    expect(
      mismatches(ours.bands[1]!, gdalwarp(['C-20240501_B05.tif'], grid, 'bilinear'), 0).length,
    ).toBeGreaterThan(0);

    const unknown = await runCli([
      'cube',
      single,
      '--asset',
      'B04',
      '--resampling',
      'SCL=nearest',
      '--dry-run',
    ]);
    expect(unknown.stderr).toMatch(
      /OptionError: resampling names the band "SCL", which the cube does not have/,
    );
  });
});
