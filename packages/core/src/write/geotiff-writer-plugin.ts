import type { WriterPlugin } from '../plugins/plugin-types.js';
import { PLUGIN_API_VERSION } from '../version.js';

/**
 * The GeoTIFF / COG writer plugin: `.tif`/`.tiff` targets (formats `gtiff`, `cog`)
 * and directory targets (one GeoTIFF per time step). Chunks are written as they
 * arrive, so memory is bounded by the chunks in flight, not by the cube. Options
 * are those of `writeGeoTiff` (tileSize, compression, predictor, overviews, bigTiff).
 * `DatasetCollection.write` uses it when no registered writer serves the target.
 */
export function geotiffWriter(): WriterPlugin {
  return {
    kind: 'writer',
    id: 'geotiff',
    apiVersion: PLUGIN_API_VERSION,
    packageName: '@pyramids/core',
    extensions: ['.tif', '.tiff'],
    formats: ['gtiff', 'geotiff', 'cog'],
    writesDirectories: true,
    load: async () => (await import('./geotiff-cube-writer.js')).geotiffCubeWriter,
  } satisfies WriterPlugin;
}
