// A STAC API that answers garbage, and arguments no API should be sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { search, SearchError } from '@pyramids/core';
import { startRangeServer, type RangeServer } from '../../../../test-support/range-server.js';

let scratch: string;
let server: RangeServer;

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-search-hostile-'));
  server = await startRangeServer(scratch);
});
afterAll(async () => {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A landing page that conforms to item search, and `/search` answering `features`. */
function brokenApi(features: unknown): void {
  server.intercept = (request, response) => {
    request.resume();
    const url = new URL(request.url ?? '/', server.url);
    const body =
      url.pathname === '/search'
        ? { type: 'FeatureCollection', features, links: [] }
        : {
            type: 'Catalog',
            id: 'x',
            description: 'x',
            stac_version: '1.0.0',
            conformsTo: ['https://api.stacspec.org/v1.0.0/item-search'],
            links: [{ rel: 'search', href: `${server.url}/search`, method: 'POST' }],
          };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    return true;
  };
}

describe('search against a broken API', () => {
  it.each([[[null]], [[1]], [['x']], [[{}]], [[{ id: 'a', properties: {} }, { id: 7 }]]])(
    'refuses features %j with a SearchError naming the index',
    async (features) => {
      brokenApi(features);
      const error = await search(server.url, { collections: ['c'], retries: 0 }).catch(
        (caught: unknown) => caught,
      );
      expect(SearchError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/invalid Item at features\[\d\]/);
    },
  );

  it.each(['-200,-100,200,100', '0,-91,1,0', '181,0,182,1'])(
    'refuses --bbox %s before any request',
    async (bbox) => {
      server.requests.length = 0;
      brokenApi([]);
      const error = await search(server.url, { bbox, retries: 0 }).catch(
        (caught: unknown) => caught,
      );
      expect(SearchError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/-180\.\.180/);
      expect(server.requests.filter((request) => request.url.startsWith('/search'))).toEqual([]);
    },
  );

  it('still sends an antimeridian-crossing bbox', async () => {
    brokenApi([{ id: 'a', type: 'Feature', properties: {}, assets: {}, links: [] }]);
    const result = await search(server.url, { bbox: '170,-10,-170,10', retries: 0 });
    expect(result.features.map((item) => item.id)).toEqual(['a']);
  });
});
