import { PLUGIN_API_VERSION, type CodecPlugin } from '@pyramids/core';

/**
 * The stac-geoparquet codec plugin: reads and writes Items as `.parquet`.
 * Register with `registry.use(geoparquetCodec())`; the Parquet library loads on first use.
 */
export function geoparquetCodec(): CodecPlugin {
  return {
    kind: 'codec',
    id: 'stac-geoparquet',
    apiVersion: PLUGIN_API_VERSION,
    packageName: '@pyramids/parquet',
    extensions: ['.parquet', '.geoparquet'],
    mediaTypes: ['application/vnd.apache.parquet', 'application/x-parquet'],
    load: async () => {
      const { createGeoParquetCodecImplementation } = await import('./geoparquet-codec-impl.js');
      return createGeoParquetCodecImplementation();
    },
  } satisfies CodecPlugin;
}
