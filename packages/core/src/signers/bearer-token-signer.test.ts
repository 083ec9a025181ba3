import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpRequest } from '../http/http-request.js';
import { bearerTokenSigner } from './bearer-token-signer.js';
import { headersFor } from './signer.js';

const TOKEN = 'sentinel-bearer-7f3a9c';

interface Loopback {
  url: string;
  seen: IncomingHttpHeaders[];
  server: Server;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

async function listen(
  host: string,
  handler: (
    path: string,
    headers: IncomingHttpHeaders,
  ) => { status: number; headers?: Record<string, string>; body?: string },
): Promise<Loopback> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    seen.push(request.headers);
    const reply = handler(request.url ?? '/', request.headers);
    response.writeHead(reply.status, reply.headers).end(reply.body ?? '');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, seen, server };
}

describe('bearerTokenSigner', () => {
  it('sends the token to listed hosts only, matching host and port', async () => {
    const signer = bearerTokenSigner(TOKEN, {
      hosts: ['api.example.com', '127.0.0.1:8080', '*.earthdata.example'],
    });
    expect(await headersFor(signer, 'https://api.example.com/search')).toEqual({
      Authorization: `Bearer ${TOKEN}`,
    });
    expect(await headersFor(signer, 'https://api.example.com:8443/search')).toEqual({
      Authorization: `Bearer ${TOKEN}`,
    });
    expect(await headersFor(signer, 'http://127.0.0.1:8080/x')).toEqual({
      Authorization: `Bearer ${TOKEN}`,
    });
    expect(await headersFor(signer, 'https://data.earthdata.example/x')).toEqual({
      Authorization: `Bearer ${TOKEN}`,
    });
    expect(await headersFor(signer, 'http://127.0.0.1:8081/x')).toEqual({});
    expect(await headersFor(signer, 'https://evil.example.com/api.example.com')).toEqual({});
    expect(await headersFor(signer, 'https://api.example.com.evil.net/')).toEqual({});
    expect(await headersFor(signer, 'https://earthdata.example/x')).toEqual({});
    expect(signer.matches('s3://api.example.com/key')).toBe(false);
    expect(await signer.gdalEnv!('/vsicurl/https://api.example.com/a.tif')).toEqual({
      GDAL_HTTP_HEADERS: `Authorization: Bearer ${TOKEN}`,
    });
    expect(await signer.gdalEnv!('https://other.example.com/a.tif')).toEqual({});
  });

  it('signs STAC API requests for listed hosts and leaves others alone', async () => {
    const signer = bearerTokenSigner(() => TOKEN, { hosts: ['stac.example.com'] });
    const signed = await signer.signRequest!({
      url: 'https://stac.example.com/search',
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(signed.headers).toEqual({
      'Content-Type': 'application/json',
      Authorization: `Bearer ${TOKEN}`,
    });
    const other = { url: 'https://elsewhere.example.com/search', method: 'GET', headers: {} };
    expect(await signer.signRequest!(other)).toBe(other);
  });

  it('calls a token function per request, so a rotated token is used', async () => {
    let current = 'first-token';
    const signer = bearerTokenSigner(() => current, { hosts: ['api.example.com'] });
    expect(await signer.headers!('https://api.example.com/a')).toEqual({
      Authorization: 'Bearer first-token',
    });
    current = 'second-token';
    expect(await signer.headers!('https://api.example.com/a')).toEqual({
      Authorization: 'Bearer second-token',
    });
  });

  it.each([
    ['an empty string', () => ''],
    ['undefined', () => undefined as unknown as string],
    ['a number', async () => 42 as unknown as string],
  ])('refuses a token that resolves to %s with a SignerError', async (_label, token) => {
    const signer = bearerTokenSigner(token, { hosts: ['api.example.com'] });
    await expect(signer.headers!('https://api.example.com/')).rejects.toMatchObject({
      name: 'SignerError',
      code: 'SIGNER',
    });
    await expect(signer.headers!('https://api.example.com/')).rejects.toThrow(
      /expected a non-empty string/,
    );
  });

  it('refuses to be built without hosts', () => {
    expect(() => bearerTokenSigner(TOKEN, { hosts: [] })).toThrow(/'hosts' must list/);
    expect(() => bearerTokenSigner(TOKEN, undefined as never)).toThrow(/'hosts' must list/);
  });

  it('describes itself without the token', () => {
    const signer = bearerTokenSigner(TOKEN, { hosts: ['api.example.com'] });
    expect(signer.describe!()).toEqual({ id: 'bearer', options: { hosts: ['api.example.com'] } });
    expect(JSON.stringify(signer.describe!())).not.toContain(TOKEN);
  });
});

describe('bearer token and redirects', () => {
  it('drops the token when a redirect leads to another host (same address, other port)', async () => {
    const target = await listen('127.0.0.1', () => ({ status: 200, body: 'bytes' }));
    const origin = await listen('127.0.0.1', (_path, headers) =>
      headers.authorization === `Bearer ${TOKEN}`
        ? { status: 302, headers: { location: `${target.url}/presigned?X-Amz-Signature=abc` } }
        : { status: 401 },
    );
    const signer = bearerTokenSigner(TOKEN, { hosts: [new URL(origin.url).host] });
    const response = await httpRequest(`${origin.url}/data.tif`, {
      headers: (url) => headersFor(signer, url),
      retries: 0,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('bytes');
    expect(origin.seen).toHaveLength(1);
    expect(origin.seen[0]!.authorization).toBe(`Bearer ${TOKEN}`);
    expect(target.seen).toHaveLength(1);
    expect(target.seen[0]!.authorization).toBeUndefined();
  });

  it('drops the token on a redirect from 127.0.0.1 to localhost even when the name is listed without a port', async () => {
    const target = await listen('localhost', () => ({ status: 200, body: 'ok' }));
    const origin = await listen('127.0.0.1', () => ({
      status: 307,
      headers: { location: `${target.url}/next` },
    }));
    const signer = bearerTokenSigner(TOKEN, { hosts: ['127.0.0.1'] });
    const response = await httpRequest(`${origin.url}/a`, {
      headers: (url) => headersFor(signer, url),
      retries: 0,
    });
    expect(response.status).toBe(200);
    expect(origin.seen[0]!.authorization).toBe(`Bearer ${TOKEN}`);
    expect(target.seen[0]!.authorization).toBeUndefined();
  });

  it('keeps the token on a same-host redirect', async () => {
    const origin = await listen('127.0.0.1', (path) =>
      path === '/old'
        ? { status: 301, headers: { location: '/new' } }
        : { status: 200, body: 'moved' },
    );
    const signer = bearerTokenSigner(TOKEN, { hosts: [new URL(origin.url).host] });
    const response = await httpRequest(`${origin.url}/old`, {
      headers: (url) => headersFor(signer, url),
      retries: 0,
    });
    expect(await response.text()).toBe('moved');
    expect(origin.seen.map((headers) => headers.authorization)).toEqual([
      `Bearer ${TOKEN}`,
      `Bearer ${TOKEN}`,
    ]);
  });

  it('drops a static Authorization header on a cross-host redirect too', async () => {
    const target = await listen('127.0.0.1', () => ({ status: 200 }));
    const origin = await listen('127.0.0.1', () => ({
      status: 308,
      headers: { location: `${target.url}/` },
    }));
    const response = await httpRequest(`${origin.url}/`, {
      headers: { Authorization: `Bearer ${TOKEN}`, 'X-Other': 'kept' },
      retries: 0,
    });
    expect(response.status).toBe(200);
    expect(target.seen[0]!.authorization).toBeUndefined();
    expect(target.seen[0]!['x-other']).toBe('kept');
  });
});
