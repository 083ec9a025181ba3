// The one module that knows where STAC keeps things. Every other module reads
// Items through these accessors, so a spelling difference is handled once.
import { StacAssetError } from '../errors/stac-asset-error.js';
import { redactHref } from '../signers/redact.js';
import type { StacAsset, StacItem } from './stac-types.js';

/** Reads an object through `toJSON()` when it has one (pystac-like objects, classes). */
export function toPlainJson(value: unknown): unknown {
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    return (value as { toJSON(): unknown }).toJSON();
  }
  return value;
}

/** Checks the Item shape and returns it as plain JSON; throws StacAssetError naming what is wrong. */
export function asItem(value: unknown): StacItem {
  const item = toPlainJson(value) as Partial<StacItem> | null;
  if (item === null || typeof item !== 'object') {
    throw new StacAssetError(
      `expected a STAC Item object, got ${item === null ? 'null' : typeof item}`,
    );
  }
  const label = typeof item.id === 'string' ? `item '${item.id}'` : 'item without an id';
  if (item.type !== 'Feature') {
    throw new StacAssetError(
      `${label} is not a STAC Item: "type" is ${JSON.stringify(item.type)}, expected "Feature"`,
    );
  }
  if (typeof item.id !== 'string' || item.id === '') {
    throw new StacAssetError('STAC Item has no "id" string; every Item needs one');
  }
  if (item.properties === null || typeof item.properties !== 'object') {
    throw new StacAssetError(`${label} has no "properties" object`);
  }
  if (item.assets === null || typeof item.assets !== 'object') {
    throw new StacAssetError(`${label} has no "assets" object`);
  }
  if (
    item.bbox !== undefined &&
    (!Array.isArray(item.bbox) ||
      (item.bbox.length !== 4 && item.bbox.length !== 6) ||
      item.bbox.some((v) => typeof v !== 'number'))
  ) {
    throw new StacAssetError(`${label} has a malformed "bbox": expected 4 or 6 numbers`);
  }
  return item as StacItem;
}

/** The Item's id. */
export function itemId(item: StacItem): string {
  return item.id;
}

/** The Item's collection id, if any. */
export function itemCollection(item: StacItem): string | undefined {
  return typeof item.collection === 'string' ? item.collection : undefined;
}

/** The Item's bbox as [west, south, east, north] (a 3-D bbox is flattened), or undefined. */
export function itemBbox(item: StacItem): [number, number, number, number] | undefined {
  const bbox = item.bbox;
  if (!bbox) return undefined;
  if (bbox.length === 6) return [bbox[0]!, bbox[1]!, bbox[3]!, bbox[4]!];
  return [bbox[0]!, bbox[1]!, bbox[2]!, bbox[3]!];
}

function parseDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * The Item's nominal time: `datetime`, else the middle of `start_datetime`/`end_datetime`,
 * else `start_datetime`. Undefined when it has none.
 */
export function itemDatetime(item: StacItem): Date | undefined {
  const properties = item.properties;
  const datetime = parseDate(properties['datetime']);
  if (datetime) return datetime;
  const start = parseDate(properties['start_datetime']);
  const end = parseDate(properties['end_datetime']);
  if (start && end) return new Date((start.getTime() + end.getTime()) / 2);
  return start ?? end;
}

/** A property of the Item, or undefined. */
export function itemProperty(item: StacItem, name: string): unknown {
  return item.properties[name];
}

/** Asset keys of the Item, in document order. */
export function assetKeys(item: StacItem): string[] {
  return Object.keys(item.assets);
}

/** The asset `key` of the Item; StacAssetError naming the item and the available keys when absent. */
export function getAsset(item: StacItem, key: string): StacAsset {
  const asset = item.assets[key];
  if (asset === undefined || asset === null || typeof asset !== 'object') {
    const available = assetKeys(item);
    throw new StacAssetError(
      `asset '${key}' not found on item ${item.id}; available: ${available.length ? available.join(', ') : '(none)'}`,
      { details: { item: item.id, asset: key, available } },
    );
  }
  return asset;
}

/** True when the Item has an asset `key`. */
export function hasAsset(item: StacItem, key: string): boolean {
  const asset = item.assets[key];
  return asset !== undefined && asset !== null && typeof asset === 'object';
}

/** The href of asset `key`; StacAssetError when the asset or its href is missing. */
export function assetHref(item: StacItem, key: string): string {
  const href = getAsset(item, key).href;
  if (typeof href !== 'string' || href === '') {
    throw new StacAssetError(`asset '${key}' of item ${item.id} has no href`, {
      details: { item: item.id, asset: key },
    });
  }
  return href;
}

/** The media type of asset `key`, or undefined. */
export function assetMediaType(item: StacItem, key: string): string | undefined {
  const type = getAsset(item, key).type;
  return typeof type === 'string' ? type : undefined;
}

/** The roles of asset `key` (empty when none). */
export function assetRoles(item: StacItem, key: string): string[] {
  const roles = getAsset(item, key).roles;
  return Array.isArray(roles)
    ? roles.filter((role): role is string => typeof role === 'string')
    : [];
}

/**
 * A field of asset `key`, falling back to the Item's properties, as the projection
 * and raster extensions allow either place (asset-level wins).
 */
export function assetField(item: StacItem, key: string, field: string): unknown {
  const asset = getAsset(item, key);
  if (asset[field] !== undefined) return asset[field];
  return item.properties[field];
}

/** The Item's `self` link href, if any. */
export function itemSelfHref(item: StacItem): string | undefined {
  // A hostile or broken Item may have anything as links.
  if (!Array.isArray(item.links)) return undefined;
  const self = item.links.find(
    (link) => link && link.rel === 'self' && typeof link.href === 'string',
  );
  return self?.href;
}

/** True for hrefs with a scheme (`https:`, `s3:`, `file:`) or absolute paths. */
export function isAbsoluteHref(href: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('/');
}

/**
 * The href of asset `key`, resolved against `base` (or the Item's `self` link)
 * when it is relative. Local paths stay paths.
 */
export function resolveAssetHref(
  item: StacItem,
  key: string,
  base?: string,
  allowLocal?: boolean,
): string {
  const href = assetHref(item, key);
  const resolved = resolveHrefAgainst(href, base ?? itemSelfHref(item));
  checkLocalHref(item, key, resolved, base, allowLocal);
  return resolved;
}

function resolveHrefAgainst(href: string, against: string | undefined): string {
  if (isAbsoluteHref(href) || !against) return href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(against) && !/^[a-z]:[\\/]/i.test(against))
    return new URL(href, against).toString();
  // A local path: resolve against its directory.
  const directory = against.endsWith('/')
    ? against
    : against.slice(0, against.lastIndexOf('/') + 1);
  return normalizePath(`${directory}${href}`);
}

/** The environment variable that lets Items from remote catalogs name local files (`1`/`true`). */
export const ALLOW_LOCAL_VARIABLE = 'PYRAMIDS_ALLOW_LOCAL';

function allowLocalFromEnvironment(): boolean {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env?.[ALLOW_LOCAL_VARIABLE];
  return value === '1' || value?.toLowerCase() === 'true';
}

/**
 * Untrusted Items must not read local files: an Item that came from a remote catalog (its
 * `self` link, or the base it resolves against, is http(s)) may not point at a local path or a
 * `file:` URL, or a hostile API could make a download copy /etc/passwd or a read stream
 * /dev/zero. Items from local files may; so may any Item when `allowLocal` (or
 * PYRAMIDS_ALLOW_LOCAL=1, which the CLI's `--allow-local` sets) says so.
 */
function checkLocalHref(
  item: StacItem,
  key: string,
  resolved: string,
  base: string | undefined,
  allowLocal: boolean | undefined,
): void {
  const isLocal =
    /^file:/i.test(resolved) ||
    !/^[a-z][a-z0-9+.-]*:/i.test(resolved) ||
    /^[a-z]:[\\/]/i.test(resolved);
  if (!isLocal || (allowLocal ?? allowLocalFromEnvironment())) return;
  const origin = [itemSelfHref(item), base].find(
    (href) => href !== undefined && /^https?:/i.test(href),
  );
  if (!origin) return;
  throw new StacAssetError(
    `asset '${key}' of item ${item.id} points at the local file ${JSON.stringify(resolved)}, but the Item came from ${redactHref(origin)}: ` +
      'Items from remote catalogs may not read local files; if you trust them, pass --allow-local (allowLocal: true)',
    { details: { item: item.id, asset: key } },
  );
}

function normalizePath(path: string): string {
  const absolute = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(part);
  }
  return `${absolute ? '/' : ''}${parts.join('/')}`;
}
