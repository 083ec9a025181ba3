// A loopback server that issues short-lived tokens on a fake clock and serves one
// raster only to requests that present a token still valid on that clock. Token
// endpoints: `/oidc/token` (a Keycloak password grant, as CDSE's) and `/sas/…` (the
// Planetary Computer SAS endpoint). Data: `/cdse/…` wants `Authorization: Bearer`,
// `/blob/…` wants a SAS query (`sig=`). Only for tests; listens on 127.0.0.1 only.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Options of {@link startExpiringTokenServer}. */
export interface ExpiringTokenServerOptions {
  /** The file every data path serves (byte ranges honoured). */
  file: string;
  /** Epoch milliseconds the fake clock starts at (and returns to on `reset`). */
  start: number;
  /** Milliseconds each token lives on the fake clock. */
  tokenLifetime: number;
}

/** The running server and what it saw. */
export interface ExpiringTokenServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The fake clock every party reads: signers, token endpoints and the data server. */
  clock: number;
  /** Milliseconds the clock moves on at each data request (a slow network). */
  stepPerRead: number;
  /** Expiry of every token issued, by token. */
  readonly issued: Map<string, number>;
  /** Tokens the server refuses before their expiry (403). */
  readonly revoked: Set<string>;
  /** Data requests received. */
  dataReads: number;
  /** Tokens of data requests that presented them after their expiry. */
  readonly expiredSent: string[];
  /** Data requests that presented no known token. */
  readonly missingSent: string[];
  /** The token each admitted data request presented, in order. */
  readonly admitted: string[];
  /** Back to the start: clock, tokens, counters. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts the server; `close()` it after the tests. */
export async function startExpiringTokenServer(
  options: ExpiringTokenServerOptions,
): Promise<ExpiringTokenServer> {
  const { file, start, tokenLifetime } = options;
  const seconds = (time: number) => (time - start) / 1000;

  // Served from memory: a file stream needs libuv's thread pool, which GDAL reads in this
  // same process can fill (four reads waiting on one dataset), and the test would hang.
  const bytes = readFileSync(file);
  function serveFile(request: IncomingMessage, response: ServerResponse): void {
    const size = bytes.length;
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    const first = range ? Number(range[1]) : 0;
    const last = range && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    response.writeHead(range ? 206 : 200, {
      'content-length': String(last - first + 1),
      'accept-ranges': 'bytes',
      'content-type': 'image/tiff',
      ...(range ? { 'content-range': `bytes ${first}-${last}/${size}` } : {}),
    });
    response.end(request.method === 'HEAD' ? undefined : bytes.subarray(first, last + 1));
  }

  /** Mints a token valid for `tokenLifetime` of the fake clock. */
  function mint(prefix: string): { token: string; expiresAt: number } {
    const token = `${prefix}-${state.issued.size + 1}`;
    const expiresAt = state.clock + tokenLifetime;
    state.issued.set(token, expiresAt);
    return { token, expiresAt };
  }

  /** Checks a presented token against the fake clock, then lets the clock run. */
  function admit(
    token: string | undefined | null,
    request: IncomingMessage,
    response: ServerResponse,
  ): void {
    state.dataReads++;
    const expiresAt = token ? state.issued.get(token) : undefined;
    if (!token || expiresAt === undefined) {
      state.missingSent.push(`${request.url} at +${seconds(state.clock)} s`);
      response.writeHead(401).end('no valid token');
    } else if (state.revoked.has(token)) {
      response.writeHead(403).end('token revoked');
    } else if (state.clock >= expiresAt) {
      state.expiredSent.push(
        `${token} at +${seconds(state.clock)} s, expired at +${seconds(expiresAt)} s`,
      );
      response.writeHead(401).end('token expired');
    } else {
      state.admitted.push(token);
      serveFile(request, response);
    }
    state.clock += state.stepPerRead;
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://loopback');
    if (url.pathname === '/oidc/token') {
      // A Keycloak token endpoint: password grant → a short-lived access token, no refresh token.
      const { token } = mint('cdse');
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          access_token: token,
          expires_in: tokenLifetime / 1000,
          token_type: 'Bearer',
        }),
      );
      return;
    }
    if (url.pathname.startsWith('/sas/')) {
      // The Planetary Computer SAS endpoint: {sasUrl}/{account}/{container} → token + msft:expiry.
      const { token, expiresAt } = mint('sas');
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          token: `sv=2024&sig=${token}`,
          'msft:expiry': new Date(expiresAt).toISOString(),
        }),
      );
      return;
    }
    if (url.pathname.startsWith('/cdse/')) {
      return admit(
        /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1],
        request,
        response,
      );
    }
    if (url.pathname.startsWith('/blob/'))
      return admit(url.searchParams.get('sig'), request, response);
    response.writeHead(404).end();
  }

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const state: ExpiringTokenServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    clock: start,
    stepPerRead: 0,
    issued: new Map(),
    revoked: new Set(),
    dataReads: 0,
    expiredSent: [],
    missingSent: [],
    admitted: [],
    reset() {
      state.clock = start;
      state.stepPerRead = 0;
      state.issued.clear();
      state.revoked.clear();
      state.dataReads = 0;
      state.expiredSent.length = 0;
      state.missingSent.length = 0;
      state.admitted.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return state;
}
