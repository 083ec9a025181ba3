// A loopback static file server with HTTP Range support, a request log and
// hooks to inject failures. Only for tests; listens on 127.0.0.1 only.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface LoggedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export interface RangeServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  requests: LoggedRequest[];
  /** Return true after writing a response to take over a request (failure injection). */
  intercept?: (request: IncomingMessage, response: ServerResponse, count: number) => boolean;
  close(): Promise<void>;
}

/** Options of {@link startRangeServer}. */
export interface RangeServerOptions {
  /** Answer CORS preflights and allow any origin to read (and Range-read) the files, as a browser page needs. */
  cors?: boolean;
  /** Send `content-type` by extension (.html, .js, .json, .map) instead of application/octet-stream, as module scripts need. */
  contentTypes?: boolean;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
};

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, POST, OPTIONS',
  'access-control-allow-headers': 'range, content-type, authorization',
  'access-control-expose-headers': 'content-range, content-length, accept-ranges',
};

/** Serves files under `root` at `/…`, honouring single `Range: bytes=a-b` headers. */
export async function startRangeServer(
  root: string,
  options: RangeServerOptions = {},
): Promise<RangeServer> {
  const state: RangeServer = {
    url: '',
    requests: [],
    close: async () => {},
  };
  const server: Server = createServer((request, response) => {
    state.requests.push({
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers: request.headers,
    });
    if (options.cors) {
      for (const [name, value] of Object.entries(CORS_HEADERS)) response.setHeader(name, value);
      if (request.method === 'OPTIONS') {
        response.writeHead(204).end();
        return;
      }
    }
    if (state.intercept?.(request, response, state.requests.length)) return;
    const relative = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = path.join(root, path.normalize(relative));
    if (!file.startsWith(root)) {
      response.writeHead(403).end('forbidden');
      return;
    }
    let size: number;
    try {
      const stats = statSync(file);
      if (!stats.isFile()) throw new Error('not a file');
      size = stats.size;
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const contentType =
      (options.contentTypes && CONTENT_TYPES[path.extname(file)]) || 'application/octet-stream';
    // `bytes=a-b`, `bytes=a-`, and the suffix form `bytes=-n` (the last n bytes), as S3 and nginx answer.
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
    if (range && (range[1] || range[2])) {
      const suffix = !range[1];
      const start = suffix ? Math.max(0, size - Number(range[2])) : Number(range[1]);
      const end = suffix ? size - 1 : Math.min(range[2] ? Number(range[2]) : size - 1, size - 1);
      if (start >= size) {
        response.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
      response.writeHead(206, {
        'content-range': `bytes ${start}-${end}/${size}`,
        'content-length': String(end - start + 1),
        'accept-ranges': 'bytes',
        'content-type': contentType,
      });
      if (request.method === 'HEAD') response.end();
      else createReadStream(file, { start, end }).pipe(response);
      return;
    }
    response.writeHead(200, {
      'content-length': String(size),
      'accept-ranges': 'bytes',
      'content-type': contentType,
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
