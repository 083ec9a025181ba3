// DEFLATE tiles inflate through node:zlib in Node: the reader registers the native
// decoder with geotiff.js, and its pixels equal GDAL's.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { getDecoder } from 'geotiff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, openRaster } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { fixturesDir } from '../../../vitest.shared.js';
import { gdalReadPixels } from '../../../test-support/gdal.js';
import { syntheticBand, writeRasterWithGdal } from '../../core/src/test-support/gdal-raster.js';
import NativeDeflateDecoder from './native-deflate-decoder.js';

const parameters = {
  tileWidth: 4,
  tileHeight: 2,
  predictor: 1,
  bitsPerSample: 16,
  planarConfiguration: 1,
};
let directory: string;

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'pyramids-native-deflate-'));
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('native DEFLATE decoder', () => {
  it("is what geotiff.js uses once the reader is loaded, and reads GDAL's pixels", async () => {
    const file = path.join(directory, 'deflate-pred2.tif');
    execFileSync('gdal_translate', [
      '-q',
      '-ot',
      'UInt16',
      '-srcwin',
      '300',
      '300',
      '900',
      '700',
      '-co',
      'TILED=YES',
      '-co',
      'BLOCKXSIZE=256',
      '-co',
      'BLOCKYSIZE=256',
      '-co',
      'COMPRESS=DEFLATE',
      '-co',
      'PREDICTOR=2',
      path.join(fixturesDir, 'rasters/rio-tiler/cog_int16.tif'),
      file,
    ]);
    const dataset = await openRaster(file, { registry: createRegistry().use(geotiffReader()) });
    expect(await getDecoder(8, parameters)).toBeInstanceOf(NativeDeflateDecoder);
    expect(await getDecoder(32946, parameters)).toBeInstanceOf(NativeDeflateDecoder);
    const ours = await dataset.read({});
    expect(Array.from(ours.data[0]!)).toEqual(Array.from(gdalReadPixels(file).data[0]!));
    await dataset.close?.();
  });

  // Predictor 2 is undone here for one sample per pixel (8, 16, 32 bits, float32 as 32-bit
  // integers as GDAL differences them) and by geotiff.js for interleaved samples.
  const made = (values: Uint16Array) => ({
    uint8: Uint8Array.from(values, (value) => value % 251),
    uint16: values,
    uint32: Uint32Array.from(values, (value) => value * 100_003),
    float32: Float32Array.from(values, (value) => value / 7),
  });
  for (const [dataType, bands, interleave] of [
    ['uint8', 1, 'BAND'],
    ['uint32', 1, 'BAND'],
    ['float32', 1, 'BAND'],
    ['uint8', 3, 'PIXEL'],
    ['uint16', 3, 'BAND'],
  ] as const)
    it(`undoes predictor 2 on ${dataType}, ${bands} band(s) ${interleave}-interleaved, as GDAL`, async () => {
      const file = writeRasterWithGdal(
        path.join(directory, `pred2-${dataType}-${bands}-${interleave}.tif`),
        {
          width: 600,
          height: 400,
          dataType,
          bands: Array.from(
            { length: bands },
            (_, band) => made(syntheticBand(600, 400, band + 1))[dataType],
          ),
          crs: 'EPSG:32632',
          transform: [500000, 10, 0, 5000000, 0, -10],
        },
        {
          creationOptions: [
            'TILED=YES',
            'BLOCKXSIZE=256',
            'BLOCKYSIZE=256',
            `INTERLEAVE=${interleave}`,
            'COMPRESS=DEFLATE',
            'PREDICTOR=2',
          ],
        },
      );
      const dataset = await openRaster(file, { registry: createRegistry().use(geotiffReader()) });
      const ours = await dataset.read({});
      const theirs = gdalReadPixels(file).data;
      expect(ours.data.length).toBe(bands);
      ours.data.forEach((band, index) =>
        expect(Array.from(band)).toEqual(Array.from(theirs[index]!)),
      );
      expect(new Set(ours.data[0]).size).toBeGreaterThan(200);
      await dataset.close?.();
    });

  it('inflates a stream without its trailing checksum, as pako does, and rejects garbage', async () => {
    const values = Uint16Array.from({ length: 8 }, (_, index) => index * 1000);
    const compressed = deflateSync(new Uint8Array(values.buffer));
    const decoder = new NativeDeflateDecoder(parameters);
    const whole = await decoder.decode(
      compressed.buffer.slice(compressed.byteOffset, compressed.byteOffset + compressed.byteLength),
    );
    expect(Array.from(new Uint16Array(whole))).toEqual(Array.from(values));
    const truncated = compressed.subarray(0, compressed.length - 4);
    const decoded = await decoder.decode(
      truncated.buffer.slice(truncated.byteOffset, truncated.byteOffset + truncated.byteLength),
    );
    expect(Array.from(new Uint16Array(decoded))).toEqual(Array.from(values));
    await expect(decoder.decode(Uint8Array.of(1, 2, 3, 4, 5).buffer)).rejects.toThrow();
  });
});
