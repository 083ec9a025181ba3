// Node only: imported lazily by `registerNativeDecoders`, never from the default entry.
import { promisify } from 'node:util';
import { constants, inflate } from 'node:zlib';
import { BaseDecoder } from 'geotiff';

const inflateAsync = promisify(inflate);

/**
 * DEFLATE tiles through `node:zlib`'s asynchronous inflate: native code on
 * libuv's thread pool, so the tiles of one read inflate in parallel, several
 * times faster than geotiff.js's pako. The predictor stays geotiff.js's.
 */
export default class NativeDeflateDecoder extends BaseDecoder {
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    // Sync flush at the end: tolerate streams without the trailing checksum, as pako does.
    const inflated = await inflateAsync(new Uint8Array(buffer), { finishFlush: constants.Z_SYNC_FLUSH });
    const whole = inflated.byteOffset === 0 && inflated.byteLength === inflated.buffer.byteLength;
    return whole ? inflated.buffer : inflated.buffer.slice(inflated.byteOffset, inflated.byteOffset + inflated.byteLength);
  }
}
