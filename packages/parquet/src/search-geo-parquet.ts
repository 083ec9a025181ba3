// Searches a stac-geoparquet file as if it were a STAC API: bbox/intersects,
// datetime, collections, ids and a CQL2 filter. Row groups whose bbox covering
// statistics (or datetime statistics) cannot match are skipped without reading
// them; the rest are read in two steps, the filter columns first, then the full
// rows of the matches only.
// Kept in one file: pruning, the two-step read and the filter share one reader's state.
import {
  OptionError,
  parseCql2Text,
  SearchError,
  type Geometry,
  type ItemCollection,
  type StacItem,
} from '@pyramids/core';
import type { ColumnChunk, FileMetaData, RowGroup } from 'hyparquet';
import {
  closeParquetSource,
  type GeoParquetSource,
  type GeoParquetSourceOptions,
} from './parquet-source.js';
import {
  openGeoParquet,
  readColumnsFor,
  readRows,
  rowToItem,
  type OpenedGeoParquet,
} from './from-geo-parquet.js';
import { evaluateCql2, validateCql2 } from './cql2-evaluate.js';
import { geometriesIntersect, geometryBounds, type Bounds } from './geometry-bounds.js';
import { parseTimestampMicros } from './timestamps.js';

/** The search parameters, as a STAC API item search takes them. */
export interface GeoParquetSearch {
  /** [west, south, east, north] or the 6-number 3-D form; exclusive with `intersects`. */
  bbox?: number[];
  /** A GeoJSON geometry the Items must intersect; exclusive with `bbox`. */
  intersects?: Geometry;
  /** An RFC 3339 instant or interval (`start/end`, either side may be `..`). */
  datetime?: string;
  collections?: string[];
  ids?: string[];
  /** A CQL2 filter: CQL2-JSON (object or its JSON text) or CQL2 text. */
  filter?: unknown;
  /** `cql2-json` or `cql2-text`; guessed from the filter when omitted (text unless it starts with `{`). */
  filterLang?: 'cql2-json' | 'cql2-text';
  /** Stop after this many Items. */
  maxItems?: number;
}

/** What the last search did, for callers that want to see how much was skipped. */
export interface GeoParquetSearchStats {
  rowGroups: number;
  rowGroupsSkipped: number;
  rowsScanned: number;
  matched: number;
}

/** Options of {@link searchGeoParquet}: how to reach the file, and a place for statistics. */
export interface SearchGeoParquetOptions extends GeoParquetSourceOptions {
  /** Filled in as the search runs. */
  stats?: GeoParquetSearchStats;
}

/** Searches a stac-geoparquet file and returns the matching Items as an ItemCollection. */
export async function searchGeoParquet(
  source: GeoParquetSource,
  search: GeoParquetSearch = {},
  options: SearchGeoParquetOptions = {},
): Promise<ItemCollection> {
  const features: StacItem[] = [];
  for await (const item of searchGeoParquetItems(source, search, options)) features.push(item);
  return { type: 'FeatureCollection', features, numberReturned: features.length };
}

/** Searches a stac-geoparquet file, yielding matching Items as row groups are read. */
export async function* searchGeoParquetItems(
  source: GeoParquetSource,
  search: GeoParquetSearch = {},
  options: SearchGeoParquetOptions = {},
): AsyncGenerator<StacItem> {
  compileSearch(search); // bad parameters fail before the file is opened
  if ((search.maxItems ?? Infinity) <= 0) return;
  const opened = await openGeoParquet(source, options);
  try {
    yield* searchOpenedGeoParquet(opened, search, options);
  } finally {
    await closeParquetSource(opened.file);
  }
}

/**
 * Searches a file already opened (`openGeoParquet`), leaving it open: an index searched
 * many times (once per cube chunk) reads its footer once.
 */
export async function* searchOpenedGeoParquet(
  opened: OpenedGeoParquet,
  search: GeoParquetSearch,
  options: { stats?: GeoParquetSearchStats; signal?: AbortSignal } = {},
): AsyncGenerator<StacItem> {
  const matcher = compileSearch(search);
  const stats = options.stats ?? { rowGroups: 0, rowGroupsSkipped: 0, rowsScanned: 0, matched: 0 };
  Object.assign(stats, { rowGroups: 0, rowGroupsSkipped: 0, rowsScanned: 0, matched: 0 });
  let remaining = search.maxItems ?? Infinity;
  if (remaining <= 0) return;
  const filterColumns =
    opened.info.layout === 'json'
      ? readColumnsFor(opened.info, undefined)
      : columnsFor(opened, matcher.properties);
  for (const group of opened.info.rowGroups) {
    stats.rowGroups++;
    if (!groupMayMatch(opened, opened.metadata.row_groups[group.index]!, matcher)) {
      stats.rowGroupsSkipped++;
      continue;
    }
    const rowEnd = group.rowStart + group.rows;
    const candidates = await readRows(opened, {
      columns: filterColumns,
      rowStart: group.rowStart,
      rowEnd,
      signal: options.signal,
    });
    stats.rowsScanned += candidates.length;
    const matches: number[] = [];
    candidates.forEach((row, index) => {
      if (matcher.test(rowToItem(row, opened.info, opened.label, false))) matches.push(index);
    });
    if (matches.length === 0) continue;
    const wanted = matches.slice(0, Math.min(matches.length, remaining));
    const first = group.rowStart + wanted[0]!;
    const last = group.rowStart + wanted.at(-1)!;
    // Full rows only for the span of the matches.
    const rows =
      opened.info.layout === 'json'
        ? candidates.slice(wanted[0]!, wanted.at(-1)! + 1)
        : await readRows(opened, { rowStart: first, rowEnd: last + 1, signal: options.signal });
    for (const index of wanted) {
      stats.matched++;
      remaining--;
      yield rowToItem(rows[index - wanted[0]!]!, opened.info, opened.label);
    }
    if (remaining <= 0) return;
  }
}

interface CompiledSearch {
  test(item: StacItem): boolean;
  /** Item fields the test reads (top-level names or property names). */
  properties: Set<string>;
  bounds: Bounds | undefined;
  interval: [bigint, bigint] | undefined;
}

function compileSearch(search: GeoParquetSearch): CompiledSearch {
  if (search.bbox && search.intersects)
    throw new OptionError('bbox and intersects cannot both be given; pass one of them');
  const properties = new Set<string>(['id']);
  const tests: ((item: StacItem) => boolean)[] = [];
  let bounds: Bounds | undefined;
  if (search.bbox) {
    const bbox = search.bbox;
    if (
      !(bbox.length === 4 || bbox.length === 6) ||
      bbox.some((value) => typeof value !== 'number' || Number.isNaN(value))
    ) {
      throw new OptionError(
        `bbox must be 4 or 6 numbers (west, south, east, north), got ${JSON.stringify(bbox)}`,
      );
    }
    bounds =
      bbox.length === 6
        ? [bbox[0]!, bbox[1]!, bbox[3]!, bbox[4]!]
        : [bbox[0]!, bbox[1]!, bbox[2]!, bbox[3]!];
    const query = bounds;
    properties.add('bbox').add('geometry');
    if (query[0] > query[2]) {
      // Crosses the antimeridian: two boxes.
      const west: Bounds = [query[0], query[1], 180, query[3]];
      const east: Bounds = [-180, query[1], query[2], query[3]];
      tests.push((item) => [west, east].some((box) => boundsIntersect(itemBounds(item), box)));
      bounds = undefined;
    } else tests.push((item) => boundsIntersect(itemBounds(item), query));
  }
  if (search.intersects) {
    const geometry = search.intersects;
    if (!geometry || typeof geometry.type !== 'string')
      throw new OptionError('intersects must be a GeoJSON geometry');
    bounds = geometryBounds(geometry);
    properties.add('geometry').add('bbox');
    tests.push(
      (item) =>
        item.geometry !== null &&
        item.geometry !== undefined &&
        geometriesIntersect(item.geometry, geometry),
    );
  }
  let interval: [bigint, bigint] | undefined;
  if (search.datetime !== undefined) {
    interval = parseInterval(search.datetime);
    const query = interval;
    properties.add('datetime').add('start_datetime').add('end_datetime');
    tests.push((item) => {
      const own = itemInterval(item);
      return own !== undefined && own[0] <= query[1] && own[1] >= query[0];
    });
  }
  if (search.collections?.length) {
    const wanted = new Set(search.collections);
    properties.add('collection');
    tests.push((item) => typeof item.collection === 'string' && wanted.has(item.collection));
  }
  if (search.ids?.length) {
    const wanted = new Set(search.ids);
    tests.push((item) => wanted.has(item.id));
  }
  if (search.filter !== undefined && search.filter !== null) {
    let filter: unknown = search.filter;
    const isText =
      search.filterLang === 'cql2-text' ||
      (typeof filter === 'string' && !filter.trim().startsWith('{'));
    if (isText) {
      if (typeof filter !== 'string')
        throw new OptionError('filterLang cql2-text needs the filter as a string');
      // Core's CQL2 text parser, the one the STAC API client uses.
      try {
        filter = parseCql2Text(filter);
      } catch (error) {
        if (SearchError.isInstance(error)) throw new OptionError(error.message, { cause: error });
        throw error;
      }
    } else if (typeof filter === 'string') {
      try {
        filter = JSON.parse(filter) as unknown;
      } catch (error) {
        throw new OptionError(`the filter is not valid JSON: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    validateCql2(filter);
    collectProperties(filter, properties);
    const expression = filter;
    tests.push((item) => evaluateCql2(expression, item));
  }
  if (
    search.maxItems !== undefined &&
    (!Number.isInteger(search.maxItems) || search.maxItems < 0)
  ) {
    throw new OptionError(
      `maxItems must be a non-negative integer, got ${String(search.maxItems)}`,
    );
  }
  return { test: (item) => tests.every((test) => test(item)), properties, bounds, interval };
}

function collectProperties(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) node.forEach((entry) => collectProperties(entry, into));
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record['property'] === 'string') {
      const name = record['property'].replace(/^properties\./, '');
      into.add(name);
      if (name === 'datetime') into.add('start_datetime').add('end_datetime');
    }
    for (const value of Object.values(record)) collectProperties(value, into);
  }
}

function columnsFor(opened: OpenedGeoParquet, properties: Set<string>): string[] {
  const wanted = new Set(['id', ...properties]);
  return opened.info.columns.filter((name) => wanted.has(name));
}

function itemBounds(item: StacItem): Bounds | undefined {
  const bbox = item.bbox;
  if (bbox?.length === 6) return [bbox[0]!, bbox[1]!, bbox[3]!, bbox[4]!];
  if (bbox?.length === 4) return bbox as Bounds;
  return item.geometry ? geometryBounds(item.geometry) : undefined;
}

function boundsIntersect(a: Bounds | undefined, b: Bounds): boolean {
  return !!a && a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];
}

const OPEN_START = -(2n ** 62n);
const OPEN_END = 2n ** 62n;

/** Parses a STAC API datetime parameter into [start, end] microseconds (inclusive). */
export function parseInterval(text: string): [bigint, bigint] {
  const parse = (part: string, open: bigint): bigint => {
    if (part === '' || part === '..') return open;
    const micros = parseTimestampMicros(part);
    if (micros === undefined) {
      throw new OptionError(
        `datetime '${text}' is not an RFC 3339 instant or interval; expected e.g. 2024-01-01T00:00:00Z/2024-02-01T00:00:00Z or ../2024-02-01T00:00:00Z`,
      );
    }
    return micros;
  };
  const parts = text.split('/');
  if (parts.length === 1) {
    const instant = parse(parts[0]!, 0n);
    return [instant, instant];
  }
  if (parts.length !== 2 || (parts[0] === '..' && parts[1] === '..')) {
    throw new OptionError(
      `datetime '${text}' is not a valid interval; give start/end with at most one open side (..)`,
    );
  }
  const interval: [bigint, bigint] = [parse(parts[0]!, OPEN_START), parse(parts[1]!, OPEN_END)];
  if (interval[0] > interval[1]) throw new OptionError(`datetime '${text}' ends before it starts`);
  return interval;
}

function itemInterval(item: StacItem): [bigint, bigint] | undefined {
  const read = (key: string) => {
    const value = item.properties[key];
    return typeof value === 'string' ? parseTimestampMicros(value) : undefined;
  };
  const datetime = read('datetime');
  if (datetime !== undefined) return [datetime, datetime];
  const start = read('start_datetime');
  const end = read('end_datetime');
  if (start === undefined && end === undefined) return undefined;
  return [start ?? OPEN_START, end ?? OPEN_END];
}

/** False only when the row group's statistics prove that no row can match. */
function groupMayMatch(
  opened: OpenedGeoParquet,
  group: RowGroup,
  matcher: CompiledSearch,
): boolean {
  if (matcher.bounds) {
    const paths = coveringPaths(opened);
    if (paths) {
      const xmin = columnStats(group, paths.xmin);
      const ymin = columnStats(group, paths.ymin);
      const xmax = columnStats(group, paths.xmax);
      const ymax = columnStats(group, paths.ymax);
      const [west, south, east, north] = matcher.bounds;
      if (xmin && typeof xmin.min === 'number' && xmin.min > east) return false;
      if (ymin && typeof ymin.min === 'number' && ymin.min > north) return false;
      if (xmax && typeof xmax.max === 'number' && xmax.max < west) return false;
      if (ymax && typeof ymax.max === 'number' && ymax.max < south) return false;
    }
  }
  if (matcher.interval && !opened.info.columns.includes('start_datetime')) {
    const stats = columnStats(group, ['datetime']);
    const unit = timestampUnit(opened.metadata, 'datetime');
    if (stats && unit && stats.nullCount === 0) {
      const min = toMicros(stats.min, unit);
      const max = toMicros(stats.max, unit);
      if (min !== undefined && min > matcher.interval[1]) return false;
      if (max !== undefined && max < matcher.interval[0]) return false;
    }
  }
  return true;
}

function coveringPaths(
  opened: OpenedGeoParquet,
): Record<'xmin' | 'ymin' | 'xmax' | 'ymax', string[]> | undefined {
  const geo = opened.info.geo as
    | {
        primary_column?: string;
        columns?: Record<string, { covering?: { bbox?: Record<string, string[]> } }>;
      }
    | undefined;
  const covering = geo?.columns?.[geo.primary_column ?? 'geometry']?.covering?.bbox;
  if (covering?.['xmin'] && covering['ymin'] && covering['xmax'] && covering['ymax']) {
    return {
      xmin: covering['xmin'],
      ymin: covering['ymin'],
      xmax: covering['xmax'],
      ymax: covering['ymax'],
    };
  }
  // Files written before GeoParquet 1.1 coverings still have the bbox struct.
  const hasStruct = opened.metadata.schema.some((element) => element.name === 'xmin');
  if (opened.info.columns.includes('bbox') && hasStruct) {
    return {
      xmin: ['bbox', 'xmin'],
      ymin: ['bbox', 'ymin'],
      xmax: ['bbox', 'xmax'],
      ymax: ['bbox', 'ymax'],
    };
  }
  return undefined;
}

function columnStats(
  group: RowGroup,
  path: string[],
): { min: unknown; max: unknown; nullCount: number | undefined } | undefined {
  const chunk = group.columns.find(
    (column: ColumnChunk) =>
      column.meta_data?.path_in_schema.join('\u0000') === path.join('\u0000'),
  );
  const statistics = chunk?.meta_data?.statistics;
  if (!statistics) return undefined;
  const nullCount = statistics.null_count === undefined ? undefined : Number(statistics.null_count);
  return {
    min: statistics.min_value ?? statistics.min,
    max: statistics.max_value ?? statistics.max,
    nullCount,
  };
}

function timestampUnit(
  metadata: FileMetaData,
  name: string,
): 'MILLIS' | 'MICROS' | 'NANOS' | undefined {
  const element = metadata.schema.find((entry) => entry.name === name && entry.type === 'INT64');
  const logical = element?.logical_type as { type?: string; unit?: string } | undefined;
  if (logical?.type === 'TIMESTAMP') return logical.unit as 'MILLIS' | 'MICROS' | 'NANOS';
  if (element?.converted_type === 'TIMESTAMP_MILLIS') return 'MILLIS';
  if (element?.converted_type === 'TIMESTAMP_MICROS') return 'MICROS';
  return undefined;
}

function toMicros(value: unknown, unit: 'MILLIS' | 'MICROS' | 'NANOS'): bigint | undefined {
  if (value instanceof Date) return BigInt(value.getTime()) * 1000n;
  if (typeof value === 'bigint' || typeof value === 'number') {
    const raw = BigInt(value);
    return unit === 'MILLIS' ? raw * 1000n : unit === 'NANOS' ? raw / 1000n : raw;
  }
  return undefined;
}
