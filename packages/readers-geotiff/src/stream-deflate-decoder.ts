// DEFLATE tiles through the platform's `DecompressionStream` (native zlib in browsers),
// instead of geotiff.js's pure-JS pako: registered in browsers only, where nothing
// faster exists; Node keeps its own decoders (issue 15).
import { addDecoder, BaseDecoder } from 'geotiff';
import { hasNodeBuiltins } from '@pyramids/core';

/** TIFF Compression tag values for DEFLATE (Adobe) and the old PKZIP code. */
const DEFLATE_CODES = [8, 32946];

/** A geotiff.js decoder inflating zlib-wrapped DEFLATE with `DecompressionStream('deflate')`. */
export class StreamDeflateDecoder extends BaseDecoder {
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBuffer> {
    const stream = new Blob([new Uint8Array(buffer as ArrayBuffer)])
      .stream()
      .pipeThrough(new DecompressionStream('deflate'));
    return new Response(stream).arrayBuffer();
  }
}

let registered = false;

/**
 * Registers {@link StreamDeflateDecoder} with geotiff.js when running outside Node and
 * the platform has `DecompressionStream`; a no-op otherwise and on later calls.
 * Returns whether the stream decoder is in use.
 */
export function useStreamDeflateDecoder(): boolean {
  if (!registered && !hasNodeBuiltins() && typeof DecompressionStream === 'function') {
    // Not in a geotiff.js worker: decoding is already off the main thread's critical path (it awaits the stream).
    addDecoder(DEFLATE_CODES, async () => StreamDeflateDecoder, undefined, false);
    registered = true;
  }
  return registered;
}
