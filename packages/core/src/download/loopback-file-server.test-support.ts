// Test support: a loopback HTTP file server with Range, ETag and If-Range, that
// records every request and can cut a connection, corrupt or slow a response.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One file the server serves at `/files/<name>`. */
export interface ServedFile {
  body: Buffer;
  etag?: string;
  /** Cut the connection after this many body bytes, on the first `cuts` GETs (default 1). */
  cutAfter?: number;
  cuts?: number;
  /** Serve these bytes instead of `body` (a corrupted transfer). */
  corruptBody?: Buffer;
  /** Write the body in chunks of this size with a pause between them. */
  chunkSize?: number;
  chunkDelay?: number;
  /** Require this Authorization header. */
  authorization?: string;
  /** Answer HEAD with 403, as presigned GET URLs do. */
  refuseHead?: boolean;
}

/** A request the server saw. */
export interface SeenRequest {
  method: string;
  url: string;
  range?: string;
  ifRange?: string;
  authorization?: string;
}

export interface LoopbackFileServer {
  url: string;
  files: Map<string, ServedFile>;
  requests: SeenRequest[];
  /** Takes a request over before it is served (e.g. a fault injector's); true when it answered. */
  intercept?: (request: IncomingMessage, response: ServerResponse) => boolean;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1, port 0. */
export async function startFileServer(): Promise<LoopbackFileServer> {
  const files = new Map<string, ServedFile>();
  const requests: SeenRequest[] = [];
  const cutCount = new Map<string, number>();
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const header = (name: string) => (request.headers[name] as string | undefined) ?? undefined;
    requests.push({
      method: request.method ?? 'GET',
      url: request.url ?? '',
      ...(header('range') ? { range: header('range')! } : {}),
      ...(header('if-range') ? { ifRange: header('if-range')! } : {}),
      ...(header('authorization') ? { authorization: header('authorization')! } : {}),
    });
    if (state.intercept?.(request, response)) return;
    const name = decodeURIComponent((request.url ?? '').replace(/^\/files\//, '').split('?')[0]!);
    const file = files.get(name);
    if (!file || !request.url?.startsWith('/files/')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (file.authorization && header('authorization') !== file.authorization) {
      response.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden');
      return;
    }
    if (file.refuseHead && request.method === 'HEAD') {
      response.writeHead(403).end();
      return;
    }
    const etag =
      file.etag ?? `"${createHash('sha1').update(file.body).digest('hex').slice(0, 16)}"`;
    const body = file.corruptBody ?? file.body;
    let start = 0;
    let status = 200;
    const range = header('range');
    const ifRange = header('if-range');
    const headers: Record<string, string | number> = {
      etag,
      'accept-ranges': 'bytes',
      'last-modified': 'Mon, 01 Jan 2024 00:00:00 GMT',
    };
    let end = body.length - 1;
    if (range && (!ifRange || ifRange === etag)) {
      const match = /^bytes=(\d+)-(\d*)$/.exec(range);
      start = match ? Number(match[1]) : 0;
      if (match?.[2]) end = Math.min(end, Number(match[2]));
      if (start >= body.length) {
        response.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${body.length}`;
    }
    const slice = body.subarray(start, end + 1);
    headers['content-length'] = slice.length;
    response.writeHead(status, headers);
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    const cuts = cutCount.get(name) ?? 0;
    if (file.cutAfter !== undefined && cuts < (file.cuts ?? 1)) {
      cutCount.set(name, cuts + 1);
      response.write(slice.subarray(0, file.cutAfter), () =>
        setTimeout(() => response.socket?.destroy(), 20),
      );
      return;
    }
    if (file.chunkSize) {
      let offset = 0;
      const next = () => {
        if (response.destroyed) return;
        if (offset >= slice.length) return void response.end();
        const chunk = slice.subarray(offset, offset + file.chunkSize!);
        offset += chunk.length;
        response.write(chunk, () => setTimeout(next, file.chunkDelay ?? 1));
      };
      next();
      return;
    }
    response.end(slice);
  };
  const state: Pick<LoopbackFileServer, 'intercept'> = {};
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    files,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
