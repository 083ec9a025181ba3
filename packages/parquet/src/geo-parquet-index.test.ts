// A cube straight from a stac-geoparquet index of 100 000 Items (1° tiles over the globe,
// two dates each) served over HTTP Range from 127.0.0.1: the Items are looked up per cube
// chunk, the lookups read a few percent of the file, and the pixels of the 18 Items near
// the cube (real GDAL-written rasters) land where a hand calculation puts them.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistry,
  DatasetCollection,
  planCube,
  type Grid,
  type StacItem,
} from '@pyramids/core';
import { fixturesDir } from '../../../vitest.shared.js';
import { writeRasterWithGdal } from '../../core/src/test-support/gdal-raster.js';
import { gdalTestReader } from '../../core/src/test-support/gdal-test-reader.js';
import { startRangeServer, type RangeServer } from '../../../test-support/range-server.js';
import { geoparquetCodec } from './geoparquet-codec.js';
import { geoParquetIndex } from './geo-parquet-index.js';
import { toGeoParquet } from './to-geo-parquet.js';

const ITEMS = 100_000;
const DATES = ['2024-05-01T10:00:00Z', '2024-05-11T10:00:00Z'];
/** Tiles near the cube get real rasters: lon 10–12, lat 45–47. */
const near = (lon: number, lat: number) => lon >= 10 && lon <= 12 && lat >= 45 && lat <= 47;
/** The synthetic value of a tile's pixel on a date, by hand. */
const value = (lon: number, lat: number, date: number, row: number, col: number) =>
  (((lon + 180) * 7 + (lat + 90) * 3 + row * 5 + col + date * 1000) % 60000) + 1;

let scratch: string;
let server: RangeServer;
let parquetUrl: string;
let fileSize: number;
const registry = createRegistry()
  .use(geoparquetCodec())
  .use(gdalTestReader(() => scratch));

/** A real Earth Search Sentinel-2 Item, whose properties and 20-odd assets every tile Item carries. */
const template = (
  JSON.parse(
    readFileSync(
      path.join(
        fixturesDir,
        'stac/items/earth-search-v1/sentinel-2-c1-l2a_item-collection_10.json',
      ),
      'utf8',
    ),
  ) as { features: StacItem[] }
).features[0]!;

/** One 1° tile on one date: the template re-placed, plus a `data` asset on EPSG:4326. */
function tileItem(lon: number, lat: number, date: number): StacItem {
  const id = `T${lon}_${lat}_${date}`;
  const href = near(lon, lat)
    ? path.join(scratch, `${id}.tif`)
    : `https://example.invalid/never-read/${id}.tif`;
  return {
    ...template,
    id,
    collection: 'tiles',
    bbox: [lon, lat, lon + 1, lat + 1],
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [lon, lat],
          [lon + 1, lat],
          [lon + 1, lat + 1],
          [lon, lat + 1],
          [lon, lat],
        ],
      ],
    },
    properties: {
      ...template.properties,
      datetime: DATES[date]!,
      'eo:cloud_cover': (lon * 31 + lat * 17 + date * 7) % 100,
      'proj:code': 'EPSG:4326',
    },
    links: [],
    // Asset hrefs name the Item, as real ones do (and so do not compress away).
    assets: {
      ...(JSON.parse(JSON.stringify(template.assets).replaceAll(template.id, id)) as object),
      data: {
        href,
        type: 'image/tiff; application=geotiff',
        roles: ['data'],
        'proj:shape': [100, 100],
        'proj:transform': [0.01, 0, lon, 0, -0.01, lat + 1],
        'raster:bands': [{ data_type: 'uint16', nodata: 0 }],
      },
    },
  } as unknown as StacItem;
}

/** Tiles row by row (south to north, west to east), both dates of a tile side by side. */
function* tiles(): Generator<StacItem> {
  let count = 0;
  for (let lat = -70; lat < 90; lat++)
    for (let lon = -180; lon < 180; lon++)
      for (let date = 0; date < DATES.length; date++) {
        if (count++ >= ITEMS) return;
        yield tileItem(lon, lat, date);
      }
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-parquet-index-'));
  for (let lon = 10; lon <= 12; lon++)
    for (let lat = 45; lat <= 47; lat++)
      for (let date = 0; date < DATES.length; date++) {
        const band = new Uint16Array(100 * 100);
        for (let row = 0; row < 100; row++)
          for (let col = 0; col < 100; col++)
            band[row * 100 + col] = value(lon, lat, date, row, col);
        writeRasterWithGdal(path.join(scratch, `T${lon}_${lat}_${date}.tif`), {
          width: 100,
          height: 100,
          dataType: 'uint16',
          bands: [band],
          crs: 'EPSG:4326',
          transform: [lon, 0.01, 0, lat + 1, 0, -0.01],
          nodata: 0,
        });
      }
  await toGeoParquet(tiles(), path.join(scratch, 'index.parquet'), {
    rowGroupSize: 2000,
  });
  fileSize = statSync(path.join(scratch, 'index.parquet')).size;
  server = await startRangeServer(scratch);
  parquetUrl = `${server.url}/index.parquet`;
}, 300_000);
afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Bytes the server sent since `from` (its request log), counting each Range answered. */
function bytesSince(from: number): number {
  let bytes = 0;
  for (const request of server.requests.slice(from)) {
    if (request.method === 'HEAD') continue; // the file size, no body
    const range = /^bytes=(\d*)-(\d*)$/.exec(String(request.headers.range ?? ''));
    if (!range) return Infinity; // a whole-file GET would defeat the index
    if (!range[1])
      bytes += Math.min(Number(range[2]), fileSize); // the suffix form: the footer
    else bytes += Math.min(Number(range[2] || fileSize - 1), fileSize - 1) - Number(range[1]) + 1;
  }
  return bytes;
}

/** The footer's length, as the file's last 8 bytes say (what opening the index reads besides them). */
function footerBytes(): number {
  const tail = readFileSync(path.join(scratch, 'index.parquet')).subarray(-8);
  return tail.readUInt32LE(0) + 8;
}

/** The cube: 2° × 2° at 0.01°, across the corners of nine tiles, in 100-pixel chunks (four). */
const cubeOptions = {
  registry,
  asset: 'data',
  crs: 'EPSG:4326',
  resolution: 0.01,
  bounds: [10.5, 45.5, 12.5, 47.5] as [number, number, number, number],
  chunkSize: 100,
  groupby: 'time',
};

describe('cubes from a stac-geoparquet index', { timeout: 300_000 }, () => {
  it('each chunk lookup reads at most 5% of a 100 000-Item file, the footer once', async () => {
    expect(fileSize).toBeGreaterThan(10_000_000);
    const index = geoParquetIndex(parquetUrl);
    const lookup = async (bbox: [number, number, number, number]) => {
      const from = server.requests.length;
      const found: string[] = [];
      for await (const item of index.search({ bbox })) found.push(item.id);
      return { found, share: bytesSince(from) / fileSize };
    };
    // The first lookup opens the file: its footer (row-group statistics) comes with it.
    const first = await lookup([10.5, 46.5, 11.5, 47.5]);
    const footer = footerBytes() / fileSize;
    const second = await lookup([11.5, 45.5, 12.5, 46.5]);
    const repeat = await lookup([10.5, 46.5, 11.5, 47.5]);
    console.log(
      `parquet index over ${fileSize} bytes: footer ${(footer * 100).toFixed(2)}%, ` +
        `first lookup ${((first.share - footer) * 100).toFixed(2)}% (+ footer), ` +
        `second ${(second.share * 100).toFixed(2)}%, repeated ${(repeat.share * 100).toFixed(2)}%; ` +
        `${index.stats.rowGroupsSkipped} of ${index.stats.rowGroups} row groups skipped`,
    );
    expect(first.share - footer).toBeLessThanOrEqual(0.05);
    expect(second.share).toBeLessThanOrEqual(0.05);
    // Read once per index: 386 columns × 50 row groups of chunk metadata and statistics.
    expect(footer).toBeLessThanOrEqual(0.06);
    expect(repeat.share).toBe(0); // the same row groups again: from the index's cache
    // The box [10.5, 46.5, 11.5, 47.5] meets tiles 10–11 × 46–47, two dates each.
    expect(first.found.sort()).toEqual(
      ['T10_46', 'T10_47', 'T11_46', 'T11_47'].flatMap((tile) => [`${tile}_0`, `${tile}_1`]),
    );
    expect(second.found.sort()).toEqual(
      ['T11_45', 'T11_46', 'T12_45', 'T12_46'].flatMap((tile) => [`${tile}_0`, `${tile}_1`]),
    );
    expect(index.stats.rowGroupsSkipped).toBeGreaterThan(index.stats.rowGroups * 0.9);
    await index.close();
  });

  it('plans from the URL through the codec: a lookup per chunk, only the Items near the cube', async () => {
    const from = server.requests.length;
    const plan = await planCube(parquetUrl, cubeOptions);
    const share = bytesSince(from) / fileSize;
    console.log(`parquet index: planning the cube read ${(share * 100).toFixed(2)}% of the file`);
    // The footer once, then the row groups the four chunks meet, each read once.
    expect(share).toBeLessThanOrEqual(0.1);
    expect(plan.grid).toMatchObject({ crs: 'EPSG:4326', width: 200, height: 200 });
    expect(plan.itemCount).toBe(18); // tiles 10–12 × 45–47, two dates each
    expect(plan.steps.map((step) => step.label)).toEqual(
      DATES.map((date) => new Date(date).toISOString()),
    );
  });

  it('reads the pixels of the Items it found where the hand calculation puts them', async () => {
    const index = geoParquetIndex(parquetUrl);
    const cube = await DatasetCollection.fromStac(index, cubeOptions);
    expect(index.stats.searches).toBe(4); // one lookup per 100 × 100 chunk
    await index.close();
    const read = await cube.read();
    const grid: Grid = cube.grid;
    const plane = grid.width * grid.height;
    for (let date = 0; date < DATES.length; date++) {
      const expected = new Array<number>(plane);
      for (let row = 0; row < grid.height; row++)
        for (let col = 0; col < grid.width; col++) {
          // Pixel centres in hundredths of a degree, so no float error decides a tile.
          const x = 1050 + col; // west edge of the pixel, in 0.01°
          const y = 4750 - row - 1; // south edge of the pixel
          const lon = Math.floor(x / 100);
          const lat = Math.floor(y / 100);
          expected[row * grid.width + col] = value(
            lon,
            lat,
            date,
            (lat + 1) * 100 - y - 1,
            x - lon * 100,
          );
        }
      expect(Array.from(read.data.subarray(date * plane, (date + 1) * plane))).toEqual(expected);
    }
  });

  it('needs the grid up front, and says so', async () => {
    await expect(planCube(parquetUrl, { registry, asset: 'data' })).rejects.toThrow(
      /needs its grid up front: pass like, or crs and resolution with bounds or bbox/,
    );
    await expect(
      planCube(parquetUrl, { ...cubeOptions, bounds: [150.5, -80, 151.5, -79] }),
    ).rejects.toThrow(/no Item of the index .* meets the cube's grid/);
  });
});
