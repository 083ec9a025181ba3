// Search parameters as a user writes them (lists as strings, JSON as text, CQL2 text,
// `-field` sort keys), checked and formatted before any request into both the POST body
// and the GET query string of a STAC API item search.
import { SearchError } from '../errors/search-error.js';
import type { Geometry } from '../stac/stac-types.js';
import type { ConformanceName } from './conformance.js';
import { formatDatetime, type DatetimeInput } from './format-datetime.js';
import { parseCql2Text, type Cql2Json } from './parse-cql2-text.js';

/** One sort key: `{ field: 'properties.eo:cloud_cover', direction: 'asc' }`. */
export interface SortKey {
  field: string;
  direction: 'asc' | 'desc';
}

/** Fields extension: what to include and exclude from each returned Item. */
export interface FieldsSpec {
  include?: string[];
  exclude?: string[];
}

/** The search parameters, as in the STAC API Item Search spec and pystac-client. */
export interface SearchParameters {
  /** Collection ids: an array, or a comma-separated string. */
  collections?: string | readonly string[];
  /** Item ids: an array, or a comma-separated string. */
  ids?: string | readonly string[];
  /** `[west, south, east, north]` (or 6 numbers with heights), or `'w,s,e,n'`. Not with `intersects`. */
  bbox?: readonly number[] | string;
  /** A GeoJSON geometry or Feature (its geometry is used), or its JSON text. Not with `bbox`. */
  intersects?: Geometry | { type: 'Feature'; geometry: Geometry | null } | string;
  /** An instant, a range or a shorthand; see {@link formatDatetime}. */
  datetime?: DatetimeInput;
  /** Query extension object, e.g. `{ 'eo:cloud_cover': { lt: 10 } }`, or its JSON text. */
  query?: Record<string, unknown> | string;
  /** CQL2 filter: a CQL2-JSON object, or CQL2 text (converted to JSON for POST). */
  filter?: Record<string, unknown> | string;
  /**
   * `cql2-json` (default): the filter goes as JSON (a POST body, or JSON text over GET).
   * `cql2-text`: the filter goes as CQL2 text over GET with `filter-lang=cql2-text`.
   */
  filterLang?: 'cql2-json' | 'cql2-text';
  /** `'-properties.datetime,id'`, `['-datetime']`, or `SortKey`s. A leading `-` sorts descending. */
  sortby?: string | readonly string[] | readonly SortKey[];
  /** `'id,-geometry'`, `['-assets']`, or `{ include, exclude }`. A leading `-` excludes. */
  fields?: string | readonly string[] | FieldsSpec;
  /**
   * Page size asked of the server (the `limit` parameter). Not a cap on the total: that is
   * `maxItems`. As in pystac-client, a `limit` larger than `maxItems` is lowered to it.
   */
  limit?: number;
  /** Most Items returned in all; paging stops as soon as this many arrived. */
  maxItems?: number;
  /**
   * HTTP method of the first request. Default: POST, unless the landing page advertises
   * only GET search links (pystac-client defaults to POST too). A POST answered with 405 is
   * retried once as GET.
   */
  method?: 'GET' | 'POST';
}

/** The formatted parameters, in both the POST (JSON) and GET (query string) forms. */
export interface PreparedParameters {
  post: Record<string, unknown>;
  get: Record<string, string>;
  /** Conformance classes the parameters need. */
  needs: ConformanceName[];
  forceGet: boolean;
}

function splitList(value: string | readonly string[], name: string): string[] {
  const list = typeof value === 'string' ? value.split(',') : [...value];
  const cleaned = list
    .map((entry) => (typeof entry === 'string' ? entry.trim() : entry))
    .filter((entry) => entry !== '');
  if (cleaned.some((entry) => typeof entry !== 'string'))
    throw new SearchError(`${name}: expected strings`);
  return cleaned;
}

function parseJsonOption(value: string, name: string): unknown {
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new SearchError(`${name}: not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** Checks a `bbox` parameter (4 or 6 finite numbers, minimum ≤ maximum) and returns its numbers. */
export function formatBbox(value: readonly number[] | string): number[] {
  const numbers =
    typeof value === 'string' ? value.split(',').map((part) => Number(part.trim())) : [...value];
  if (
    (numbers.length !== 4 && numbers.length !== 6) ||
    numbers.some((number) => typeof number !== 'number' || !Number.isFinite(number))
  ) {
    throw new SearchError(
      `bbox: expected 4 numbers (west, south, east, north) or 6 with heights, got ${JSON.stringify(value)}`,
    );
  }
  const half = numbers.length / 2;
  const [west, south, east, north] = [numbers[0]!, numbers[1]!, numbers[half]!, numbers[half + 1]!];
  if (
    [west, east].some((value) => value < -180 || value > 180) ||
    [south, north].some((value) => value < -90 || value > 90)
  ) {
    throw new SearchError(
      `bbox: longitudes must lie in -180..180 and latitudes in -90..90 (degrees, west,south,east,north); got ${JSON.stringify(numbers)}`,
    );
  }
  for (let axis = 1; axis < half; axis++) {
    if (numbers[axis]! > numbers[axis + half]!) {
      throw new SearchError(
        `bbox: the minimum of axis ${axis} is larger than its maximum in ${JSON.stringify(numbers)}`,
      );
    }
  }
  return numbers;
}

function formatIntersects(value: NonNullable<SearchParameters['intersects']>): Geometry {
  const parsed = (
    typeof value === 'string' ? parseJsonOption(value, 'intersects') : value
  ) as Record<string, unknown> | null;
  const geometry =
    parsed?.type === 'Feature' ? (parsed.geometry as Record<string, unknown> | null) : parsed;
  const types = [
    'Point',
    'MultiPoint',
    'LineString',
    'MultiLineString',
    'Polygon',
    'MultiPolygon',
    'GeometryCollection',
  ];
  if (!geometry || typeof geometry !== 'object' || !types.includes(geometry.type as string)) {
    throw new SearchError(
      `intersects: expected a GeoJSON geometry or Feature with a geometry, got ${JSON.stringify(parsed?.type ?? parsed)}`,
    );
  }
  if (
    geometry.type === 'GeometryCollection'
      ? !Array.isArray(geometry.geometries)
      : !Array.isArray(geometry.coordinates)
  ) {
    throw new SearchError(`intersects: the ${String(geometry.type)} has no coordinates`);
  }
  return structuredClone(geometry) as unknown as Geometry;
}

function formatSortby(value: NonNullable<SearchParameters['sortby']>): SortKey[] {
  const entries = typeof value === 'string' ? value.split(',') : [...value];
  return entries.map((entry) => {
    if (typeof entry === 'object' && entry !== null) {
      if (
        typeof entry.field !== 'string' ||
        (entry.direction !== 'asc' && entry.direction !== 'desc')
      ) {
        throw new SearchError(
          `sortby: expected { field, direction: 'asc' | 'desc' }, got ${JSON.stringify(entry)}`,
        );
      }
      return { field: entry.field, direction: entry.direction };
    }
    const text = String(entry).trim();
    if (text.startsWith('-')) return { field: text.slice(1), direction: 'desc' };
    return { field: text.startsWith('+') ? text.slice(1) : text, direction: 'asc' };
  });
}

function formatFields(value: NonNullable<SearchParameters['fields']>): Required<FieldsSpec> {
  if (typeof value === 'object' && !Array.isArray(value)) {
    const spec = value as FieldsSpec;
    return { include: [...(spec.include ?? [])], exclude: [...(spec.exclude ?? [])] };
  }
  const include: string[] = [];
  const exclude: string[] = [];
  for (const entry of typeof value === 'string' ? value.split(',') : (value as readonly string[])) {
    const text = entry.trim();
    if (!text) continue;
    if (text.startsWith('-')) exclude.push(text.slice(1));
    else include.push(text.startsWith('+') ? text.slice(1) : text);
  }
  return { include, exclude };
}

function checkCount(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new SearchError(`${name}: expected a positive whole number, got ${value}`);
  }
}

/** Checks and formats every parameter. Throws before any request is made. */
export function prepareParameters(options: SearchParameters): PreparedParameters {
  const post: Record<string, unknown> = {};
  const get: Record<string, string> = {};
  const needs: ConformanceName[] = [];
  let forceGet = false;
  if (options.bbox !== undefined && options.intersects !== undefined) {
    throw new SearchError(
      'bbox and intersects cannot be used together; pass one of them (a STAC API refuses both)',
    );
  }
  checkCount(options.limit, 'limit');
  checkCount(options.maxItems, 'maxItems');
  let limit = options.limit;
  if (limit !== undefined && options.maxItems !== undefined)
    limit = Math.min(limit, options.maxItems);
  if (limit !== undefined) {
    post.limit = limit;
    get.limit = String(limit);
  }
  if (options.collections !== undefined) {
    const collections = splitList(options.collections, 'collections');
    post.collections = collections;
    get.collections = collections.join(',');
  }
  if (options.ids !== undefined) {
    const ids = splitList(options.ids, 'ids');
    post.ids = ids;
    get.ids = ids.join(',');
  }
  if (options.bbox !== undefined) {
    const bbox = formatBbox(options.bbox);
    post.bbox = bbox;
    get.bbox = bbox.join(',');
  }
  if (options.intersects !== undefined) {
    const geometry = formatIntersects(options.intersects);
    post.intersects = geometry;
    get.intersects = JSON.stringify(geometry);
  }
  if (options.datetime !== undefined && options.datetime !== null) {
    const datetime = formatDatetime(options.datetime);
    post.datetime = datetime;
    get.datetime = datetime;
  }
  if (options.query !== undefined) {
    const query =
      typeof options.query === 'string' ? parseJsonOption(options.query, 'query') : options.query;
    if (typeof query !== 'object' || query === null || Array.isArray(query)) {
      throw new SearchError('query: expected an object such as {"eo:cloud_cover": {"lt": 10}}');
    }
    post.query = query;
    get.query = JSON.stringify(query);
    needs.push('QUERY');
  }
  if (options.filter !== undefined) {
    let json: Cql2Json;
    let text: string | undefined;
    if (typeof options.filter === 'string') {
      text = options.filter;
      // Parsed even when sent as text, so a typo fails here and not on the server.
      json = parseCql2Text(text);
    } else if (
      typeof options.filter === 'object' &&
      options.filter !== null &&
      !Array.isArray(options.filter)
    ) {
      json = options.filter as Cql2Json;
    } else {
      throw new SearchError('filter: expected CQL2 text or a CQL2-JSON object');
    }
    if (
      options.filterLang !== undefined &&
      options.filterLang !== 'cql2-json' &&
      options.filterLang !== 'cql2-text'
    ) {
      throw new SearchError(
        `filterLang: expected 'cql2-json' or 'cql2-text', got ${JSON.stringify(options.filterLang)}`,
      );
    }
    post.filter = json;
    post['filter-lang'] = 'cql2-json';
    if (options.filterLang === 'cql2-text') {
      if (text === undefined)
        throw new SearchError(
          "filterLang 'cql2-text' needs the filter as CQL2 text, not a JSON object",
        );
      get.filter = text;
      get['filter-lang'] = 'cql2-text';
      forceGet = true;
    } else {
      get.filter = JSON.stringify(json);
      get['filter-lang'] = 'cql2-json';
    }
    needs.push('FILTER');
  }
  if (options.sortby !== undefined) {
    const sortby = formatSortby(options.sortby);
    post.sortby = sortby;
    get.sortby = sortby
      .map((key) => `${key.direction === 'desc' ? '-' : '+'}${key.field}`)
      .join(',');
    needs.push('SORT');
  }
  if (options.fields !== undefined) {
    const fields = formatFields(options.fields);
    post.fields = fields;
    get.fields = [...fields.include, ...fields.exclude.map((field) => `-${field}`)].join(',');
    needs.push('FIELDS');
  }
  if (options.method !== undefined && options.method !== 'GET' && options.method !== 'POST') {
    throw new SearchError(
      `method: expected 'GET' or 'POST', got ${JSON.stringify(options.method)}`,
    );
  }
  if (forceGet && options.method === 'POST') {
    throw new SearchError(
      "filterLang 'cql2-text' is sent over GET; leave method unset or use 'GET'",
    );
  }
  return { post, get, needs, forceGet };
}
