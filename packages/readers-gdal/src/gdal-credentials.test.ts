import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistry,
  openRaster,
  PLUGIN_API_VERSION,
  ReadError,
  type Signer,
} from '@pyramids/core';
import { gdalReader } from '@pyramids/readers-gdal';
import { fixturesDir } from '../../../vitest.shared.js';
import { firstDifference, translatePixels } from './test-helpers.js';

const GRIB2 = path.join(fixturesDir, 'rasters/rio-tiler/gfs.t06z.pgrb2.10p0.f010.grib2');
const bytes = readFileSync(GRIB2);

interface SeenRequest {
  method: string;
  authorization: string | undefined;
  userAgent: string | undefined;
}

/** A loopback server that serves the GRIB2 fixture with ranges, only to requests carrying `accept(request)`. */
async function startServer(accept: (request: http.IncomingMessage) => boolean) {
  const seen: SeenRequest[] = [];
  const server = http.createServer((request, response) => {
    seen.push({
      method: request.method!,
      authorization: request.headers.authorization,
      userAgent: request.headers['user-agent'],
    });
    if (!request.url!.startsWith('/data/forecast.grib2')) return void response.writeHead(404).end();
    if (!accept(request)) return void response.writeHead(403).end('forbidden');
    const range = /bytes=(\d+)-(\d*)/.exec(request.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(range[2] ? Number(range[2]) : bytes.length - 1, bytes.length - 1);
      response.writeHead(206, {
        'content-range': `bytes ${start}-${end}/${bytes.length}`,
        'content-length': end - start + 1,
        'accept-ranges': 'bytes',
      });
      return void response.end(
        request.method === 'HEAD' ? undefined : bytes.subarray(start, end + 1),
      );
    }
    response.writeHead(200, { 'content-length': bytes.length, 'accept-ranges': 'bytes' });
    response.end(request.method === 'HEAD' ? undefined : bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data/forecast.grib2`;
  return {
    server,
    url,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function signerFor(id: string, tokens: Map<string, string>, via: 'headers' | 'gdalEnv'): Signer {
  const tokenOf = (url: string) => [...tokens].find(([prefix]) => url.startsWith(prefix))?.[1];
  return {
    kind: 'signer',
    id,
    apiVersion: PLUGIN_API_VERSION,
    matches: (url) => tokenOf(url) !== undefined,
    ...(via === 'headers'
      ? { headers: async (url: string) => ({ Authorization: `Bearer ${tokenOf(url)!}` }) }
      : {
          gdalEnv: async (url: string) => ({
            GDAL_HTTP_HEADERS: `Authorization: Bearer ${tokenOf(url)!}`,
          }),
        }),
  };
}

describe('per-read credentials through GDAL', () => {
  const expected = translatePixels(GRIB2);
  let serverA: Awaited<ReturnType<typeof startServer>>;
  let serverB: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    serverA = await startServer(
      (request) =>
        request.headers.authorization === 'Bearer token-a' ||
        request.headers['user-agent'] === 'agent-a',
    );
    serverB = await startServer(
      (request) =>
        request.headers.authorization === 'Bearer token-b' ||
        request.headers['user-agent'] === 'agent-b',
    );
  });
  afterAll(async () => {
    await serverA.close();
    await serverB.close();
  });

  async function readBothConcurrently(signer: Signer) {
    serverA.seen.length = 0;
    serverB.seen.length = 0;
    const registry = createRegistry().use(gdalReader());
    // Cache-busting query strings keep GDAL's /vsicurl/ cache from answering for the server.
    const [a, b] = await Promise.all([
      openRaster(`${serverA.url}?run=${Math.random()}`, { registry, signer }),
      openRaster(`${serverB.url}?run=${Math.random()}`, { registry, signer }),
    ]);
    try {
      const [readA, readB] = await Promise.all([
        a.read(),
        b.read(),
        a.read({ bands: [3] }),
        b.read({ bands: [1] }),
      ]);
      for (const result of [readA, readB]) {
        expect(result.data.length).toBe(6);
        result.data.forEach((band, index) =>
          expect(firstDifference(band, expected[index]!)).toBe(-1),
        );
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }

  it("sends each asset's signer headers to its own server only, on concurrent reads (credentials in the VSI path)", async () => {
    const tokens = new Map([
      [serverA.url, 'token-a'],
      [serverB.url, 'token-b'],
    ]);
    await readBothConcurrently(signerFor('two-tokens', tokens, 'headers'));
    expect(serverA.seen.length).toBeGreaterThan(0);
    expect(serverB.seen.length).toBeGreaterThan(0);
    expect(new Set(serverA.seen.map((request) => request.authorization))).toEqual(
      new Set(['Bearer token-a']),
    );
    expect(new Set(serverB.seen.map((request) => request.authorization))).toEqual(
      new Set(['Bearer token-b']),
    );
  });

  it('moves GDAL_HTTP_HEADERS from gdalEnv into the path, so concurrent reads keep their own', async () => {
    const tokens = new Map([
      [serverA.url, 'token-a'],
      [serverB.url, 'token-b'],
    ]);
    await readBothConcurrently(signerFor('env-tokens', tokens, 'gdalEnv'));
    expect(new Set(serverA.seen.map((request) => request.authorization))).toEqual(
      new Set(['Bearer token-a']),
    );
    expect(new Set(serverB.seen.map((request) => request.authorization))).toEqual(
      new Set(['Bearer token-b']),
    );
  });

  it('scopes process-wide GDAL options (here the user agent) to the reads of their asset', async () => {
    const signer: Signer = {
      kind: 'signer',
      id: 'agents',
      apiVersion: PLUGIN_API_VERSION,
      matches: () => true,
      gdalEnv: async (url) => ({
        GDAL_HTTP_USERAGENT: url.startsWith(serverA.url) ? 'agent-a' : 'agent-b',
      }),
    };
    await readBothConcurrently(signer);
    expect(new Set(serverA.seen.map((request) => request.userAgent))).toEqual(new Set(['agent-a']));
    expect(new Set(serverB.seen.map((request) => request.userAgent))).toEqual(new Set(['agent-b']));
  });

  it('fails a forbidden read with a ReadError that never shows the token in the query', async () => {
    const registry = createRegistry().use(gdalReader());
    const error = await openRaster(`${serverA.url}?sig=SECRET-SAS-TOKEN`, { registry }).catch(
      (caught: unknown) => caught,
    );
    expect(ReadError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('127.0.0.1');
    expect((error as Error).message).not.toContain('SECRET-SAS-TOKEN');
  });

  it('asks the signer again before each read, so a rotated token reaches GDAL', async () => {
    const tiff = readFileSync(path.join(fixturesDir, 'rasters/rasterio/RGB.byte.tif'));
    let current = 'token-1';
    const seen: string[] = [];
    const server = http.createServer((request, response) => {
      seen.push(request.headers.authorization ?? '(none)');
      if (request.headers.authorization !== `Bearer ${current}`)
        return void response.writeHead(403).end();
      const range = /bytes=(\d+)-(\d*)/.exec(request.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      const end = Math.min(range?.[2] ? Number(range[2]) : tiff.length - 1, tiff.length - 1);
      response.writeHead(range ? 206 : 200, {
        'content-length': end - start + 1,
        'accept-ranges': 'bytes',
        ...(range ? { 'content-range': `bytes ${start}-${end}/${tiff.length}` } : {}),
      });
      response.end(request.method === 'HEAD' ? undefined : tiff.subarray(start, end + 1));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/RGB.byte.tif`;
    const signer: Signer = {
      kind: 'signer',
      id: 'rotating',
      apiVersion: PLUGIN_API_VERSION,
      matches: (candidate) => candidate.startsWith(url),
      headers: async () => ({ Authorization: `Bearer ${current}` }),
    };
    try {
      const dataset = await openRaster(url, {
        registry: createRegistry().use(gdalReader({ geotiff: true })),
        signer,
      });
      const top = await dataset.read({ window: { x: 0, y: 0, width: 791, height: 10 } });
      current = 'token-2';
      const bottom = await dataset.read({ window: { x: 0, y: 700, width: 791, height: 18 } });
      const expected = translatePixels(path.join(fixturesDir, 'rasters/rasterio/RGB.byte.tif'), [
        '-srcwin',
        '0',
        '700',
        '791',
        '18',
      ]);
      bottom.data.forEach((band, index) =>
        expect(firstDifference(band, expected[index]!)).toBe(-1),
      );
      expect(top.data[0]!.length).toBe(7910);
      expect(seen).toContain('Bearer token-2');
      expect(
        seen.filter((value) => value !== 'Bearer token-1' && value !== 'Bearer token-2'),
      ).toEqual([]);
      await dataset.close();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
