import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistry,
  openRaster,
  PLUGIN_API_VERSION,
  ReadError,
  type Signer,
} from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { fixturesDir } from '../../../vitest.shared.js';
import { startRangeServer, type RangeServer } from '../../../test-support/range-server.js';

const rastersDir = path.join(fixturesDir, 'rasters');
const registry = createRegistry().use(geotiffReader());
let server: RangeServer;

beforeAll(async () => {
  server = await startRangeServer(rastersDir);
});
afterAll(async () => {
  await server.close();
});

describe('geotiff reader over HTTP byte ranges', () => {
  it('reads the same pixels, grid and bands as from disk, with ranged requests only', async () => {
    const local = await openRaster(path.join(rastersDir, 'rio-tiler/cog_int16.tif'), { registry });
    server.requests.length = 0;
    const remote = await openRaster(`${server.url}/rio-tiler/cog_int16.tif`, { registry });
    expect(remote.grid).toEqual(local.grid);
    expect(remote.bands).toEqual(local.bands);
    const window = { x: 700, y: 900, width: 600, height: 400 };
    const [ours, reference] = await Promise.all([remote.read({ window }), local.read({ window })]);
    expect(Array.from(ours.data[0]!)).toEqual(Array.from(reference.data[0]!));
    expect(server.requests.length).toBeGreaterThan(0);
    expect(
      server.requests.every((request) => /^bytes=\d+-\d+$/.test(request.headers.range ?? '')),
    ).toBe(true);
  });

  it('asks the signer for headers on every request, and only for its hosts', async () => {
    let calls = 0;
    const signer: Signer = {
      kind: 'signer',
      id: 'test-header',
      apiVersion: PLUGIN_API_VERSION,
      matches: (url) => url.startsWith(server.url),
      headers: async () => ({ 'x-token': `token-${++calls}` }),
    };
    server.requests.length = 0;
    const smallBlocks = createRegistry().use(geotiffReader({ blockSize: 4096 }));
    const dataset = await openRaster(`${server.url}/rio-tiler/cog_ovr.tif`, {
      registry: smallBlocks,
      signer,
    });
    await dataset.read({ window: { x: 0, y: 0, width: 512, height: 512 } });
    const tokens = server.requests.map((request) => request.headers['x-token']);
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.every((token) => typeof token === 'string')).toBe(true);
    // Computed per request, not once: a refreshed token would be picked up.
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('retries 503 and honours Retry-After, then succeeds', async () => {
    server.requests.length = 0;
    let failures = 0;
    server.intercept = (_request, response) => {
      if (failures >= 2) return false;
      failures++;
      response.writeHead(503, { 'retry-after': '0' }).end('busy');
      return true;
    };
    try {
      const dataset = await openRaster(`${server.url}/rasterio/byte.tif`, { registry });
      const result = await dataset.read({});
      expect(result.data[0]!.length).toBe(400);
      expect(failures).toBe(2);
    } finally {
      server.intercept = undefined;
    }
  });

  it('a 404 is a ReadError naming the status and the href without its query', async () => {
    const error = await openRaster(`${server.url}/missing.tif?sig=SECRET`, { registry }).catch(
      (caught: unknown) => caught,
    );
    expect(ReadError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /HTTP 404 reading http:\/\/127\.0\.0\.1:\d+\/missing\.tif\?<redacted>/,
    );
    expect((error as Error).message).not.toMatch(/SECRET/);
  });

  it('an aborted read rejects with the abort, unwrapped', async () => {
    const dataset = await openRaster(`${server.url}/rio-tiler/cog_int16.tif`, { registry });
    const controller = new AbortController();
    controller.abort();
    const error = await dataset
      .read({ window: { x: 0, y: 0, width: 2000, height: 2000 }, signal: controller.signal })
      .catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('AbortError');
  });
});
