import { PLUGIN_API_VERSION, type ReaderPlugin } from '@pyramids/core';

/** Options of the GeoTIFF reader. */
export interface GeoTiffReaderOptions {
  /** Bytes per block of the header cache for HTTP reads (default 16 384); tile bytes bypass it. */
  blockSize?: number;
  /** Header blocks kept per file (default 256). */
  cacheSize?: number;
  /** Retries per request on 429/5xx/resets (default 3). */
  retries?: number;
  /** Timeout of one HTTP request in ms (default `PYRAMIDS_HTTP_TIMEOUT` seconds, else 30 000). */
  timeout?: number;
  /** First wait before a retry in ms, doubled each retry (default 250); a server's Retry-After wins. */
  backoff?: number;
}

const TIFF_MAGIC = [
  [0x49, 0x49, 0x2a, 0x00], // little-endian TIFF
  [0x4d, 0x4d, 0x00, 0x2a], // big-endian TIFF
  [0x49, 0x49, 0x2b, 0x00], // little-endian BigTIFF
  [0x4d, 0x4d, 0x00, 0x2b], // big-endian BigTIFF
];

/** The COG / GeoTIFF reader plugin (geotiff.js, pure JS). Register with `registry.use(geotiffReader())`. */
export function geotiffReader(options: GeoTiffReaderOptions = {}): ReaderPlugin {
  return {
    kind: 'reader',
    id: 'geotiff',
    apiVersion: PLUGIN_API_VERSION,
    packageName: '@pyramids/readers-geotiff',
    mediaTypes: ['image/tiff', 'image/geotiff', 'image/vnd.stac.geotiff'],
    extensions: ['.tif', '.tiff'],
    sniff: (head) => TIFF_MAGIC.some((magic) => magic.every((byte, index) => head[index] === byte)),
    load: async () => {
      const { createGeoTiffReaderImplementation } = await import('./geotiff-reader-impl.js');
      return createGeoTiffReaderImplementation(options);
    },
  } satisfies ReaderPlugin;
}
