// Hrefs (URLs, cloud URIs, local paths) ↔ GDAL virtual file system paths.
import { fileUrlToPath } from '../platform/node-builtin.js';

const ARCHIVES: Record<string, string> = {
  zip: '/vsizip/',
  tar: '/vsitar/',
  gzip: '/vsigzip/',
  gz: '/vsigzip/',
};

/** The GDAL path of a plain (non-archive) href: `s3://` → `/vsis3/`, `https://` → `/vsicurl/`, `file://` → path. */
function plainToGdalPath(href: string): string {
  if (href.startsWith('/vsi')) return href;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(href)?.[1]?.toLowerCase();
  switch (scheme) {
    case undefined:
      return href;
    case 'file':
      return fileUrlToPath(href);
    case 'http':
    case 'https':
    case 'ftp':
      return `/vsicurl/${href}`;
    case 's3':
      return `/vsis3/${href.slice('s3://'.length)}`;
    case 'gs':
    case 'gcs':
      return `/vsigs/${href.slice(href.indexOf('://') + 3)}`;
    case 'az':
      return `/vsiaz/${href.slice('az://'.length)}`;
    case 'abfs':
    case 'abfss': {
      // abfs[s]://container@account.dfs.core.windows.net/path → /vsiaz/container/path
      const rest = href.slice(href.indexOf('://') + 3);
      const at = rest.indexOf('@');
      const slash = rest.indexOf('/');
      if (at !== -1 && (slash === -1 || at < slash)) {
        return `/vsiaz/${rest.slice(0, at)}${slash === -1 ? '' : rest.slice(slash)}`;
      }
      return `/vsiaz/${rest}`;
    }
    default:
      return href;
  }
}

/**
 * The GDAL path that reads `href`: `s3://` → `/vsis3/`, `gs://` → `/vsigs/`,
 * `az://` and `abfs://` → `/vsiaz/`, `http(s)://` → `/vsicurl/`, `file://` → a
 * local path; paths already starting with `/vsi` are kept. Archives are chained:
 * `zip+https://host/a.zip!/b.tif` (the rasterio/fsspec spelling) and
 * `https://host/a.zip!/b.tif` give `/vsizip//vsicurl/https://host/a.zip/b.tif`;
 * an href ending in `.zip` gives `/vsizip/…` so GDAL opens the raster inside.
 */
export function hrefToGdalPath(href: string): string {
  if (href.startsWith('/vsi')) return href;
  const prefixed = /^(zip|tar|gzip|gz)\+(.*)$/i.exec(href);
  let archive = prefixed ? ARCHIVES[prefixed[1]!.toLowerCase()] : undefined;
  let rest = prefixed ? prefixed[2]! : href;
  let inner = '';
  const bang = rest.indexOf('!/');
  if (bang !== -1) {
    inner = rest.slice(bang + 1);
    rest = rest.slice(0, bang);
  }
  if (!archive) {
    const path = rest.split(/[?#]/)[0]!.toLowerCase();
    if (path.endsWith('.zip')) archive = ARCHIVES.zip;
    else if (path.endsWith('.tar') || path.endsWith('.tar.gz') || path.endsWith('.tgz'))
      archive = ARCHIVES.tar;
    else if (bang !== -1 && path.endsWith('.gz')) archive = ARCHIVES.gzip;
  }
  const base = plainToGdalPath(rest);
  return archive ? `${archive}${base}${inner}` : base;
}

/**
 * The href a GDAL path reads, for readers that are not GDAL (the JS VRT reader):
 * `/vsicurl/https://…` → `https://…`, `/vsis3/b/k` → `s3://b/k`, `/vsigs/` → `gs://`,
 * `/vsiaz/` → `az://`; `/vsicurl?…&url=…` gives the url (its options are returned
 * by `parseVsiCurlOptions`). Undefined for paths only GDAL can read (archives, /vsimem/).
 */
export function gdalPathToHref(path: string): string | undefined {
  if (!path.startsWith('/vsi')) return path;
  if (path.startsWith('/vsicurl?')) return parseVsiCurlOptions(path).url;
  const map: [string, string][] = [
    ['/vsicurl/', ''],
    ['/vsis3/', 's3://'],
    ['/vsigs/', 'gs://'],
    ['/vsiaz/', 'az://'],
  ];
  for (const [prefix, scheme] of map) {
    if (path.startsWith(prefix)) return `${scheme}${path.slice(prefix.length)}`;
  }
  return undefined;
}

/** The options of a `/vsicurl?key=value&…&url=…` path (URL-decoded), with `header.*` options collected. */
export function parseVsiCurlOptions(path: string): {
  url?: string;
  headers: Record<string, string>;
  options: Record<string, string>;
} {
  const query = path.slice(path.indexOf('?') + 1);
  const headers: Record<string, string> = {};
  const options: Record<string, string> = {};
  let url: string | undefined;
  for (const part of query.split('&')) {
    const equals = part.indexOf('=');
    if (equals === -1) continue;
    const key = decodeURIComponent(part.slice(0, equals));
    const value = decodeURIComponent(part.slice(equals + 1));
    if (key === 'url') url = value;
    else if (key.toLowerCase().startsWith('header.')) headers[key.slice('header.'.length)] = value;
    else options[key] = value;
  }
  return { ...(url ? { url } : {}), headers, options };
}

/** A `/vsicurl?` path that sends `headers` with every request for `url` (GDAL's `header.<name>` option). */
export function vsicurlPathWithHeaders(url: string, headers: Record<string, string>): string {
  const parts = Object.entries(headers).map(
    ([name, value]) => `header.${encodeURIComponent(name)}=${encodeURIComponent(value)}`,
  );
  return `/vsicurl?${[...parts, `url=${encodeURIComponent(url)}`].join('&')}`;
}
