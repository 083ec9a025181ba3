// An hour of reads through GDAL against a loopback server that issues 60 s SAS tokens on a
// fake clock: the GDAL reader asks the signer for a freshly signed href before every read
// and reopens the dataset when the href changed, so no request carries an expired token.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistry,
  createTokenCache,
  openRaster,
  PLUGIN_API_VERSION,
  type Signer,
} from '@pyramids/core';
import { gdalReader } from '@pyramids/readers-gdal';
import { syntheticBand, writeRasterWithGdal } from '../../core/src/test-support/gdal-raster.js';
import {
  startExpiringTokenServer,
  type ExpiringTokenServer,
} from '../../../test-support/expiring-token-server.js';
import { firstDifference, makeTempDir, translatePixels } from './test-helpers.js';

const SIZE = 512;
const TILE = 64;
const TOKEN_LIFETIME = 60_000;
const HOUR = 3_600_000;
const START = Date.parse('2026-01-01T00:00:00Z');

/** A SAS-query signer as a third party would write one: tokens from the server's SAS endpoint, cached until 30 s before expiry. */
function sasQuerySigner(server: ExpiringTokenServer): Signer {
  const tokens = createTokenCache<string>({
    refreshWindow: 30_000,
    now: () => server.clock,
    async load(key, signal) {
      const response = await fetch(`${server.url}/sas/account/${key}`, { signal: signal ?? null });
      const body = (await response.json()) as { token: string; 'msft:expiry': string };
      return { value: body.token, expiresAt: Date.parse(body['msft:expiry']) };
    },
  });
  const matches = (url: string) => url.startsWith(`${server.url}/blob/`);
  return {
    kind: 'signer',
    id: 'sas-query',
    apiVersion: PLUGIN_API_VERSION,
    matches,
    async signHref(href, signal) {
      if (!matches(href)) return href;
      const container = new URL(href).pathname.split('/')[2]!;
      return `${href.split('?')[0]}?${await tokens.get(container, signal)}`;
    },
  };
}

describe('GDAL reads over an hour with 60 s SAS tokens on a fake clock', () => {
  const scratch = makeTempDir('pyramids-gdal-expiry-');
  const file = path.join(scratch.dir, 'scene.tif');
  let server: ExpiringTokenServer;

  beforeAll(async () => {
    writeRasterWithGdal(
      file,
      {
        width: SIZE,
        height: SIZE,
        dataType: 'uint16',
        bands: [syntheticBand(SIZE, SIZE, 3)],
        crs: 'EPSG:32632',
        transform: [699000, 10, 0, 5321000, 0, -10],
      },
      { creationOptions: ['TILED=YES', `BLOCKXSIZE=${TILE}`, `BLOCKYSIZE=${TILE}`] },
    );
    server = await startExpiringTokenServer({ file, start: START, tokenLifetime: TOKEN_LIFETIME });
  });

  afterAll(async () => {
    await server?.close();
    scratch.remove();
  });

  it('re-signs before every read, reopens on the new href, and reads the pixels gdal_translate reads', async () => {
    const registry = createRegistry()
      .use(gdalReader({ geotiff: true }))
      .use(sasQuerySigner(server));
    const dataset = await openRaster(`${server.url}/blob/container/scene.tif`, { registry });
    expect(dataset.readerId).toBe('gdal');
    const tiles = (SIZE / TILE) ** 2;
    const groups = tiles / 4;
    const expected = translatePixels(file)[0]!;
    const mismatches: string[] = [];
    // Tiles 4 at a time (reads in flight while the href changes); 4 minutes pass between groups.
    for (let group = 0; group < groups; group++) {
      const windows = [0, 1, 2, 3].map((offset) => {
        const tile = group * 4 + offset;
        return {
          x: (tile % (SIZE / TILE)) * TILE,
          y: Math.floor(tile / (SIZE / TILE)) * TILE,
          width: TILE,
          height: TILE,
        };
      });
      const results = await Promise.all(windows.map((window) => dataset.source.read({ window })));
      results.forEach(([band], index) => {
        const window = windows[index]!;
        const want = new Uint16Array(TILE * TILE);
        for (let row = 0; row < TILE; row++)
          want.set(
            expected.subarray(
              (window.y + row) * SIZE + window.x,
              (window.y + row) * SIZE + window.x + TILE,
            ),
            row * TILE,
          );
        if (firstDifference(band!, want) !== -1) mismatches.push(JSON.stringify(window));
      });
      server.clock += HOUR / groups + 1;
    }
    await dataset.close();

    expect(server.clock - START).toBeGreaterThan(HOUR);
    expect(server.expiredSent).toEqual([]);
    expect(server.missingSent).toEqual([]);
    expect(mismatches).toEqual([]);
    // A new token for every group (each lives 60 s), and GDAL's requests used each of them.
    expect(new Set(server.admitted).size).toBeGreaterThanOrEqual(groups);
  });
});
