// STAC API conformance classes, matched by pattern so that any v1.x release (and the
// release candidates some servers still advertise, e.g. `v1.0.0-rc.2/item-search#filter`)
// counts, as pystac-client's `ConformanceClasses` do.

/** Names of the conformance classes the client checks before using a feature. */
export type ConformanceName =
  | 'CORE'
  | 'COLLECTIONS'
  | 'FEATURES'
  | 'ITEM_SEARCH'
  | 'FIELDS'
  | 'SORT'
  | 'QUERY'
  | 'FILTER'
  | 'COLLECTION_SEARCH'
  | 'COLLECTION_SEARCH_FREE_TEXT';

const STAC_API = String.raw`^https://api\.stacspec\.org/v1\.\d+\.\d+[^/]*`;

const PATTERNS: Record<ConformanceName, RegExp[]> = {
  CORE: [new RegExp(`${STAC_API}/core$`)],
  COLLECTIONS: [new RegExp(`${STAC_API}/collections$`)],
  FEATURES: [new RegExp(`${STAC_API}/ogcapi-features$`)],
  ITEM_SEARCH: [new RegExp(`${STAC_API}/item-search$`)],
  FIELDS: [new RegExp(`${STAC_API}/item-search#fields$`)],
  SORT: [new RegExp(`${STAC_API}/item-search#sort$`)],
  QUERY: [new RegExp(`${STAC_API}/item-search#query$`)],
  FILTER: [new RegExp(`${STAC_API}/item-search#filter$`)],
  COLLECTION_SEARCH: [new RegExp(`${STAC_API}/collection-search$`)],
  COLLECTION_SEARCH_FREE_TEXT: [new RegExp(`${STAC_API}/collection-search#free-text$`)],
};

/** A representative URI of each class, added when a caller declares conformance by name. */
const CANONICAL: Record<ConformanceName, string> = {
  CORE: 'https://api.stacspec.org/v1.0.0/core',
  COLLECTIONS: 'https://api.stacspec.org/v1.0.0/collections',
  FEATURES: 'https://api.stacspec.org/v1.0.0/ogcapi-features',
  ITEM_SEARCH: 'https://api.stacspec.org/v1.0.0/item-search',
  FIELDS: 'https://api.stacspec.org/v1.0.0/item-search#fields',
  SORT: 'https://api.stacspec.org/v1.0.0/item-search#sort',
  QUERY: 'https://api.stacspec.org/v1.0.0/item-search#query',
  FILTER: 'https://api.stacspec.org/v1.0.0/item-search#filter',
  // Collection search is still a release candidate; servers advertise rc.1.
  COLLECTION_SEARCH: 'https://api.stacspec.org/v1.0.0-rc.1/collection-search',
  COLLECTION_SEARCH_FREE_TEXT: 'https://api.stacspec.org/v1.0.0-rc.1/collection-search#free-text',
};

/** True when one of `conformsTo` is a URI of the named class. */
export function conformsToClass(conformsTo: readonly string[], name: ConformanceName): boolean {
  return conformsTo.some((uri) => PATTERNS[name].some((pattern) => pattern.test(uri)));
}

/**
 * The conformance URI for a class name (`filter`, `ITEM_SEARCH`, case-insensitive) or a
 * full URI unchanged: what `addConformsTo` accepts, like pystac-client's `add_conforms_to`.
 */
export function conformanceUri(nameOrUri: string): string {
  const key = nameOrUri.trim().toUpperCase().replace(/-/g, '_') as ConformanceName;
  return key in CANONICAL ? CANONICAL[key] : nameOrUri.trim();
}
