import type { WriterPlugin } from '../plugins/plugin-types.js';
import { PLUGIN_API_VERSION } from '../version.js';

/**
 * The Zarr v3 writer plugin: `.zarr` targets (format `zarr`). Writes the cube as
 * xarray and rioxarray read it: `band_data` with dims (time, band, y, x), one Zarr
 * chunk per cube chunk (gzip, written in parallel as chunks arrive), coordinates
 * `time`, `band`, `y`, `x` and a `spatial_ref` grid mapping (`crs_wkt`,
 * `GeoTransform`). Options: `compression` (`gzip` | `none`), `compressionLevel`.
 * Register it with `registry.use(zarrWriter())`; Node only.
 */
export function zarrWriter(): WriterPlugin {
  return {
    kind: 'writer',
    id: 'zarr',
    apiVersion: PLUGIN_API_VERSION,
    packageName: '@pyramids/core',
    extensions: ['.zarr'],
    formats: ['zarr', 'zarr3'],
    load: async () => (await import('./zarr-cube-writer.js')).zarrCubeWriter,
  } satisfies WriterPlugin;
}
