// Node only: loaded lazily by `registerNativeDecoders`, never used outside Node. node:zlib
// is reached through core's `nodeBuiltin` (process.getBuiltinModule), not an import, so
// browser bundles of the default entry resolve no Node module.
import { nodeBuiltin } from '@pyramids/core';
import { BaseDecoder } from 'geotiff';

/** What geotiff.js passes a decoder about the tiles it decodes. */
interface DecoderParameters {
  tileWidth: number;
  tileHeight: number;
  predictor: number;
  bitsPerSample: number | ArrayLike<number>;
  planarConfiguration: number;
}

/** node:zlib's default output chunk: a tile larger than this comes back in several. */
const ZLIB_CHUNK = 16 * 1024;

// Undoing horizontal differencing (predictor 2) in place, row by row, where each row holds
// one sample per pixel: the same sums as geotiff.js's `applyPredictor` (in the host's byte
// order, as it). One function per array type: a loop that sees one type only is what V8
// compiles tight; the running sum stays in a local rather than being read back.
function undoDifferencing8(values: Uint8Array, width: number): void {
  for (let start = 0; start + width <= values.length; start += width) {
    let previous = values[start]!;
    for (let index = start + 1; index < start + width; index++) {
      previous = (previous + values[index]!) & 0xff;
      values[index] = previous;
    }
  }
}
function undoDifferencing16(values: Uint16Array, width: number): void {
  for (let start = 0; start + width <= values.length; start += width) {
    let previous = values[start]!;
    for (let index = start + 1; index < start + width; index++) {
      previous = (previous + values[index]!) & 0xffff;
      values[index] = previous;
    }
  }
}
function undoDifferencing32(values: Uint32Array, width: number): void {
  for (let start = 0; start + width <= values.length; start += width) {
    let previous = values[start]!;
    for (let index = start + 1; index < start + width; index++) {
      previous = (previous + values[index]!) >>> 0;
      values[index] = previous;
    }
  }
}

/**
 * DEFLATE tiles through `node:zlib`'s asynchronous inflate: native code on
 * libuv's thread pool, so the tiles of one read inflate in parallel, several
 * times faster than geotiff.js's pako.
 */
export default class NativeDeflateDecoder extends BaseDecoder {
  private get tiles(): DecoderParameters {
    return this.parameters as DecoderParameters;
  }

  /** Bits of each sample when every row holds one sample per pixel (planar, or one band); else undefined. */
  private onePerPixelBits(): number | undefined {
    const { bitsPerSample, planarConfiguration } = this.tiles;
    const bits = typeof bitsPerSample === 'number' ? [bitsPerSample] : Array.from(bitsPerSample);
    if (planarConfiguration !== 2 && bits.length !== 1) return undefined;
    return bits[0];
  }

  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    const zlib = nodeBuiltin('node:zlib', 'native DEFLATE decoding');
    // Room for the whole tile in one output chunk: one trip back from the thread pool
    // instead of one per 16 KB (and no concatenation of the pieces).
    const { tileWidth, tileHeight } = this.tiles;
    const bits = this.onePerPixelBits();
    const expected = bits ? (tileWidth * tileHeight * bits) / 8 : 0;
    const chunkSize = Number.isInteger(expected) && expected > ZLIB_CHUNK ? expected : ZLIB_CHUNK;
    // Sync flush at the end: tolerate streams without the trailing checksum, as pako does.
    const inflated = await new Promise<Buffer>((resolve, reject) =>
      zlib.inflate(
        new Uint8Array(buffer),
        { finishFlush: zlib.constants.Z_SYNC_FLUSH, chunkSize },
        (error, result) => (error ? reject(error) : resolve(result)),
      ),
    );
    const whole = inflated.byteOffset === 0 && inflated.byteLength === inflated.buffer.byteLength;
    return whole
      ? inflated.buffer
      : inflated.buffer.slice(inflated.byteOffset, inflated.byteOffset + inflated.byteLength);
  }

  override async decode(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    const bits = this.onePerPixelBits();
    if (this.tiles.predictor !== 2 || (bits !== 8 && bits !== 16 && bits !== 32))
      return super.decode(buffer);
    const decoded = await this.decodeBlock(buffer);
    const length = Math.floor((decoded.byteLength * 8) / bits);
    const width = this.tiles.tileWidth;
    if (bits === 8) undoDifferencing8(new Uint8Array(decoded, 0, length), width);
    else if (bits === 16) undoDifferencing16(new Uint16Array(decoded, 0, length), width);
    else undoDifferencing32(new Uint32Array(decoded, 0, length), width);
    return decoded;
  }
}
