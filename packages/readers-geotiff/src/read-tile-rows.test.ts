// Window reads that copy whole tile rows (read-tile-rows.ts) and fetch tile bytes through
// the range batcher (range-batcher.ts), against GDAL's read of the same windows, on files
// GDAL writes in the layouts the fast path takes and the ones it leaves to readRasters.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromFile } from 'geotiff';
import {
  createRegistry,
  DatasetCollection,
  openRaster,
  ReadError,
  transformBounds,
  type StacItem,
} from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { fixturesDir } from '../../../vitest.shared.js';
import { gdalReadPixels } from '../../../test-support/gdal.js';
import { startRangeServer, type RangeServer } from '../../../test-support/range-server.js';
import { readTileRows } from './read-tile-rows.js';
import { bboxPolygon } from '../../../test-support/bbox-polygon.js';

const source = path.join(fixturesDir, 'rasters/rio-tiler/cog_int16.tif');
const registry = createRegistry().use(geotiffReader());
let directory: string;
let server: RangeServer;

/** A GeoTIFF GDAL makes from the fixture: `type`, 3 bands, the creation options given. */
function makeTiff(name: string, type: string, options: string[]): string {
  const file = path.join(directory, `${name}.tif`);
  execFileSync('gdal_translate', [
    '-q',
    '-ot',
    type,
    '-scale',
    '-srcwin',
    '0',
    '0',
    '517',
    '389',
    '-b',
    '1',
    '-b',
    '1',
    '-b',
    '1',
    ...options.flatMap((option) => ['-co', option]),
    source,
    file,
  ]);
  return file;
}

/** Layouts of the fast path: name, GDAL type, creation options, expected to take it. */
const layouts: [string, string, string[], boolean][] = [
  [
    'tiled-planar-uint16',
    'UInt16',
    [
      'TILED=YES',
      'BLOCKXSIZE=128',
      'BLOCKYSIZE=64',
      'INTERLEAVE=BAND',
      'COMPRESS=DEFLATE',
      'PREDICTOR=2',
    ],
    true,
  ],
  [
    'tiled-planar-uint8',
    'Byte',
    ['TILED=YES', 'BLOCKXSIZE=64', 'BLOCKYSIZE=64', 'INTERLEAVE=BAND', 'COMPRESS=LZW'],
    true,
  ],
  [
    'striped-planar-float32',
    'Float32',
    ['INTERLEAVE=BAND', 'BLOCKYSIZE=50', 'COMPRESS=ZSTD', 'PREDICTOR=3'],
    true,
  ],
  ['tiled-planar-float64', 'Float64', ['TILED=YES', 'INTERLEAVE=BAND', 'COMPRESS=PACKBITS'], true],
  ['striped-planar-int32-none', 'Int32', ['INTERLEAVE=BAND', 'BLOCKYSIZE=7'], true],
  [
    'tiled-pixel-interleaved',
    'UInt16',
    ['TILED=YES', 'INTERLEAVE=PIXEL', 'COMPRESS=DEFLATE'],
    false,
  ],
  ['tiled-planar-big-endian', 'UInt16', ['TILED=YES', 'INTERLEAVE=BAND', 'ENDIANNESS=BIG'], false],
];

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), 'pyramids-tile-rows-'));
  for (const [name, type, options] of layouts) makeTiff(name, type, options);
  server = await startRangeServer(directory);
});
afterAll(async () => {
  await server.close();
  rmSync(directory, { recursive: true, force: true });
});

/** The first index where two arrays differ (NaN equal to NaN), or -1: quick on 200 000 values. */
function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  for (let index = 0; index < actual.length; index++) {
    const [a, b] = [actual[index]!, expected[index]!];
    if (a !== b && !(a !== a && b !== b)) return index;
  }
  return -1;
}

const windows = [
  { x: 0, y: 0, width: 517, height: 389 },
  { x: 37, y: 61, width: 300, height: 129 },
  { x: 500, y: 380, width: 17, height: 9 },
];

describe('window reads by whole tile rows', () => {
  it.each(layouts)('%s: equal to GDAL, and to readRasters', async (name, _type, _options, fast) => {
    const file = path.join(directory, `${name}.tif`);
    const image = await (await fromFile(file)).getImage();
    const compression = image.fileDirectory.getValue('Compression') as number;
    for (const window of windows) {
      const box: [number, number, number, number] = [
        window.x,
        window.y,
        window.x + window.width,
        window.y + window.height,
      ];
      const rows = await readTileRows(image, compression, box, [0, 2], undefined, undefined);
      expect(rows !== undefined).toBe(fast);
      const reference = gdalReadPixels(file, {
        window: [window.x, window.y, window.width, window.height],
        bands: [1, 3],
      });
      for (const href of [file, `${server.url}/${name}.tif`]) {
        const dataset = await openRaster(href, { registry });
        const read = await dataset.read({ window, bands: [1, 3] });
        read.data.forEach((band, index) =>
          expect(firstDifference(band, reference.data[index]!), `${href} band ${index}`).toBe(-1),
        );
        await dataset.close();
      }
      if (rows)
        rows.forEach((band, index) =>
          expect(firstDifference(band, reference.data[index]!)).toBe(-1),
        );
    }
  });
});

describe('tile bytes over HTTP, batched', () => {
  const name = 'tiled-planar-uint16';
  const tileRequests = () =>
    server.requests.filter((request) => !/^bytes=0-/.test(request.headers.range ?? ''));

  it('merges the tiles of reads in flight together into one request per run of bytes', async () => {
    const dataset = await openRaster(`${server.url}/${name}.tif`, { registry });
    server.requests.length = 0;
    // Two windows side by side over one row of tiles (128 × 64) of band 1: the tiles are
    // consecutive in the file, so both reads share a single request.
    const [left, right] = await Promise.all([
      dataset.read({ window: { x: 0, y: 64, width: 256, height: 64 }, bands: [1] }),
      dataset.read({ window: { x: 256, y: 64, width: 256, height: 64 }, bands: [1] }),
    ]);
    expect(tileRequests()).toHaveLength(1);
    const reference = gdalReadPixels(path.join(directory, `${name}.tif`), {
      window: [0, 64, 512, 64],
      bands: [1],
    }).data[0]!;
    for (let row = 0; row < 64; row++) {
      expect(Array.from(left.data[0]!.subarray(row * 256, row * 256 + 256))).toEqual(
        Array.from(reference).slice(row * 512, row * 512 + 256),
      );
      expect(Array.from(right.data[0]!.subarray(row * 256, row * 256 + 256))).toEqual(
        Array.from(reference).slice(row * 512 + 256, row * 512 + 512),
      );
    }
    await dataset.close();
  });

  it('keeps the tiles a window covers in part for the next window, and no others', async () => {
    const dataset = await openRaster(`${server.url}/${name}.tif`, { registry });
    // Columns 0-191 cover tile column 1 (128-255) in part, so it is kept; the next window,
    // 192-383, spans tile columns 1 and 2.
    await dataset.read({ window: { x: 0, y: 128, width: 192, height: 64 }, bands: [2] });
    server.requests.length = 0;
    await dataset.read({ window: { x: 192, y: 128, width: 192, height: 64 }, bands: [2] });
    // Tile 1 came from the kept bytes: one request, for tile 2 alone.
    expect(tileRequests()).toHaveLength(1);
    const [range] = tileRequests().map((request) => request.headers.range!);
    const [start, end] = /bytes=(\d+)-(\d+)/.exec(range!)!.slice(1).map(Number) as [number, number];
    const image = await (await fromFile(path.join(directory, `${name}.tif`))).getImage();
    const across = Math.ceil(image.getWidth() / 128);
    const down = Math.ceil(image.getHeight() / 64);
    const tile2 = down * across + 2 * across + 2; // band 2, tile row 2, tile column 2
    const offset = Number(await image.fileDirectory.loadValueIndexed('TileOffsets', tile2));
    const count = Number(await image.fileDirectory.loadValueIndexed('TileByteCounts', tile2));
    expect([start, end]).toEqual([offset, offset + count - 1]);
    await dataset.close();
  });

  it('a server that answers fewer bytes than asked is a ReadError, not a torn tile', async () => {
    const dataset = await openRaster(`${server.url}/${name}.tif`, { registry });
    server.intercept = (request, response) => {
      const range = /bytes=(\d+)-(\d+)/.exec(request.headers.range ?? '');
      if (!range || range[1] === '0') return false;
      const start = Number(range[1]);
      response.writeHead(206, {
        'content-range': `bytes ${start}-${start + 9}/999999`,
        'content-length': '10',
      });
      response.end(Buffer.alloc(10));
      return true;
    };
    try {
      const failure = await dataset
        .read({ window: { x: 0, y: 0, width: 64, height: 64 }, bands: [3] })
        .catch((error: unknown) => error);
      expect(ReadError.isInstance(failure)).toBe(true);
      expect((failure as Error).message).toMatch(/answered bytes \d+-\d+ for the range \d+-\d+/);
    } finally {
      server.intercept = undefined;
      await dataset.close();
    }
  });

  it('a cube asks once per chunk row: the chunks of a row start together and their tiles merge', async () => {
    const href = `${server.url}/${name}.tif`;
    const opened = await openRaster(href, { registry });
    const { grid } = opened;
    await opened.close();
    const [west, north] = [grid.transform[0], grid.transform[3]];
    const extent = [
      west,
      north + grid.height * grid.transform[5],
      west + grid.width * grid.transform[1],
      north,
    ] as [number, number, number, number];
    const bbox = transformBounds(extent, grid.crs!, 'EPSG:4326');
    const item = {
      type: 'Feature',
      stac_version: '1.1.0',
      id: 'rows',
      bbox,
      geometry: bboxPolygon(bbox),
      properties: { datetime: '2024-05-01T10:00:00Z' },
      links: [],
      assets: {
        data: {
          href,
          type: 'image/tiff; application=geotiff',
          'proj:code': grid.crs,
          'proj:shape': [grid.height, grid.width],
          'proj:transform': grid.transform.slice(0, 6),
        },
      },
    } as unknown as StacItem;
    // Chunks of 256 × 128 over 517 × 389: 3 chunks a row, 4 rows; each row is two tile rows
    // of band 1, consecutive in the file (planar: band 1's tiles come first).
    const cube = await DatasetCollection.fromStac([item], {
      registry,
      asset: 'data',
      like: grid,
      chunkSize: [256, 128],
    });
    server.requests.length = 0;
    const result = await cube.read();
    expect(tileRequests()).toHaveLength(4);
    const reference = gdalReadPixels(path.join(directory, `${name}.tif`), { bands: [1] }).data[0]!;
    expect(firstDifference(result.data, reference)).toBe(-1);
  });
});
