// Cubes from an index of Items too large to load (a stac-geoparquet file of 100 000 Items):
// the grid is known up front, and each output chunk asks the index for the Items meeting
// its own lon/lat box, so only the parts of the index near the cube are ever read.
import { OptionError } from '../errors/option-error.js';
import { transformBounds, utmZoneEpsg } from '../grid/crs.js';
import { gridBounds, windowGrid, type Bounds, type Grid } from '../grid/grid.js';
import { chunkWindows } from './plan-chunk-tasks.js';
import { formatDatetime } from '../search/format-datetime.js';
import type { StacItem } from '../stac/stac-types.js';
import type { CubeOptions } from './cube-options.js';

/** What a cube asks an index for: Items meeting a lon/lat box, optionally in a time interval. */
export interface ItemIndexQuery {
  /** [west, south, east, north] in EPSG:4326. */
  bbox: Bounds;
  /** An RFC 3339 instant or interval (`start/end`, either side may be `..`), as a STAC API takes it. */
  datetime?: string;
  signal?: AbortSignal;
}

/**
 * A searchable collection of Items (`geoParquetIndex` of `@pyramids/parquet`, or a codec's
 * `openIndex`): `DatasetCollection.fromStac(index, …)` looks Items up chunk by chunk instead
 * of loading them all.
 */
export interface ItemIndex {
  readonly kind: 'pyramids.item-index';
  /** Where the Items come from, for messages (redacted by the caller when it is a URL). */
  readonly href?: string;
  /** The Items whose bbox meets `query.bbox` (and `query.datetime`), in the index's order. */
  search(query: ItemIndexQuery): AsyncIterable<StacItem>;
  /** Releases what the index holds open (a file handle); optional. */
  close?(): Promise<void>;
}

/** True for an {@link ItemIndex}. */
export function isItemIndex(value: unknown): value is ItemIndex {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Partial<ItemIndex>).kind === 'pyramids.item-index' &&
    typeof (value as Partial<ItemIndex>).search === 'function'
  );
}

/**
 * The index a path or URL names, through the registry's codec for its extension
 * (`.parquet`: `geoparquetCodec()` of `@pyramids/parquet`).
 * @throws OptionError when no registered codec opens such a file as an index.
 */
export async function openItemIndex(
  href: string,
  options: Pick<CubeOptions, 'registry' | 'signer' | 'fetch' | 'signal'>,
): Promise<ItemIndex> {
  const codec = options.registry.codecFor(href);
  const implementation = codec ? await codec.load() : undefined;
  if (!implementation?.openIndex)
    throw new OptionError(
      `cannot build a cube from ${href}: no registered codec opens it as an Item index; ` +
        'register geoparquetCodec() of @pyramids/parquet for .parquet files, or pass Items',
    );
  return implementation.openIndex(href, {
    signer: options.signer,
    fetch: options.fetch,
    signal: options.signal,
  });
}

/**
 * The target grid of a cube built from an index, which must be known before any Item is:
 * `like`, or `crs` + `resolution` with `bounds` (in the CRS) or `bbox` (lon/lat). With a
 * `bbox`, `crs: 'utm'` is the UTM zone of its centre. Returns the options to plan with.
 */
export function indexGridOptions(options: CubeOptions): CubeOptions {
  if (options.like !== undefined) return options;
  if (options.crs === undefined || options.resolution === undefined)
    throw new OptionError(
      'a cube from an Item index needs its grid up front: pass like, or crs and resolution with bounds or bbox',
    );
  if (options.bounds !== undefined) return options;
  const bbox = options.bbox;
  if (!bbox || bbox[0] > bbox[2])
    throw new OptionError(
      'a cube from an Item index needs bounds (in the CRS) or bbox (lon/lat, not across the antimeridian)',
    );
  let crs = options.crs;
  if (typeof crs === 'string' && crs.toLowerCase() === 'utm')
    crs = `EPSG:${utmZoneEpsg((bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2)}`;
  const target = typeof crs === 'number' ? `EPSG:${crs}` : crs;
  return { ...options, crs: target, bounds: transformBounds(bbox, 'EPSG:4326', target) };
}

/** How the lookups of {@link itemsFromIndex} went. */
export interface IndexLookupStats {
  /** Lookups made: one per chunk of the grid. */
  lookups: number;
  /** Items returned by all lookups, with repeats (an Item under several chunks). */
  returned: number;
  /** Distinct Items kept. */
  items: number;
}

/**
 * The Items of `index` meeting `grid`, found chunk by chunk (`chunkSize` pixels, the cube's
 * own chunks): each chunk's window becomes a lon/lat box and one query; Items found under
 * several chunks are kept once (by collection and id), in the order first found.
 */
export async function itemsFromIndex(
  index: ItemIndex,
  grid: Grid,
  chunkSize: [number, number],
  options: { datetime?: string; signal?: AbortSignal; stats?: IndexLookupStats } = {},
): Promise<StacItem[]> {
  const stats = options.stats ?? { lookups: 0, returned: 0, items: 0 };
  // Shorthands as pystac-client takes them (`2024-05`, `2024-05-06/2024-05-07`) become RFC 3339.
  const datetime = options.datetime === undefined ? undefined : formatDatetime(options.datetime);
  const found = new Map<string, StacItem>();
  for (const chunk of chunkWindows(
    { x: 0, y: 0, width: grid.width, height: grid.height },
    chunkSize,
  )) {
    options.signal?.throwIfAborted();
    const window = windowGrid(grid, chunk);
    const bbox = grid.crs
      ? transformBounds(gridBounds(window), grid.crs, 'EPSG:4326')
      : gridBounds(window);
    stats.lookups++;
    const query: ItemIndexQuery = { bbox, signal: options.signal };
    if (datetime !== undefined) query.datetime = datetime;
    for await (const item of index.search(query)) {
      stats.returned++;
      const key = `${typeof item.collection === 'string' ? item.collection : ''}/${item.id}`;
      if (!found.has(key)) found.set(key, item);
    }
  }
  stats.items = found.size;
  return [...found.values()];
}

/** What `planCube` takes for an index: an ItemIndex, or the path/URL string of one. */
export function isIndexInput(input: unknown): input is ItemIndex | string {
  return typeof input === 'string' || isItemIndex(input);
}
