// How the GDAL reader reaches one href: its GDAL path and the GDAL options it needs,
// asked of the signer again before every read. A signed href (a SAS query, a presigned
// URL) is part of the path, so a fresh one gives a new path; the source then reopens the
// dataset on it (see gdal-reader-impl.ts). Headers travel in a /vsimem/ header file.
import { randomUUID } from 'node:crypto';
import { headersFor, hrefToGdalPath, type ReaderContext } from '@pyramids/core';
import type { GdalReaderOptions } from './gdal-reader.js';
import type { GdalModule } from './load-gdal.js';

/** How one href is opened: its GDAL path, the config it needs, and what to clean up. */
export interface AccessPlan {
  /** The GDAL path of the href as last signed; changes when the signer gives a new href. */
  path: string;
  /** Process-wide GDAL options for this dataset's calls (refreshed before each read). */
  config: Record<string, string>;
  /** The /vsimem/ file holding the HTTP headers, when there is one. */
  headerFile?: string;
  /**
   * Asks the signer again (tokens expire during long jobs): a freshly signed href
   * (from the signer's expiry-aware cache) and its headers and GDAL options.
   */
  refresh(signal?: AbortSignal): Promise<void>;
}

interface Credentials {
  headers: Record<string, string>;
  config: Record<string, string>;
}

/** Parses GDAL's `GDAL_HTTP_HEADERS` value ("Name: value" lines or comma-separated). */
function parseHeaderList(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n|,(?=\s*[A-Za-z0-9-]+\s*:)/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function headerText(headers: Record<string, string>): string {
  return `${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n')}\n`;
}

/** True when GDAL reads `href` as plain `/vsicurl/` (headers can then travel in the path). */
function isPlainHttp(href: string): boolean {
  return /^https?:\/\//i.test(href) && hrefToGdalPath(href) === `/vsicurl/${href}`;
}

/** The signer's credentials for one read of `href`: HTTP headers (when they can travel in the path) and GDAL options. */
async function credentialsFor(
  href: string,
  context: ReaderContext,
  options: GdalReaderOptions,
  signal?: AbortSignal,
): Promise<Credentials> {
  const signer = context.signer;
  const env = signer?.gdalEnv && signer.matches(href) ? await signer.gdalEnv(href, signal) : {};
  const config: Record<string, string> = { ...(options.config ?? {}), ...env };
  let headers: Record<string, string> = /^https?:\/\//i.test(href)
    ? { ...(await headersFor(signer, href, { method: 'GET' }, signal)) }
    : {};
  if (isPlainHttp(href)) {
    if (config.GDAL_HTTP_HEADERS)
      headers = { ...parseHeaderList(config.GDAL_HTTP_HEADERS), ...headers };
    if (config.GDAL_HTTP_BEARER)
      headers = { Authorization: `Bearer ${config.GDAL_HTTP_BEARER}`, ...headers };
    delete config.GDAL_HTTP_HEADERS;
    delete config.GDAL_HTTP_BEARER;
  } else if (Object.keys(headers).length > 0) {
    // An archive inside an HTTP file: GDAL takes headers only from the process-wide option here.
    config.GDAL_HTTP_HEADERS = headerText(headers).trim();
    headers = {};
  }
  const remote = hrefToGdalPath(href).startsWith('/vsi') && !isPlainHttp(href);
  if (remote && !('GDAL_DISABLE_READDIR_ON_OPEN' in config))
    config.GDAL_DISABLE_READDIR_ON_OPEN = 'EMPTY_DIR';
  return { headers, config };
}

/** Plans the access to `href` (as signed at open); `refresh` re-signs it from `context.signHref`. */
export async function planAccess(
  gdal: GdalModule,
  href: string,
  context: ReaderContext,
  options: GdalReaderOptions,
): Promise<AccessPlan> {
  let currentHref = href;
  let currentHeaders = '';
  let headerFile: string | undefined;
  /** Writes the header file (created on first need) when the headers changed. */
  const storeHeaders = (headers: Record<string, string>) => {
    const text = headerText(headers);
    if (text === currentHeaders || (!headerFile && Object.keys(headers).length === 0)) return;
    headerFile ??= `/vsimem/pyramids-readers-gdal/headers-${randomUUID()}.txt`;
    gdal.vsimem.set(Buffer.from(text), headerFile);
    currentHeaders = text;
  };
  const pathFor = (target: string) => {
    if (!isPlainHttp(target)) return hrefToGdalPath(target);
    // Credentials travel in the path (a header file in /vsimem/), so they apply to this
    // dataset's requests only, on any thread, with no process-wide option set.
    const parts = ['list_dir=no'];
    if (headerFile) parts.push(`header_file=${encodeURIComponent(headerFile)}`);
    parts.push(`url=${encodeURIComponent(target)}`);
    return `/vsicurl?${parts.join('&')}`;
  };
  const first = await credentialsFor(href, context, options, context.signal);
  storeHeaders(first.headers);
  const plan: AccessPlan = {
    path: pathFor(href),
    config: first.config,
    headerFile,
    async refresh(signal) {
      if (!context.signer) return;
      const signed = context.signHref ? await context.signHref(signal) : currentHref;
      const next = await credentialsFor(signed, context, options, signal);
      const hadHeaderFile = headerFile !== undefined;
      storeHeaders(next.headers);
      if (headerFile) plan.headerFile = headerFile;
      plan.config = next.config;
      if (signed !== currentHref || (!hadHeaderFile && headerFile)) {
        currentHref = signed;
        plan.path = pathFor(signed);
      }
    },
  };
  return plan;
}
