// Guide "stac-geoparquet": write Items, read them back, search the file as a catalog.
import { readFile } from 'node:fs/promises';
import { parseItemsText, type ItemCollection, type StacItem } from '@pyramids/core';
import { readGeoParquet, searchGeoParquet, toGeoParquet } from '@pyramids/parquet';

/** Writes `itemsFile` (JSON or NDJSON Items) to `parquetFile`, reads it back and searches it. */
export async function roundTripGeoParquet(
  itemsFile: string,
  parquetFile: string,
): Promise<{ items: StacItem[]; found: ItemCollection }> {
  // #region parquet
  const source = parseItemsText(await readFile(itemsFile, 'utf8'));
  await toGeoParquet(source, parquetFile); // opens in DuckDB, GeoPandas, rustac
  const items = await readGeoParquet(parquetFile); // the same Items back
  const found = await searchGeoParquet(parquetFile, {
    bbox: [-105.5, 40, -105, 40.5],
    datetime: '2024-01-01T00:00:00Z/2024-12-31T23:59:59Z',
    filter: 'eo:cloud_cover < 20', // CQL2 text (or JSON), evaluated on the file
    filterLang: 'cql2-text',
  });
  // #endregion parquet
  return { items, found };
}
