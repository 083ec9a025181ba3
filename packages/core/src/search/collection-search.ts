// STAC API collection search (`GET /collections` with `q`, `bbox`, `datetime`, `limit`),
// gated on the collection-search conformance class as pystac-client's `collection_search`,
// paged through `next` links, with `maxCollections` that never fetches a page too many.
import { SearchError } from '../errors/search-error.js';
import { redactHref } from '../signers/redact.js';
import type { StacLink } from '../stac/stac-types.js';
import { formatDatetime, type DatetimeInput } from './format-datetime.js';
import { formatBbox } from './search-parameters.js';
import { requestJson, type TransportOptions } from './request-json.js';
import {
  openClient,
  type OpenClientOptions,
  type StacApiClient,
  type StacCollection,
} from './stac-api-client.js';

/** Options of {@link searchCollections}. */
export interface CollectionSearchOptions extends OpenClientOptions {
  /**
   * Free text (`q`): one string sent as is (`'sentinel AND l2a'`), or several terms matched
   * with OR (sent comma-separated). Needs the `collection-search#free-text` class.
   */
  q?: string | readonly string[];
  /** `[west, south, east, north]` (or 6 numbers with heights), or `'w,s,e,n'`. */
  bbox?: readonly number[] | string;
  /** An instant, a range or a shorthand, as for item search; see {@link formatDatetime}. */
  datetime?: DatetimeInput;
  /** Page size asked of the server. Lowered to `maxCollections` when larger, as for Items. */
  limit?: number;
  /** Most collections returned in all; paging stops as soon as this many arrived. */
  maxCollections?: number;
}

/** One page of a collection search, as the server sends it. */
export interface CollectionSearchPage {
  collections: StacCollection[];
  links?: StacLink[];
  numberMatched?: number;
  numberReturned?: number;
  [field: string]: unknown;
}

function checkCount(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new SearchError(`${name}: expected a positive whole number, got ${value}`);
  }
}

/** Checks and formats every parameter into the query string of the first request. */
function prepareParameters(options: CollectionSearchOptions): Record<string, string> {
  const parameters: Record<string, string> = {};
  checkCount(options.limit, 'limit');
  checkCount(options.maxCollections, 'maxCollections');
  let limit = options.limit;
  if (limit !== undefined && options.maxCollections !== undefined)
    limit = Math.min(limit, options.maxCollections);
  if (limit !== undefined) parameters.limit = String(limit);
  if (options.q !== undefined) {
    const terms = (typeof options.q === 'string' ? [options.q] : [...options.q])
      .map((term) => String(term).trim())
      .filter(Boolean);
    if (terms.length === 0)
      throw new SearchError('q: empty free text; give at least one word, or leave q out');
    parameters.q = terms.join(',');
  }
  if (options.bbox !== undefined) parameters.bbox = formatBbox(options.bbox).join(',');
  if (options.datetime !== undefined) parameters.datetime = formatDatetime(options.datetime);
  return parameters;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A prepared collection search. Nothing is sent until `pages()`, `collections()`,
 * `collectionList()` or `matched()` is called; each call runs the search from the first page.
 */
export class CollectionSearch {
  private readonly parameters: Record<string, string>;
  private readonly options: CollectionSearchOptions;
  private readonly source: string | StacApiClient;
  private clientPromise: Promise<StacApiClient> | undefined;

  /** Checks every parameter now: bad input throws a SearchError before any request. */
  constructor(source: string | StacApiClient, options: CollectionSearchOptions = {}) {
    this.source = source;
    this.options = options;
    this.parameters = prepareParameters(options);
  }

  /** The query parameters of the first request (a copy). */
  get queryParameters(): Record<string, string> {
    return { ...this.parameters };
  }

  private client(): Promise<StacApiClient> {
    if (!this.clientPromise) {
      if (typeof this.source === 'string') {
        const { signer, headers, timeout, retries, backoff, fetch, signal, addConformsTo } =
          this.options;
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

  /** The first URL, after checking that the API advertises collection search (and free text for `q`). */
  private firstUrl(client: StacApiClient): string {
    const hint = (name: string) =>
      `If you know the server supports it, pass addConformsTo: ['${name}'] (CLI: --add-conforms-to ${name})`;
    if (!client.conformsToClass('COLLECTION_SEARCH')) {
      throw new SearchError(
        `${redactHref(client.url)} does not advertise STAC API collection search (collection-search); its /collections ` +
          `would ignore q, bbox and datetime and return every collection. List them all with listCollections, or: ${hint('COLLECTION_SEARCH')}`,
        { details: { url: redactHref(client.url), conformanceClass: 'COLLECTION_SEARCH' } },
      );
    }
    if (this.parameters.q !== undefined && !client.conformsToClass('COLLECTION_SEARCH_FREE_TEXT')) {
      throw new SearchError(
        `${redactHref(client.url)} does not advertise free-text collection search (collection-search#free-text), so q would be ignored. ` +
          hint('COLLECTION_SEARCH_FREE_TEXT'),
        {
          details: { url: redactHref(client.url), conformanceClass: 'COLLECTION_SEARCH_FREE_TEXT' },
        },
      );
    }
    const url = new URL(client.collectionsUrl());
    for (const [key, value] of Object.entries(this.parameters)) url.searchParams.set(key, value);
    return url.toString();
  }

  private async fetchPage(url: string, transport: TransportOptions): Promise<CollectionSearchPage> {
    const { json } = await requestJson({ url, method: 'GET' }, transport);
    if (!isRecord(json) || !Array.isArray(json.collections)) {
      throw new SearchError(
        `GET ${redactHref(url)} did not answer with a 'collections' array; is it a STAC API?`,
        { details: { url: redactHref(url) } },
      );
    }
    return json as CollectionSearchPage;
  }

  /**
   * The result pages, following GET `next` links; the next page is requested while the
   * current one is consumed, unless `maxCollections` has been reached; the last page is cut.
   */
  async *pages(): AsyncGenerator<CollectionSearchPage, void, undefined> {
    const client = await this.client();
    const local = new AbortController();
    const signal = this.options.signal
      ? AbortSignal.any([this.options.signal, local.signal])
      : local.signal;
    const transport: TransportOptions = { ...client.transport, signal };
    const maxCollections = this.options.maxCollections;
    let url = this.firstUrl(client);
    let pending: Promise<CollectionSearchPage> | undefined = this.fetchPage(url, transport);
    const seen = new Set<string>([url]);
    let count = 0;
    try {
      while (pending) {
        const page: CollectionSearchPage = await pending;
        pending = undefined;
        let collections = page.collections;
        if (maxCollections !== undefined && count + collections.length > maxCollections)
          collections = collections.slice(0, maxCollections - count);
        count += collections.length;
        const next = (Array.isArray(page.links) ? page.links : []).find(
          (link) =>
            link?.rel === 'next' &&
            typeof link.href === 'string' &&
            String(link.method ?? 'GET').toUpperCase() === 'GET',
        );
        const nextUrl = next ? new URL(next.href, url).toString() : undefined;
        // Stop on an empty page or a next link seen before: a server bug would loop forever.
        if (
          nextUrl &&
          collections.length > 0 &&
          !seen.has(nextUrl) &&
          (maxCollections === undefined || count < maxCollections)
        ) {
          seen.add(nextUrl);
          url = nextUrl;
          pending = this.fetchPage(nextUrl, transport);
          // Consumed on the next turn; the handler only keeps an early exit from reporting it as unhandled.
          pending.catch(() => undefined);
        }
        yield { ...page, collections };
      }
    } finally {
      // The consumer stopped early (break, error): cancel the prefetched page.
      if (pending) local.abort();
    }
  }

  /** Every matching collection, across pages, up to `maxCollections`. */
  async *collections(): AsyncGenerator<StacCollection, void, undefined> {
    for await (const page of this.pages()) yield* page.collections;
  }

  /** Every matching collection as one array. */
  async collectionList(): Promise<StacCollection[]> {
    const collections: StacCollection[] = [];
    for await (const page of this.pages()) collections.push(...page.collections);
    return collections;
  }

  /**
   * How many collections match, as the server counts them (`numberMatched` of the first
   * page); undefined when the server does not count.
   */
  async matched(): Promise<number | undefined> {
    for await (const page of this.pages())
      return typeof page.numberMatched === 'number' ? page.numberMatched : undefined;
    return undefined;
  }
}

/**
 * Prepares a collection search on a STAC API (a landing page URL or an opened client), as
 * pystac-client's `Client.collection_search`: free text `q`, `bbox`, `datetime`, `limit`,
 * `maxCollections`. Parameters are checked now; the collection-search conformance class
 * (and `#free-text` for `q`) is checked when the search runs, before the search request.
 */
export function searchCollections(
  urlOrClient: string | StacApiClient,
  options: CollectionSearchOptions = {},
): CollectionSearch {
  return new CollectionSearch(urlOrClient, options);
}
