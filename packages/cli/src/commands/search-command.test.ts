import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createRegistry,
  OptionError,
  PLUGIN_API_VERSION,
  type CodecPlugin,
  type StacItem,
} from '@pyramids/core';
import { createProgram, main } from '@pyramids/cli';
import {
  startReplayServer,
  type ReplayServer,
} from '../../../core/src/search/replay-server.test-helper.js';
import { runSearchCommand } from './search-command.js';

const ES = 'https://earth-search.aws.element84.com/v1';
const PC = 'https://planetarycomputer.microsoft.com/api/stac/v1';
const MATCHED = 'pystac-client/test_cli_TestCLISearch.test_matched.yaml';
const PC_LANDING = 'pystac-client/test_client_TestAPI.test_instance.yaml';
const PC_PAGING = 'pystac-client/test_item_search_TestItemSearch.test_result_paging.yaml';

let server: ReplayServer | undefined;
let directory: string;
let stdout: string[];
let stderr: string[];

beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'pyramids-search-'));
  stdout = [];
  stderr = [];
  vi.spyOn(process.stdout, 'write').mockImplementation(
    (chunk: string | Uint8Array) => (stdout.push(String(chunk)), true),
  );
  vi.spyOn(process.stderr, 'write').mockImplementation(
    (chunk: string | Uint8Array) => (stderr.push(String(chunk)), true),
  );
});

afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
  await rm(directory, { recursive: true, force: true });
});

async function runCli(...args: string[]): Promise<void> {
  await createProgram().parseAsync(['node', 'pyramids', ...args]);
}

function features(replayServer: ReplayServer, cassette: string, index: number): StacItem[] {
  return (replayServer.recordedJson(cassette, index) as { features: StacItem[] }).features;
}

describe('pyramids search', () => {
  it('prints the recorded items and, with --max-items 1, makes exactly one request after the landing page', async () => {
    server = await startReplayServer([MATCHED]);
    await runCli(
      'search',
      server.rewrite(ES),
      '--collection',
      'cop-dem-glo-30',
      '--limit',
      '1',
      '--max-items',
      '1',
    );
    const printed = JSON.parse(stdout.join('')) as { type: string; features: StacItem[] };
    expect(printed.type).toBe('FeatureCollection');
    expect(printed.features).toEqual(features(server, MATCHED, 1));
    // The recorded page has a next link; it is not followed.
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /v1',
      'POST /v1/search',
    ]);
    expect(server.requests.every((request) => request.matched)).toBe(true);
  });

  it('prints only the count with --matched', async () => {
    server = await startReplayServer([MATCHED]);
    await runCli('search', server.rewrite(ES), '-c', 'cop-dem-glo-30', '--matched');
    expect(stdout.join('')).toBe('26450\n');
  });

  it('follows every page and writes NDJSON with -o', async () => {
    server = await startReplayServer([PC_LANDING, PC_PAGING]);
    const target = path.join(directory, 'items.ndjson');
    await runCli(
      'search',
      server.rewrite(PC),
      '-c',
      'naip',
      '--bbox',
      '-73.21,43.99,-73.12,44.05',
      '--limit',
      '10',
      '--max-items',
      '20',
      '-o',
      target,
    );
    const lines = (await readFile(target, 'utf8')).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      ...features(server, PC_PAGING, 0),
      ...features(server, PC_PAGING, 1),
    ]);
    expect(stdout.join('')).toBe('');
    expect(await readdir(directory)).toEqual(['items.ndjson']);
  });

  it('writes an ItemCollection with -o FILE.json', async () => {
    server = await startReplayServer([
      PC_LANDING,
      'pystac-client/test_item_search_TestItemSearch.test_ids_results.yaml',
    ]);
    const target = path.join(directory, 'items.json');
    await runCli(
      'search',
      server.rewrite(PC),
      '-c',
      'naip',
      '--ids',
      'S2B_MSIL2A_20210610T115639_N0212_R066_T33XXG_20210613T185024.SAFE,fl_m_2608004_nw_17_060_20191215_20200113',
      '-o',
      target,
    );
    const written = JSON.parse(await readFile(target, 'utf8')) as { features: StacItem[] };
    expect(written.features.map((item) => item.id)).toEqual([
      'fl_m_2608004_nw_17_060_20191215_20200113',
    ]);
  });

  it('reads --intersects from a GeoJSON file', async () => {
    const cassette = 'pystac-client/test_item_search_TestItemSearch.test_intersects_results.yaml';
    server = await startReplayServer([PC_LANDING, cassette]);
    const aoi = path.join(directory, 'aoi.geojson');
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
    await writeFile(
      aoi,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [{ type: 'Feature', properties: {}, geometry: polygon }],
      }),
    );
    await runCli('search', server.rewrite(PC), '-c', 'naip', '--intersects', aoi);
    expect((JSON.parse(stdout.join('')) as { features: StacItem[] }).features).toHaveLength(42);
  });

  it('writes through a registered codec for other extensions, and refuses when none is registered', async () => {
    server = await startReplayServer([
      PC_LANDING,
      'pystac-client/test_item_search_TestItemSearch.test_ids_results.yaml',
    ]);
    const options = {
      collection: ['naip'],
      ids: [
        'S2B_MSIL2A_20210610T115639_N0212_R066_T33XXG_20210613T185024.SAFE',
        'fl_m_2608004_nw_17_060_20191215_20200113',
      ],
    };
    const target = path.join(directory, 'items.parquet');
    const error = await runSearchCommand(
      server.rewrite(PC),
      { ...options, output: target },
      { registry: createRegistry() },
    ).catch((caught: unknown) => caught);
    expect(OptionError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/install @pyramids\/parquet and register its codec/);
    expect(await readdir(directory)).toEqual([]);
    expect(server.requests).toHaveLength(0);

    // A codec written against the plugin interface: here, one line per Item id.
    const written: string[] = [];
    const codec: CodecPlugin = {
      kind: 'codec',
      id: 'ids-codec',
      apiVersion: PLUGIN_API_VERSION,
      extensions: ['.parquet'],
      mediaTypes: [],
      load: async () => ({
        readItems: async function* () {},
        writeItems: async (items, file) => {
          for await (const item of items as AsyncIterable<StacItem>) written.push(item.id);
          await writeFile(file, written.join('\n'));
        },
      }),
    };
    await runSearchCommand(
      server.rewrite(PC),
      { ...options, output: target },
      { registry: createRegistry([codec]) },
    );
    expect(written).toEqual(['fl_m_2608004_nw_17_060_20191215_20200113']);
    expect(await readdir(directory)).toEqual(['items.parquet']);
  });

  it('sends a CQL2-JSON --filter where --add-conforms-to declares the class, and a --query', async () => {
    const cassette = 'pystac-client/test_cli_TestCLISearch.test_filter.yaml';
    server = await startReplayServer([cassette]);
    const filter = '{"op": "lte", "args": [{"property": "eo:cloud_cover"}, 40]}';
    await runCli(
      'search',
      server.rewrite(ES),
      '--filter',
      filter,
      '--add-conforms-to',
      'FILTER',
      '--max-items',
      '20',
    );
    const printed = JSON.parse(stdout.join('')) as { features: StacItem[] };
    expect(printed.features).toEqual([
      ...features(server, cassette, 1),
      ...features(server, cassette, 2),
    ]);
    expect(server.requests.every((request) => request.matched)).toBe(true);

    const empty = await startReplayServer(['xcube-stac/cdse_search_no_items.yaml']);
    try {
      stdout.length = 0;
      await runCli(
        'search',
        empty.rewrite('https://stac.dataspace.copernicus.eu/v1'),
        '--bbox',
        '29.386939787289162,53.1622888685164,29.389256239840616,53.16368104066575',
        '--datetime',
        '2023-11-01/2023-11-10',
        '-c',
        'sentinel-2-l2a',
        '--query',
        '{"constellation": {"eq": "sentinel-3"}}',
      );
      expect(JSON.parse(stdout.join(''))).toEqual({ type: 'FeatureCollection', features: [] });
      expect(empty.requests.at(-1)!.matched).toBe(true);
    } finally {
      await empty.close();
    }
  });

  it('fails with one line, before any request, for bbox with intersects', async () => {
    server = await startReplayServer([PC_LANDING]);
    const code = await main([
      'node',
      'pyramids',
      'search',
      server.rewrite(PC),
      '--bbox',
      '0,0,1,1',
      '--intersects',
      '{"type":"Point","coordinates":[0,0]}',
    ]);
    expect(code).toBe(1);
    expect(stderr.join('')).toBe(
      'pyramids: SearchError: bbox and intersects cannot be used together; pass one of them (a STAC API refuses both)\n',
    );
    expect(server.requests).toHaveLength(0);
  });

  it('reports an HTTP error as a SearchError with the status', async () => {
    server = await startReplayServer([
      'pystac-client/test_client_test_get_collection_returns_none_if_not_found.yaml',
    ]);
    const code = await main([
      'node',
      'pyramids',
      'search',
      server.rewrite(`${ES}/collections/foo`),
    ]);
    expect(code).toBe(1);
    expect(stderr.join('')).toMatch(
      /^pyramids: SearchError: GET http:\/\/127\.0\.0\.1:\d+\/v1\/collections\/foo failed with HTTP 404/,
    );
  });
});
