// @pyramids/readers-gdal: GDAL reader plugin (gdal-async), loaded lazily.
export {
  gdalReader,
  sniffGDALFormat,
  type GDALReaderOptions,
  type GDALOpenOptions,
} from './gdal-reader.js';
export { GDALUnavailableError } from './gdal-unavailable-error.js';
export type { GDALWarpOptions } from './gdal-reader-impl.js';
export { VERSION } from './version.js';
