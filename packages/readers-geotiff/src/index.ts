// @pyramids/readers-geotiff: COG / GeoTIFF reader plugin.
export { geotiffReader, type GeoTIFFReaderOptions } from './geotiff-reader.js';
export { VERSION } from './version.js';
