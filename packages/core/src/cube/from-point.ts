// `DatasetCollection.fromPoint`: the AOI around a point (local UTM zone, snapped centre,
// edgeSize × edgeSize pixels), an item search over its lon/lat bbox, and `fromStac` on
// exactly that grid.
import { SearchError } from '../errors/search-error.js';
import { OptionError } from '../errors/option-error.js';
import { search } from '../search/item-search.js';
import {
  PLANETARY_COMPUTER_STAC_URL,
  pointAoi,
  pointSearchOptions,
  type PointAoi,
  type PointAoiOptions,
  type PointSearchOptions,
} from '../search/point-aoi.js';
import type { StacApiClient } from '../search/stac-api-client.js';
import { redactHref } from '../signers/redact.js';
import type { CubeOptions } from './cube-options.js';
import type { DatasetCollection } from './dataset-collection.js';

/**
 * Options of `DatasetCollection.fromPoint`: the point and AOI, what to search, and every
 * `fromStac` option except those that choose the grid (the AOI does) and `asset` (`bands` does).
 * `groupby` defaults to `solar_day` here; `maxItems` also caps the search.
 */
export interface FromPointOptions
  extends
    PointAoiOptions,
    PointSearchOptions,
    Omit<CubeOptions, 'asset' | 'like' | 'crs' | 'resolution' | 'bounds' | 'bbox'> {
  /** Asset keys stacked on the band axis, e.g. `['B04', 'B03', 'B02']` (or `'B04,B03,B02'`). */
  bands: string | readonly string[];
  /** STAC API to search: a URL or an opened client (default: the Planetary Computer STAC API). */
  stac?: string | StacApiClient;
  /** Page size asked of the STAC API (the `limit` parameter). */
  limit?: number;
  /** Extra headers on every STAC API request. */
  headers?: Record<string, string>;
  /** Total time for one STAC API request in ms, retries included. */
  timeout?: number;
}

/** The bands as a list of asset keys; OptionError when there is none. */
function bandList(bands: FromPointOptions['bands']): string[] {
  const list = (
    typeof bands === 'string' ? bands.split(',') : Array.isArray(bands) ? [...bands] : []
  )
    .map((band) => (typeof band === 'string' ? band.trim() : ''))
    .filter((band) => band !== '');
  if (list.length === 0)
    throw new OptionError(
      `bands must name at least one asset key, e.g. ['B04', 'B03', 'B02']; got ${JSON.stringify(bands)}`,
    );
  return list;
}

/**
 * Builds the cube around a point: see `DatasetCollection.fromPoint`. Returns the cube and
 * the AOI it was built on.
 * @throws OptionError for a bad point, size, resolution or band list; SearchError when the
 * search fails or finds no Item; whatever `fromStac` throws.
 */
export async function cubeFromPoint(
  fromStac: (items: unknown[], options: CubeOptions) => Promise<DatasetCollection>,
  options: FromPointOptions,
): Promise<{ cube: DatasetCollection; aoi: PointAoi }> {
  if (!options || typeof options !== 'object')
    throw new OptionError(
      'fromPoint needs options: { lat, lon, collection, bands, edgeSize, resolution, registry }',
    );
  const {
    lat,
    lon,
    edgeSize,
    resolution,
    units,
    collection,
    startDate,
    endDate,
    query,
    bands,
    stac,
    limit,
    headers,
    timeout,
    ...cubeOptions
  } = options;
  if (typeof collection !== 'string' || collection === '')
    throw new OptionError(
      `collection must be a collection id such as 'sentinel-2-l2a'; got ${JSON.stringify(collection)}`,
    );
  const assets = bandList(bands);
  const aoi = pointAoi({ lat, lon, edgeSize, resolution, units: units || undefined });
  const endpoint = stac ?? PLANETARY_COMPUTER_STAC_URL;
  const found = await search(endpoint, {
    ...pointSearchOptions(aoi, {
      collection,
      startDate: startDate ?? undefined,
      endDate: endDate ?? undefined,
      query: query || undefined,
    }),
    maxItems: cubeOptions.maxItems,
    limit,
    headers: headers || undefined,
    timeout,
    signer: cubeOptions.signer,
    registry: cubeOptions.registry,
    signal: cubeOptions.signal,
  });
  if (found.features.length === 0) {
    const url = typeof endpoint === 'string' ? endpoint : endpoint.url;
    const dates =
      startDate == null && endDate == null
        ? 'any date'
        : `${describeDate(startDate)} to ${describeDate(endDate)}`;
    throw new SearchError(
      `no items found in collection '${collection}' from ${dates} within bbox [${aoi.bbox.map((value) => value.toFixed(6)).join(', ')}] at ${redactHref(url)}; ` +
        'check the collection id, widen the dates, or relax the query',
      {
        details: {
          collection,
          startDate: describeDate(startDate),
          endDate: describeDate(endDate),
          bbox: aoi.bbox,
        },
      },
    );
  }
  // The AOI grid is passed whole (not as crs + resolution + bounds, which fromStac snaps to
  // the resolution and would widen an odd edgeSize by a pixel): the cube is exactly size × size.
  // Tiles of one overpass that share the small AOI fuse into one time step, as odc-stac's
  // groupby='solar_day' does; a caller's groupby wins.
  const cube = await fromStac(found.features, {
    groupby: 'solar_day',
    ...cubeOptions,
    asset: assets,
    like: aoi.grid,
  });
  return { cube, aoi };
}

function describeDate(value: PointSearchOptions['startDate']): string {
  if (value == null) return '..';
  return value instanceof Date ? value.toISOString() : String(value);
}
