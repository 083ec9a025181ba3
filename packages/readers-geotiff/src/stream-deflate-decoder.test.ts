import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../vitest.shared.js';
import { StreamDeflateDecoder, useStreamDeflateDecoder } from './stream-deflate-decoder.js';

describe('StreamDeflateDecoder', () => {
  it('inflates zlib DEFLATE through DecompressionStream to the original bytes', async () => {
    // Real bytes: the start of a fixture GeoTIFF, 64 × 64 "pixels" of one byte each.
    const original = new Uint8Array(
      readFileSync(path.join(fixturesDir, 'rasters/rio-tiler/cog_int16.tif')).subarray(0, 64 * 64),
    );
    const compressed = deflateSync(original);
    const decoder = new StreamDeflateDecoder({
      tileWidth: 64,
      tileHeight: 64,
      predictor: 1,
      bitsPerSample: 8,
      planarConfiguration: 1,
    });
    const decoded = new Uint8Array(
      await decoder.decode(
        compressed.buffer.slice(
          compressed.byteOffset,
          compressed.byteOffset + compressed.byteLength,
        ),
      ),
    );
    expect(decoded).toEqual(original);
  });

  it('is not registered on Node, which keeps its own decoders', () => {
    expect(useStreamDeflateDecoder()).toBe(false);
  });
});
