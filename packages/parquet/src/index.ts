// @pyramids/parquet: the stac-geoparquet codec (write, read, search a file as a catalog).
export { geoparquetCodec } from './geoparquet-codec.js';
export {
  toGeoParquet,
  toGeoParquetBuffer,
  type ToGeoParquetOptions,
  type GeoParquetTarget,
  type GeoParquetSink,
  type GeoParquetWriteSummary,
} from './to-geo-parquet.js';
export {
  fromGeoParquet,
  readGeoParquet,
  readGeoParquetInfo,
  type FromGeoParquetOptions,
  type GeoParquetInfo,
} from './from-geo-parquet.js';
export {
  openHttpBuffer,
  type GeoParquetSource,
  type GeoParquetSourceOptions,
  type HttpAsyncBuffer,
  type HttpSourceStats,
} from './parquet-source.js';
export { VERSION } from './version.js';
export {
  searchGeoParquet,
  searchGeoParquetItems,
  parseInterval,
  type GeoParquetSearch,
  type GeoParquetSearchStats,
  type SearchGeoParquetOptions,
} from './search-geo-parquet.js';
export { evaluateCql2, validateCql2, type Cql2Expression } from './cql2-evaluate.js';
