// @pyramids/readers-gdal: GDAL reader plugin (gdal-async), loaded lazily.
export { gdalReader, sniffGdalFormat, type GdalReaderOptions, type GdalOpenOptions } from './gdal-reader.js';
export { GdalUnavailableError } from './gdal-unavailable-error.js';
export type { GdalWarpOptions } from './gdal-reader-impl.js';
export { VERSION } from './version.js';
