// The public functions, each loading its implementation (and the Parquet library)
// on first call, so `import '@pyramids/parquet'` stays cheap.
import type { ItemCollection, StacItem } from '@pyramids/core';
import type { FromGeoParquetOptions, GeoParquetInfo } from './from-geo-parquet.js';
import type {
  GeoParquetSource,
  GeoParquetSourceOptions,
  HttpAsyncBuffer,
} from './parquet-source.js';
import type { GeoParquetSearch, SearchGeoParquetOptions } from './search-geo-parquet.js';
import type {
  GeoParquetTarget,
  GeoParquetWriteSummary,
  ToGeoParquetOptions,
} from './to-geo-parquet.js';

/**
 * Writes STAC Items as stac-geoparquet (GeoParquet 1.1) to a path or a sink, one
 * row group at a time. A path is written under a temporary name and renamed when
 * done, so a failure leaves no partial file. Throws WriteError.
 */
export async function toGeoParquet(
  items: AsyncIterable<unknown> | Iterable<unknown>,
  target: GeoParquetTarget,
  options?: ToGeoParquetOptions,
): Promise<GeoParquetWriteSummary> {
  return (await import('./to-geo-parquet.js')).toGeoParquet(items, target, options);
}

/** Writes STAC Items into an in-memory stac-geoparquet file. */
export async function toGeoParquetBuffer(
  items: AsyncIterable<unknown> | Iterable<unknown>,
  options?: ToGeoParquetOptions,
): Promise<Uint8Array> {
  return (await import('./to-geo-parquet.js')).toGeoParquetBuffer(items, options);
}

/**
 * Reads the Items of a stac-geoparquet file (ours, Python's, rustac's, or the
 * single-JSON-column layout), one row group at a time. Remote files are read with
 * byte ranges: only the footer and the column chunks asked for. Throws ReadError.
 */
export async function* fromGeoParquet(
  source: GeoParquetSource,
  options?: FromGeoParquetOptions,
): AsyncGenerator<StacItem> {
  yield* (await import('./from-geo-parquet.js')).fromGeoParquet(source, options);
}

/** Reads every Item of a stac-geoparquet file into an array. */
export async function readGeoParquet(
  source: GeoParquetSource,
  options?: FromGeoParquetOptions,
): Promise<StacItem[]> {
  return (await import('./from-geo-parquet.js')).readGeoParquet(source, options);
}

/** Reads what a file says about itself: rows, row groups, columns, layout, `geo` and `stac-geoparquet` metadata. */
export async function readGeoParquetInfo(
  source: GeoParquetSource,
  options?: GeoParquetSourceOptions,
): Promise<GeoParquetInfo> {
  return (await import('./from-geo-parquet.js')).readGeoParquetInfo(source, options);
}

/**
 * Searches a stac-geoparquet file like a STAC API item search (bbox or intersects,
 * datetime, collections, ids, CQL2-JSON filter, maxItems), skipping row groups by
 * the bbox covering statistics. Returns an ItemCollection. Throws OptionError for
 * bad parameters, ReadError for unreadable files.
 */
export async function searchGeoParquet(
  source: GeoParquetSource,
  search?: GeoParquetSearch,
  options?: SearchGeoParquetOptions,
): Promise<ItemCollection> {
  return (await import('./search-geo-parquet.js')).searchGeoParquet(source, search, options);
}

/** Like {@link searchGeoParquet}, yielding matching Items as row groups are read. */
export async function* searchGeoParquetItems(
  source: GeoParquetSource,
  search?: GeoParquetSearch,
  options?: SearchGeoParquetOptions,
): AsyncGenerator<StacItem> {
  yield* (await import('./search-geo-parquet.js')).searchGeoParquetItems(source, search, options);
}

/** Opens an HTTP(S) file as an AsyncBuffer over Range requests (with request and byte counters). */
export async function openHttpBuffer(
  url: string,
  options?: GeoParquetSourceOptions,
): Promise<HttpAsyncBuffer> {
  return (await import('./parquet-source.js')).openHttpBuffer(url, options);
}
