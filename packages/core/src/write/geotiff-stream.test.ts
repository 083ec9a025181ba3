// The streamed GeoTIFF against the in-memory writer (same bytes where the layout
// is the same, same pixels at every level otherwise), GDAL's reading and GDAL's
// COG validator.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WriteError,
  encodeGeoTiff,
  openGeoTiffStream,
  writeGeoTiff,
  type DataType,
  type Grid,
  type GeoTiffStreamChunk,
  type WritableArray,
  type WriteGeoTiffOptions,
} from '@pyramids/core';
import { gdalInfo, gdalReadPixels } from '../../../../test-support/gdal.js';

const TIMEOUT = 60_000;
const run = promisify(execFile);
let directory: string;
let counter = 0;

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'pyramids-stream-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function outputPath(name: string): string {
  counter += 1;
  return path.join(directory, `${counter}-${name}`);
}

const grid = (width: number, height: number): Grid => ({
  crs: 'EPSG:32633',
  transform: [500000, 10, 0, 4600000, 0, -10],
  width,
  height,
});

/** Deterministic pseudo-random samples (a linear congruential generator). */
function makeBand(
  dataType: 'uint16' | 'float32' | 'uint8',
  width: number,
  height: number,
  seed: number,
): WritableArray {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const array =
    dataType === 'uint16'
      ? new Uint16Array(width * height)
      : dataType === 'uint8'
        ? new Uint8Array(width * height)
        : new Float32Array(width * height);
  for (let index = 0; index < array.length; index++)
    array[index] =
      dataType === 'float32'
        ? next() * 1000 - 500
        : Math.floor(next() * (dataType === 'uint8' ? 256 : 65536));
  return array;
}

/** Cuts the bands into windows of `size` that do not align with the tiles, in a scrambled order. */
function chunksOf(
  data: WritableArray[],
  width: number,
  height: number,
  size: [number, number],
): GeoTiffStreamChunk[] {
  const chunks: GeoTiffStreamChunk[] = [];
  for (let y = 0; y < height; y += size[1]) {
    for (let x = 0; x < width; x += size[0]) {
      const window = {
        x,
        y,
        width: Math.min(size[0], width - x),
        height: Math.min(size[1], height - y),
      };
      // One chunk per band, so bands also arrive separately.
      data.forEach((band, index) => {
        const Constructor = band.constructor as new (length: number) => WritableArray;
        const part = new Constructor(window.width * window.height);
        for (let row = 0; row < window.height; row++) {
          const start = (y + row) * width + x;
          (part as Float64Array).set(
            (band as Float64Array).subarray(start, start + window.width),
            row * window.width,
          );
        }
        chunks.push({ window, firstBand: index, data: [part] });
      });
    }
  }
  // A fixed shuffle: every third chunk first, then the rest backwards.
  return [
    ...chunks.filter((_, index) => index % 3 === 0),
    ...chunks.filter((_, index) => index % 3 !== 0).reverse(),
  ];
}

async function stream(
  file: string,
  dataType: DataType,
  data: WritableArray[],
  width: number,
  height: number,
  options: WriteGeoTiffOptions,
  size: [number, number] = [37, 23],
  nodata?: number,
) {
  const writer = await openGeoTiffStream(
    file,
    {
      grid: grid(width, height),
      bands: data.map((_, index) => ({ dataType, name: `b${index}`, nodata })),
    },
    options,
  );
  for (const chunk of chunksOf(data, width, height, size)) await writer.write(chunk);
  await writer.close();
}

/** GDAL's COG validator (python3-gdal, a dependency of Debian's gdal-bin): errors and warnings. */
async function validateCog(file: string): Promise<string> {
  const result = await run('/usr/bin/python3', [
    '-m',
    'osgeo_utils.samples.validate_cloud_optimized_geotiff',
    file,
  ]).catch((error: { stdout: string; stderr: string }) => error);
  return `${result.stdout}${result.stderr}`;
}

function sameBytes(
  actual: ArrayLike<number>,
  expected: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number },
) {
  const view = actual as unknown as Uint8Array;
  expect(
    Buffer.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength)).equals(
      Buffer.from(new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength)),
    ),
  ).toBe(true);
}

describe.concurrent('openGeoTiffStream', { timeout: TIMEOUT }, () => {
  it('writes, from scrambled chunks that do not align with tiles, the bytes encodeGeoTiff gives (uncompressed, overviews)', async () => {
    const [width, height] = [100, 70];
    const data = [makeBand('uint16', width, height, 1), makeBand('uint16', width, height, 2)];
    const options: WriteGeoTiffOptions = { tileSize: 16, overviews: true, compression: 'none' };
    const file = outputPath('same-bytes.tif');
    await stream(file, 'uint16', data, width, height, options);
    const expected = await encodeGeoTiff(
      {
        grid: grid(width, height),
        bands: data.map((_, index) => ({ dataType: 'uint16', name: `b${index}` })),
        data,
      },
      options,
    );
    expect(Buffer.from(expected).equals(readFileSync(file))).toBe(true);
    expect(await validateCog(file)).toMatch(/is a valid cloud optimized GeoTIFF/);
  });

  it('averages float overviews across chunk edges as writeGeoTiff does; DEFLATE + predictor; a valid COG', async () => {
    const [width, height] = [90, 61];
    const data = [makeBand('float32', width, height, 3)];
    (data[0] as Float32Array).fill(-9999, 0, 40); // nodata the averages skip
    const options: WriteGeoTiffOptions = { tileSize: 16, overviews: true };
    const streamed = outputPath('float.tif');
    const reference = outputPath('float-reference.tif');
    await stream(streamed, 'float32', data, width, height, options, [33, 29], -9999);
    await writeGeoTiff(
      reference,
      {
        grid: grid(width, height),
        bands: [{ dataType: 'float32', name: 'b0', nodata: -9999 }],
        data,
      },
      options,
    );
    const info = gdalInfo(streamed);
    expect(info.bands[0]!.noDataValue).toBe(-9999);
    const levels = (gdalInfo(reference) as unknown as { bands: { overviews: unknown[] }[] })
      .bands[0]!.overviews.length;
    expect(levels).toBe(3);
    for (let overview = 0; overview <= levels; overview++) {
      const options = overview === 0 ? {} : { overview };
      const actual = gdalReadPixels(streamed, options).data[0]!;
      sameBytes(actual, gdalReadPixels(reference, options).data[0] as Float32Array);
    }
    sameBytes(gdalReadPixels(streamed).data[0]!, data[0] as Float32Array);
    expect(await validateCog(streamed)).toMatch(/is a valid cloud optimized GeoTIFF/);
  });

  it('writes tiles as they complete without overviews (DEFLATE), pixels as given, that the COG validator accepts', async () => {
    const [width, height] = [300, 200];
    const data = [
      makeBand('uint8', width, height, 4),
      makeBand('uint8', width, height, 5),
      makeBand('uint8', width, height, 6),
    ];
    const file = outputPath('plain.tif');
    await stream(file, 'uint8', data, width, height, { tileSize: 64 }, [128, 128]);
    const pixels = gdalReadPixels(file).data;
    data.forEach((band, index) => sameBytes(pixels[index]!, band as Uint8Array));
    expect(await validateCog(file)).toMatch(/is a valid cloud optimized GeoTIFF/);
  });

  it('writes LZW tiles (with and without predictor, past a full code table) that GDAL decodes to the same pixels', async () => {
    // Random 16-bit samples fill the 4094-entry table several times per 64 × 64 tile.
    const [width, height] = [150, 130];
    const noisy = makeBand('uint16', width, height, 8);
    const smooth = new Float32Array(width * height).map((_, index) => Math.sin(index / 50) * 100);
    for (const [dataType, data, predictor] of [
      ['uint16', noisy, false],
      ['uint16', noisy, true],
      ['float32', smooth, true],
    ] as const) {
      const file = outputPath(`lzw-${dataType}-${predictor}.tif`);
      await stream(file, dataType, [data], width, height, {
        tileSize: 64,
        compression: 'lzw',
        predictor,
        overviews: true,
      });
      const info = gdalInfo(file) as ReturnType<typeof gdalInfo> & {
        metadata: Record<string, Record<string, string>>;
      };
      expect(info.metadata['IMAGE_STRUCTURE']?.['COMPRESSION']).toBe('LZW');
      sameBytes(gdalReadPixels(file).data[0]!, data as Uint16Array);
      expect(await validateCog(file)).toMatch(/is a valid cloud optimized GeoTIFF/);
    }
  });

  it('writes BigTIFF when asked, which GDAL reads the same', async () => {
    const data = [makeBand('uint16', 50, 40, 7)];
    const file = outputPath('big.tif');
    await stream(file, 'uint16', data, 50, 40, { tileSize: 16, bigTiff: true, overviews: [2] });
    expect(readFileSync(file).readUInt16LE(2)).toBe(43);
    sameBytes(gdalReadPixels(file).data[0]!, data[0] as Uint16Array);
  });

  it('refuses chunks outside the grid, of the wrong type or covering pixels twice, and leaves no file', async () => {
    const cases: [
      string,
      (writer: Awaited<ReturnType<typeof openGeoTiffStream>>) => Promise<void>,
      RegExp,
    ][] = [
      [
        'outside.tif',
        (writer) =>
          writer.write({
            window: { x: 40, y: 0, width: 16, height: 16 },
            firstBand: 0,
            data: [new Uint16Array(256)],
          }),
        /not inside the 50 × 40 grid/,
      ],
      [
        'type.tif',
        (writer) =>
          writer.write({
            window: { x: 0, y: 0, width: 16, height: 16 },
            firstBand: 0,
            data: [new Float32Array(256)],
          }),
        /not a uint16 array/,
      ],
      [
        'band.tif',
        (writer) =>
          writer.write({
            window: { x: 0, y: 0, width: 16, height: 16 },
            firstBand: 1,
            data: [new Uint16Array(256)],
          }),
        /not among the file's 1 bands/,
      ],
      [
        'twice.tif',
        async (writer) => {
          await writer.write({
            window: { x: 0, y: 0, width: 16, height: 16 },
            firstBand: 0,
            data: [new Uint16Array(256)],
          });
          await writer.write({
            window: { x: 8, y: 0, width: 8, height: 8 },
            firstBand: 0,
            data: [new Uint16Array(64)],
          });
        },
        /already written/,
      ],
      ['missing.tif', (writer) => writer.close(), /never got all their pixels/],
    ];
    for (const [name, act, message] of cases) {
      const file = outputPath(name);
      const writer = await openGeoTiffStream(
        file,
        { grid: grid(50, 40), bands: [{ dataType: 'uint16' }] },
        { tileSize: 16 },
      );
      const error = await act(writer).catch((caught: unknown) => caught);
      expect(WriteError.isInstance(error), name).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect(existsSync(file)).toBe(false);
    }
    const names = cases.map(([name]) => name);
    expect(
      readdirSync(directory).filter((entry) => names.some((name) => entry.includes(name))),
    ).toEqual([]);
  });

  it('checks the description before creating any file', async () => {
    const file = outputPath('bad.tif');
    await expect(
      openGeoTiffStream(file, {
        grid: grid(10, 10),
        bands: [{ dataType: 'uint16' }, { dataType: 'float32' }],
      }),
    ).rejects.toThrow(/bands differ in data type/);
    await expect(
      openGeoTiffStream(file, { grid: grid(10, 10), bands: [{ dataType: 'uint8', nodata: 300 }] }),
    ).rejects.toThrow(/outside the uint8 range/);
    expect(existsSync(file)).toBe(false);
  });

  it('rethrows an abort unwrapped and removes what it wrote', async () => {
    const file = outputPath('aborted.tif');
    const controller = new AbortController();
    const writer = await openGeoTiffStream(
      file,
      { grid: grid(32, 32), bands: [{ dataType: 'uint8' }] },
      { tileSize: 16, overviews: true, signal: controller.signal },
    );
    await writer.write({
      window: { x: 0, y: 0, width: 16, height: 16 },
      firstBand: 0,
      data: [new Uint8Array(256)],
    });
    controller.abort();
    const error = await writer
      .write({
        window: { x: 16, y: 0, width: 16, height: 16 },
        firstBand: 0,
        data: [new Uint8Array(256)],
      })
      .catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('AbortError');
    expect(readdirSync(directory).filter((name) => name.includes('aborted'))).toEqual([]);
  });
});
