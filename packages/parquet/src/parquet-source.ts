// Byte sources for reading: a local path (Node), bytes in memory, or an HTTP(S)
// URL read lazily with Range requests through core's httpRequest, signed per request.
import {
  headersFor,
  httpRequestBytes,
  nodeBuiltin,
  ReadError,
  redactHref,
  quoteServerText,
  redactRequestSecrets,
  signHrefWith,
  type Signer,
} from '@pyramids/core';
import type { AsyncBuffer } from 'hyparquet';
import type { FileHandle } from 'node:fs/promises';

/** What {@link fromGeoParquet} and {@link searchGeoParquet} read: a path (Node), a URL, bytes, a Blob (or File), or an AsyncBuffer. */
export type GeoParquetSource = string | URL | Uint8Array | ArrayBuffer | Blob | AsyncBuffer;

/** How remote files are fetched. */
export interface GeoParquetSourceOptions {
  /** Signs each range request (`signHref`, then `headers`), only for URLs it matches. */
  signer?: Signer;
  /** HTTP client (default: global fetch); tests inject loopback-only clients here. */
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Bytes fetched from the end of a remote file first, to get the footer in one request (default 64 KiB). */
  initialFetchSize?: number;
  /** Retries per request (default 3). */
  retries?: number;
  /** Timeout of one request in ms (default 30 000). */
  timeout?: number;
  /** First wait before a retry in ms, doubled each retry (default 250); a server's Retry-After wins. */
  backoff?: number;
}

/** Counters of a remote source, to see how lazily a read went. */
export interface HttpSourceStats {
  requests: number;
  bytes: number;
}

/** An AsyncBuffer over HTTP Range requests, with its counters. */
export interface HttpAsyncBuffer extends AsyncBuffer {
  readonly url: string;
  readonly stats: HttpSourceStats;
}

/** An AsyncBuffer that holds an open resource (a file handle) until closed. */
export interface ClosableAsyncBuffer extends AsyncBuffer {
  close(): Promise<void>;
}

/** Closes a buffer opened by {@link openParquetSource} when it holds a resource. */
export async function closeParquetSource(buffer: AsyncBuffer): Promise<void> {
  await (buffer as Partial<ClosableAsyncBuffer>).close?.();
}

/** True for http: and https: URLs. */
export function isHttpUrl(source: unknown): source is string | URL {
  return (
    (typeof source === 'string' || source instanceof URL) && /^https?:\/\//i.test(String(source))
  );
}

/** Opens any supported source as an AsyncBuffer. */
export async function openParquetSource(
  source: GeoParquetSource,
  options: GeoParquetSourceOptions = {},
): Promise<AsyncBuffer> {
  if (source instanceof Uint8Array) {
    const bytes = source;
    return {
      byteLength: bytes.byteLength,
      slice: (start, end) => bytes.slice(start, end).buffer as ArrayBuffer,
    };
  }
  if (source instanceof ArrayBuffer) return source;
  // A Blob (a File from an <input> in a browser) is read slice by slice, like a Range request.
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const blob = source;
    return { byteLength: blob.size, slice: (start, end) => blob.slice(start, end).arrayBuffer() };
  }
  if (isHttpUrl(source)) return openHttpBuffer(String(source), options);
  if (typeof source === 'string' || source instanceof URL) return openFileBuffer(source);
  if (
    source &&
    typeof (source as AsyncBuffer).slice === 'function' &&
    typeof (source as AsyncBuffer).byteLength === 'number'
  )
    return source as AsyncBuffer;
  throw new ReadError(
    'unsupported stac-geoparquet source: pass a path, an http(s) URL, a Uint8Array, an ArrayBuffer or an AsyncBuffer',
  );
}

/** A local file read with positional reads; only the bytes asked for are read. */
async function openFileBuffer(source: string | URL): Promise<AsyncBuffer> {
  const fs = nodeBuiltin('node:fs/promises', 'reading a local stac-geoparquet file');
  const name = String(source);
  let handle: FileHandle;
  let size: number;
  try {
    handle = await fs.open(source, 'r');
    size = (await handle.stat()).size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ReadError(
      `cannot open ${redactHref(name)}: ${code === 'ENOENT' ? 'no such file; check the path' : (code ?? (error as Error).message)}`,
      { cause: error },
    );
  }
  const buffer: ClosableAsyncBuffer = {
    byteLength: size,
    async slice(start, end = size) {
      const length = Math.max(0, end - start);
      const bytes = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(bytes, done, length - done, start + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return bytes.buffer;
    },
    close: () => handle.close(),
  };
  return buffer;
}

/**
 * An HTTP file read lazily: the first request fetches the last `initialFetchSize`
 * bytes (footer and file size in one round trip), later ones only the ranges asked for.
 */
export async function openHttpBuffer(
  url: string,
  options: GeoParquetSourceOptions = {},
): Promise<HttpAsyncBuffer> {
  const stats: HttpSourceStats = { requests: 0, bytes: 0 };
  const suffixSize = options.initialFetchSize ?? 65_536;

  const get = async (range: string): Promise<{ response: Response; bytes: Uint8Array }> => {
    const signed = await signHrefWith(options.signer, url, options.signal);
    let sent: Record<string, string> = {};
    // httpRequest throws the abort unwrapped and network failures as ReadError.
    // The body is read under the retry policy: a reply cut short is fetched again.
    const { response, bytes } = await httpRequestBytes(signed, {
      headers: async (current) => {
        sent = {
          ...(await headersFor(options.signer, current, { method: 'GET' }, options.signal)),
          Range: range,
        };
        return sent;
      },
      signal: options.signal,
      fetch: options.fetch,
      retries: options.retries,
      timeout: options.timeout,
      backoff: options.backoff,
    });
    stats.requests++;
    if (response.status !== 200 && response.status !== 206) {
      // A server may quote the request back (its token, its `?sig=`): hidden before the reply is cut.
      const snippet = quoteServerText(new TextDecoder().decode(bytes), 200, (text) =>
        redactRequestSecrets(text, signed, sent),
      );
      const hint =
        response.status === 404
          ? 'the file does not exist; check the URL'
          : response.status === 401 || response.status === 403
            ? 'access was refused; check the credentials or the signer for this host'
            : response.status === 416
              ? 'the server refused the byte range; the file may be empty or not a Parquet file'
              : 'the server answered with an error';
      throw new ReadError(
        `cannot read stac-geoparquet ${redactHref(url)}: HTTP ${response.status}: ${hint}${snippet ? ` (${snippet})` : ''}`,
        {
          details: { url: redactHref(url), status: response.status },
        },
      );
    }
    stats.bytes += bytes.length;
    return { response, bytes };
  };

  const first = await get(`bytes=-${suffixSize}`);
  let byteLength: number;
  let tail: Uint8Array;
  let tailStart: number;
  if (first.response.status === 200) {
    // The server ignored the range: we have the whole file.
    byteLength = first.bytes.length;
    tail = first.bytes;
    tailStart = 0;
  } else {
    const total = /\/(\d+)\s*$/.exec(first.response.headers.get('content-range') ?? '')?.[1];
    if (total === undefined) {
      throw new ReadError(
        `cannot read stac-geoparquet ${redactHref(url)}: the server sent a partial response without a Content-Range size`,
      );
    }
    byteLength = Number(total);
    tail = first.bytes;
    tailStart = byteLength - tail.length;
  }

  return {
    url: redactHref(url),
    stats,
    byteLength,
    async slice(start, end = byteLength) {
      if (start >= tailStart && end <= tailStart + tail.length) {
        return tail.slice(start - tailStart, end - tailStart).buffer;
      }
      if (end <= start) return new ArrayBuffer(0);
      const { response, bytes } = await get(`bytes=${start}-${end - 1}`);
      if (response.status === 200) {
        if (bytes.length !== byteLength)
          throw new ReadError(
            `${redactHref(url)} changed size while it was being read; read it again`,
          );
        return bytes.slice(start, end).buffer;
      }
      if (bytes.length !== end - start) {
        throw new ReadError(
          `${redactHref(url)}: asked for ${end - start} bytes at ${start}, got ${bytes.length}; the file may have changed`,
        );
      }
      return bytes.buffer as ArrayBuffer;
    },
  };
}
