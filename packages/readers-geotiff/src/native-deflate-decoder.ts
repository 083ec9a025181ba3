// Node only: loaded lazily by `registerNativeDecoders`, never used outside Node. node:zlib
// is reached through core's `nodeBuiltin` (process.getBuiltinModule), not an import, so
// browser bundles of the default entry resolve no Node module.
import { nodeBuiltin } from '@pyramids/core';
import { BaseDecoder } from 'geotiff';

/**
 * DEFLATE tiles through `node:zlib`'s asynchronous inflate: native code on
 * libuv's thread pool, so the tiles of one read inflate in parallel, several
 * times faster than geotiff.js's pako. The predictor stays geotiff.js's.
 */
export default class NativeDeflateDecoder extends BaseDecoder {
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    const zlib = nodeBuiltin('node:zlib', 'native DEFLATE decoding');
    // Sync flush at the end: tolerate streams without the trailing checksum, as pako does.
    const inflated = await new Promise<Buffer>((resolve, reject) =>
      zlib.inflate(
        new Uint8Array(buffer),
        { finishFlush: zlib.constants.Z_SYNC_FLUSH },
        (error, result) => (error ? reject(error) : resolve(result)),
      ),
    );
    const whole = inflated.byteOffset === 0 && inflated.byteLength === inflated.buffer.byteLength;
    return whole
      ? inflated.buffer
      : inflated.buffer.slice(inflated.byteOffset, inflated.byteOffset + inflated.byteLength);
  }
}
