// A STAC API (or static catalog) opened by its landing page: conformance, collections,
// queryables, and the item search endpoint. Built on fetch alone, so it runs in a browser.
import { SearchError } from '../errors/search-error.js';
import { redactHref } from '../signers/redact.js';
import type { StacLink } from '../stac/stac-types.js';
import { conformanceUri, conformsToClass, type ConformanceName } from './conformance.js';
import { ItemSearch, type SearchOptions } from './item-search.js';
import { requestJson, type TransportOptions } from './request-json.js';

/** Options of {@link openClient}. */
export interface OpenClientOptions extends TransportOptions {
  /**
   * Conformance classes to assume although the landing page does not list them, by name
   * (`'FILTER'`, `'ITEM_SEARCH'`, `'QUERY'`, `'SORT'`, `'FIELDS'`, case-insensitive) or by URI.
   * Mirrors pystac-client's `Client.add_conforms_to`: some servers (Earth Search v1 for
   * CQL2 filters, any legacy v0 API) support more than they advertise.
   */
  addConformsTo?: readonly string[];
}

/** A STAC Collection as plain JSON. */
export interface StacCollection {
  type?: string;
  id: string;
  links?: StacLink[];
  [field: string]: unknown;
}

/** Where item search is served and with which methods. */
export interface SearchEndpoint {
  url: string;
  /** Methods the landing page advertises; empty when its search links name none. */
  methods: ReadonlyArray<'GET' | 'POST'>;
}

const QUERYABLES_REL = 'http://www.opengis.net/def/rel/ogc/1.0/queryables';

/** `base` + `/` + `path`, without doubling slashes (the query of `base` is dropped). */
export function joinUrl(base: string, path: string): string {
  const url = new URL(base);
  url.search = '';
  url.hash = '';
  return `${url.toString().replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function linksOf(document: unknown): StacLink[] {
  const links = (document as { links?: unknown })?.links;
  return Array.isArray(links)
    ? links.filter(
        (link): link is StacLink => typeof link?.href === 'string' && typeof link?.rel === 'string',
      )
    : [];
}

/**
 * Resolves `href` against a landing page URL: a file (`…/catalog.json`) as a document, an
 * API root without a trailing slash (`…/api/stac/v1`) as a folder, as pystac-client does.
 */
function resolveAgainst(href: string, base: string): string {
  const lastSegment = new URL(base).pathname.split('/').at(-1) ?? '';
  const folder = base.endsWith('/') || lastSegment.includes('.') ? base : `${base}/`;
  return new URL(href, folder).toString();
}

/** A STAC API client: create it with {@link openClient}. */
export class StacApiClient {
  /** The landing page URL the client was opened with. */
  readonly url: string;
  /** The landing page JSON. */
  readonly landingPage: Record<string, unknown>;
  /** Conformance URIs: the landing page's or `/conformance`'s, plus any `addConformsTo`. */
  readonly conformsTo: readonly string[];
  /** Transport settings every request of this client uses. */
  readonly transport: TransportOptions;

  constructor(
    url: string,
    landingPage: Record<string, unknown>,
    conformsTo: readonly string[],
    transport: TransportOptions,
  ) {
    this.url = url;
    this.landingPage = landingPage;
    this.conformsTo = conformsTo;
    this.transport = transport;
  }

  /** Links of the landing page. */
  get links(): StacLink[] {
    return linksOf(this.landingPage);
  }

  /** True when the API advertises the conformance class. */
  conformsToClass(name: ConformanceName): boolean {
    return conformsToClass(this.conformsTo, name);
  }

  /** Resolves a link href against the landing page URL. */
  resolve(href: string): string {
    return resolveAgainst(href, this.url);
  }

  /**
   * The item search endpoint, from the landing page's `search` links, or `/search` under the
   * landing page when the API conforms to item search but links none.
   * @throws SearchError when the API offers no item search.
   */
  searchEndpoint(): SearchEndpoint {
    const links = this.links.filter(
      (link) => link.rel === 'search' && (!link.type || /json/i.test(link.type)),
    );
    if (links.length === 0) {
      if (!this.conformsToClass('ITEM_SEARCH')) {
        throw new SearchError(
          `${redactHref(this.url)} offers no item search (no 'search' link and no item-search conformance class); ` +
            "if it does support it, pass addConformsTo: ['ITEM_SEARCH']",
          { details: { url: redactHref(this.url) } },
        );
      }
      return { url: joinUrl(this.url, 'search'), methods: [] };
    }
    const methods = new Set<'GET' | 'POST'>();
    for (const link of links) {
      const method = typeof link.method === 'string' ? link.method.toUpperCase() : undefined;
      if (method === 'GET' || method === 'POST') methods.add(method);
    }
    const preferred =
      links.find((link) => String(link.method ?? '').toUpperCase() === 'POST') ?? links[0]!;
    return { url: this.resolve(preferred.href), methods: [...methods] };
  }

  /** URL of `/collections`: the `data` link, or `/collections` under the landing page. */
  collectionsUrl(): string {
    const data = this.links.find(
      (link) => link.rel === 'data' && (!link.type || /json/i.test(link.type)),
    );
    return data ? this.resolve(data.href) : joinUrl(this.url, 'collections');
  }

  /**
   * Every collection: `/collections` (following `next` links) on an API, the `child`
   * links that are collections on a static catalog.
   */
  async listCollections(): Promise<StacCollection[]> {
    const hasData = this.links.some(
      (link) => link.rel === 'data' && (!link.type || /json/i.test(link.type)),
    );
    if (this.conformsToClass('COLLECTIONS') || hasData) {
      const collections: StacCollection[] = [];
      const seen = new Set<string>();
      for (let url: string | undefined = this.collectionsUrl(); url && !seen.has(url);) {
        seen.add(url);
        const { json } = await requestJson({ url, method: 'GET' }, this.transport);
        const page = (json as { collections?: unknown })?.collections;
        if (!Array.isArray(page)) {
          throw new SearchError(
            `${redactHref(url)} did not answer with a 'collections' array; is it a STAC API?`,
            {
              details: { url: redactHref(url) },
            },
          );
        }
        collections.push(...(page as StacCollection[]));
        const next = linksOf(json).find(
          (link) => link.rel === 'next' && String(link.method ?? 'GET').toUpperCase() === 'GET',
        );
        url = next ? new URL(next.href, url).toString() : undefined;
      }
      return collections;
    }
    // A static catalog: its children, keeping the ones that are collections.
    const children = this.links.filter((link) => link.rel === 'child');
    const documents = await Promise.all(
      children.map(
        async (link) =>
          (await requestJson({ url: this.resolve(link.href), method: 'GET' }, this.transport)).json,
      ),
    );
    return documents.filter(
      (document): document is StacCollection =>
        typeof document === 'object' &&
        document !== null &&
        (document as { type?: unknown }).type === 'Collection',
    );
  }

  /**
   * One collection by id, or undefined when the API answers 404.
   * @throws SearchError for other failures.
   */
  async getCollection(id: string): Promise<StacCollection | undefined> {
    const { status, json } = await requestJson(
      { url: joinUrl(this.collectionsUrl(), encodeURIComponent(id)), method: 'GET' },
      this.transport,
      [404],
    );
    return status === 404 ? undefined : (json as StacCollection);
  }

  /**
   * The Items of one collection from its OGC API Features `/collections/{id}/items`
   * endpoint, by GET, paged through its `next` links (typically `?token=`). This is
   * pystac-client's fallback for APIs without item search; like it, the collection id is
   * also sent as `collections`. Parameters the endpoint does not support are the server's
   * to ignore or refuse.
   */
  getItems(
    collection: string,
    parameters: Omit<SearchOptions, 'collections' | 'method'> = {},
  ): ItemSearch {
    const url = joinUrl(this.collectionsUrl(), `${encodeURIComponent(collection)}/items`);
    return new ItemSearch(
      this,
      { ...parameters, collections: [collection], method: 'GET' },
      { url, methods: ['GET'] },
    );
  }

  /**
   * The queryables (a JSON Schema) of the whole API, or of one collection.
   * @throws SearchError when the API does not serve them.
   */
  async getQueryables(collection?: string): Promise<Record<string, unknown>> {
    let url: string;
    if (collection === undefined) {
      const link = this.links.find((candidate) => candidate.rel === QUERYABLES_REL);
      url = link ? this.resolve(link.href) : joinUrl(this.url, 'queryables');
    } else {
      url = joinUrl(this.collectionsUrl(), `${encodeURIComponent(collection)}/queryables`);
    }
    const { json } = await requestJson(
      {
        url,
        method: 'GET',
        headers: { accept: 'application/schema+json, application/json;q=0.9' },
      },
      this.transport,
    );
    if (typeof json !== 'object' || json === null) {
      throw new SearchError(`${redactHref(url)} did not answer with a JSON Schema of queryables`, {
        details: { url: redactHref(url) },
      });
    }
    return json as Record<string, unknown>;
  }
}

/**
 * Opens a STAC API by its landing page URL. Reads `conformsTo` from the landing page, or
 * from `/conformance` when the landing page has none.
 * @throws SearchError when the landing page cannot be read or is not a STAC catalog.
 */
export async function openClient(
  url: string,
  options: OpenClientOptions = {},
): Promise<StacApiClient> {
  const { addConformsTo, ...transport } = options;
  try {
    new URL(url);
  } catch (error) {
    throw new SearchError(
      `not a URL: '${redactHref(url)}'; give the landing page of a STAC API, e.g. https://earth-search.aws.element84.com/v1`,
      {
        cause: error,
      },
    );
  }
  const { json } = await requestJson({ url, method: 'GET' }, transport);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SearchError(
      `${redactHref(url)} is not a STAC landing page (expected a JSON object)`,
      { details: { url: redactHref(url) } },
    );
  }
  const landingPage = json as Record<string, unknown>;
  let conformsTo: string[] = Array.isArray(landingPage.conformsTo)
    ? (landingPage.conformsTo as unknown[]).filter((uri): uri is string => typeof uri === 'string')
    : [];
  if (!Array.isArray(landingPage.conformsTo)) {
    const link = linksOf(landingPage).find((candidate) => candidate.rel === 'conformance');
    const conformanceUrl = link ? resolveAgainst(link.href, url) : joinUrl(url, 'conformance');
    try {
      const response = await requestJson(
        { url: conformanceUrl, method: 'GET' },
        transport,
        [404, 405, 501],
      );
      const listed = (response.json as { conformsTo?: unknown })?.conformsTo;
      if (Array.isArray(listed))
        conformsTo = listed.filter((uri): uri is string => typeof uri === 'string');
    } catch (error) {
      // A legacy API without /conformance is still usable for what its links offer.
      if (transport.signal?.aborted) throw error;
    }
  }
  for (const extra of addConformsTo ?? []) conformsTo.push(conformanceUri(extra));
  return new StacApiClient(url, landingPage, conformsTo, transport);
}
