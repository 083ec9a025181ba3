import type { CodecImplementation, StacItem } from '@pyramids/core';
import { fromGeoParquet, type FromGeoParquetOptions } from './from-geo-parquet.js';
import { toGeoParquet, type ToGeoParquetOptions } from './to-geo-parquet.js';
import { geoParquetIndex } from './geo-parquet-index.js';
import type { GeoParquetSourceOptions } from './parquet-source.js';

/** The heavy half of the codec: {@link fromGeoParquet} and {@link toGeoParquet} behind the codec interface. */
export function createGeoParquetCodecImplementation(): CodecImplementation {
  return {
    readItems: (source: string, options?: Record<string, unknown>) =>
      fromGeoParquet(source, options as FromGeoParquetOptions),
    async writeItems(
      items: AsyncIterable<StacItem> | Iterable<StacItem>,
      target: string,
      options?: Record<string, unknown>,
    ) {
      await toGeoParquet(items, target, options as ToGeoParquetOptions);
    },
    openIndex: (source: string, options?: Record<string, unknown>) =>
      geoParquetIndex(source, options as GeoParquetSourceOptions),
  };
}
