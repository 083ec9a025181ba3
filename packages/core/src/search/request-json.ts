// One STAC API request: signed, sent through httpRequest (retries, Retry-After, timeouts),
// under a total time budget, answered with JSON or a SearchError that says what failed.
import { isAbortError } from '../errors/abort.js';
import { PyramidsError } from '../errors/pyramids-error.js';
import { ReadError } from '../errors/read-error.js';
import { SearchError } from '../errors/search-error.js';
import { httpRequest } from '../http/http-request.js';
import { defaultHttpTimeout } from '../http/http-timeout.js';
import { checkJsonLimits } from '../stac/json-limits.js';
import { quoteServerText, redactHref, redactRequestSecrets } from '../signers/redact.js';
import type { SignableRequest, Signer } from '../signers/signer.js';

/** Transport settings shared by every request of a client. */
export interface TransportOptions {
  /** Signs STAC API requests (`signRequest`) and returned Items (`signItem`). */
  signer?: Signer;
  /** Extra headers on every request (e.g. an API key). */
  headers?: Record<string, string>;
  /** Total time for one request in ms, retries included (default twice `PYRAMIDS_HTTP_TIMEOUT` seconds, else 60 000). */
  timeout?: number;
  /** Retries after the first attempt on 429, 5xx and connection resets (default 3). */
  retries?: number;
  /** First backoff in ms, doubled per retry (default 250); a server's Retry-After wins. */
  backoff?: number;
  /** HTTP client; the global `fetch` by default. */
  fetch?: typeof fetch;
  /** Cancels every request of the operation. */
  signal?: AbortSignal;
}

/** What one request sends. */
export interface JsonRequest {
  url: string;
  method: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
}

/** A parsed JSON answer and its status. */
export interface JsonResponse {
  status: number;
  url: string;
  json: unknown;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/**
 * The server's own words about an error, from a JSON body (`description`, `detail`, …) or text,
 * with `redact` and every secret-looking value hidden before it is cut to length.
 */
function serverMessage(text: string, redact: (text: string) => string): string {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    for (const key of ['description', 'detail', 'message', 'error', 'title', 'code']) {
      const value = parsed[key];
      if (typeof value === 'string' && value) return quoteServerText(value, 300, redact);
    }
  } catch {
    // not JSON: fall through to the text
  }
  return quoteServerText(text, 300, redact);
}

/** Applies the signer's `signRequest` when the signer is responsible for the URL. */
async function signRequest(
  request: SignableRequest,
  signer: Signer | undefined,
  signal?: AbortSignal,
): Promise<SignableRequest> {
  if (!signer?.signRequest || !signer.matches(request.url)) return request;
  return signer.signRequest(request, signal);
}

/**
 * Sends one request and parses the JSON answer. Statuses in `accept` (besides 2xx)
 * are returned rather than thrown (e.g. 405 to fall back to GET, 404 for "not found").
 * @throws SearchError for HTTP errors, network failures, a timeout or a body that is not JSON;
 *   the abort reason, unwrapped, when `options.signal` fires.
 */
export async function requestJson(
  request: JsonRequest,
  options: TransportOptions,
  accept: readonly number[] = [],
): Promise<JsonResponse> {
  // Two attempts' worth of the per-request default: 60 s unless PYRAMIDS_HTTP_TIMEOUT says.
  const timeout = options.timeout ?? 2 * defaultHttpTimeout();
  const budget = AbortSignal.timeout(timeout);
  const signal = options.signal ? AbortSignal.any([options.signal, budget]) : budget;
  const unsigned: SignableRequest = {
    url: request.url,
    method: request.method,
    headers: {
      accept: 'application/geo+json, application/json;q=0.9',
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
      ...request.headers,
    },
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
  };
  const shown = redactHref(request.url);
  let attempts = 1;
  try {
    const signed = await signRequest(unsigned, options.signer, signal);
    const signedHost = hostOf(signed.url);
    const response = await httpRequest(signed.url, {
      method: signed.method,
      body: signed.body,
      // Headers a signer or the caller added belong to the signed host only: none follow a redirect elsewhere.
      headers: (url) =>
        hostOf(url) === signedHost
          ? signed.headers
          : Object.fromEntries(
              Object.entries(unsigned.headers).filter(
                ([name]) => name === 'accept' || name === 'content-type',
              ),
            ),
      signal,
      timeout,
      fetch: options.fetch,
      retries: options.retries,
      backoff: options.backoff,
      maxBackoff: timeout,
      onRetry: (info) => {
        attempts = info.attempt + 1;
      },
    });
    const text = await response.text();
    // A server may quote the request back (its token, its signed query): never into the message.
    const redact = (value: string) => redactRequestSecrets(value, signed.url, signed.headers);
    if (!response.ok && !accept.includes(response.status)) {
      const message = serverMessage(text, redact);
      throw new SearchError(
        `${request.method} ${shown} failed with HTTP ${response.status}${message ? `: ${message}` : ''}` +
          (response.status === 401 || response.status === 403
            ? ' (check the credentials or the signer)'
            : ''),
        {
          details: {
            status: response.status,
            url: shown,
            method: request.method,
            serverMessage: message,
            attempts,
          },
        },
      );
    }
    let json: unknown = undefined;
    if (text.trim() !== '') {
      checkJsonLimits(
        text,
        `${request.method} ${shown}'s answer`,
        (message) => new SearchError(message, { details: { status: response.status, url: shown } }),
      );
      try {
        json = JSON.parse(text);
      } catch (error) {
        if (response.ok) {
          throw new SearchError(
            `${request.method} ${shown} answered HTTP ${response.status} with a body that is not JSON: ${serverMessage(text, redact)}`,
            {
              cause: error,
              details: { status: response.status, url: shown },
            },
          );
        }
      }
    }
    return { status: response.status, url: request.url, json };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    // Our own errors (SearchError, a signer's SignerError) already say what failed.
    if (PyramidsError.isInstance(error) && !ReadError.isInstance(error)) throw error;
    if (budget.aborted) {
      throw new SearchError(
        `${request.method} ${shown} did not succeed within the timeout of ${timeout} ms (${attempts} attempt(s)); ` +
          'the server may be overloaded: try again later or raise the timeout',
        { cause: error, details: { url: shown, timeout, attempts } },
      );
    }
    if (ReadError.isInstance(error)) {
      throw new SearchError(`${request.method} ${shown} failed: ${error.message}`, {
        cause: error,
        details: { url: shown },
      });
    }
    if (isAbortError(error)) throw error;
    throw new SearchError(
      `${request.method} ${shown} failed: ${(error as Error).message ?? String(error)}`,
      {
        cause: error,
        details: { url: shown },
      },
    );
  }
}
