// @pyramids/parquet: the stac-geoparquet codec (write, read, search a file as a catalog).
// The Parquet library loads on the first call of any function, not on import.
export { geoparquetCodec } from './geoparquet-codec.js';
export {
  toGeoParquet,
  toGeoParquetBuffer,
  fromGeoParquet,
  readGeoParquet,
  readGeoParquetInfo,
  searchGeoParquet,
  searchGeoParquetItems,
  openHttpBuffer,
} from './geoparquet-functions.js';
export type {
  ToGeoParquetOptions,
  GeoParquetTarget,
  GeoParquetSink,
  GeoParquetWriteSummary,
} from './to-geo-parquet.js';
export type { FromGeoParquetOptions, GeoParquetInfo } from './from-geo-parquet.js';
export type {
  GeoParquetSource,
  GeoParquetSourceOptions,
  HttpAsyncBuffer,
  HttpSourceStats,
} from './parquet-source.js';
export type {
  GeoParquetSearch,
  GeoParquetSearchStats,
  SearchGeoParquetOptions,
} from './search-geo-parquet.js';
export {
  geoParquetIndex,
  type GeoParquetIndex,
  type GeoParquetIndexOptions,
} from './geo-parquet-index.js';
export { evaluateCql2, validateCql2, type Cql2Expression } from './cql2-evaluate.js';
export { VERSION } from './version.js';
