import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistry,
  createTransformer,
  DatasetCollection,
  httpRequest,
  OptionError,
  PLUGIN_API_VERSION,
  SearchError,
  type ReaderPlugin,
} from '@pyramids/core';
import { gdalRasterSource, readWithGdal, runGdal } from '../test-support/gdal-raster.js';
import {
  createPointScene,
  POINT,
  POINT_COLLECTION,
  startPointStacServer,
  type PointStacServer,
} from '../test-support/point-stac-server.js';

let scratch: string;
let server: PointStacServer;
let scene: { B04: string; B03: string };
let downloads = 0;

/**
 * A reader at the I/O seam: fetches the asset over HTTP from the loopback server (the real
 * transfer) and decodes it with GDAL. Core's own warp, cube and fuse logic do the rest.
 */
function httpGdalReader(): ReaderPlugin {
  return {
    kind: 'reader',
    id: 'http-gdal-test',
    apiVersion: PLUGIN_API_VERSION,
    mediaTypes: ['image/tiff'],
    extensions: ['.tif'],
    load: async () => ({
      open: async (href: string) => {
        // httpRequest retries a reset keep-alive connection, as the real readers do.
        const response = await httpRequest(href);
        if (!response.ok) throw new Error(`GET ${href}: ${response.status}`);
        const file = path.join(scratch, `download-${++downloads}.tif`);
        writeFileSync(file, Buffer.from(await response.arrayBuffer()));
        return { ...gdalRasterSource(file, scratch), href };
      },
    }),
  };
}

const registry = createRegistry().use(httpGdalReader());

/** What gdalwarp makes of `file` on the grid (nearest neighbour), as one array. */
function gdalwarpOnto(file: string, crs: string, bounds: number[], resolution: number): Int16Array {
  const target = path.join(scratch, `warped-${Math.random().toString(36).slice(2)}.tif`);
  runGdal('gdalwarp', [
    '-q',
    '-of',
    'GTiff',
    '-t_srs',
    crs,
    '-te',
    ...bounds.map(String),
    '-tr',
    String(resolution),
    String(resolution),
    '-r',
    'near',
    file,
    target,
  ]);
  const { width, height, bands } = readWithGdal(target, { scratch });
  expect([width, height]).toEqual([
    Math.round((bounds[2]! - bounds[0]!) / resolution),
    Math.round((bounds[3]! - bounds[1]!) / resolution),
  ]);
  return bands[0] as Int16Array;
}

/** The AOI worked out here from first principles: project, snap, square, corners back. */
function expectedAoi(size: number, resolution: number) {
  const [x, y] = createTransformer('EPSG:4326', 'EPSG:32621')(POINT.lon, POINT.lat);
  const centre = [
    Math.round(x / resolution) * resolution,
    Math.round(y / resolution) * resolution,
  ] as const;
  const half = (size * resolution) / 2;
  const bounds = [centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half];
  const toLonLat = createTransformer('EPSG:32621', 'EPSG:4326');
  const corners = [
    toLonLat(bounds[0]!, bounds[1]!),
    toLonLat(bounds[0]!, bounds[3]!),
    toLonLat(bounds[2]!, bounds[1]!),
    toLonLat(bounds[2]!, bounds[3]!),
  ];
  const bbox = [
    Math.min(...corners.map((corner) => corner[0])),
    Math.min(...corners.map((corner) => corner[1])),
    Math.max(...corners.map((corner) => corner[0])),
    Math.max(...corners.map((corner) => corner[1])),
  ];
  return { centre, bounds, bbox };
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-point-'));
  scene = createPointScene(scratch);
  server = await startPointStacServer(scratch, scene);
});
afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('DatasetCollection.fromPoint', { timeout: 60_000 }, () => {
  it('searches the AOI bbox and stacks the bands on exactly edgeSize × edgeSize pixels of the UTM zone', async () => {
    server.searches.length = 0;
    const cube = await DatasetCollection.fromPoint({
      ...POINT,
      collection: POINT_COLLECTION,
      bands: ['B04', 'B03'],
      startDate: '2023-06-01',
      endDate: '2023-06-30',
      query: { 'eo:cloud_cover': { lt: 20 } },
      edgeSize: 16,
      resolution: 100,
      stac: server.url,
      registry,
    });
    const expected = expectedAoi(16, 100);
    expect(server.searches).toHaveLength(1);
    const body = server.searches[0]!;
    expect(body.collections).toEqual([POINT_COLLECTION]);
    expect(body.datetime).toBe('2023-06-01T00:00:00Z/2023-06-30T23:59:59Z');
    expect(body.query).toEqual({ 'eo:cloud_cover': { lt: 20 } });
    expect((body.bbox as number[]).length).toBe(4);
    (body.bbox as number[]).forEach((value, index) =>
      expect(value).toBeCloseTo(expected.bbox[index]!, 9),
    );
    // The bbox encloses the point and is about 1.6 km across.
    expect(body.bbox).toSatisfy(
      (bbox: number[]) =>
        bbox[0]! < POINT.lon &&
        POINT.lon < bbox[2]! &&
        bbox[1]! < POINT.lat &&
        POINT.lat < bbox[3]!,
    );

    expect(cube.shape).toEqual([1, 2, 16, 16]);
    expect(cube.grid.crs).toBe('EPSG:32621');
    expect(cube.grid.transform).toEqual([
      expected.centre[0] - 800,
      100,
      0,
      expected.centre[1] + 800,
      0,
      -100,
    ]);
    expect(cube.coords.band).toEqual(['B04', 'B03']);
    expect(cube.coords.time).toEqual(['2023-06-15']); // grouped by solar day
    expect(cube.steps[0]!.items.map((item) => item.id)).toEqual(['S2_TEST_20230615']);

    const array = await cube.read();
    const plane = 16 * 16;
    for (const [index, file] of [scene.B04, scene.B03].entries()) {
      const reference = gdalwarpOnto(file, 'EPSG:32621', expected.bounds, 100);
      expect(Array.from(array.data.subarray(index * plane, (index + 1) * plane))).toEqual(
        Array.from(reference),
      );
    }
    // The two bands really differ, so the comparison would catch swapped bands.
    expect(Array.from(array.data.subarray(0, plane))).not.toEqual(
      Array.from(array.data.subarray(plane, 2 * plane)),
    );
  });

  it("takes edgeSize in metres with units: 'm', an odd pixel count included", async () => {
    server.searches.length = 0;
    const cube = await DatasetCollection.fromPoint({
      ...POINT,
      collection: POINT_COLLECTION,
      bands: 'B04',
      edgeSize: 1500,
      units: 'm',
      resolution: 100,
      stac: server.url,
      registry,
    });
    const expected = expectedAoi(15, 100);
    expect(cube.shape).toEqual([1, 1, 15, 15]);
    // Centre minus half the edge: 750 m, half a pixel off the 100 m lattice; not widened by snapping.
    expect(cube.grid.transform).toEqual([
      expected.centre[0] - 750,
      100,
      0,
      expected.centre[1] + 750,
      0,
      -100,
    ]);
    expect(server.searches[0]!.datetime).toBeUndefined();
    const array = await cube.read();
    expect(Array.from(array.data)).toEqual(
      Array.from(gdalwarpOnto(scene.B04, 'EPSG:32621', expected.bounds, 100)),
    );
  });

  it('names the collection, dates and bbox when nothing is found', async () => {
    const attempt = DatasetCollection.fromPoint({
      ...POINT,
      collection: 'no-such-collection',
      bands: ['B04'],
      startDate: '2023-06-01',
      endDate: '2023-06-30',
      edgeSize: 16,
      resolution: 100,
      stac: server.url,
      registry,
    });
    await expect(attempt).rejects.toThrow(SearchError);
    await expect(attempt).rejects.toThrow(
      /no items found in collection 'no-such-collection' from 2023-06-01 to 2023-06-30 within bbox \[-54\.8\d+, 73\.3\d+, -54\.7\d+, 73\.4\d+\]/,
    );
  });

  it('refuses an empty band list and a bad point before any request', async () => {
    server.searches.length = 0;
    const common = {
      collection: POINT_COLLECTION,
      edgeSize: 16,
      resolution: 100,
      stac: server.url,
      registry,
    };
    await expect(DatasetCollection.fromPoint({ ...POINT, ...common, bands: [] })).rejects.toThrow(
      OptionError,
    );
    await expect(
      DatasetCollection.fromPoint({ ...POINT, ...common, bands: ' , ' }),
    ).rejects.toThrow(/bands must name at least one asset/);
    await expect(
      DatasetCollection.fromPoint({ lat: 91, lon: 0, ...common, bands: 'B04' }),
    ).rejects.toThrow(/latitude/);
    await expect(
      DatasetCollection.fromPoint({ ...POINT, ...common, collection: '', bands: 'B04' }),
    ).rejects.toThrow(/collection must be/);
    expect(server.searches).toEqual([]);
  });
});
