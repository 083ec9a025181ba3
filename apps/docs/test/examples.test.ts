// Runs every code sample the guides include, against the bundled sample data, the shared
// fixtures and loopback servers, and checks what each returns against GDAL or the recorded data.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gridResolution, parseItemsText, type StacItem } from '@pyramids/core';
import { encodeMultihash } from '@pyramids/core/node';
import { fixturesDir } from '../../../vitest.shared.js';
import { gdalInfo, gdalReadPixels, type GdalInfo } from '../../../test-support/gdal.js';
import {
  startReplayServer,
  type ReplayServer,
} from '../../../packages/core/src/search/replay-server.test-helper.js';
import {
  createPointScene,
  startPointStacServer,
  POINT_COLLECTION,
} from '../../../packages/core/src/test-support/point-stac-server.js';
import {
  startFileServer,
  type LoopbackFileServer,
} from '../../../packages/core/src/download/loopback-file-server.test-support.js';
import {
  buildSampleCube,
  buildTargetGridCube,
  estimateSampleCube,
} from '../examples/build-cube.js';
import { searchBbox, searchCql2, searchQuery, countPages } from '../examples/search-stac-api.js';
import { readSampleAsset } from '../examples/read-asset.js';
import { describeAsset } from '../examples/extension-metadata.js';
import { buildSampleMosaic } from '../examples/vrt-mosaic.js';
import { describeRaster } from '../examples/raster-to-stac-item.js';
import { roundTripGeoParquet } from '../examples/geoparquet.js';
import { cubeAroundPoint } from '../examples/from-point.js';
import { downloadData } from '../examples/download-items.js';
import { exampleTokenSigner } from '../examples/custom-signer.js';

const sampleDirectory = path.resolve(import.meta.dirname, '../../../sample-data');
const sampleItems = parseItemsText(readFileSync(path.join(sampleDirectory, 'items.json'), 'utf8'));
let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-docs-examples-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('guide: building a cube', () => {
  it('stacks B04/B03/B02 by solar day; the first pixels equal GDAL reading the same file', async () => {
    const { cube, array } = await buildSampleCube(sampleDirectory);
    const days = [
      ...new Set(sampleItems.map((item) => String(item.properties['datetime']).slice(0, 10))),
    ];
    expect(array.coords.band).toEqual(['B04', 'B03', 'B02']);
    expect(array.shape[0]).toBe(days.length);
    expect(cube.shape).toEqual(array.shape);
    // GDAL, independently: the first Item's B04 on its own grid, at the cube's upper-left pixel.
    const first = sampleItems.find((item) => item.id === 'sample-s2l2a-a-20240605')!;
    const file = path.join(sampleDirectory, String(first.assets['B04']!.href));
    const info = gdalInfo(file);
    const [originX, pixelWidth, , originY, , pixelHeight] = info.geoTransform!;
    const [x0, y0] = [array.coords.x[0]!, array.coords.y[0]!];
    const column = Math.floor((x0 - originX) / pixelWidth);
    const row = Math.floor((y0 - originY) / pixelHeight);
    const gdalPixels = gdalReadPixels(file, { bands: [1], window: [column, row, 1, 1] }).data[0]!;
    // Cube and tile share the grid (same CRS and resolution), so bilinear at a pixel centre is that pixel.
    expect(array.data[0]).toBe(gdalPixels[0]);
  });

  it('builds on a target grid given by crs, resolution and bounds, with rescale', async () => {
    const cube = await buildTargetGridCube(sampleDirectory);
    expect(cube.grid.crs).toMatch(/32633/);
    expect(gridResolution(cube.grid)).toEqual([20, 20]);
    expect([cube.grid.width, cube.grid.height]).toEqual([150, 150]);
    expect(cube.rescaled).toBe(true);
    expect(cube.dataType).toBe('float32');
  });

  it('estimates the cost of a read from headers only', async () => {
    const estimate = await estimateSampleCube(sampleDirectory);
    expect(estimate.items).toBe(sampleItems.length);
    expect(estimate.sources).toBe(sampleItems.length * 3);
    expect(estimate.requests).toBeGreaterThan(0);
  });
});

describe('guide: searching a STAC API (recorded exchanges replayed on 127.0.0.1)', () => {
  const PC = 'https://planetarycomputer.microsoft.com/api/stac/v1';
  const ES = 'https://earth-search.aws.element84.com/v1';
  const PC_LANDING = 'pystac-client/test_client_TestAPI.test_instance.yaml';
  let server: ReplayServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const features = (cassette: string, index: number) =>
    (server!.recordedJson(cassette, index) as { features: StacItem[] }).features;

  it('bbox search: two pages, stopped at maxItems', async () => {
    const cassette = 'pystac-client/test_item_search_TestItemSearch.test_result_paging.yaml';
    server = await startReplayServer([PC_LANDING, cassette]);
    const result = await searchBbox(server.rewrite(PC));
    expect(result.features).toEqual([...features(cassette, 0), ...features(cassette, 1)]);
    expect(server.requests.every((request) => request.matched)).toBe(true);
  });

  it('query extension', async () => {
    const cassette =
      'pystac-client/test_item_search_TestItemSearchQuery.test_query_shortcut_syntax.yaml';
    server = await startReplayServer([PC_LANDING, cassette]);
    const result = await searchQuery(server.rewrite(PC));
    expect(result.features).toEqual(features(cassette, 0));
  });

  it('CQL2-JSON with an added conformance class', async () => {
    const cassette = 'pystac-client/test_cli_TestCLISearch.test_filter.yaml';
    server = await startReplayServer([cassette]);
    const result = await searchCql2(server.rewrite(ES));
    expect(result.features).toEqual([...features(cassette, 1), ...features(cassette, 2)]);
    expect(
      JSON.parse(server.requests.find((request) => request.path.includes('/search'))!.body),
    ).toMatchObject({
      filter: { op: 'lte', args: [{ property: 'eo:cloud_cover' }, 40] },
    });
  });

  it('pages as the server sends them', async () => {
    const cassette =
      'pystac-client/test_item_search_TestItemSearch.test_result_paging_max_items.yaml';
    server = await startReplayServer([PC_LANDING, cassette]);
    expect(await countPages(server.rewrite(PC))).toEqual([10, 10, 5]);
  });
});

describe('guide: reading one asset', () => {
  it('picks geotiff without I/O and reads the same pixels as GDAL', async () => {
    const { engine, result } = await readSampleAsset(sampleDirectory);
    expect(engine).toBe('geotiff');
    const file = path.join(sampleDirectory, String(sampleItems[0]!.assets['B04']!.href));
    const expected = gdalReadPixels(file, { bands: [1], window: [0, 0, 64, 64] }).data[0]!;
    expect(Array.from(result.data[0]!)).toEqual(Array.from(expected));
  });
});

describe('guide: extension metadata', () => {
  it('reads grid and bands of a real Earth Search Item without I/O', () => {
    const collection = JSON.parse(
      readFileSync(
        path.join(
          fixturesDir,
          'stac/items/earth-search-v1/sentinel-2-c1-l2a_item-collection_10.json',
        ),
        'utf8',
      ),
    ) as { features: StacItem[] };
    const item = collection.features[0]!;
    const metadata = describeAsset(item, 'red');
    const asset = item.assets['red'] as Record<string, unknown>;
    expect(metadata.crs).toBe(`EPSG:${String(item.properties['proj:epsg'])}`);
    expect(metadata.shape).toEqual(asset['proj:shape']);
    const rasterBand = (asset['raster:bands'] as Record<string, number>[])[0]!;
    expect(metadata.bands[0]).toMatchObject({
      nodata: rasterBand['nodata'],
      scale: rasterBand['scale'],
      offset: rasterBand['offset'],
    });
  });
});

describe('guide: VRT mosaics', () => {
  it('writes a VRT that gdalinfo opens with the mosaic size', async () => {
    const mosaic = await buildSampleMosaic(sampleDirectory, scratch);
    const info = gdalInfo(path.join(scratch, 'mosaic.vrt'));
    expect(info.size).toEqual([mosaic.width, mosaic.height]);
  });
});

describe('guide: raster → STAC Item', () => {
  it('describes a sample tile; bbox matches gdalinfo’s WGS84 extent', async () => {
    const file = path.join(sampleDirectory, String(sampleItems[0]!.assets['B04']!.href));
    const item = await describeRaster(file, 'sample-b04');
    expect(item.id).toBe('sample-b04');
    const info = gdalInfo(file) as GdalInfo & { wgs84Extent: { coordinates: number[][][] } };
    const extent = info.wgs84Extent.coordinates[0]!;
    const longitudes = extent.map(([longitude]) => longitude!);
    expect(item.bbox![0]).toBeCloseTo(Math.min(...longitudes), 5);
    expect(item.bbox![2]).toBeCloseTo(Math.max(...longitudes), 5);
  });
});

describe('guide: stac-geoparquet', () => {
  it('round-trips the Earth Search Items and searches the file like the JSON would', async () => {
    const itemsFile = path.join(
      fixturesDir,
      'stac/items/earth-search-v1/sentinel-2-c1-l2a_item-collection_10.json',
    );
    const source = parseItemsText(readFileSync(itemsFile, 'utf8'));
    const { items, found } = await roundTripGeoParquet(
      itemsFile,
      path.join(scratch, 'items.parquet'),
    );
    expect(items.map((item) => item.id)).toEqual(source.map((item) => item.id));
    expect(items[0]!.assets).toEqual(source[0]!.assets);
    const expected = source.filter((item) => {
      const [west, south, east, north] = item.bbox!;
      const cloud = Number(item.properties['eo:cloud_cover']);
      const year = String(item.properties['datetime']).slice(0, 4);
      return (
        west! <= -105 &&
        east! >= -105.5 &&
        south! <= 40.5 &&
        north! >= 40 &&
        cloud < 20 &&
        year === '2024'
      );
    });
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(source.length); // the filter does filter
    expect(found.features.map((item) => item.id).sort()).toEqual(
      expected.map((item) => item.id).sort(),
    );
  });
});

describe('guide: a cube around a point', () => {
  it('searches the loopback STAC API and stacks a 16 × 16 cube', async () => {
    const sceneDirectory = path.join(scratch, 'point');
    mkdirSync(sceneDirectory, { recursive: true });
    const server = await startPointStacServer(sceneDirectory, createPointScene(sceneDirectory));
    try {
      const cube = await cubeAroundPoint(server.url, POINT_COLLECTION);
      expect(cube.shape.slice(1)).toEqual([2, 16, 16]);
      expect(server.searches).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe('guides: downloads and a custom signer', () => {
  let server: LoopbackFileServer;
  beforeAll(async () => {
    server = await startFileServer();
  });
  afterAll(() => server.close());

  it('downloads with checksum verification and resumes nothing twice', async () => {
    const body = readFileSync(
      path.join(sampleDirectory, String(sampleItems[0]!.assets['B04']!.href)),
    );
    server.files.set('b04.tif', { body, etag: '"b04"' });
    const checksum = encodeMultihash(0x12, createHash('sha256').update(body).digest());
    const item = {
      ...sampleItems[0]!,
      assets: { data: { href: `${server.url}/files/b04.tif`, 'file:checksum': checksum } },
    };
    const directory = path.join(scratch, 'downloads');
    const { items } = await downloadData([item], directory);
    const local = String(items[0]!.assets['data']!.href);
    expect(
      readFileSync(path.isAbsolute(local) ? local : path.join(directory, item.id, local)).equals(
        body,
      ),
    ).toBe(true);
    const before = server.requests.filter((request) => request.method === 'GET').length;
    const again = await downloadData([item], directory);
    expect(again.events.some((event) => event.type === 'skip')).toBe(true);
    expect(server.requests.filter((request) => request.method === 'GET').length).toBe(before);
  });

  it('the example signer sends its token to its host only', async () => {
    const host = new URL(server.url).host;
    const signer = exampleTokenSigner(host, { EXAMPLE_TOKEN: 'secret-token' });
    expect(signer.matches(`${server.url}/x.tif`)).toBe(true);
    expect(signer.matches('https://example.com/x.tif')).toBe(false);
    expect(await signer.headers!(`${server.url}/x.tif`)).toEqual({
      authorization: 'Bearer secret-token',
    });
    expect(JSON.stringify(signer.describe!())).not.toContain('secret-token');
    server.files.set('private.tif', {
      body: Buffer.from('private bytes'),
      authorization: 'Bearer secret-token',
    });
    const { downloadItem } = await import('@pyramids/core/node');
    const item = {
      ...sampleItems[0]!,
      id: 'private',
      assets: { data: { href: `${server.url}/files/private.tif` } },
    };
    const saved = await downloadItem(item, path.join(scratch, 'private'), { signer });
    expect(existsSync(path.join(scratch, 'private'))).toBe(true);
    expect(saved.assets['data']).toBeDefined();
  });
});

describe('signer pages', () => {
  it('each provider signer touches its own hosts only, with no I/O at construction', async () => {
    const { awsSigners, planetaryComputer, earthdata, copernicus } =
      await import('../examples/signers.js');
    const env = {
      AWS_REGION: 'us-west-2',
      EARTHDATA_TOKEN: 'token',
      CDSE_USERNAME: 'user',
      CDSE_PASSWORD: 'password',
    };
    const [requesterPays] = awsSigners(env).signers;
    expect(requesterPays!.matches('s3://usgs-landsat/collection02/x.tif')).toBe(true);
    const [sas] = planetaryComputer(env).signers;
    expect(sas!.matches('https://sentinel2l2a01.blob.core.windows.net/sentinel2-l2/x.tif')).toBe(
      true,
    );
    expect(sas!.matches('https://example.com/x.tif')).toBe(false);
    const [bearer] = earthdata(env).signers;
    expect(bearer!.matches('https://data.lpdaac.earthdatacloud.nasa.gov/x.tif')).toBe(true);
    expect(bearer!.matches('https://example.com/x.tif')).toBe(false);
    const [oidc, s3] = copernicus(env).signers;
    expect(s3!.matches('s3://eodata/Sentinel-2/x.jp2')).toBe(true);
    expect(oidc!.matches('https://example.com/x')).toBe(false);
  });
});
