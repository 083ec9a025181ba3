import { createRegistry, type Registry } from '@pyramids/core';
import { geoparquetCodec } from '@pyramids/parquet';
import { geotiffReader } from '@pyramids/readers-geotiff';

/** The plugins the CLI ships with, registered on a fresh registry. */
export function createDefaultRegistry(): Registry {
  return createRegistry().use(geotiffReader()).use(geoparquetCodec());
}
