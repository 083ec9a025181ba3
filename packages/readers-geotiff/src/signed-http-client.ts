// geotiff.js's HTTP client, signed per request: each range request asks the signer for a
// fresh href and headers, and a 401/403 is explained by the signer and retried once.
import { BaseClient, BaseResponse } from 'geotiff';
import {
  headersFor,
  httpRequestBytes,
  isAbortError,
  quoteServerText,
  ReadError,
  redactHref,
  redactRequestSecrets,
  type ReaderContext,
} from '@pyramids/core';
import type { GeoTiffReaderOptions } from './geotiff-reader.js';

/**
 * geotiff.js client over core's `httpRequest`: retries, timeouts, aborts, and
 * the signer's href and headers computed per request (so a refreshed token is
 * used). A 401/403 goes to the signer's `describeFailure`, which drops a
 * revoked token; the read is then retried once with a fresh one.
 */
export class SignedHttpClient extends BaseClient {
  /**
   * The last typed failure. geotiff.js's block cache drops the errors of failed
   * fetches (it throws a bare AggregateError), so the reader looks here instead.
   */
  lastError: unknown;

  constructor(
    url: string,
    private readonly context: ReaderContext,
    private readonly readerOptions: GeoTiffReaderOptions,
  ) {
    super(url);
  }

  override async request(init: RequestInit = {}): Promise<BaseResponse> {
    try {
      let attempt = await this.send(init);
      const signer = this.context.signer;
      if (
        (attempt.response.status === 401 || attempt.response.status === 403) &&
        signer?.describeFailure &&
        signer.matches(attempt.url)
      ) {
        const explained = signer.describeFailure(attempt.url, {
          status: attempt.response.status,
          headers: attempt.response.headers,
        });
        if (explained) {
          // The signer dropped its token: one more try with a fresh one.
          attempt = await this.send(init);
          if (attempt.response.status === 401 || attempt.response.status === 403) throw explained;
        }
      }
      if (!attempt.response.ok) throw this.failure(attempt);
      return new FetchedResponse(attempt.response, attempt.bytes);
    } catch (error) {
      this.lastError = error;
      throw error;
    }
  }

  /**
   * Bytes [offset, offset + length) of the file in one Range request, as a view of the
   * response body (no copy). A server that ignores Range (200) is sliced; one that
   * answers fewer bytes than asked fails with a ReadError rather than decoding a torn tile.
   */
  async readRange(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    const response = (await this.request({
      headers: { Range: `bytes=${offset}-${offset + length - 1}` },
      signal,
    })) as FetchedResponse;
    const range = /bytes (\d+)-/.exec(response.getHeader('content-range') ?? '');
    const start = response.status === 206 ? (range ? Number(range[1]) : offset) : 0;
    const from = offset - start;
    const bytes = response.body.subarray(Math.max(0, from), from + length);
    if (from < 0 || bytes.length < length) {
      const error = new ReadError(
        `${redactHref(this.url)} answered bytes ${start}-${start + response.body.length - 1} for the range ${offset}-${offset + length - 1}; the file may have changed while it was read, try again`,
        { plugin: 'geotiff' },
      );
      this.lastError = error;
      throw error;
    }
    return bytes;
  }

  /**
   * One request, signed now (the href from the signer's cache, then its headers), its
   * body read under the retry policy: a block cut short is fetched again, never decoded.
   */
  private async send(
    init: RequestInit,
  ): Promise<{ url: string; response: Response; bytes: Uint8Array; sent: Record<string, string> }> {
    const extra = (init.headers ?? {}) as Record<string, string>;
    const signal = init.signal ?? undefined;
    const url = this.context.signHref ? await this.context.signHref(signal) : this.url;
    let sent: Record<string, string> = {};
    const { response, bytes } = await httpRequestBytes(url, {
      headers: async (target) =>
        (sent = {
          ...extra,
          ...(await headersFor(this.context.signer, target, { method: 'GET' }, signal)),
        }),
      signal,
      fetch: this.context.fetch,
      retries: this.readerOptions.retries ?? 3,
      timeout: this.readerOptions.timeout,
      backoff: this.readerOptions.backoff,
    });
    return { url, response, bytes, sent };
  }

  /** The ReadError for a failed response, with the server's words and no secret. */
  private failure({
    url,
    response,
    bytes,
    sent,
  }: {
    url: string;
    response: Response;
    bytes: Uint8Array;
    sent: Record<string, string>;
  }): ReadError {
    const hint =
      response.status === 401 || response.status === 403
        ? '; the server refused access: pass a signer for this host (--signer) or check its credentials'
        : response.status === 404
          ? '; check the href'
          : '';
    // A server may quote the request back (its token, its SAS query): never into the message.
    const snippet = quoteServerText(new TextDecoder().decode(bytes), 200, (text) =>
      redactRequestSecrets(text, url, sent),
    );
    return new ReadError(
      `HTTP ${response.status} reading ${redactHref(url)}${hint}${snippet ? ` (server said: ${snippet})` : ''}`,
      {
        plugin: 'geotiff',
        details: { status: response.status, href: redactHref(url) },
      },
    );
  }
}

class FetchedResponse extends BaseResponse {
  constructor(
    private readonly response: Response,
    private readonly bytes: Uint8Array,
  ) {
    super();
  }
  /** The body as read, without the copy `getData` makes. */
  get body(): Uint8Array {
    return this.bytes;
  }
  override get status(): number {
    return this.response.status;
  }
  override getHeader(name: string): string | undefined {
    return this.response.headers.get(name) ?? undefined;
  }
  override async getData(): Promise<ArrayBuffer> {
    return this.bytes.buffer.slice(
      this.bytes.byteOffset,
      this.bytes.byteOffset + this.bytes.byteLength,
    ) as ArrayBuffer;
  }
}

/**
 * geotiff.js wraps failed block fetches in an AggregateError; find our own
 * typed error (or the abort) inside it so its message reaches the user.
 */
export function unwrapBlockError(error: unknown, client: SignedHttpClient | undefined): unknown {
  if (isAbortError(error) || client?.lastError === undefined) return error;
  const typed = client.lastError;
  client.lastError = undefined;
  return typed;
}
