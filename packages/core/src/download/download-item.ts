// Downloads the assets of STAC Items to local files, safely and restartably:
// each file is written under a hidden temporary name and renamed only when it
// is complete and verified; an interrupted transfer resumes with a Range request
// guarded by If-Range, so a changed remote file is never spliced onto old bytes.
// Kept in one file: resume, verification and the atomic rename share the part and sidecar files of one transfer.
import { createReadStream } from 'node:fs';
import {
  mkdir,
  open,
  readFile,
  realpath,
  rm,
  stat,
  writeFile,
  type FileHandle,
} from 'node:fs/promises';
import { replaceWithTemporary } from '../write/atomic-output.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAbortError } from '../errors/abort.js';
import { DownloadError } from '../errors/download-error.js';
import { OptionError } from '../errors/option-error.js';
import { PyramidsError } from '../errors/pyramids-error.js';
import { ReadError } from '../errors/read-error.js';
import { httpRequest } from '../http/http-request.js';
import { defaultHttpTimeout } from '../http/http-timeout.js';
import { headersFor, signHrefWith, type Signer } from '../signers/signer.js';
import { redactHref } from '../signers/redact.js';
import { asItem, assetKeys, assetRoles, isAbsoluteHref } from '../stac/accessors.js';
import { toItems } from '../stac/items.js';
import type { ItemsInput, StacAsset, StacItem } from '../stac/stac-types.js';
import { resolveAlternateHref, type AlternateChoice } from '../stac/alternate-href.js';
import { prepareDownloadDirectory } from './download-directory.js';
import { DEFAULT_FILE_NAME, resolveFileName } from './file-name.js';
import { createMultihashHash, digestMatches, parseMultihash, type Multihash } from './multihash.js';

/** What to do when the target file already exists. */
export type OverwriteMode = 'never' | 'always' | 'if-changed';

/** One progress report. `bytes` counts bytes of this file written so far (resumed bytes included). */
export interface DownloadProgress {
  type: 'start' | 'progress' | 'done' | 'skip';
  item: string;
  key: string;
  /** Redacted source href. */
  href: string;
  /** Local path of the file. */
  path: string;
  bytes: number;
  /** Total size when known (Content-Length or `file:size`). */
  total?: number;
}

/** Options of `downloadItem` and `downloadItems`. */
export interface DownloadOptions {
  /** Download only assets whose key or one of whose roles is listed. */
  include?: string[];
  /** Skip assets whose key or one of whose roles is listed. */
  exclude?: string[];
  /** Signs http(s) hrefs and turns s3:// hrefs into https URLs (`signHref`). */
  signer?: Signer;
  /** Files downloaded at once (default 4). */
  concurrency?: number;
  /** `never` (default): keep an existing file; `always`: download again; `if-changed`: again when the remote size or ETag differs. */
  overwrite?: OverwriteMode;
  /** Path template relative to the directory (default `{id}/{key}{ext}`); also `{collection}`, `{name}`. */
  fileName?: string;
  /** Write the Item JSON with rewritten hrefs: `true` for `{id}/{id}.json`, or a template. Hrefs are then relative to it. */
  writeItem?: boolean | string;
  /** Verify `file:size` and `file:checksum` when the Item declares them (default true). */
  verify?: boolean;
  /** Base that relative hrefs resolve against (default: the Item's self link). */
  baseHref?: string;
  /** Download an alternate href (`'s3'`, `'https'`, … or `'auto'`); see `resolveAlternateHref`. */
  alternate?: AlternateChoice;
  /** Let Items from remote catalogs (an http(s) `self` link) name local files; default false (or PYRAMIDS_ALLOW_LOCAL=1). */
  allowLocal?: boolean;
  /** Called as files start, progress, finish or are skipped. */
  progress?: (event: DownloadProgress) => void;
  signal?: AbortSignal;
  /** HTTP client (tests inject a loopback-only one). */
  fetch?: typeof fetch;
  /** Resumes after a cut connection, per file (default 3). */
  retries?: number;
  /** Abort a transfer that receives nothing for this many ms (default `PYRAMIDS_HTTP_TIMEOUT` seconds, else 30 000). */
  idleTimeout?: number;
}

interface Validators {
  etag?: string;
  lastModified?: string;
  size?: number;
}

interface AssetJob {
  item: StacItem;
  key: string;
  asset: StacAsset;
  href: string;
  target: string;
}

const DEFAULT_CONCURRENCY = 4;

function wantsAsset(item: StacItem, key: string, options: DownloadOptions): boolean {
  const labels = [key, ...assetRoles(item, key)];
  if (
    options.include &&
    options.include.length > 0 &&
    !labels.some((label) => options.include!.includes(label))
  )
    return false;
  if (options.exclude && labels.some((label) => options.exclude!.includes(label))) return false;
  return true;
}

function describe(job: AssetJob): string {
  return `asset '${job.key}' of item ${job.item.id} (${redactHref(job.href)})`;
}

/** Runs tasks with at most `limit` in flight; the first failure aborts the rest. */
async function runLimited<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < tasks.length) {
      const index = next++;
      try {
        results[index] = await tasks[index]!();
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const outcomes = await Promise.allSettled(
    Array.from({ length: Math.min(limit, tasks.length) }, worker),
  );
  const rejected = outcomes.find(
    (outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
  );
  if (rejected) throw rejected.reason;
  return results;
}

function sidecarPaths(target: string): { part: string; meta: string } {
  const directory = path.dirname(target);
  const base = path.basename(target);
  return {
    part: path.join(directory, `.${base}.pyramids-part`),
    meta: path.join(directory, `.${base}.pyramids.json`),
  };
}

async function readValidators(file: string): Promise<Validators | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Validators;
  } catch {
    return undefined;
  }
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch {
    return undefined;
  }
}

/** Makes the target's directory and checks that, with symlinks resolved, it is still inside the root. */
async function prepareDirectory(root: string, target: string): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const realRoot = await realpath(root);
  const realParent = await realpath(path.dirname(target));
  const inside = path.relative(realRoot, realParent);
  if (inside.startsWith('..') || path.isAbsolute(inside)) {
    throw new DownloadError(
      `${path.dirname(target)} resolves to ${realParent}, outside ${realRoot} (a symbolic link?); refused`,
    );
  }
}

function httpError(job: AssetJob, response: Response): DownloadError {
  const hint =
    response.status === 401 || response.status === 403
      ? '; the request was refused: pass a signer with credentials for this host, or check that they have not expired'
      : response.status === 404
        ? '; the file does not exist at that href'
        : '';
  return new DownloadError(
    `${describe(job)}: HTTP ${response.status} ${response.statusText}${hint}`,
    {
      details: { status: response.status, item: job.item.id, asset: job.key },
    },
  );
}

/** The URL to request: s3:// through the signer's signHref, http(s) through signHrefWith. */
async function requestUrl(job: AssetJob, options: DownloadOptions): Promise<string> {
  if (/^s3:\/\//i.test(job.href)) {
    const signer = options.signer;
    if (!signer?.signHref || !signer.matches(job.href)) {
      throw new DownloadError(
        `${describe(job)}: s3:// hrefs need a signer that turns them into https URLs (e.g. the AWS signer); pass one with the signer option`,
      );
    }
    const signed = await signer.signHref(job.href, options.signal);
    if (!/^https?:\/\//i.test(signed))
      throw new DownloadError(
        `${describe(job)}: signer '${signer.id}' did not give an https URL for the s3:// href`,
      );
    return signed;
  }
  return signHrefWith(options.signer, job.href, options.signal);
}

class TransferCut extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransferCut';
  }
}

/** Streams a response body into `handle`; TransferCut when the connection drops or goes idle. */
async function writeBody(
  response: Response,
  handle: FileHandle,
  state: { bytes: number },
  report: () => void,
  idleTimeout: number,
  signal?: AbortSignal,
): Promise<void> {
  if (!response.body) return;
  const reader = response.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let idle = false;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      void reader.cancel().catch(() => {});
    }, idleTimeout);
  };
  try {
    arm();
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) throw signal.reason;
      if (idle) throw new TransferCut(`no data for ${idleTimeout} ms`);
      if (done) break;
      arm();
      await handle.write(value);
      state.bytes += value.byteLength;
      report();
    }
    if (idle) throw new TransferCut(`no data for ${idleTimeout} ms`);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (error instanceof TransferCut) throw error;
    throw new TransferCut(
      (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
    reader.releaseLock?.();
  }
}

/** Downloads one http(s) or s3 asset to `part`, resuming it when it exists. Returns the validators seen. */
async function downloadHttp(
  job: AssetJob,
  part: string,
  meta: string,
  options: DownloadOptions,
  emit: (bytes: number, total?: number) => void,
): Promise<Validators> {
  const retries = options.retries ?? 3;
  const idleTimeout = options.idleTimeout ?? defaultHttpTimeout();
  let validators = (await readValidators(meta)) ?? {};
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    const existing = (await fileSize(part)) ?? 0;
    const validator = validators.etag ?? validators.lastModified;
    const resume = existing > 0 && validator !== undefined;
    const url = await requestUrl(job, options);
    const response = await httpRequest(url, {
      headers: async (requestUrl) => ({
        ...(resume ? { range: `bytes=${existing}-`, 'if-range': validator } : {}),
        ...(await headersFor(options.signer, requestUrl, { method: 'GET' }, options.signal)),
      }),
      signal: options.signal,
      fetch: options.fetch,
      // The timeout ends at the headers; the idle timeout guards stalls in the body.
      timeout: idleTimeout,
      timeoutIncludesBody: false,
    });
    if (response.status === 416 && resume) {
      // The part is as long as the file, or the file shrank: start again.
      await response.body?.cancel();
      await rm(part, { force: true });
      validators = {};
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw httpError(job, response);
    }
    const partial = response.status === 206;
    const length = Number(response.headers.get('content-length') ?? NaN);
    const etag = response.headers.get('etag') ?? undefined;
    const lastModified = response.headers.get('last-modified') ?? undefined;
    let start = 0;
    if (partial) {
      const range = /bytes (\d+)-(\d+)\/(\d+|\*)/.exec(response.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== existing) {
        await response.body?.cancel();
        await rm(part, { force: true });
        validators = {};
        if (attempt >= retries)
          throw new DownloadError(
            `${describe(job)}: the server answered a resume with a range that does not follow the ${existing} bytes already downloaded`,
          );
        continue;
      }
      start = existing;
    }
    const total = partial
      ? Number(/\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1] ?? NaN)
      : Number.isFinite(length)
        ? length
        : undefined;
    const totalSize = total !== undefined && Number.isFinite(total) ? total : undefined;
    // Validators are saved before the body, so a later run can resume this part.
    validators = {
      etag,
      lastModified,
      size: totalSize,
    };
    await writeFile(meta, JSON.stringify(validators));
    const handle = await open(part, partial ? 'a' : 'w');
    const state = { bytes: start };
    try {
      emit(state.bytes, totalSize);
      await writeBody(
        response,
        handle,
        state,
        () => emit(state.bytes, totalSize),
        idleTimeout,
        options.signal,
      );
      if (totalSize !== undefined && state.bytes < totalSize)
        throw new TransferCut(`connection closed after ${state.bytes} of ${totalSize} bytes`);
      return validators;
    } catch (error) {
      if (!(error instanceof TransferCut)) throw error;
      // Without a validator the server cannot guarantee the rest belongs to the same file: start over.
      if (!validators.etag && !validators.lastModified) await rm(part, { force: true });
      if (attempt >= retries) {
        throw new DownloadError(
          `${describe(job)}: the transfer was cut ${attempt + 1} time(s) (${error.message}); run again to resume`,
          { cause: error },
        );
      }
    } finally {
      await handle.close();
    }
  }
}

/** Copies a local file to `part`. */
async function copyLocal(
  job: AssetJob,
  part: string,
  options: DownloadOptions,
  emit: (bytes: number, total?: number) => void,
): Promise<void> {
  const source = job.href.startsWith('file://') ? fileURLToPath(job.href) : job.href;
  let total: number;
  try {
    total = (await stat(source)).size;
  } catch (error) {
    throw new DownloadError(
      `${describe(job)}: cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  }
  const handle = await open(part, 'w');
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(
      source,
      options.signal ? { signal: options.signal } : {},
    )) {
      await handle.write(chunk as Buffer);
      bytes += (chunk as Buffer).byteLength;
      emit(bytes, total);
    }
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw error;
  } finally {
    await handle.close();
  }
}

async function hashFile(file: string, multihash: Multihash, signal?: AbortSignal): Promise<string> {
  const hash = createMultihashHash(multihash);
  for await (const chunk of createReadStream(file, signal ? { signal } : {}))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Checks size and checksum of the finished part; deletes it and throws DownloadError on a mismatch. */
async function verifyPart(
  job: AssetJob,
  part: string,
  meta: string,
  checksum: Multihash | undefined,
  options: DownloadOptions,
): Promise<void> {
  const size = await fileSize(part);
  const declaredSize = job.asset['file:size'];
  const fail = async (message: string) => {
    await rm(part, { force: true });
    await rm(meta, { force: true });
    throw new DownloadError(
      `${describe(job)}: ${message}; the file was deleted; download it again, or pass verify: false if the Item is wrong`,
    );
  };
  if (options.verify !== false && typeof declaredSize === 'number' && size !== declaredSize) {
    await fail(`size ${size} bytes differs from file:size ${declaredSize}`);
  }
  if (options.verify !== false && checksum) {
    const digest = await hashFile(part, checksum, options.signal);
    if (!digestMatches(checksum, digest))
      await fail(
        `${checksum.name} checksum ${digest.slice(0, checksum.digest.length)} differs from file:checksum ${checksum.digest}`,
      );
  }
}

/** True when the remote file differs from the local one by size or ETag. */
async function remoteChanged(
  job: AssetJob,
  target: string,
  meta: string,
  options: DownloadOptions,
): Promise<boolean> {
  const localSize = await fileSize(target);
  if (!/^(https?|s3):\/\//i.test(job.href)) {
    const source = job.href.startsWith('file://') ? fileURLToPath(job.href) : job.href;
    const sourceStat = await stat(source).catch(() => undefined);
    const targetStat = await stat(target);
    return !sourceStat || sourceStat.size !== localSize || sourceStat.mtimeMs > targetStat.mtimeMs;
  }
  const url = await requestUrl(job, options);
  const common = {
    signal: options.signal,
    fetch: options.fetch,
  };
  let response = await httpRequest(url, {
    ...common,
    method: 'HEAD',
    headers: (requestUrl) =>
      headersFor(options.signer, requestUrl, { method: 'HEAD' }, options.signal),
  });
  await response.body?.cancel();
  let length = response.headers.get('content-length');
  if ([403, 405, 501].includes(response.status)) {
    // Presigned URLs allow only GET, and some servers refuse HEAD: ask for one byte instead.
    response = await httpRequest(url, {
      ...common,
      headers: async (requestUrl) => ({
        range: 'bytes=0-0',
        ...(await headersFor(options.signer, requestUrl, { method: 'GET' }, options.signal)),
      }),
    });
    await response.body?.cancel();
    length =
      response.status === 206
        ? (/\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1] ?? null)
        : response.headers.get('content-length');
  }
  if (!response.ok) throw httpError(job, response);
  const saved = await readValidators(meta);
  const etag = response.headers.get('etag');
  if (length !== null && Number(length) !== localSize) return true;
  if (etag && saved?.etag && etag !== saved.etag) return true;
  return false;
}

async function downloadAsset(job: AssetJob, root: string, options: DownloadOptions): Promise<void> {
  const { part, meta } = sidecarPaths(job.target);
  const overwrite = options.overwrite ?? 'never';
  const base = { item: job.item.id, key: job.key, href: redactHref(job.href), path: job.target };
  const declared =
    typeof job.asset['file:size'] === 'number' ? (job.asset['file:size'] as number) : undefined;
  const checksum =
    options.verify === false || job.asset['file:checksum'] === undefined
      ? undefined
      : parseMultihash(job.asset['file:checksum'], describe(job));
  if (checksum && !checksum.algorithm) {
    throw new DownloadError(
      `${describe(job)}: file:checksum uses ${checksum.name}, which pyramids cannot verify (it supports sha2-256, sha2-512, sha2-384, sha1, md5, blake2b-512, blake2s-256); pass verify: false to download without checking`,
    );
  }
  await prepareDirectory(root, job.target);
  const existing = await fileSize(job.target);
  if (
    existing !== undefined &&
    (overwrite === 'never' ||
      (overwrite === 'if-changed' && !(await remoteChanged(job, job.target, meta, options))))
  ) {
    options.progress?.({ type: 'skip', ...base, bytes: existing, total: existing });
    return;
  }
  options.progress?.({
    type: 'start',
    ...base,
    bytes: 0,
    total: declared,
  });
  const emit = (bytes: number, total?: number) => {
    const size = total ?? declared;
    options.progress?.({
      type: 'progress',
      ...base,
      bytes,
      total: size,
    });
  };
  try {
    if (/^(https?|s3):\/\//i.test(job.href)) await downloadHttp(job, part, meta, options, emit);
    else if (
      job.href.startsWith('file://') ||
      (isAbsoluteHref(job.href) && job.href.startsWith('/'))
    )
      await copyLocal(job, part, options, emit);
    else
      throw new DownloadError(
        `${describe(job)}: cannot download this href; supported are http(s)://, s3:// (with a signer), file:// and absolute paths`,
      );
    await verifyPart(job, part, meta, checksum, options);
    await replaceWithTemporary(part, job.target);
  } catch (error) {
    if (isAbortError(error) || options.signal?.aborted) throw options.signal?.reason ?? error;
    if (ReadError.isInstance(error))
      throw new DownloadError(`${describe(job)}: ${error.message}`, { cause: error });
    if (PyramidsError.isInstance(error)) throw error;
    throw new DownloadError(
      `${describe(job)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  }
  const size = (await fileSize(job.target)) ?? 0;
  options.progress?.({ type: 'done', ...base, bytes: size, total: size });
}

function relativeHref(from: string, to: string): string {
  const relative = path.relative(path.dirname(from), to).split(path.sep).join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

function plan(
  items: StacItem[],
  directory: string,
  options: DownloadOptions,
): { jobs: AssetJob[]; itemPaths: Map<StacItem, string | undefined> } {
  const template = options.fileName ?? DEFAULT_FILE_NAME;
  const jobs: AssetJob[] = [];
  const itemPaths = new Map<StacItem, string | undefined>();
  const seen = new Map<string, string>();
  for (const item of items) {
    for (const key of assetKeys(item)) {
      if (!wantsAsset(item, key, options)) continue;
      const asset = item.assets[key]!;
      const href = resolveAlternateHref(item, key, options);
      const target = resolveFileName(
        template,
        { id: item.id, key, href, ...(item.collection ? { collection: item.collection } : {}) },
        directory,
      );
      const clash = seen.get(target);
      if (clash)
        throw new DownloadError(
          `${clash} and asset '${key}' of item ${item.id} would both be written to ${target}; use a fileName template with {id} and {key}`,
        );
      seen.set(target, `asset '${key}' of item ${item.id}`);
      jobs.push({ item, key, asset, href, target });
    }
    const writeItem = options.writeItem;
    itemPaths.set(
      item,
      writeItem
        ? resolveFileName(
            typeof writeItem === 'string' ? writeItem : '{id}/{id}.json',
            {
              id: item.id,
              key: 'item',
              href: 'item.json',
              collection: item.collection,
            },
            directory,
          )
        : undefined,
    );
  }
  return { jobs, itemPaths };
}

/**
 * Downloads the assets of every Item to `directory` and returns the Items with
 * the hrefs of downloaded assets rewritten to the local files (relative to the
 * Item JSON when `writeItem`, absolute paths otherwise). All assets share one
 * concurrency limit. Throws DownloadError (file deleted) when `file:size` or
 * `file:checksum` does not match; an abort is rethrown as is, leaving only
 * hidden `.pyramids-part` files that the next run resumes.
 */
export async function downloadItems(
  input: ItemsInput,
  directory: string,
  options: DownloadOptions = {},
): Promise<StacItem[]> {
  const items = toItems(input).map((item) => structuredClone(asItem(item)));
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new OptionError(`concurrency must be a positive integer; got ${concurrency}`);
  if (
    options.overwrite !== undefined &&
    !['never', 'always', 'if-changed'].includes(options.overwrite)
  ) {
    throw new OptionError(
      `overwrite must be 'never', 'always' or 'if-changed'; got ${JSON.stringify(options.overwrite)}`,
    );
  }
  options.signal?.throwIfAborted();
  const root = await prepareDownloadDirectory(directory);
  const { jobs, itemPaths } = plan(items, root, options);
  await runLimited(
    jobs.map((job) => () => downloadAsset(job, root, options)),
    concurrency,
  );
  for (const item of items) {
    const itemPath = itemPaths.get(item);
    for (const job of jobs.filter((candidate) => candidate.item === item)) {
      item.assets[job.key] = {
        ...job.asset,
        href: itemPath ? relativeHref(itemPath, job.target) : job.target,
      };
    }
    if (itemPath) {
      // A self link would point at the source catalog, not at this copy.
      item.links = (Array.isArray(item.links) ? item.links : []).filter(
        (link) => link?.rel !== 'self',
      );
      await mkdir(path.dirname(itemPath), { recursive: true });
      await writeFile(itemPath, `${JSON.stringify(item, null, 2)}\n`);
    }
  }
  return items;
}

/** Downloads the assets of one Item; see `downloadItems`. */
export async function downloadItem(
  item: StacItem | { toJSON(): unknown },
  directory: string,
  options: DownloadOptions = {},
): Promise<StacItem> {
  const [result] = await downloadItems(asItem(item), directory, options);
  return result!;
}
