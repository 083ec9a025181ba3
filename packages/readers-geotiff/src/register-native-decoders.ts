import { addDecoder } from 'geotiff';

/** TIFF compression codes of DEFLATE: 8 (Adobe) and 32946 (the older PKZIP code). */
const DEFLATE_CODES = [8, 32946];

let registered = false;

/**
 * Swaps geotiff.js's pure-JS DEFLATE decoder for one on `node:zlib` when running
 * in Node; elsewhere (browsers) geotiff.js keeps its own. The Node decoder is
 * imported only when a DEFLATE tile is first decoded. Safe to call repeatedly.
 */
export function registerNativeDecoders(): void {
  if (registered || typeof process === 'undefined' || !process.versions?.node) return;
  registered = true;
  addDecoder(
    DEFLATE_CODES,
    async () => (await import('./native-deflate-decoder.js')).default,
    undefined,
    // Its work already runs off the main thread, in libuv's pool.
    false,
  );
}
