import {
  createRegistry,
  geotiffWriter,
  vrtReader,
  zarrWriter,
  type Registry,
} from '@pyramids/core';
import { geoparquetCodec } from '@pyramids/parquet';
import { gdalReader } from '@pyramids/readers-gdal';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { loadedPlugins } from './plugin-option.js';

/**
 * The plugins the CLI ships with, registered on a fresh registry. GeoTIFF goes to the
 * pure-JS reader; JPEG 2000, NetCDF, GRIB, Zarr and HDF5 to GDAL (loaded only when such
 * a file is opened). VRTs go to the JS VRT reader, so a mosaic reads without GDAL;
 * VRTs only GDAL can read (warped, derived) are handed to GDAL. Cubes are written as
 * GeoTIFF (`.tif`, directories) or Zarr v3 (`.zarr`). Plugins loaded with
 * `--plugin` come last, so their readers win ties and their signers sign the hosts they match.
 */
export function createDefaultRegistry(): Registry {
  const registry = createRegistry()
    .use(geotiffReader())
    .use(geoparquetCodec())
    .use(geotiffWriter())
    .use(zarrWriter());
  const gdal = gdalReader();
  registry.use(gdal);
  registry.use(vrtReader({ registry, fallback: gdal }));
  for (const plugin of loadedPlugins()) registry.use(plugin);
  return registry;
}
