// STAC API item search: parameters checked and formatted before any request, POST by
// default with a GET fallback, `next`-link paging in both styles, `maxItems` that never
// fetches a page too many, the next page fetched while the current one is consumed.
import { SearchError } from '../errors/search-error.js';
import { redactHref } from '../signers/redact.js';
import type { Registry } from '../plugins/registry.js';
import { routingSigner } from '../signers/routing-signer.js';
import type { Signer } from '../signers/signer.js';
import type { Geometry, ItemCollection, StacItem, StacLink } from '../stac/stac-types.js';
import type { ConformanceName } from './conformance.js';
import { formatDatetime, type DatetimeInput } from './format-datetime.js';
import { parseCql2Text, type Cql2Json } from './parse-cql2-text.js';
import { requestJson, type TransportOptions } from './request-json.js';
import {
  openClient,
  type OpenClientOptions,
  type SearchEndpoint,
  type StacApiClient,
} from './stac-api-client.js';

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

/** Options of {@link itemSearch} and {@link search}. */
export interface SearchOptions extends SearchParameters, OpenClientOptions {
  /** Signs every request (`signRequest`) and every returned Item (`signItem`); overrides `registry`'s signers. */
  signer?: Signer;
  /** A registry whose signers sign the search when no `signer` is given: each URL by the first that matches it. */
  registry?: Registry;
  /** Cancels the search. */
  signal?: AbortSignal;
}

/** A page of results: the server's ItemCollection with its (signed) Items. */
export type SearchPage = ItemCollection & { numberMatched?: number; numberReturned?: number };

interface PageRequest {
  url: string;
  method: 'GET' | 'POST';
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** GET form of a first POST request, sent if the server answers 405. */
  fallbackUrl?: string;
}

/** The formatted parameters, in both the POST (JSON) and GET (query string) forms. */
interface PreparedParameters {
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
function prepareParameters(options: SearchParameters): PreparedParameters {
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

const CONFORMANCE_LABELS: Record<string, string> = {
  FILTER: 'Filter (item-search#filter): the CQL2 filter',
  QUERY: 'Query (item-search#query): query',
  SORT: 'Sort (item-search#sort): sortby',
  FIELDS: 'Fields (item-search#fields): fields',
};

function withQuery(url: string, parameters: Record<string, string>): string {
  const target = new URL(url);
  for (const [key, value] of Object.entries(parameters)) target.searchParams.set(key, value);
  return target.toString();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A prepared item search. Nothing is sent until `pages()`, `items()`, `matched()` or
 * `itemCollection()` is called; each call runs the search again from the first page.
 */
export class ItemSearch {
  private readonly parameters: PreparedParameters;
  private readonly options: SearchOptions;
  private readonly source: string | StacApiClient;
  private readonly endpoint: SearchEndpoint | undefined;
  private clientPromise: Promise<StacApiClient> | undefined;

  /**
   * Checks every parameter now: bad input throws before any request. `endpoint` replaces
   * the API's `/search` (e.g. a collection's `/items`, see `StacApiClient.getItems`).
   */
  constructor(
    source: string | StacApiClient,
    options: SearchOptions = {},
    endpoint?: SearchEndpoint,
  ) {
    this.source = source;
    this.options = options;
    this.parameters = prepareParameters(options);
    this.endpoint = endpoint;
  }

  /** The POST body of the first request (a copy). */
  get body(): Record<string, unknown> {
    return structuredClone(this.parameters.post);
  }

  /** The query parameters of the first request when sent by GET (a copy). */
  get queryParameters(): Record<string, string> {
    return { ...this.parameters.get };
  }

  private client(): Promise<StacApiClient> {
    if (!this.clientPromise) {
      if (typeof this.source === 'string') {
        const { headers, timeout, retries, backoff, fetch, signal, addConformsTo } = this.options;
        const signer = this.ownSigner();
        this.clientPromise = openClient(this.source, {
          signer,
          headers,
          timeout,
          retries,
          backoff,
          fetch,
          signal,
          addConformsTo,
        });
      } else {
        this.clientPromise = Promise.resolve(this.source);
      }
      this.clientPromise.catch(() => undefined);
    }
    return this.clientPromise;
  }

  /** The `signer` option, else the registry's signers as one. */
  private ownSigner(): Signer | undefined {
    const { signer, registry } = this.options;
    return (
      signer ??
      (registry && registry.signers.length > 0 ? routingSigner(registry.signers) : undefined)
    );
  }

  private transport(client: StacApiClient, signal?: AbortSignal): TransportOptions {
    const signer = this.ownSigner() ?? client.transport.signer;
    return { ...client.transport, ...(signer ? { signer } : {}), ...(signal ? { signal } : {}) };
  }

  /** The first request, after checking that the API supports every parameter given. */
  private async firstRequest(
    client: StacApiClient,
    overrides: Record<string, unknown> = {},
  ): Promise<PageRequest> {
    const endpoint = this.endpoint ?? client.searchEndpoint();
    for (const name of this.parameters.needs) {
      if (!client.conformsToClass(name)) {
        throw new SearchError(
          `${redactHref(client.url)} does not advertise the STAC API ${CONFORMANCE_LABELS[name]} would be ignored or refused. ` +
            `If you know the server supports it, pass addConformsTo: ['${name}'] (CLI: --add-conforms-to ${name})`,
          { details: { url: redactHref(client.url), conformanceClass: name } },
        );
      }
    }
    const onlyGet = endpoint.methods.length > 0 && !endpoint.methods.includes('POST');
    const method = this.options.method ?? (this.parameters.forceGet || onlyGet ? 'GET' : 'POST');
    const get = { ...this.parameters.get };
    for (const [key, value] of Object.entries(overrides)) get[key] = String(value);
    const getUrl = withQuery(endpoint.url, get);
    if (method === 'GET') return { url: getUrl, method };
    // An explicit method is kept; a default POST falls back to GET when the server refuses it.
    return {
      url: endpoint.url,
      method,
      body: { ...this.parameters.post, ...overrides },
      ...(this.options.method ? {} : { fallbackUrl: getUrl }),
    };
  }

  /** Sends one page request; a first POST refused with 405 is sent again as GET. */
  private async fetchPage(
    request: PageRequest,
    transport: TransportOptions,
    first: boolean,
  ): Promise<{ request: PageRequest; page: SearchPage }> {
    let response = await requestJson(request, transport, first && request.fallbackUrl ? [405] : []);
    if (response.status === 405 && request.fallbackUrl) {
      request = { url: request.fallbackUrl, method: 'GET' };
      response = await requestJson(request, transport);
    }
    const page = response.json;
    if (!isRecord(page) || !Array.isArray(page.features)) {
      throw new SearchError(
        `${request.method} ${redactHref(request.url)} did not answer with a FeatureCollection (no 'features' array)`,
        {
          details: { url: redactHref(request.url) },
        },
      );
    }
    // A broken server's `[null, 1, "x", {}]` must not reach the user as Items.
    const bad = page.features.findIndex(
      (feature) =>
        !isRecord(feature) || typeof feature['id'] !== 'string' || !isRecord(feature['properties']),
    );
    if (bad !== -1) {
      throw new SearchError(
        `${request.method} ${redactHref(request.url)} answered with an invalid Item at features[${bad}] (an Item is an object with a string 'id' and 'properties'); the API is broken, try again later`,
        { details: { url: redactHref(request.url), index: bad } },
      );
    }
    return { request, page: page as SearchPage };
  }

  /** The request for the page after `page`, from its `next` link, or undefined at the end. */
  private nextRequest(page: SearchPage, current: PageRequest): PageRequest | undefined {
    const link = (Array.isArray(page.links) ? page.links : []).find(
      (candidate: StacLink) => candidate?.rel === 'next' && typeof candidate.href === 'string',
    );
    if (!link) return undefined;
    const url = new URL(link.href, current.url).toString();
    const method = String(link.method ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET';
    const headers = isRecord(link.headers) ? (link.headers as Record<string, string>) : undefined;
    if (method === 'GET') return { url, method, ...(headers ? { headers } : {}) };
    const linkBody = isRecord(link.body) ? link.body : {};
    // `merge: true` adds the link's body to the previous one; otherwise it replaces it.
    const body = link.merge === true ? { ...(current.body ?? {}), ...linkBody } : linkBody;
    return { url, method, body, ...(headers ? { headers } : {}) };
  }

  private async signItems(
    features: StacItem[],
    signer: Signer | undefined,
    signal?: AbortSignal,
  ): Promise<StacItem[]> {
    if (!signer?.signItem) return features;
    return Promise.all(features.map((item) => signer.signItem!(item, signal)));
  }

  /**
   * The result pages, each an ItemCollection with signed Items, following `next` links
   * (GET links with `?token=`/`page=`, POST links with a `body`, honouring `merge`). The
   * next page is requested while the current one is being consumed, unless `maxItems`
   * has been reached; the last page is cut to `maxItems`.
   */
  async *pages(): AsyncGenerator<SearchPage, void, undefined> {
    const client = await this.client();
    const local = new AbortController();
    const signal = this.options.signal
      ? AbortSignal.any([this.options.signal, local.signal])
      : local.signal;
    const transport = this.transport(client, signal);
    const maxItems = this.options.maxItems;
    let pending: Promise<{ request: PageRequest; page: SearchPage }> | undefined = this.fetchPage(
      await this.firstRequest(client),
      transport,
      true,
    );
    const seen = new Set<string>();
    let count = 0;
    try {
      while (pending) {
        const { request, page } = await pending;
        pending = undefined;
        seen.add(JSON.stringify([request.url, request.method, request.body]));
        let features = page.features as StacItem[];
        if (maxItems !== undefined && count + features.length > maxItems)
          features = features.slice(0, maxItems - count);
        count += features.length;
        const next =
          maxItems !== undefined && count >= maxItems ? undefined : this.nextRequest(page, request);
        // Stop on an empty page or a next link that repeats a request: a server bug would loop forever.
        if (
          next &&
          features.length > 0 &&
          !seen.has(JSON.stringify([next.url, next.method, next.body]))
        ) {
          pending = this.fetchPage(next, transport, false);
          // Consumed below; the handler only keeps an early exit from reporting it as unhandled.
          pending.catch(() => undefined);
        }
        const signed = await this.signItems(features, transport.signer, signal);
        yield { ...page, features: signed };
      }
    } finally {
      // The consumer stopped early (break, error): cancel the prefetched page.
      if (pending) local.abort();
    }
  }

  /** Every Item, across pages, up to `maxItems`. */
  async *items(): AsyncGenerator<StacItem, void, undefined> {
    for await (const page of this.pages()) yield* page.features;
  }

  /** All results as one ItemCollection, ready for `DatasetCollection.fromStac`. */
  async itemCollection(): Promise<ItemCollection> {
    const features: StacItem[] = [];
    let numberMatched: number | undefined;
    for await (const page of this.pages()) {
      numberMatched ??= matchedOf(page);
      features.push(...page.features);
    }
    return {
      type: 'FeatureCollection',
      features,
      numberMatched,
    };
  }

  /**
   * How many Items match, as the server counts them (`numberMatched`, or `context.matched`),
   * from one request with `limit=1`, as pystac-client's `matched()`. Undefined when the
   * server does not count.
   */
  async matched(): Promise<number | undefined> {
    const client = await this.client();
    const transport = this.transport(client, this.options.signal);
    const { page } = await this.fetchPage(
      await this.firstRequest(client, { limit: 1 }),
      transport,
      true,
    );
    return matchedOf(page);
  }
}

function matchedOf(page: SearchPage): number | undefined {
  if (typeof page.numberMatched === 'number') return page.numberMatched;
  const context = page.context as { matched?: unknown } | undefined;
  return typeof context?.matched === 'number' ? context.matched : undefined;
}

/**
 * Prepares an item search on a STAC API (a landing page URL or an opened client). Every
 * parameter is checked now (bbox with intersects, datetime, CQL2 text, counts), so bad
 * input throws a SearchError before any request; conformance is checked when the search
 * runs, still before the search request.
 */
export function itemSearch(
  urlOrClient: string | StacApiClient,
  options: SearchOptions = {},
): ItemSearch {
  return new ItemSearch(urlOrClient, options);
}

/**
 * Runs an item search and returns every matching Item (up to `maxItems`) as one
 * ItemCollection, ready for `DatasetCollection.fromStac`.
 * @throws SearchError for bad parameters, unsupported features, HTTP and network failures.
 */
export async function search(
  urlOrClient: string | StacApiClient,
  options: SearchOptions = {},
): Promise<ItemCollection> {
  return new ItemSearch(urlOrClient, options).itemCollection();
}
