// @pyramids/readers-geotiff: COG / GeoTIFF reader plugin.
export { geotiffReader, type GeoTiffReaderOptions } from './geotiff-reader.js';
export { VERSION } from './version.js';
