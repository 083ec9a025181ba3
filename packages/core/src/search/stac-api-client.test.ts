import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { itemSearch, openClient, search, SearchError } from '@pyramids/core';
import { fixturesDir } from '../../../../vitest.shared.js';
import { loadCassette, startReplayServer, type ReplayServer } from './replay-server.test-helper.js';

const PC = 'https://planetarycomputer.microsoft.com/api/stac/v1';
const examples = path.join(fixturesDir, 'stac/items/stac-spec-examples/v1.1.0-beta.1');

let replayServer: ReplayServer | undefined;
let server: Server | undefined;
let directory: string | undefined;
afterEach(async () => {
  await replayServer?.close();
  replayServer = undefined;
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
  if (directory) await rm(directory, { recursive: true, force: true });
  directory = undefined;
});

/** Serves the files of a folder on 127.0.0.1, 404 for anything else. */
async function serveFolder(root: string): Promise<string> {
  server = createServer((request, response) => {
    const file = path.join(
      root,
      decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname),
    );
    readFile(file)
      .then((body) => response.writeHead(200, { 'content-type': 'application/json' }).end(body))
      .catch(() =>
        response
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"description":"not found"}'),
      );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('openClient', () => {
  it('reads the landing page, its conformance classes and the search endpoint', async () => {
    replayServer = await startReplayServer([
      'pystac-client/test_client_TestAPI.test_instance.yaml',
    ]);
    const client = await openClient(replayServer.rewrite(PC));
    expect(client.conformsTo).toHaveLength(15);
    expect(client.conformsToClass('FILTER')).toBe(true);
    expect(client.conformsToClass('QUERY')).toBe(true);
    expect(client.searchEndpoint()).toEqual({
      url: replayServer.rewrite(`${PC}/search`),
      methods: ['GET', 'POST'],
    });
  });

  it('gets one collection by id', async () => {
    replayServer = await startReplayServer([
      'pystac-client/test_client_test_collections_are_clients.yaml',
    ]);
    const client = await openClient(replayServer.rewrite(`${PC}/`));
    const collection = await client.getCollection('cil-gdpcir-cc-by');
    expect(collection?.id).toBe('cil-gdpcir-cc-by');
    expect(replayServer.requests.every((request) => request.matched)).toBe(true);
  });

  it('lists the collections of a static catalog through its child links', async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'pyramids-catalog-'));
    // A copy of the spec's example catalog without the child the examples do not include.
    const catalog = JSON.parse(await readFile(path.join(examples, 'catalog.json'), 'utf8')) as {
      links: Array<{ href: string }>;
    };
    catalog.links = catalog.links.filter((link) => !link.href.includes('collection-with-schemas'));
    await writeFile(path.join(directory, 'catalog.json'), JSON.stringify(catalog));
    for (const child of [
      'extensions-collection/collection.json',
      'collection-only/collection.json',
    ]) {
      await mkdir(path.join(directory, path.dirname(child)), { recursive: true });
      await copyFile(path.join(examples, child), path.join(directory, child));
    }
    const origin = await serveFolder(directory);
    const client = await openClient(`${origin}/catalog.json`);
    const collections = await client.listCollections();
    expect(collections.map((collection) => collection.id).sort()).toEqual([
      'extensions-collection',
      'sentinel-2',
    ]);
    expect(() => client.searchEndpoint()).toThrow(/offers no item search/);
  });

  it('names the child that cannot be read', async () => {
    const origin = await serveFolder(examples);
    const client = await openClient(`${origin}/catalog.json`);
    const error = await client.listCollections().catch((caught: unknown) => caught);
    expect(SearchError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /collection-with-schemas\.json failed with HTTP 404: not found/,
    );
  });
});

describe('search transport', () => {
  it('searches by GET through an injected fetch when the landing page offers no POST search', async () => {
    const cassette = loadCassette(
      'pystac-client/test_collection_client_TestCollectionClient.test_get_item_with_item_search.yaml',
    );
    // The recorded landing page, changed as the test needs: its POST search link removed.
    const landing = JSON.parse(cassette[0]!.responseText) as {
      links: Array<{ rel: string; method?: string }>;
    };
    landing.links = landing.links.filter(
      (link) => !(link.rel === 'search' && link.method === 'POST'),
    );
    const requests: string[] = [];
    const injected: typeof fetch = async (input, init) => {
      const url = new URL(String(input));
      requests.push(`${init?.method ?? 'GET'} ${url.pathname}?${url.searchParams.toString()}`);
      const body = url.pathname.endsWith('/search')
        ? cassette[3]!.responseText
        : JSON.stringify(landing);
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const result = await search(PC, {
      ids: 'AST_L1T_00312272006020322_20150518201805',
      collections: 'aster-l1t',
      fetch: injected,
    });
    expect(result.features.map((item) => item.id)).toEqual([
      'AST_L1T_00312272006020322_20150518201805',
    ]);
    expect(requests).toEqual([
      'GET /api/stac/v1?',
      'GET /api/stac/v1/search?collections=aster-l1t&ids=AST_L1T_00312272006020322_20150518201805',
    ]);
  });

  it('retries a connection reset', async () => {
    const landing = loadCassette('pystac-client/test_client_TestAPI.test_instance.yaml')[0]!
      .responseText;
    const page = loadCassette(
      'pystac-client/test_item_search_TestItemSearch.test_ids_results.yaml',
    )[0]!.responseText;
    let posts = 0;
    server = createServer((request, response) => {
      const origin = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
      if (request.method === 'POST' && ++posts === 1) {
        request.socket.destroy();
        return;
      }
      request.resume();
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(
          (request.method === 'GET' ? landing : page)
            .split('https://planetarycomputer.microsoft.com')
            .join(origin),
        );
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/stac/v1`;
    const result = await search(url, { collections: 'naip', backoff: 10 });
    expect(result.features.map((item) => item.id)).toEqual([
      'fl_m_2608004_nw_17_060_20191215_20200113',
    ]);
    expect(posts).toBe(2);
  });

  it('cancels the prefetched page when the consumer stops early', async () => {
    replayServer = await startReplayServer([
      'pystac-client/test_client_TestAPI.test_instance.yaml',
      'pystac-client/test_item_search_TestItemSearch.test_result_paging_max_items.yaml',
    ]);
    const seen: string[] = [];
    for await (const item of itemSearch(replayServer.rewrite(PC), {
      collections: 'naip',
      limit: 10,
    }).items()) {
      seen.push(item.id);
      if (seen.length === 3) break;
    }
    expect(seen).toHaveLength(3);
    // At most the first page and the one prefetched: the third is never requested.
    expect(
      replayServer.requests.filter((request) => request.method === 'POST').length,
    ).toBeLessThanOrEqual(2);
  });
});
