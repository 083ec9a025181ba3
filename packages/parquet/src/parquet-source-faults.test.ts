// stac-geoparquet over a loopback server that fails: the same Items as a clean read,
// and error messages that never quote the request's secrets back.
import path from 'node:path';
import { PLUGIN_API_VERSION, ReadError, type Signer } from '@pyramids/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readGeoParquet } from '@pyramids/parquet';
import { fixturesDir } from '../../../vitest.shared.js';
import { startRangeServer, type RangeServer } from '../../../test-support/range-server.js';
import { createFaultInjector } from '../../../test-support/fault-injector.js';

const TOKEN = 'tok-PARQUET-0123456789abcdef';
let server: RangeServer;

beforeAll(async () => {
  server = await startRangeServer(path.join(fixturesDir, 'geoparquet'));
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.intercept = undefined;
});

describe('stac-geoparquet over a failing server', () => {
  it(
    'reads the same Items through 503s, 429s, resets and truncated bodies, 10 times in a row',
    { timeout: 60_000 },
    async () => {
      const url = `${server.url}/rustac/100-sentinel-2-items.parquet`;
      const clean = JSON.stringify(
        await readGeoParquet(url, { columns: ['id', 'datetime', 'bbox'] }),
      );
      let faults = 0;
      for (let run = 0; run < 10; run++) {
        const injector = createFaultInjector({ seed: 100 + run, rate: 0.7, latencyMs: 5 });
        server.intercept = injector.intercept;
        const items = await readGeoParquet(url, {
          columns: ['id', 'datetime', 'bbox'],
          retries: 12,
          backoff: 1,
          initialFetchSize: 1024,
        });
        expect(JSON.stringify(items)).toBe(clean);
        faults += Object.values(injector.injected).reduce((sum, count) => sum + count, 0);
      }
      expect(faults).toBeGreaterThan(8);
    },
  );

  it('never quotes the token or the signed query of a refused request, wherever the reply puts them', async () => {
    const signer: Signer = {
      kind: 'signer',
      id: 'test-token',
      apiVersion: PLUGIN_API_VERSION,
      matches: (url) => url.startsWith(server.url),
      signHref: async (href) => `${href}?sv=2024&sig=PARQUETSIG0123456789`,
      headers: async () => ({ authorization: `Bearer ${TOKEN}` }),
    };
    for (const position of [0, 100, 170, 185, 195, 300]) {
      server.intercept = (request, response) => {
        response
          .writeHead(403)
          .end(
            `${'d'.repeat(position)} denied ${request.url} with "authorization: ${request.headers.authorization}"`,
          );
        return true;
      };
      const error = await readGeoParquet(`${server.url}/rustac/100-sentinel-2-items.parquet`, {
        signer,
        retries: 0,
      }).catch((caught: unknown) => caught);
      expect(ReadError.isInstance(error), `position ${position}`).toBe(true);
      const message = (error as Error).message;
      expect(message).toMatch(/HTTP 403/);
      expect(message).not.toContain(TOKEN.slice(0, 8));
      expect(message).not.toContain('PARQUETSIG');
    }
  });
});
