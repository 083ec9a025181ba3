// One HTTP path for every byte and API request: retries with backoff on 429/5xx
// and connection resets (honouring Retry-After), a timeout per attempt, an
// AbortSignal, and redirects followed by hand so that headers are recomputed for
// each host: credentials meant for one host never follow a redirect to another.
import { isAbortError } from '../errors/abort.js';
import { ReadError } from '../errors/read-error.js';
import { quoteServerText, redactHref } from '../signers/redact.js';
import { defaultHttpTimeout } from './http-timeout.js';

/** Headers, or a function giving the headers for a URL (called per attempt and per redirect hop). */
export type HeadersSource =
  | Record<string, string>
  | ((url: string) => Promise<Record<string, string>> | Record<string, string>);

export interface HttpRequestOptions {
  method?: string;
  body?: string | Uint8Array;
  headers?: HeadersSource;
  signal?: AbortSignal;
  /** HTTP client; the global fetch by default. Tests inject loopback-only clients here. */
  fetch?: typeof fetch;
  /** Retries after the first attempt (default 3). */
  retries?: number;
  /** First backoff in ms, doubled each retry with jitter (default 250). */
  backoff?: number;
  /** Longest single wait in ms, including a server's Retry-After (default 30 000). */
  maxBackoff?: number;
  /**
   * Timeout of one attempt in ms (default `PYRAMIDS_HTTP_TIMEOUT` seconds, else 30 000). A server
   * that lets two attempts time out is not tried again.
   */
  timeout?: number;
  /**
   * Whether the timeout also bounds reading the body (default true). Callers that guard a long
   * body with their own idle timer (downloads) pass false: the timeout then ends at the headers.
   */
  timeoutIncludesBody?: boolean;
  /** Statuses that are retried (default 429, 500, 502, 503, 504). */
  retryStatuses?: readonly number[];
  /** Most redirects followed (default 10). */
  maxRedirects?: number;
  /** Called before each retry, e.g. to log (with a redacted URL). */
  onRetry?: (info: { attempt: number; delay: number; reason: string; url: string }) => void;
}

const DEFAULT_RETRY_STATUSES = [429, 500, 502, 503, 504];
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

async function resolveHeaders(
  source: HeadersSource | undefined,
  url: string,
): Promise<Record<string, string>> {
  if (!source) return {};
  return typeof source === 'function' ? await source(url) : source;
}

/** Socket-level failures that a later attempt may not meet. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * True for errors that a retry may cure: resets, refused connections, timeouts of one
 * attempt. A malformed URL, an unknown scheme or a refused request is permanent: fetch
 * throws those as a TypeError too, but without a socket error code as its cause.
 */
function isTransientNetworkError(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string; name?: string } }).cause;
  const code = cause?.code ?? (error as { code?: string }).code;
  return (
    (code !== undefined && TRANSIENT_CODES.has(code)) ||
    (error as { name?: string }).name === 'TimeoutError' ||
    cause?.name === 'TimeoutError' ||
    // A loopback fetch stub or an older undici reports a socket error without a code.
    (error instanceof TypeError &&
      (error.message === 'fetch failed' || /socket|terminated|reset/i.test(error.message)) &&
      !/scheme|credential|parse/i.test(
        String((cause as { message?: string } | undefined)?.message ?? ''),
      ))
  );
}

function isTimeout(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string; name?: string } }).cause;
  return (
    (error as { name?: string }).name === 'TimeoutError' ||
    cause?.name === 'TimeoutError' ||
    cause?.code === 'UND_ERR_CONNECT_TIMEOUT' ||
    cause?.code === 'UND_ERR_HEADERS_TIMEOUT'
  );
}

function formatSeconds(milliseconds: number): string {
  return `${Number((milliseconds / 1000).toFixed(3))} s`;
}

/**
 * Refuses, before any request, a URL that can never succeed: one that does not parse, that
 * is not http(s), or that carries a user name or password (fetch refuses those, and its
 * message would print the password). The message shows the URL redacted.
 */
export function checkRequestUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ReadError(`${redactHref(url)} is not a valid URL; check the href`, {
      details: { url: redactHref(url) },
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ReadError(
      `cannot request ${redactHref(url)}: the scheme ${parsed.protocol} is not supported over HTTP; use an http(s) URL`,
      {
        details: { url: redactHref(url) },
      },
    );
  }
  if (parsed.username || parsed.password) {
    throw new ReadError(
      `cannot request ${redactHref(url)}: credentials in a URL are refused; remove the user name and password and pass them through a signer or headers`,
      { details: { url: redactHref(url) } },
    );
  }
}

/**
 * Sends a request with retries, timeouts and safe redirects. Resolves with the
 * final response whatever its status (after retrying retryable statuses); throws
 * ReadError when the network fails on every attempt, and the abort reason when
 * `signal` fires.
 */
export async function httpRequest(
  url: string,
  options: HttpRequestOptions = {},
): Promise<Response> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const retries = options.retries ?? 3;
  const backoff = options.backoff ?? 250;
  const maxBackoff = options.maxBackoff ?? 30_000;
  const timeout = options.timeout ?? defaultHttpTimeout();
  let timedOutAttempts = 0;
  const retryStatuses = options.retryStatuses ?? DEFAULT_RETRY_STATUSES;
  const maxRedirects = options.maxRedirects ?? 10;
  let method = (options.method ?? 'GET').toUpperCase();
  let body = options.body;

  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    let currentUrl = url;
    let response: Response | undefined;
    try {
      for (let hop = 0; ; hop++) {
        checkRequestUrl(currentUrl);
        const headers = await resolveHeaders(options.headers, currentUrl);
        const timer = new AbortController();
        const timeoutHandle = setTimeout(
          () => timer.abort(new DOMException(`no answer within ${timeout} ms`, 'TimeoutError')),
          timeout,
        );
        // Like AbortSignal.timeout, the timer must not keep a finished process alive.
        (timeoutHandle as { unref?: () => void }).unref?.();
        const attemptSignal = options.signal
          ? AbortSignal.any([options.signal, timer.signal])
          : timer.signal;
        try {
          response = await fetchImpl(currentUrl, {
            method,
            headers,
            body: body as BodyInit | undefined,
            redirect: 'manual',
            signal: attemptSignal,
          });
        } finally {
          if (options.timeoutIncludesBody === false) clearTimeout(timeoutHandle);
        }

        if (!REDIRECT_STATUSES.has(response.status)) break;
        const location = response.headers.get('location');
        if (!location) break;
        if (hop >= maxRedirects) {
          throw new ReadError(`too many redirects (${maxRedirects}) from ${redactHref(url)}`);
        }
        await response.body?.cancel();
        const next = new URL(location, currentUrl).toString();
        if (
          response.status === 303 ||
          ((response.status === 301 || response.status === 302) && method === 'POST')
        ) {
          method = 'GET';
          body = undefined;
        }
        // Headers are recomputed for the new URL by the headers function, so a signer
        // that does not match the new host adds nothing; static headers lose Authorization.
        if (
          typeof options.headers !== 'function' &&
          hostOf(next) !== hostOf(currentUrl) &&
          options.headers
        ) {
          const { authorization: _a, Authorization: _b, ...rest } = options.headers;
          options = { ...options, headers: rest };
        }
        currentUrl = next;
      }
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (ReadError.isInstance(error)) throw error;
      if (isAbortError(error) && (error as { name?: string }).name === 'AbortError') throw error;
      if (isTimeout(error)) timedOutAttempts++;
      if (timedOutAttempts >= 2) {
        throw new ReadError(
          `${redactHref(currentUrl)} did not answer within ${formatSeconds(timeout)} on ${attempt + 1} attempt(s); ` +
            'check the URL and the network, or wait longer with --timeout SECONDS (PYRAMIDS_HTTP_TIMEOUT)',
          {
            cause: error,
            details: { url: redactHref(currentUrl), attempts: attempt + 1, timeout },
          },
        );
      }
      if (!isTransientNetworkError(error) || attempt >= retries) {
        const reason =
          (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
        throw new ReadError(
          `request to ${redactHref(currentUrl)} failed after ${attempt + 1} attempt(s): ${quoteServerText(reason, 300)}`,
          {
            cause: error,
            details: { url: redactHref(currentUrl), attempts: attempt + 1 },
          },
        );
      }
      const delay = Math.min(maxBackoff, backoff * 2 ** attempt * (1 + Math.random() * 0.25));
      options.onRetry?.({
        attempt: attempt + 1,
        delay,
        reason: (error as Error).message,
        url: redactHref(currentUrl),
      });
      await sleep(delay, options.signal);
      continue;
    }
    if (!retryStatuses.includes(response!.status) || attempt >= retries) return response!;
    const retryAfter = parseRetryAfter(response!.headers.get('retry-after'));
    const delay = Math.min(
      maxBackoff,
      retryAfter ?? backoff * 2 ** attempt * (1 + Math.random() * 0.25),
    );
    await response!.body?.cancel();
    options.onRetry?.({
      attempt: attempt + 1,
      delay,
      reason: `HTTP ${response!.status}`,
      url: redactHref(currentUrl),
    });
    await sleep(delay, options.signal);
  }
}

/** A final response and its whole body. */
export interface HttpBytesResponse {
  response: Response;
  bytes: Uint8Array;
}

/**
 * `httpRequest` plus the whole body, read under the same retry policy: a body cut
 * short by a reset or a closed connection, or shorter than its Content-Length, is
 * fetched again rather than handed on as if complete.
 * @throws ReadError when every attempt fails; the abort reason when `signal` fires.
 */
export async function httpRequestBytes(
  url: string,
  options: HttpRequestOptions = {},
): Promise<HttpBytesResponse> {
  const retries = options.retries ?? 3;
  const backoff = options.backoff ?? 250;
  const maxBackoff = options.maxBackoff ?? 30_000;
  for (let attempt = 0; ; attempt++) {
    const response = await httpRequest(url, options);
    let failure: unknown;
    try {
      const bytes = new Uint8Array(await response.arrayBuffer());
      const declared = response.headers.get('content-length');
      // fetch checks this itself for identity bodies; a proxy or stub may not.
      if (
        declared === null ||
        response.headers.get('content-encoding') !== null ||
        Number(declared) === bytes.length
      )
        return { response, bytes };
      failure = new Error(`the body ended after ${bytes.length} of ${declared} bytes`);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (isAbortError(error) && (error as { name?: string }).name === 'AbortError') throw error;
      if (!isTransientNetworkError(error)) {
        throw new ReadError(
          `reading the reply of ${redactHref(url)} failed: ${quoteServerText((error as Error).message ?? String(error), 300)}`,
          {
            cause: error,
            details: { url: redactHref(url) },
          },
        );
      }
      failure = error;
    }
    if (attempt >= retries) {
      const reason =
        (failure as { cause?: { message?: string } }).cause?.message ?? (failure as Error).message;
      throw new ReadError(
        `reading the reply of ${redactHref(url)} failed after ${attempt + 1} attempt(s): ${quoteServerText(reason, 300)}`,
        {
          cause: failure,
          details: { url: redactHref(url), attempts: attempt + 1 },
        },
      );
    }
    const delay = Math.min(maxBackoff, backoff * 2 ** attempt * (1 + Math.random() * 0.25));
    options.onRetry?.({
      attempt: attempt + 1,
      delay,
      reason: (failure as Error).message,
      url: redactHref(url),
    });
    await sleep(delay, options.signal);
  }
}

/**
 * Reads a response body as text for an error message: `redact` (e.g. the request's own
 * secrets) and every secret-looking value are hidden first, then it is cut to `limit` characters.
 */
export async function responseSnippet(
  response: Response,
  limit = 300,
  redact?: (text: string) => string,
): Promise<string> {
  try {
    return quoteServerText(await response.text(), limit, redact);
  } catch {
    return '';
  }
}
