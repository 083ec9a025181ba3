import { createRegistry, vrtReader, type Registry } from '@pyramids/core';
import { gdalReader } from '@pyramids/readers-gdal';
import { geotiffReader } from '@pyramids/readers-geotiff';

/**
 * The plugins the CLI ships with, registered on a fresh registry. GeoTIFF goes to the
 * pure-JS reader; JPEG 2000, NetCDF, GRIB, Zarr, HDF5 and VRT to GDAL (loaded only
 * when such a file is opened); the JS VRT reader serves VRTs when GDAL is not installed.
 */
export function createDefaultRegistry(): Registry {
  const registry = createRegistry().use(geotiffReader());
  registry.use(vrtReader({ registry }));
  return registry.use(gdalReader());
}
