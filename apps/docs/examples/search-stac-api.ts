// Guide "Searching a STAC API": item search with paging, query and CQL2.
import { itemSearch, openClient, search, type ItemCollection } from '@pyramids/core';

/** Searches NAIP over a bbox, two pages of 10, stopping at 20 Items. */
export async function searchBbox(apiUrl: string): Promise<ItemCollection> {
  // #region bbox
  const items = await search(apiUrl, {
    collections: ['naip'],
    bbox: [-73.21, 43.99, -73.12, 44.05], // or intersects: a GeoJSON geometry
    limit: 10, // page size asked of the server
    maxItems: 20, // stop paging once 20 Items are in hand
  });
  // #endregion bbox
  return items;
}

/** The query extension, as pystac-client's shortcut syntax. */
export async function searchQuery(apiUrl: string): Promise<ItemCollection> {
  // #region query
  const items = await search(apiUrl, {
    collections: ['naip'],
    bbox: [-73.21, 43.99, -73.12, 44.05],
    query: '{"gsd": {"eq": 0.6}}',
  });
  // #endregion query
  return items;
}

/** CQL2-JSON against an API that does not advertise the filter class, which we add by hand. */
export async function searchCql2(apiUrl: string): Promise<ItemCollection> {
  // #region cql2
  // Earth Search implements CQL2 but does not say so: add the class (`--add-conforms-to FILTER` in the CLI).
  const client = await openClient(apiUrl, { addConformsTo: ['FILTER'] });
  const items = await search(client, {
    filter: { op: 'lte', args: [{ property: 'eo:cloud_cover' }, 40] }, // or CQL2 text: 'eo:cloud_cover <= 40'
    maxItems: 20,
  });
  // #endregion cql2
  return items;
}

/** Page by page, as the server sends them. */
export async function countPages(apiUrl: string): Promise<number[]> {
  // #region pages
  const sizes: number[] = [];
  for await (const page of itemSearch(apiUrl, {
    collections: 'naip',
    limit: 10,
    maxItems: 25,
  }).pages()) {
    sizes.push(page.features.length);
  }
  // #endregion pages
  return sizes;
}
