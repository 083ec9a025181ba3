import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  itemSearch,
  openClient,
  search,
  SearchError,
  PLUGIN_API_VERSION,
  type Signer,
  type StacItem,
} from '@pyramids/core';
import { startReplayServer, type ReplayServer } from './replay-server.test-helper.js';

const PC = 'https://planetarycomputer.microsoft.com/api/stac/v1';
const ES = 'https://earth-search.aws.element84.com/v1';
const PC_LANDING = 'pystac-client/test_client_TestAPI.test_instance.yaml';
// Its first interaction is the Earth Search v1 landing page.
const ES_FILTER = 'pystac-client/test_cli_TestCLISearch.test_filter.yaml';

let server: ReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function replay(...cassettes: string[]): Promise<ReplayServer> {
  server = await startReplayServer(cassettes);
  return server;
}

/** The features of a recorded response, hosts rewritten as the server serves them. */
function recordedFeatures(replayServer: ReplayServer, cassette: string, index: number): StacItem[] {
  return (replayServer.recordedJson(cassette, index) as { features: StacItem[] }).features;
}

function searchRequests(replayServer: ReplayServer) {
  return replayServer.requests.filter(
    (request) => request.path.includes('/search') || request.path.includes('/items'),
  );
}

describe('item search against recorded Planetary Computer exchanges', () => {
  it('follows POST next links carrying a token in the body and stops at maxItems without fetching more', async () => {
    const cassette = 'pystac-client/test_item_search_TestItemSearch.test_result_paging.yaml';
    const replayServer = await replay(PC_LANDING, cassette);
    const result = await search(replayServer.rewrite(PC), {
      collections: ['naip'],
      bbox: [-73.21, 43.99, -73.12, 44.05],
      limit: 10,
      maxItems: 20,
    });
    expect(result.features).toEqual([
      ...recordedFeatures(replayServer, cassette, 0),
      ...recordedFeatures(replayServer, cassette, 1),
    ]);
    expect(replayServer.requests.every((request) => request.matched)).toBe(true);
    // The second page has a next link too: with 20 items in hand, it is not requested.
    const searches = searchRequests(replayServer);
    expect(searches).toHaveLength(2);
    expect(JSON.parse(searches[1]!.body)).toEqual({
      limit: 10,
      bbox: [-73.21, 43.99, -73.12, 44.05],
      collections: ['naip'],
      token: 'next:naip:vt_m_4307307_nw_18_060_20211029',
    });
  });

  it('cuts the last page to maxItems across three pages', async () => {
    const cassette =
      'pystac-client/test_item_search_TestItemSearch.test_result_paging_max_items.yaml';
    const replayServer = await replay(PC_LANDING, cassette);
    const pages = itemSearch(replayServer.rewrite(PC), {
      collections: 'naip',
      limit: 10,
      maxItems: 25,
    }).pages();
    const first = await pages.next();
    // The next page is requested while the first is being consumed.
    await vi.waitFor(() => expect(searchRequests(replayServer)).toHaveLength(2));
    const ids: string[] = first.value!.features.map((item) => item.id);
    for await (const page of { [Symbol.asyncIterator]: () => pages })
      ids.push(...page.features.map((item) => item.id));
    const expected = [0, 1, 2]
      .flatMap((index) => recordedFeatures(replayServer, cassette, index).map((item) => item.id))
      .slice(0, 25);
    expect(ids).toEqual(expected);
    expect(searchRequests(replayServer)).toHaveLength(3);
    expect(replayServer.requests.every((request) => request.matched)).toBe(true);
  });

  it('decodes gzip-compressed pages', async () => {
    const cassette = 'pystac-client/test_item_search_TestItemSearch.test_get_all_items.yaml';
    const replayServer = await replay(PC_LANDING, cassette);
    const pages: number[] = [];
    for await (const page of itemSearch(replayServer.rewrite(PC), {
      collections: ['naip'],
      bbox: '-73.21,43.99,-73.12,44.05',
      limit: 10,
      maxItems: 20,
    }).pages()) {
      pages.push(page.features.length);
    }
    expect(pages).toEqual([10, 10]);
    expect(replayServer.requests.every((request) => request.matched)).toBe(true);
  });

  it('sends the query extension', async () => {
    const cassette =
      'pystac-client/test_item_search_TestItemSearchQuery.test_query_shortcut_syntax.yaml';
    const replayServer = await replay(PC_LANDING, cassette);
    const result = await search(replayServer.rewrite(PC), {
      collections: ['naip'],
      bbox: [-73.21, 43.99, -73.12, 44.05],
      query: '{"gsd": {"eq": 0.6}}',
    });
    expect(result.features).toEqual(recordedFeatures(replayServer, cassette, 0));
    expect(result.features).toHaveLength(12);
  });

  it('searches by ids', async () => {
    const cassette = 'pystac-client/test_item_search_TestItemSearch.test_ids_results.yaml';
    const replayServer = await replay(PC_LANDING, cassette);
    const result = await search(replayServer.rewrite(PC), {
      collections: 'naip',
      ids: [
        'S2B_MSIL2A_20210610T115639_N0212_R066_T33XXG_20210613T185024.SAFE',
        'fl_m_2608004_nw_17_060_20191215_20200113',
      ],
    });
    expect(result.features.map((item) => item.id)).toEqual([
      'fl_m_2608004_nw_17_060_20191215_20200113',
    ]);
    expect(replayServer.requests.every((request) => request.matched)).toBe(true);
  });

  it('takes intersects as a GeoJSON Feature and sends its geometry', async () => {
    const cassette = 'pystac-client/test_item_search_TestItemSearch.test_intersects_results.yaml';
    const replayServer = await replay(PC_LANDING, cassette);
    const polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [-73.21, 43.99],
          [-73.21, 44.05],
          [-73.12, 44.05],
          [-73.12, 43.99],
          [-73.21, 43.99],
        ],
      ],
    };
    const result = await search(replayServer.rewrite(PC), {
      collections: ['naip'],
      intersects: { type: 'Feature', geometry: polygon },
    });
    expect(result.features).toHaveLength(42);
    expect(result.features).toEqual(recordedFeatures(replayServer, cassette, 0));
  });

  it('sends the exact datetime range', async () => {
    const cassette = 'pystac-client/test_item_search_TestItemSearch.test_datetime_results.yaml';
    const replayServer = await replay(PC_LANDING, cassette);
    const result = await search(replayServer.rewrite(PC), {
      collections: ['sentinel-2-l2a'],
      datetime: [new Date('2019-01-01T00:00:01Z'), '2019-01-01T00:00:10Z'],
    });
    expect(result.features).toHaveLength(33);
    expect(replayServer.requests.every((request) => request.matched)).toBe(true);
  });

  it('follows GET next links (?token=) on a collection items endpoint', async () => {
    const cassette = 'pystac-client/test_client_test_fallback_strategy.yaml';
    const replayServer = await replay(cassette);
    const client = await openClient(replayServer.rewrite(`${PC}/`));
    const pages = client.getItems('landsat-c2-l2', { maxItems: 15 }).pages();
    const first = await pages.next();
    expect(first.value?.features).toEqual(recordedFeatures(replayServer, cassette, 2));
    // Only the first page was recorded: the request for the second must be exactly the
    // server's next link, and the replay server, having no answer, makes it fail.
    await expect(pages.next()).rejects.toThrow(SearchError);
    const items = searchRequests(replayServer);
    expect(items.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /api/stac/v1/collections/landsat-c2-l2/items?collections=landsat-c2-l2',
      'GET /api/stac/v1/collections/landsat-c2-l2/items?collections=landsat-c2-l2&token=next:landsat-c2-l2:LC09_L2SR_084056_20250722_02_T1',
    ]);
  });

  it('falls back to GET when POST search is refused with 405', async () => {
    const cassette =
      'pystac-client/test_collection_client_TestCollectionClient.test_get_item_with_item_search.yaml';
    server = await startReplayServer([cassette], { refusePost: true });
    const result = await search(server.rewrite(PC), {
      ids: 'AST_L1T_00312272006020322_20150518201805',
      collections: ['aster-l1t'],
    });
    expect(result.features.map((item) => item.id)).toEqual([
      'AST_L1T_00312272006020322_20150518201805',
    ]);
    expect(searchRequests(server).map((request) => request.method)).toEqual(['POST', 'GET']);
    expect(searchRequests(server)[1]!.matched).toBe(true);
  });

  it('returns an empty ItemCollection for a search that matches nothing', async () => {
    const cassette =
      'pystac-client/test_collection_client_TestCollectionClient.test_get_item_with_item_search.yaml';
    const replayServer = await replay(cassette);
    const result = await search(replayServer.rewrite(PC), {
      ids: 'for-sure-not-a-real-id',
      collections: 'aster-l1t',
      method: 'GET',
    });
    expect(result).toEqual({ type: 'FeatureCollection', features: [] });
    expect(searchRequests(replayServer)).toHaveLength(1);
    expect(searchRequests(replayServer)[0]!.matched).toBe(true);
  });
});

describe('item search against recorded Earth Search and other exchanges', () => {
  it('follows POST next links with merge: false (body replaced) and a CQL2-JSON filter', async () => {
    const replayServer = await replay(ES_FILTER);
    const client = await openClient(replayServer.rewrite(ES), { addConformsTo: ['FILTER'] });
    const result = await search(client, {
      filter: { op: 'lte', args: [{ property: 'eo:cloud_cover' }, 40] },
      maxItems: 20,
    });
    expect(result.features).toEqual([
      ...recordedFeatures(replayServer, ES_FILTER, 1),
      ...recordedFeatures(replayServer, ES_FILTER, 2),
    ]);
    expect(result.numberMatched).toBe(115912757);
    const searches = searchRequests(replayServer);
    expect(searches.map((request) => JSON.parse(request.body))).toEqual([
      {
        filter: { op: 'lte', args: [{ property: 'eo:cloud_cover' }, 40] },
        'filter-lang': 'cql2-json',
      },
      { next: '2025-07-31T13:03:25.899000Z,S2B_T24MVV_20250731T130245_L2A,sentinel-2-c1-l2a' },
    ]);
    expect(replayServer.requests.every((request) => request.matched)).toBe(true);
  });

  it('refuses a filter, before any search request, when the API does not advertise the filter class', async () => {
    const replayServer = await replay(ES_FILTER);
    const error = await search(replayServer.rewrite(ES), { filter: 'eo:cloud_cover <= 40' }).catch(
      (caught: unknown) => caught,
    );
    expect(SearchError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /does not advertise the STAC API Filter .*addConformsTo: \['FILTER'\]/,
    );
    expect(searchRequests(replayServer)).toHaveLength(0);
  });

  it('expands a datetime shorthand and pages to an empty last page', async () => {
    const cassette = 'pystac-client/test_item_search_test_multiple_collections.yaml';
    const replayServer = await replay(ES_FILTER, cassette);
    const result = await search(replayServer.rewrite(ES), {
      collections: ['sentinel-2-l2a', 'landsat-c2-l2'],
      intersects: { type: 'Point', coordinates: [-105.1019, 40.1672] },
      datetime: '2023-10-08',
    });
    expect(result.features).toEqual(recordedFeatures(replayServer, cassette, 0));
    expect(result.features.map((item) => item.collection)).toEqual([
      'sentinel-2-l2a',
      'landsat-c2-l2',
    ]);
    expect(searchRequests(replayServer)).toHaveLength(2);
    expect(replayServer.requests.every((request) => request.matched)).toBe(true);
  });

  it('sends fields as include/exclude', async () => {
    const cassette = 'pystac-client/test_item_search_test_fields.yaml';
    const replayServer = await replay(ES_FILTER, cassette);
    const result = await search(replayServer.rewrite(ES), {
      collections: 'sentinel-2-c1-l2a',
      intersects: '{"type": "Point", "coordinates": [-105.1019, 40.1672]}',
      fields: ['-geometry', '-assets', '-links'],
      maxItems: 10,
    });
    expect(result.features).toEqual(recordedFeatures(replayServer, cassette, 0));
    expect(result.features.every((item) => !('assets' in item) && !('geometry' in item))).toBe(
      true,
    );
    expect(searchRequests(replayServer)).toHaveLength(1);
  });

  it('counts matches with one limit=1 request', async () => {
    const replayServer = await replay('pystac-client/test_cli_TestCLISearch.test_matched.yaml');
    expect(
      await itemSearch(replayServer.rewrite(ES), { collections: ['cop-dem-glo-30'] }).matched(),
    ).toBe(26450);
    expect(searchRequests(replayServer).map((request) => JSON.parse(request.body))).toEqual([
      { collections: ['cop-dem-glo-30'], limit: 1 },
    ]);
  });

  it('searches a legacy API without conformsTo through its search link', async () => {
    const cassette = 'pystac-client/test_cli_TestCLISearch.test_non_conformant_can_be_fixed.yaml';
    const replayServer = await replay(cassette);
    const result = await search(replayServer.rewrite('https://earth-search.aws.element84.com/v0'), {
      collections: ['sentinel-s2-l2a-cogs'],
      limit: 1,
      maxItems: 1,
    });
    expect(result.features).toEqual(recordedFeatures(replayServer, cassette, 1));
    expect(searchRequests(replayServer)).toHaveLength(1);
  });

  it('refuses sortby, fields and query on an API that advertises no conformance classes', async () => {
    const replayServer = await replay(
      'pystac-client/test_cli_TestCLISearch.test_non_conformant_can_be_fixed.yaml',
    );
    const url = replayServer.rewrite('https://earth-search.aws.element84.com/v0');
    await expect(search(url, { sortby: '-properties.datetime' })).rejects.toThrow(
      /does not advertise the STAC API Sort/,
    );
    await expect(search(url, { fields: '-assets' })).rejects.toThrow(
      /does not advertise the STAC API Fields/,
    );
    await expect(search(url, { query: { 'eo:cloud_cover': { lt: 10 } } })).rejects.toThrow(
      /does not advertise the STAC API Query/,
    );
    expect(
      replayServer.requests.filter((request) => request.path.includes('/search')),
    ).toHaveLength(0);
  });

  it('sends the query extension to the Copernicus Data Space and returns no items', async () => {
    const cassette = 'xcube-stac/cdse_search_no_items.yaml';
    const replayServer = await replay(cassette);
    const result = await search(replayServer.rewrite('https://stac.dataspace.copernicus.eu/v1'), {
      bbox: [29.386939787289162, 53.1622888685164, 29.389256239840616, 53.16368104066575],
      datetime: '2023-11-01/2023-11-10',
      collections: 'sentinel-2-l2a',
      query: { constellation: { eq: 'sentinel-3' } },
    });
    expect(result.features).toEqual([]);
    expect(searchRequests(replayServer)[0]!.matched).toBe(true);
  });

  it('turns a 404 into a SearchError with the status and the server message', async () => {
    const replayServer = await replay(
      'pystac-client/test_client_test_get_collection_returns_none_if_not_found.yaml',
    );
    const error = await openClient(replayServer.rewrite(`${ES}/collections/foo`)).catch(
      (caught: unknown) => caught,
    );
    expect(SearchError.isInstance(error)).toBe(true);
    expect((error as SearchError).details.status).toBe(404);
    expect((error as Error).message).toContain('HTTP 404');
    const client = await openClient(replayServer.rewrite(ES));
    expect(await client.getCollection('foo')).toBeUndefined();
  });

  it('reads queryables of the API and of a collection', async () => {
    const replayServer = await replay(
      'pystac-client/test_collection_client_TestCollectionClient.test_get_queryables.yaml',
    );
    const client = await openClient(replayServer.rewrite(`${PC}/`));
    const queryables = await client.getQueryables('landsat-c2-l2');
    expect(queryables.properties).toHaveProperty('eo:cloud_cover');
    const root = await startReplayServer([
      'pystac-client/test_client_TestQueryables.test_get_queryables.yaml',
    ]);
    try {
      const rootQueryables = await (
        await openClient(root.rewrite('https://stac.sage.uvt.ro/'))
      ).getQueryables();
      expect(rootQueryables.type).toBe('object');
      expect(root.requests.every((request) => request.matched)).toBe(true);
    } finally {
      await root.close();
    }
  });

  it('runs signRequest on every request and signItem on every returned item', async () => {
    const cassette = 'pystac-client/test_item_search_TestItemSearch.test_result_paging.yaml';
    const replayServer = await replay(PC_LANDING, cassette);
    const host = new URL(replayServer.origin).host;
    const signer: Signer = {
      kind: 'signer',
      id: 'test-signer',
      apiVersion: PLUGIN_API_VERSION,
      matches: (url) => new URL(url).host === host,
      signRequest: async (request) => ({
        ...request,
        headers: { ...request.headers, 'x-test-signature': 'signed' },
      }),
      signItem: async (item) => ({ ...item, properties: { ...item.properties, signed: true } }),
    };
    const result = await search(replayServer.rewrite(PC), {
      collections: ['naip'],
      bbox: [-73.21, 43.99, -73.12, 44.05],
      limit: 10,
      maxItems: 20,
      signer,
    });
    expect(replayServer.requests).toHaveLength(3);
    expect(
      replayServer.requests.every((request) => request.headers['x-test-signature'] === 'signed'),
    ).toBe(true);
    expect(result.features).toHaveLength(20);
    expect(result.features.every((item) => item.properties.signed === true)).toBe(true);
  });
});

describe('item search parameters checked before any request', () => {
  it('refuses bbox with intersects', async () => {
    const replayServer = await replay(PC_LANDING);
    expect(() =>
      itemSearch(replayServer.rewrite(PC), {
        bbox: [0, 0, 1, 1],
        intersects: { type: 'Point', coordinates: [0, 0] },
      }),
    ).toThrow(/bbox and intersects cannot be used together/);
    await expect(
      search(replayServer.rewrite(PC), {
        bbox: [0, 0, 1, 1],
        intersects: { type: 'Point', coordinates: [0, 0] },
      }),
    ).rejects.toThrow(SearchError);
    expect(replayServer.requests).toHaveLength(0);
  });

  it('refuses CQL2 text that does not parse', async () => {
    const replayServer = await replay(PC_LANDING);
    await expect(
      search(replayServer.rewrite(PC), { filter: 'eo:cloud_cover <= AND 40' }),
    ).rejects.toThrow(/cannot parse CQL2 text at position/);
    expect(replayServer.requests).toHaveLength(0);
  });

  it('refuses bad bbox, datetime and counts', () => {
    expect(() => itemSearch('http://127.0.0.1:9/', { bbox: [0, 0, 1] })).toThrow(
      /bbox: expected 4 numbers/,
    );
    expect(() => itemSearch('http://127.0.0.1:9/', { bbox: [0, 2, 1, 1] })).toThrow(
      /larger than its maximum/,
    );
    expect(() => itemSearch('http://127.0.0.1:9/', { datetime: '2023-13' })).toThrow(
      /datetime: cannot read/,
    );
    expect(() => itemSearch('http://127.0.0.1:9/', { maxItems: 0 })).toThrow(
      /maxItems: expected a positive whole number/,
    );
    expect(() =>
      itemSearch('http://127.0.0.1:9/', { intersects: { type: 'Feature', geometry: null } }),
    ).toThrow(/intersects/);
  });

  it('lowers limit to maxItems, as pystac-client does', () => {
    expect(itemSearch('http://127.0.0.1:9/', { limit: 100, maxItems: 5 }).body).toEqual({
      limit: 5,
    });
    expect(itemSearch('http://127.0.0.1:9/', { maxItems: 5 }).body).toEqual({});
  });

  it('formats the GET form of every parameter', () => {
    const prepared = itemSearch('http://127.0.0.1:9/', {
      collections: ['a', 'b'],
      bbox: [1, 2, 3, 4],
      datetime: '2023',
      filter: "collection = 'a' AND eo:cloud_cover < 10",
      filterLang: 'cql2-text',
      sortby: '-properties.datetime,id',
      fields: 'id,-assets',
    });
    expect(prepared.queryParameters).toEqual({
      collections: 'a,b',
      bbox: '1,2,3,4',
      datetime: '2023-01-01T00:00:00Z/2023-12-31T23:59:59Z',
      filter: "collection = 'a' AND eo:cloud_cover < 10",
      'filter-lang': 'cql2-text',
      sortby: '-properties.datetime,+id',
      fields: 'id,-assets',
    });
    expect(prepared.body).toMatchObject({
      filter: {
        op: 'and',
        args: [
          { op: '=', args: [{ property: 'collection' }, 'a'] },
          { op: '<', args: [{ property: 'eo:cloud_cover' }, 10] },
        ],
      },
      'filter-lang': 'cql2-json',
      sortby: [
        { field: 'properties.datetime', direction: 'desc' },
        { field: 'id', direction: 'asc' },
      ],
      fields: { include: ['id'], exclude: ['assets'] },
    });
  });

  it('rethrows an abort unwrapped', async () => {
    const replayServer = await replay(PC_LANDING);
    const controller = new AbortController();
    controller.abort();
    const error = await search(replayServer.rewrite(PC), {
      collections: 'naip',
      signal: controller.signal,
    }).catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('AbortError');
    expect(SearchError.isInstance(error)).toBe(false);
  });
});
