// Test support (not exported): a loopback HTTP server that replays recorded vcrpy cassettes
// of real STAC API exchanges. Recorded hosts are rewritten to the server itself; a request
// is answered only when its method, path, query and JSON body match a recorded one.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { fixturesDir } from '../../../../vitest.shared.js';

/** One recorded exchange, bodies decoded to text. */
export interface Interaction {
  method: string;
  uri: string;
  requestBody: string | null;
  status: number;
  contentType: string | undefined;
  /** The response body as recorded, decoded to text. */
  responseText: string;
  /** True when the cassette stores the body compressed (served gzip-encoded again). */
  compressed: boolean;
}

/** A request the server received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  matched: boolean;
}

/** A running replay server. */
export interface ReplayServer {
  /** `http://127.0.0.1:port` */
  origin: string;
  /** A recorded URL rewritten to this server. */
  rewrite(recordedUrl: string): string;
  /** The recorded response of interaction `index` of a cassette, parsed, hosts rewritten. */
  recordedJson(cassette: string, index: number): unknown;
  /** Every request received, in order. */
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** Options of {@link startReplayServer}. */
export interface ReplayOptions {
  /** Answer every POST with 405 (a server that refuses POST search). */
  refusePost?: boolean;
}

function header(headers: Record<string, unknown>, name: string): string | undefined {
  const entry = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name);
  const value = entry?.[1];
  return Array.isArray(value) ? String(value[0]) : value === undefined ? undefined : String(value);
}

const cache = new Map<string, Interaction[]>();

/** Reads a cassette from `stac/api-cassettes/<name>` (parsed once per test file). */
export function loadCassette(name: string): Interaction[] {
  const cached = cache.get(name);
  if (cached) return cached;
  const interactions = parseCassette(name);
  cache.set(name, interactions);
  return interactions;
}

/** The vcrpy YAML shape of one interaction. */
interface RecordedInteraction {
  request: { method: string; uri: string; body: string | null };
  response: {
    status: { code: number };
    headers: Record<string, unknown>;
    body?: { string?: string | Uint8Array };
  };
}

function parseCassette(name: string): Interaction[] {
  const text = readFileSync(path.join(fixturesDir, 'stac/api-cassettes', name), 'utf8');
  const document = parse(text, { version: '1.1' }) as { interactions: RecordedInteraction[] };
  return document.interactions.map((interaction) => {
    const { request, response } = interaction;
    const body = response.body?.string as string | Uint8Array | undefined;
    const encoding = header(response.headers, 'content-encoding');
    let responseText: string;
    let compressed = false;
    if (body instanceof Uint8Array) {
      const buffer = Buffer.from(body);
      compressed = encoding === 'gzip' || encoding === 'br';
      responseText = (
        encoding === 'gzip'
          ? gunzipSync(buffer)
          : encoding === 'br'
            ? brotliDecompressSync(buffer)
            : buffer
      ).toString('utf8');
    } else {
      responseText = body ?? '';
    }
    return {
      method: String(request.method).toUpperCase(),
      uri: String(request.uri),
      requestBody: typeof request.body === 'string' ? request.body : null,
      status: Number(response.status.code),
      contentType: header(response.headers, 'content-type'),
      responseText,
      compressed,
    };
  });
}

function sortedQuery(url: URL): string[][] {
  return [...url.searchParams.entries()].sort(([a, x], [b, y]) =>
    a === b ? x.localeCompare(y) : a.localeCompare(b),
  );
}

function bodiesMatch(recorded: string | null, actual: string): boolean {
  if (recorded === null || recorded === '') return actual === '';
  try {
    return isDeepStrictEqual(JSON.parse(recorded), JSON.parse(actual));
  } catch {
    return recorded === actual;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a replay server on 127.0.0.1 (port 0) for the interactions of the given cassettes. */
export async function startReplayServer(
  cassettes: string[],
  options: ReplayOptions = {},
): Promise<ReplayServer> {
  const interactions = cassettes.flatMap((name) => loadCassette(name));
  const recordedOrigins = [
    ...new Set(interactions.map((interaction) => new URL(interaction.uri).origin)),
  ];
  const used = new Set<Interaction>();
  const requests: ReceivedRequest[] = [];
  let origin = '';
  const rewriteText = (text: string) =>
    recordedOrigins.reduce((result, recorded) => result.split(recorded).join(origin), text);

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const body = await readBody(request);
      const url = new URL(request.url ?? '/', origin);
      const received: ReceivedRequest = {
        method: request.method ?? 'GET',
        path: `${url.pathname}${url.search}`,
        body,
        headers: request.headers,
        matched: false,
      };
      requests.push(received);
      if (options.refusePost && request.method === 'POST') {
        response
          .writeHead(405, { 'content-type': 'application/json' })
          .end('{"code":"MethodNotAllowed","description":"POST is not allowed"}');
        return;
      }
      const candidates = interactions.filter((interaction) => {
        const recorded = new URL(interaction.uri);
        return (
          interaction.method === request.method &&
          recorded.pathname === url.pathname &&
          isDeepStrictEqual(sortedQuery(recorded), sortedQuery(url)) &&
          bodiesMatch(interaction.requestBody, body)
        );
      });
      const chosen = candidates.find((candidate) => !used.has(candidate)) ?? candidates.at(-1);
      if (!chosen) {
        // 418: not retried by the client, and plainly not a real answer.
        response
          .writeHead(418, { 'content-type': 'text/plain' })
          .end(`no recorded interaction for ${request.method} ${received.path} ${body}`);
        return;
      }
      used.add(chosen);
      received.matched = true;
      const text = rewriteText(chosen.responseText);
      const headers: Record<string, string> = {
        'content-type': chosen.contentType ?? 'application/json',
      };
      if (chosen.compressed) {
        headers['content-encoding'] = 'gzip';
        response.writeHead(chosen.status, headers).end(gzipSync(Buffer.from(text, 'utf8')));
      } else {
        response.writeHead(chosen.status, headers).end(text);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const byName = new Map(cassettes.map((name) => [name, loadCassette(name)]));
  return {
    origin,
    requests,
    rewrite: (recordedUrl) => rewriteText(recordedUrl),
    recordedJson: (cassette, index) =>
      JSON.parse(rewriteText(byName.get(cassette)![index]!.responseText)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
