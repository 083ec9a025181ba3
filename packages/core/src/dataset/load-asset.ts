import { fileUrlToPath, nodeBuiltin } from '../platform/node-builtin.js';
import { isAbortError } from '../errors/abort.js';
import { PyramidsError } from '../errors/pyramids-error.js';
import { ReadError } from '../errors/read-error.js';
import { epsgCode } from '../grid/crs.js';
import { loadEpsgDefinition } from '../grid/epsg-definitions.js';
import { httpRequest } from '../http/http-request.js';
import type { Registry } from '../plugins/registry.js';
import { headersFor, signHrefWith, type Signer } from '../signers/signer.js';
import { redactHref } from '../signers/redact.js';
import { routingSigner } from '../signers/routing-signer.js';
import { assetMediaType, resolveAssetHref } from '../stac/accessors.js';
import { resolveAlternateHref, type AlternateChoice } from '../stac/alternate-href.js';
import type { StacItem } from '../stac/stac-types.js';
import { Dataset } from './dataset.js';

/** Options for opening a raster through the registry. */
export interface OpenRasterOptions {
  registry: Registry;
  /** Media type, when known (from the asset). */
  mediaType?: string;
  /** Signs every read; default: the registry's signers, each URL by the first that matches it. */
  signer?: Signer;
  /** Rewrites the href before signing (e.g. s3:// → https:// mirror). */
  patchUrl?: (href: string) => string;
  /** Options passed to the reader (e.g. a NetCDF variable). */
  readerOptions?: Record<string, unknown>;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** Options for `loadAsset`: those of `openRaster` plus a base for relative hrefs. */
export interface LoadAssetOptions extends Omit<OpenRasterOptions, 'mediaType'> {
  /** Base URL or path that relative asset hrefs resolve against (default: the Item's self link). */
  baseHref?: string;
  /** Read an alternate href (`'s3'`, `'https'`, … or `'auto'`); see `resolveAlternateHref`. */
  alternate?: AlternateChoice;
  /** Let Items from remote catalogs (an http(s) `self` link) name local files; default false (or PYRAMIDS_ALLOW_LOCAL=1). */
  allowLocal?: boolean;
}

/** Reads the first bytes of a local or remote file, for a content sniff. */
async function readHead(
  href: string,
  options: OpenRasterOptions,
  length = 64,
): Promise<Uint8Array> {
  if (/^https?:\/\//i.test(href)) {
    const response = await httpRequest(href, {
      headers: async (url) => ({
        range: `bytes=0-${length - 1}`,
        ...(await headersFor(options.signer, url, { method: 'GET' }, options.signal)),
      }),
      signal: options.signal,
      fetch: options.fetch,
      retries: 1,
    });
    if (!response.ok) throw new ReadError(`HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer()).subarray(0, length);
  }
  const path = href.startsWith('file://') ? fileUrlToPath(href) : href;
  const handle = await nodeBuiltin('node:fs/promises', 'reading a local file').open(path, 'r');
  try {
    const buffer = new Uint8Array(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Opens a raster by href through the registry's readers: chooses a reader (media
 * type, extension, then a content sniff), signs the href, reads the header.
 */
export async function openRaster(href: string, options: OpenRasterOptions): Promise<Dataset> {
  const patched = options.patchUrl ? options.patchUrl(href) : href;
  const signer = options.signer ?? registrySigner(options.registry);
  const signed = await signHrefWith(signer, patched, options.signal);
  const choice = await options.registry.selectReader({
    href: patched,
    mediaType: options.mediaType,
    readHead: () => readHead(signed, { ...options, signer }),
  });
  const implementation = await choice.reader.load();
  try {
    const source = await implementation.open(signed, {
      ...(signer
        ? { signer, signHref: (signal?: AbortSignal) => signHrefWith(signer, patched, signal) }
        : {}),
      signal: options.signal,
      fetch: options.fetch,
      options: options.readerOptions,
    });
    // The file's CRS definition is loaded now, so the synchronous CRS math works in a browser too.
    const code = epsgCode(source.grid.crs);
    if (code !== undefined) await loadEpsgDefinition(code);
    return new Dataset(source, choice.reader.id);
  } catch (error) {
    if (isAbortError(error) || PyramidsError.isInstance(error)) throw error;
    throw new ReadError(
      `reader '${choice.reader.id}' could not open ${redactHref(signed)}: ${(error as Error).message ?? String(error)}`,
      {
        plugin: choice.reader.id,
        cause: error,
      },
    );
  }
}

/** The registry's signers as one (each URL signed by the first that matches it), or undefined when it has none. */
function registrySigner(registry: Registry): Signer | undefined {
  return registry.signers.length > 0 ? routingSigner(registry.signers) : undefined;
}

/** Opens asset `key` of `item` as a Dataset (header read; pixels read on demand). */
export async function loadAsset(
  item: StacItem,
  key: string,
  options: LoadAssetOptions,
): Promise<Dataset> {
  const href = resolveAlternateHref(item, key, options);
  const mediaType = assetMediaType(item, key);
  return openRaster(href, { ...options, mediaType });
}

/**
 * Which reader would open asset `key` of `item`, decided from its media type or
 * extension alone (no I/O). Undefined when only a content sniff could decide.
 */
export function whichEngine(
  item: StacItem,
  key: string,
  options: { registry: Registry },
): string | undefined {
  // Only the href's form matters here (no I/O), so the local-file policy does not apply.
  const href = resolveAssetHref(item, key, undefined, true);
  const mediaType = assetMediaType(item, key);
  return options.registry.selectReaderSync({ href, mediaType })?.reader.id;
}
