// Checks an asset against what its Item declares (media type, `file:size`, `file:checksum`)
// with a HEAD request and a read of the first bytes: the pixels are not downloaded unless the
// caller asks for the checksum to be computed.
// Kept in one file: each check (type, size, checksum, header) reads the same HEAD answer and first bytes.
import { open, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DownloadError } from '../errors/download-error.js';
import { isAbortError } from '../errors/abort.js';
import { PyramidsError } from '../errors/pyramids-error.js';
import { StacAssetError } from '../errors/stac-asset-error.js';
import { httpRequest } from '../http/http-request.js';
import { normalizeMediaType } from '../plugins/normalize-media-type.js';
import { redactHref } from '../signers/redact.js';
import { headersFor, signHrefWith, type Signer } from '../signers/signer.js';
import { asItem, assetKeys, resolveAssetHref } from '../stac/accessors.js';
import type { StacItem } from '../stac/stac-types.js';
import { createMultihashHash, digestMatches, parseMultihash } from './multihash.js';

/** Options of {@link verifyAsset}. */
export interface VerifyAssetOptions {
  /** Signs http(s) hrefs and turns s3:// hrefs into https URLs. */
  signer?: Signer;
  /**
   * Also read the whole file to compare it with `file:checksum` (default false: the checksum
   * is only checked to be a multihash pyramids can compute, and no pixels are downloaded).
   */
  checksum?: boolean;
  /** Base that a relative href resolves against (default: the Item's self link). */
  baseHref?: string;
  /** Called once per failed check with a one-line message, e.g. to log a warning. */
  warn?: (message: string) => void;
  /** HTTP client (tests inject a loopback-only one). */
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** The outcome of one check: `skipped` when the Item declares nothing to compare or the server tells nothing. */
export interface AssetCheck {
  check: 'reachable' | 'file:size' | 'media-type' | 'header' | 'file:checksum';
  status: 'ok' | 'mismatch' | 'skipped';
  message: string;
}

/** What {@link verifyAsset} found. */
export interface AssetVerification {
  item: string;
  key: string;
  /** The href, redacted. */
  href: string;
  /** True when no check failed. */
  ok: boolean;
  checks: AssetCheck[];
  /** One line per failed check (what `warn` received). */
  problems: string[];
}

/** A file format recognisable from its first bytes. */
type Signature =
  | 'TIFF'
  | 'PNG'
  | 'JPEG'
  | 'JPEG 2000'
  | 'netCDF'
  | 'HDF5'
  | 'HDF4'
  | 'GRIB'
  | 'Parquet'
  | 'JSON'
  | 'XML';

const HEADER_BYTES = 16;

/** Formats a media type allows (netCDF-4 files are HDF5 files). */
const MEDIA_SIGNATURES: Record<string, Signature[]> = {
  'image/tiff': ['TIFF'],
  'image/geotiff': ['TIFF'],
  'image/vnd.stac.geotiff': ['TIFF'],
  'image/png': ['PNG'],
  'image/jpeg': ['JPEG'],
  'image/jp2': ['JPEG 2000'],
  'application/x-netcdf': ['netCDF', 'HDF5'],
  'application/netcdf': ['netCDF', 'HDF5'],
  'application/x-hdf5': ['HDF5'],
  'application/x-hdf': ['HDF4', 'HDF5'],
  'application/wmo-grib2': ['GRIB'],
  'application/x-grib': ['GRIB'],
  'application/vnd.apache.parquet': ['Parquet'],
  'application/x-parquet': ['Parquet'],
  'application/json': ['JSON'],
  'application/geo+json': ['JSON'],
  'application/schema+json': ['JSON'],
  'application/xml': ['XML'],
  'text/xml': ['XML'],
};

/** Content types that say nothing about the format. */
const GENERIC_TYPES = new Set([
  'application/octet-stream',
  'binary/octet-stream',
  'application/binary',
  '',
]);

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}

/** The format of a file from its first bytes, if pyramids knows it. */
function signatureOf(bytes: Uint8Array): Signature | undefined {
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'TIFF';
  if (startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b]))
    return 'TIFF';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'PNG';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'JPEG';
  if (
    startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) ||
    startsWith(bytes, [0xff, 0x4f, 0xff, 0x51])
  )
    return 'JPEG 2000';
  if (startsWith(bytes, [0x43, 0x44, 0x46]) && [1, 2, 5].includes(bytes[3]!)) return 'netCDF';
  if (startsWith(bytes, [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])) return 'HDF5';
  if (startsWith(bytes, [0x0e, 0x03, 0x13, 0x01])) return 'HDF4';
  if (startsWith(bytes, [0x47, 0x52, 0x49, 0x42])) return 'GRIB';
  if (startsWith(bytes, [0x50, 0x41, 0x52, 0x31])) return 'Parquet';
  const text = new TextDecoder().decode(bytes).trimStart();
  if (text.startsWith('{') || text.startsWith('[')) return 'JSON';
  if (text.startsWith('<')) return 'XML';
  return undefined;
}

/** What the source answered: size, content type and first bytes. */
interface Probe {
  size?: number;
  contentType?: string;
  header: Uint8Array;
  /** Streams the whole file, for the checksum. */
  readAll(): AsyncIterable<Uint8Array>;
}

async function probeLocal(path: string): Promise<Probe> {
  const stats = await stat(path);
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_BYTES, 0);
    return {
      size: stats.size,
      header: buffer.subarray(0, bytesRead),
      readAll: async function* () {
        const file = await open(path, 'r');
        try {
          for await (const chunk of file.createReadStream()) yield chunk as Uint8Array;
        } finally {
          await file.close();
        }
      },
    };
  } finally {
    await handle.close();
  }
}

function refused(where: string, response: Response): DownloadError {
  const hint =
    response.status === 401 || response.status === 403
      ? '; pass a signer with credentials for this host'
      : response.status === 404
        ? '; the file does not exist at that href'
        : '';
  return new DownloadError(`${where}: HTTP ${response.status}${hint}`, {
    details: { status: response.status },
  });
}

async function probeHttp(url: string, where: string, options: VerifyAssetOptions): Promise<Probe> {
  const common = {
    signal: options.signal,
    fetch: options.fetch,
  };
  const headers =
    (method: 'GET' | 'HEAD', extra: Record<string, string> = {}) =>
    async (requestUrl: string) => ({
      ...extra,
      ...(await headersFor(options.signer, requestUrl, { method }, options.signal)),
    });
  const head = await httpRequest(url, { ...common, method: 'HEAD', headers: headers('HEAD') });
  await head.body?.cancel();
  // Presigned URLs allow only GET, and some servers refuse HEAD: the ranged GET below tells the size.
  if (!head.ok && ![403, 405, 501].includes(head.status)) throw refused(where, head);
  const ranged = await httpRequest(url, {
    ...common,
    headers: headers('GET', { range: `bytes=0-${HEADER_BYTES - 1}` }),
  });
  if (!ranged.ok) {
    await ranged.body?.cancel();
    throw refused(where, ranged);
  }
  // A server that ignores Range sends the whole file: read only the first bytes of it.
  const header = new Uint8Array(HEADER_BYTES);
  let filled = 0;
  const reader = ranged.body?.getReader();
  while (reader && filled < HEADER_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    const take = value.subarray(0, HEADER_BYTES - filled);
    header.set(take, filled);
    filled += take.length;
  }
  await reader?.cancel();
  const total = /\/(\d+)$/.exec(ranged.headers.get('content-range') ?? '')?.[1];
  const length = head.ok
    ? head.headers.get('content-length')
    : ranged.status === 200
      ? ranged.headers.get('content-length')
      : null;
  const size = total !== undefined ? Number(total) : length !== null ? Number(length) : undefined;
  const contentType =
    (head.ok ? head.headers.get('content-type') : ranged.headers.get('content-type')) ?? undefined;
  return {
    size,
    contentType,
    header: header.subarray(0, filled),
    readAll: async function* () {
      const response = await httpRequest(url, { ...common, headers: headers('GET') });
      if (!response.ok || !response.body) throw refused(where, response);
      const whole = response.body.getReader();
      for (;;) {
        const { done, value } = await whole.read();
        if (done) return;
        yield value;
      }
    },
  };
}

async function resolveUrl(
  href: string,
  where: string,
  options: VerifyAssetOptions,
): Promise<string> {
  if (/^s3:\/\//i.test(href)) {
    const signer = options.signer;
    if (!signer?.signHref || !signer.matches(href)) {
      throw new DownloadError(
        `${where}: s3:// hrefs need a signer that turns them into https URLs (e.g. the AWS signer); pass one with the signer option`,
      );
    }
    return signer.signHref(href, options.signal);
  }
  return signHrefWith(options.signer, href, options.signal);
}

/**
 * Checks one asset against its Item without downloading the pixels: that it can be reached
 * (HEAD, or a one-range GET where HEAD is refused), that its size equals `file:size`, that the
 * server's Content-Type and the file's first bytes agree with the declared media type, and
 * that `file:checksum` is a multihash pyramids can compute (and, with `checksum: true`, that
 * the whole file hashes to it). Failed checks are returned, and reported to `warn`; an
 * unreachable file is a failed check too.
 * @throws StacAssetError when the Item has no such asset; aborts are rethrown as is.
 */
export async function verifyAsset(
  item: StacItem | { toJSON(): unknown },
  key: string,
  options: VerifyAssetOptions = {},
): Promise<AssetVerification> {
  const stacItem = asItem(item);
  const asset = stacItem.assets?.[key];
  if (!asset) {
    throw new StacAssetError(
      `asset '${key}' not found on item ${stacItem.id}; available: ${assetKeys(stacItem).join(', ') || 'none'}`,
    );
  }
  const href = resolveAssetHref(stacItem, key, options.baseHref);
  const where = `asset '${key}' of item ${stacItem.id} (${redactHref(href)})`;
  const checks: AssetCheck[] = [];
  const add = (check: AssetCheck['check'], status: AssetCheck['status'], message: string) =>
    checks.push({ check, status, message });

  let probe: Probe | undefined;
  try {
    if (/^(https?|s3):\/\//i.test(href))
      probe = await probeHttp(await resolveUrl(href, where, options), where, options);
    else if (href.startsWith('file://') || href.startsWith('/'))
      probe = await probeLocal(href.startsWith('file://') ? fileURLToPath(href) : href);
    else
      throw new DownloadError(
        `${where}: cannot reach this href; supported are http(s)://, s3:// (with a signer), file:// and absolute paths`,
      );
    add('reachable', 'ok', 'reachable');
  } catch (error) {
    if (isAbortError(error) || options.signal?.aborted) throw options.signal?.reason ?? error;
    const reason = PyramidsError.isInstance(error)
      ? error.message.replace(`${where}: `, '')
      : ((error as NodeJS.ErrnoException).code ?? (error as Error).message);
    add('reachable', 'mismatch', `cannot be reached: ${reason}`);
  }

  const declaredSize = asset['file:size'];
  if (probe) {
    if (typeof declaredSize !== 'number') add('file:size', 'skipped', 'no file:size declared');
    else if (probe.size === undefined)
      add('file:size', 'skipped', 'the server does not tell the size');
    else if (probe.size === declaredSize) add('file:size', 'ok', `${probe.size} bytes as declared`);
    else
      add(
        'file:size',
        'mismatch',
        `size ${probe.size} bytes differs from file:size ${declaredSize}`,
      );

    const declaredType =
      typeof asset.type === 'string' ? normalizeMediaType(asset.type) : undefined;
    const served = probe.contentType === undefined ? '' : normalizeMediaType(probe.contentType);
    if (!declaredType) add('media-type', 'skipped', 'no media type declared');
    else if (GENERIC_TYPES.has(served))
      add(
        'media-type',
        'skipped',
        `the server sends no specific Content-Type${served ? ` (${served})` : ''}`,
      );
    else if (
      served === declaredType ||
      (MEDIA_SIGNATURES[served] ?? []).some((format) =>
        MEDIA_SIGNATURES[declaredType]?.includes(format),
      )
    ) {
      add('media-type', 'ok', `Content-Type ${served} agrees with ${declaredType}`);
    } else
      add(
        'media-type',
        'mismatch',
        `the server sends Content-Type ${served}, the Item declares ${asset.type}`,
      );

    const allowed = declaredType ? MEDIA_SIGNATURES[declaredType] : undefined;
    const found = signatureOf(probe.header);
    if (!allowed)
      add(
        'header',
        'skipped',
        declaredType ? `no known file signature for ${declaredType}` : 'no media type declared',
      );
    else if (found && allowed.includes(found)) add('header', 'ok', `starts like a ${found} file`);
    else
      add(
        'header',
        'mismatch',
        `starts like ${found ? `a ${found} file` : 'no known format'}, not like ${allowed.join(' or ')} as ${asset.type} says`,
      );
  }

  const declaredChecksum = asset['file:checksum'];
  if (declaredChecksum === undefined) add('file:checksum', 'skipped', 'no file:checksum declared');
  else {
    try {
      const multihash = parseMultihash(declaredChecksum, where);
      if (!multihash.algorithm)
        add(
          'file:checksum',
          'mismatch',
          `file:checksum uses ${multihash.name}, which pyramids cannot compute`,
        );
      else if (!options.checksum || !probe)
        add(
          'file:checksum',
          'skipped',
          `a valid ${multihash.name} multihash; pass checksum: true to compare it with the file`,
        );
      else {
        const hash = createMultihashHash(multihash);
        for await (const chunk of probe.readAll()) hash.update(chunk);
        const digest = hash.digest('hex');
        if (digestMatches(multihash, digest))
          add('file:checksum', 'ok', `${multihash.name} matches`);
        else
          add(
            'file:checksum',
            'mismatch',
            `${multihash.name} ${digest.slice(0, multihash.digest.length)} differs from file:checksum ${multihash.digest}`,
          );
      }
    } catch (error) {
      if (isAbortError(error) || options.signal?.aborted) throw options.signal?.reason ?? error;
      add(
        'file:checksum',
        'mismatch',
        PyramidsError.isInstance(error)
          ? error.message.replace(`${where}: `, '')
          : (error as Error).message,
      );
    }
  }

  const problems = checks
    .filter((check) => check.status === 'mismatch')
    .map((check) => `${where}: ${check.message}`);
  for (const problem of problems) options.warn?.(problem);
  return {
    item: stacItem.id,
    key,
    href: redactHref(href),
    ok: problems.length === 0,
    checks,
    problems,
  };
}
