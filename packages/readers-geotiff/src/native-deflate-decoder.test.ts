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
