import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StacCollection } from '@pyramids/core';
import { fixturesDir } from '../../../../vitest.shared.js';
import { startRangeServer, type RangeServer } from '../../../../test-support/range-server.js';
import {
  startReplayServer,
  type ReplayServer,
} from '../../../core/src/search/replay-server.test-helper.js';
import { runCli } from '../run-cli-for-tests.js';

// stac.eoapi.dev's recorded landing page (collection-search and #free-text advertised, `data`
// link to /collections), served together with pystac-client's recorded collection search
// (emc.spacebel.be /collections?limit=10&q=sentinel and its next page). Both hosts are
// rewritten to the one loopback server, so the landing page's /collections is the recorded one.
const EOAPI = 'pystac-client/test_client_test_get_items_without_ids.yaml';
const EMC_PAGING =
  'pystac-client/test_collection_search_TestCollectionSearch.test_result_paging.yaml';
const SAGE = 'pystac-client/test_client_TestQueryables.test_get_queryables.yaml';
const PC_QUERYABLES =
  'pystac-client/test_collection_client_TestCollectionClient.test_get_queryables.yaml';

let server: ReplayServer | undefined;
let files: RangeServer | undefined;
let directory: string | undefined;
afterEach(async () => {
  await server?.close();
  await files?.close();
  server = undefined;
  files = undefined;
  if (directory) await rm(directory, { recursive: true, force: true });
  directory = undefined;
});

function recordedIds(replay: ReplayServer, index: number): string[] {
  return (
    replay.recordedJson(EMC_PAGING, index) as { collections: StacCollection[] }
  ).collections.map((collection) => collection.id);
}

describe('pyramids collections', () => {
  it('searches with --q across pages and stops at --max-collections', async () => {
    server = await startReplayServer([EOAPI, EMC_PAGING]);
    const result = await runCli([
      'collections',
      server.rewrite('https://stac.eoapi.dev/'),
      '--q',
      'sentinel',
      '--limit',
      '10',
      '--max-collections',
      '12',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { collections: StacCollection[] };
    expect(printed.collections.map((collection) => collection.id)).toEqual([
      ...recordedIds(server, 0),
      ...recordedIds(server, 1).slice(0, 2),
    ]);
    expect(server.requests.map((request) => request.path)).toEqual([
      '/',
      '/collections?limit=10&q=sentinel',
      '/collections?limit=10&q=sentinel&startRecord=11',
    ]);
  });

  it('prints the count with --matched', async () => {
    server = await startReplayServer([EOAPI, EMC_PAGING]);
    const result = await runCli([
      'collections',
      server.rewrite('https://stac.eoapi.dev/'),
      '--q',
      'sentinel',
      '--limit',
      '10',
      '--matched',
    ]);
    expect(result.stdout).toBe('216\n');
  });

  it('fails in one line, before the search request, on an API without collection search', async () => {
    server = await startReplayServer([SAGE]);
    const result = await runCli([
      'collections',
      server.rewrite('https://stac.sage.uvt.ro/'),
      '--bbox',
      '5,45,6,46',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /does not advertise STAC API collection search.*--add-conforms-to COLLECTION_SEARCH/,
    );
    expect(result.stderr.trim().split('\n')[0]).toMatch(/^pyramids: /);
    expect(server.requests.map((request) => request.path)).toEqual(['/']);
  });

  it('prints the queryables of the API and of one collection', async () => {
    server = await startReplayServer([SAGE]);
    const api = await runCli([
      'collections',
      server.rewrite('https://stac.sage.uvt.ro/'),
      '--queryables',
    ]);
    expect(JSON.parse(api.stdout)).toEqual(server.recordedJson(SAGE, 1));
    await server.close();
    server = await startReplayServer([PC_QUERYABLES]);
    const collection = await runCli([
      'collections',
      server.rewrite('https://planetarycomputer.microsoft.com/api/stac/v1'),
      '--queryables',
      'landsat-c2-l2',
    ]);
    expect(JSON.parse(collection.stdout)).toEqual(server.recordedJson(PC_QUERYABLES, 3));
  });

  it('lists every collection of a static catalog when no search parameter is given', async () => {
    const examples = path.join(fixturesDir, 'stac/items/stac-spec-examples/v1.1.0-beta.1');
    directory = await mkdtemp(path.join(tmpdir(), 'pyramids-collections-'));
    // The spec's example catalog without the child the examples do not include.
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
    files = await startRangeServer(directory);
    const result = await runCli(['collections', `${files.url}/catalog.json`]);
    const printed = JSON.parse(result.stdout) as { collections: StacCollection[] };
    expect(printed.collections.map((collection) => collection.id).sort()).toEqual([
      'extensions-collection',
      'sentinel-2',
    ]);
  });

  it('refuses --queryables with search parameters and a bad bbox before any request', async () => {
    server = await startReplayServer([SAGE]);
    const mixed = await runCli([
      'collections',
      server.rewrite('https://stac.sage.uvt.ro/'),
      '--queryables',
      '--q',
      'x',
    ]);
    expect(mixed.code).not.toBe(0);
    expect(mixed.stderr).toMatch(/--queryables lists what a filter may use/);
    const badBox = await runCli([
      'collections',
      server.rewrite('https://stac.sage.uvt.ro/'),
      '--bbox',
      '5,45,6',
    ]);
    expect(badBox.stderr).toMatch(/bbox: expected 4 numbers/);
    expect(server.requests).toHaveLength(0);
  });
});
