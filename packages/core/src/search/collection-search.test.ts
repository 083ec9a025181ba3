import { afterEach, describe, expect, it } from 'vitest';
import {
  conformanceUri,
  getQueryables,
  openClient,
  SearchError,
  searchCollections,
  StacApiClient,
  type StacCollection,
} from '@pyramids/core';
import { startReplayServer, type ReplayServer } from './replay-server.test-helper.js';

// pystac-client's recorded collection search on emc.spacebel.be: GET /collections?limit=10&q=sentinel,
// then its `next` link (&startRecord=11); 216 collections match.
const EMC_PAGING =
  'pystac-client/test_collection_search_TestCollectionSearch.test_result_paging.yaml';
// A real landing page (stac.eoapi.dev) that advertises collection-search and #free-text.
const EOAPI = 'pystac-client/test_client_test_get_items_without_ids.yaml';
// A real landing page (stac.sage.uvt.ro) without collection search, and its /queryables.
const SAGE = 'pystac-client/test_client_TestQueryables.test_get_queryables.yaml';
// Planetary Computer's landing page, landsat-c2-l2 and its /queryables.
const PC_QUERYABLES =
  'pystac-client/test_collection_client_TestCollectionClient.test_get_queryables.yaml';

const COLLECTION_SEARCH = [
  'https://api.stacspec.org/v1.0.0-rc.1/collection-search',
  'https://api.stacspec.org/v1.0.0-rc.1/collection-search#free-text',
];

let server: ReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function recordedCollections(replay: ReplayServer, index: number): StacCollection[] {
  return (replay.recordedJson(EMC_PAGING, index) as { collections: StacCollection[] }).collections;
}

/** A client of the recorded emc.spacebel.be API (the cassette holds no landing page, only /collections). */
function emcClient(
  replay: ReplayServer,
  conformsTo: readonly string[] = COLLECTION_SEARCH,
): StacApiClient {
  const landingPage = {
    type: 'Catalog',
    id: 'emc',
    links: [{ rel: 'data', href: `${replay.origin}/collections`, type: 'application/json' }],
  };
  return new StacApiClient(`${replay.origin}/`, landingPage, conformsTo, {});
}

describe('searchCollections', () => {
  it('sends q and limit, follows the next link, and cuts the last page at maxCollections', async () => {
    server = await startReplayServer([EMC_PAGING]);
    const found = await searchCollections(emcClient(server), {
      q: 'sentinel',
      limit: 10,
      maxCollections: 15,
    }).collectionList();
    const expected = [
      ...recordedCollections(server, 0),
      ...recordedCollections(server, 1).slice(0, 5),
    ];
    expect(found.map((collection) => collection.id)).toEqual(
      expected.map((collection) => collection.id),
    );
    expect(found[0]!.id).toBe('EOP:ESA:Sentinel-6');
    expect(server.requests.map((request) => request.path)).toEqual([
      '/collections?limit=10&q=sentinel',
      '/collections?limit=10&q=sentinel&startRecord=11',
    ]);
    expect(server.requests.every((request) => request.matched)).toBe(true);
  });

  it('never fetches a page past maxCollections', async () => {
    server = await startReplayServer([EMC_PAGING]);
    const pages = [];
    for await (const page of searchCollections(emcClient(server), {
      q: ['sentinel'],
      limit: 10,
      maxCollections: 10,
    }).pages())
      pages.push(page);
    expect(pages).toHaveLength(1);
    expect(pages[0]!.collections).toHaveLength(10);
    expect(server.requests).toHaveLength(1);
  });

  it("reports the server's numberMatched", async () => {
    server = await startReplayServer([EMC_PAGING]);
    expect(await searchCollections(emcClient(server), { q: 'sentinel', limit: 10 }).matched()).toBe(
      216,
    );
  });

  it('refuses an API without the collection-search class before sending the search, naming the way out', async () => {
    server = await startReplayServer([SAGE]);
    const client = await openClient(server.rewrite('https://stac.sage.uvt.ro/'));
    const error = await searchCollections(client, { bbox: [5, 45, 6, 46] })
      .collectionList()
      .catch((caught: unknown) => caught);
    expect(SearchError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /does not advertise STAC API collection search.*addConformsTo: \['COLLECTION_SEARCH'\]/,
    );
    expect(server.requests.map((request) => request.path)).toEqual(['/']);
  });

  it('refuses q when the API lacks the free-text class, and accepts it once the class is declared by name', async () => {
    server = await startReplayServer([EMC_PAGING]);
    const withoutFreeText = emcClient(server, [COLLECTION_SEARCH[0]!]);
    await expect(
      searchCollections(withoutFreeText, { q: 'sentinel' }).collectionList(),
    ).rejects.toThrow(/collection-search#free-text/);
    expect(server.requests).toHaveLength(0);
    // What addConformsTo: ['COLLECTION_SEARCH_FREE_TEXT'] adds.
    const declared = emcClient(server, [
      COLLECTION_SEARCH[0]!,
      conformanceUri('collection-search-free-text'),
    ]);
    expect(
      await searchCollections(declared, {
        q: 'sentinel',
        limit: 10,
        maxCollections: 10,
      }).collectionList(),
    ).toHaveLength(10);
  });

  it('reads the conformance classes of a real landing page that has them', async () => {
    server = await startReplayServer([EOAPI]);
    const client = await openClient(server.rewrite('https://stac.eoapi.dev/'));
    expect(client.conformsToClass('COLLECTION_SEARCH')).toBe(true);
    expect(client.conformsToClass('COLLECTION_SEARCH_FREE_TEXT')).toBe(true);
    expect(client.collectionsUrl()).toBe(`${server.origin}/collections`);
  });

  it('formats bbox and shorthand datetime, and checks parameters before any request', () => {
    const client = new StacApiClient('http://127.0.0.1:9/', {}, COLLECTION_SEARCH, {});
    const prepared = searchCollections(client, {
      bbox: '5,45,6,46',
      datetime: '2023-06',
      limit: 50,
      maxCollections: 20,
    });
    expect(prepared.queryParameters).toEqual({
      bbox: '5,45,6,46',
      datetime: '2023-06-01T00:00:00Z/2023-06-30T23:59:59Z',
      limit: '20',
    });
    expect(() => searchCollections(client, { bbox: [6, 45, 5] })).toThrow(
      /bbox: expected 4 numbers/,
    );
    expect(() => searchCollections(client, { limit: 0 })).toThrow(
      /limit: expected a positive whole number/,
    );
    expect(() => searchCollections(client, { q: ['  '] })).toThrow(/q: empty free text/);
    expect(() => searchCollections(client, { datetime: '2023-02-30' })).toThrow(SearchError);
  });
});

describe('getQueryables', () => {
  it("returns the API's queryables as recorded", async () => {
    server = await startReplayServer([SAGE]);
    const client = await openClient(server.rewrite('https://stac.sage.uvt.ro/'));
    const queryables = await client.getQueryables();
    expect(queryables).toEqual(server.recordedJson(SAGE, 1));
    expect(Object.keys(queryables.properties as object)).toHaveLength(33);
  });

  it("returns one collection's queryables", async () => {
    server = await startReplayServer([PC_QUERYABLES]);
    const queryables = await getQueryables(
      server.rewrite('https://planetarycomputer.microsoft.com/api/stac/v1'),
      { collection: 'landsat-c2-l2' },
    );
    expect(queryables.$id).toBe(
      `${server.origin}/api/stac/v1/collections/landsat-c2-l2/queryables`,
    );
    expect(queryables).toEqual(server.recordedJson(PC_QUERYABLES, 3));
  });
});
