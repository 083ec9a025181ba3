// DEFLATE tiles: a 16 KB match window up to level 6, the whole 32 KB from 7 (the zlib
// header says which), and every stream inflates back; GDAL decoding whole files written
// with them is geotiff-stream.test.ts's.
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deflateTile } from './deflate-tile.js';

/** A 256 × 256 uint16 tile of differenced, noisy values, as the predictor leaves them. */
function tileBytes(): Uint8Array {
  const values = new Uint16Array(256 * 256);
  let state = 7;
  for (let index = 0; index < values.length; index++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    values[index] = (index % 256) * 3 + (state % 17);
  }
  return new Uint8Array(values.buffer);
}

describe('deflateTile', () => {
  it('uses a 16 KB window up to level 6 and 32 KB from level 7, and round-trips', async () => {
    const bytes = tileBytes();
    for (const [level, windowLog] of [
      [1, 14],
      [6, 14],
      [7, 15],
      [9, 15],
    ] as const) {
      const compressed = await deflateTile(bytes, level);
      // zlib's first byte: compression method 8 and log2(window) - 8 in the high nibble.
      expect(compressed[0], `level ${level}`).toBe(((windowLog - 8) << 4) | 8);
      expect(Buffer.from(inflateSync(compressed)).equals(Buffer.from(bytes))).toBe(true);
      expect(compressed.byteLength).toBeLessThan(bytes.byteLength);
    }
  });
});
