// STAC API item search: parameters checked and formatted before any request, POST by
// default with a GET fallback, `next`-link paging in both styles, `maxItems` that never
// fetches a page too many, the next page fetched while the current one is consumed.
// The parameters themselves are checked and formatted in search-parameters.ts.
import { SearchError } from '../errors/search-error.js';
import { redactHref } from '../signers/redact.js';
import type { Registry } from '../plugins/registry.js';
import { routingSigner } from '../signers/routing-signer.js';
import type { Signer } from '../signers/signer.js';
import type { ItemCollection, StacItem, StacLink } from '../stac/stac-types.js';
import {
  prepareParameters,
  type PreparedParameters,
  type SearchParameters,
} from './search-parameters.js';
import { requestJson, type TransportOptions } from './request-json.js';
import {
  openClient,
  type OpenClientOptions,
  type SearchEndpoint,
  type StacApiClient,
} from './stac-api-client.js';

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
    return {
      ...client.transport,
      signer: signer ?? client.transport.signer,
      signal: signal ?? client.transport.signal,
    };
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
