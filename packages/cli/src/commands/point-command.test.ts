// End to end: `pyramids point` against a loopback STAC API whose Item points at COGs
// (cut by GDAL from a real fixture) on the same server, read by the default registry's
// geotiff reader, written as GeoTIFF and checked with gdalinfo and gdalwarp.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { pointAoi } from '@pyramids/core';
import { gdalInfo, readWithGdal, runGdal } from '../../../core/src/test-support/gdal-raster.js';
import {
  createPointScene,
  POINT,
  POINT_COLLECTION,
  startPointStacServer,
  type PointStacServer,
} from '../../../core/src/test-support/point-stac-server.js';
import { runCli } from '../run-cli-for-tests.js';

let scratch: string;
let server: PointStacServer;
let scene: { B04: string; B03: string };

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-point-cli-'));
  scene = createPointScene(scratch);
  server = await startPointStacServer(scratch, scene);
});
afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const baseArgs = () => [
  'point',
  '--lat',
  String(POINT.lat),
  '--lon',
  String(POINT.lon),
  '--collection',
  POINT_COLLECTION,
  '--stac',
  server.url,
];

describe('pyramids point', { timeout: 60_000 }, () => {
  it('writes an edge-size × edge-size GeoTIFF in the local UTM zone equal to gdalwarp', async () => {
    server.searches.length = 0;
    const output = path.join(scratch, 'point.tif');
    const result = await runCli([
      ...baseArgs(),
      '--bands',
      'B04,B03',
      '--start',
      '2023-06-01',
      '--end',
      '2023-06-30',
      '--edge-size',
      '20',
      '--resolution',
      '100',
      '--query',
      '{"eo:cloud_cover":{"lt":20}}',
      '-o',
      output,
    ]);
    expect(result.stderr).toContain('1 time step(s) × 2 band(s), 20 × 20 px in EPSG:32621');
    expect(result.code).toBe(0);

    const aoi = pointAoi({ ...POINT, edgeSize: 20, resolution: 100 });
    expect(server.searches).toEqual([
      {
        collections: [POINT_COLLECTION],
        bbox: aoi.bbox,
        datetime: '2023-06-01T00:00:00Z/2023-06-30T23:59:59Z',
        query: { 'eo:cloud_cover': { lt: 20 } },
      },
    ]);

    const info = gdalInfo(output);
    expect(info.size).toEqual([20, 20]);
    expect(info.geoTransform).toEqual([
      aoi.center[0] - 1000,
      100,
      0,
      aoi.center[1] + 1000,
      0,
      -100,
    ]);
    expect(info.coordinateSystem?.wkt).toContain('ID["EPSG",32621]');
    expect(info.bands.map((band) => band.description)).toEqual([
      '2023-06-15/B04',
      '2023-06-15/B03',
    ]);
    expect(info.bands.map((band) => band.type)).toEqual(['Int16', 'Int16']);

    const written = readWithGdal(output, { scratch });
    for (const [index, file] of [scene.B04, scene.B03].entries()) {
      const warped = path.join(scratch, `gdalwarp-${index}.tif`);
      runGdal('gdalwarp', [
        '-q',
        '-t_srs',
        'EPSG:32621',
        '-te',
        ...aoi.bounds.map(String),
        '-tr',
        '100',
        '100',
        '-r',
        'near',
        file,
        warped,
      ]);
      expect(Array.from(written.bands[index]!)).toEqual(
        Array.from(readWithGdal(warped, { scratch }).bands[0]!),
      );
    }
  });

  it("accepts --units m and signs the search with --signer bearer for the STAC API's host", async () => {
    vi.stubEnv('PYRAMIDS_BEARER_TOKEN', 'point-test-token');
    vi.stubEnv('PYRAMIDS_BEARER_HOSTS', '');
    server.server.requests.length = 0;
    const output = path.join(scratch, 'point-m.tif');
    const result = await runCli([
      ...baseArgs(),
      '--bands',
      'B04',
      '--edge-size',
      '900',
      '--units',
      'm',
      '--resolution',
      '100',
      '--signer',
      'bearer',
      '-o',
      output,
    ]);
    expect(result.stderr).not.toContain('point-test-token');
    expect(result.code).toBe(0);
    expect(gdalInfo(output).size).toEqual([9, 9]);
    const searches = server.server.requests.filter((request) =>
      request.url.startsWith('/api/search'),
    );
    expect(searches.map((request) => request.headers.authorization)).toEqual([
      'Bearer point-test-token',
    ]);
  });

  it('fails with the collection, dates and bbox when nothing is found, and writes nothing', async () => {
    const output = path.join(scratch, 'empty.tif');
    const result = await runCli([
      ...baseArgs().slice(0, 5),
      '--collection',
      'sentinel-2-l2a',
      '--stac',
      server.url,
      '--bands',
      'B04',
      '--start',
      '2023-06-01',
      '--end',
      '2023-06-30',
      '-o',
      output,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /SearchError: no items found in collection 'sentinel-2-l2a' from 2023-06-01 to 2023-06-30 within bbox \[/,
    );
    expect(existsSync(output)).toBe(false);
  });

  it('refuses a non-numeric --lat and unknown --units before searching', async () => {
    server.searches.length = 0;
    const output = path.join(scratch, 'bad.tif');
    const bad = await runCli([
      'point',
      '--lat',
      'north',
      '--lon',
      '0',
      '--collection',
      'c',
      '--bands',
      'B04',
      '--stac',
      server.url,
      '-o',
      output,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--lat needs a number; got 'north'");
    const units = await runCli([...baseArgs(), '--bands', 'B04', '--units', 'km', '-o', output]);
    expect(units.code).toBe(1);
    expect(units.stderr).toContain("--units must be px or m; got 'km'");
    expect(server.searches).toEqual([]);
  });
});
