import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadError, isAbortError, SearchError, type StacItem } from '@pyramids/core';
import { downloadCollection, encodeMultihash } from '@pyramids/core/node';
import { fixturesDir } from '../../../../vitest.shared.js';
import { startRangeServer, type RangeServer } from '../../../../test-support/range-server.js';

const rasters = path.join(fixturesDir, 'rasters/rio-tiler');
const FILES = { 'item-a': 'cog_int16.tif', 'item-b': 'cog_uint8_rgb_nodata.tif' } as const;

function sha256Multihash(file: string): string {
  const hex = execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]!;
  return encodeMultihash(0x12, Buffer.from(hex, 'hex'));
}

/**
 * A STAC API (OGC API Features, no item search) shaped per the spec, answered through the
 * range server's intercept hook; the assets are real fixture COGs served with ranges by
 * the same server. Items come one per page, linked by `next` with a token.
 */
async function startCollectionApi(
  checksumOf: (file: string) => string = sha256Multihash,
): Promise<RangeServer> {
  const server = await startRangeServer(rasters);
  const item = async (id: keyof typeof FILES): Promise<StacItem> => ({
    type: 'Feature',
    stac_version: '1.0.0',
    id,
    collection: 'test-cogs',
    geometry: null,
    properties: { datetime: '2024-01-01T00:00:00Z' },
    links: [{ rel: 'self', href: `${server.url}/api/collections/test-cogs/items/${id}` }],
    assets: {
      data: {
        href: `${server.url}/${FILES[id]}`,
        type: 'image/tiff; application=geotiff',
        'file:size': (await stat(path.join(rasters, FILES[id]))).size,
        'file:checksum': checksumOf(path.join(rasters, FILES[id])),
      },
    },
  });
  const api = `${server.url}/api`;
  const routes: Record<string, () => Promise<unknown>> = {
    '/api': async () => ({
      type: 'Catalog',
      id: 'test',
      conformsTo: [
        'https://api.stacspec.org/v1.0.0/core',
        'https://api.stacspec.org/v1.0.0/collections',
        'https://api.stacspec.org/v1.0.0/ogcapi-features',
      ],
      links: [{ rel: 'data', href: `${api}/collections`, type: 'application/json' }],
    }),
    '/api/collections/test-cogs': async () => ({
      type: 'Collection',
      id: 'test-cogs',
      stac_version: '1.0.0',
      description: 'two fixture COGs',
      license: 'proprietary',
      extent: {
        spatial: { bbox: [[-180, -90, 180, 90]] },
        temporal: { interval: [['2024-01-01T00:00:00Z', null]] },
      },
      links: [
        { rel: 'self', href: `${api}/collections/test-cogs` },
        { rel: 'items', href: `${api}/collections/test-cogs/items` },
        { rel: 'license', href: 'https://example.com/license' },
      ],
    }),
    '/api/collections/test-cogs/items?collections=test-cogs': async () => ({
      type: 'FeatureCollection',
      features: [await item('item-a')],
      links: [{ rel: 'next', href: `${api}/collections/test-cogs/items?token=2` }],
    }),
    '/api/collections/test-cogs/items?token=2': async () => ({
      type: 'FeatureCollection',
      features: [await item('item-b')],
      links: [],
    }),
  };
  server.intercept = (request, response) => {
    if (!request.url?.startsWith('/api')) return false;
    const route = routes[request.url];
    if (!route) {
      response
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"description":"not found"}');
      return true;
    }
    void route().then((body) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
    );
    return true;
  };
  return server;
}

let server: RangeServer | undefined;
let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'pyramids-collection-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(directory, { recursive: true, force: true });
});

describe('downloadCollection', () => {
  it('writes every Item, its assets and collection.json, and resumes after an interruption without fetching finished files again', async () => {
    server = await startCollectionApi();
    const controller = new AbortController();
    const first = await downloadCollection(`${server.url}/api`, 'test-cogs', directory, {
      signal: controller.signal,
      // Interrupted once the first Item's file is complete, before the second page.
      progress: (event) => (event.type === 'done' ? controller.abort() : undefined),
    }).catch((error: unknown) => error);
    expect(isAbortError(first)).toBe(true);
    expect(
      (await readFile(path.join(directory, 'item-a/data.tif'))).equals(
        await readFile(path.join(rasters, FILES['item-a'])),
      ),
    ).toBe(true);
    await expect(stat(path.join(directory, 'collection.json'))).rejects.toThrow();

    const before = server.requests.length;
    const result = await downloadCollection(`${server.url}/api`, 'test-cogs', directory);
    expect(result).toEqual({
      collection: 'test-cogs',
      items: 2,
      collectionPath: path.join(directory, 'collection.json'),
    });
    const second = server.requests
      .slice(before)
      .map((request) => `${request.method} ${request.url}`);
    expect(second).not.toContain(`GET /${FILES['item-a']}`);
    expect(second).toContain(`GET /${FILES['item-b']}`);

    for (const [id, file] of Object.entries(FILES)) {
      expect(
        (await readFile(path.join(directory, id, 'data.tif'))).equals(
          await readFile(path.join(rasters, file)),
        ),
      ).toBe(true);
      const written = JSON.parse(
        await readFile(path.join(directory, id, `${id}.json`), 'utf8'),
      ) as StacItem;
      expect(written.assets.data!.href).toBe('./data.tif');
    }
    const collection = JSON.parse(await readFile(result.collectionPath, 'utf8')) as {
      id: string;
      links: Array<{ rel: string; href: string }>;
    };
    expect(collection.id).toBe('test-cogs');
    expect(collection.links).toEqual([
      { rel: 'license', href: 'https://example.com/license' },
      { rel: 'item', href: './item-a/item-a.json', type: 'application/geo+json' },
      { rel: 'item', href: './item-b/item-b.json', type: 'application/geo+json' },
    ]);
  });

  it('narrows the Items with search parameters (maxItems stops paging)', async () => {
    server = await startCollectionApi();
    const result = await downloadCollection(`${server.url}/api`, 'test-cogs', directory, {
      search: { maxItems: 1 },
    });
    expect(result.items).toBe(1);
    expect(server.requests.map((request) => request.url)).not.toContain(
      '/api/collections/test-cogs/items?token=2',
    );
  });

  it('names a missing collection, and deletes a file whose checksum does not match', async () => {
    server = await startCollectionApi((file) =>
      sha256Multihash(file).replace(/.$/, (last) => (last === '0' ? '1' : '0')),
    );
    await expect(downloadCollection(`${server.url}/api`, 'nope', directory)).rejects.toSatisfy(
      (error: unknown) =>
        SearchError.isInstance(error) &&
        /collection 'nope' not found/.test((error as Error).message),
    );
    await expect(downloadCollection(`${server.url}/api`, 'test-cogs', directory)).rejects.toSatisfy(
      (error: unknown) =>
        DownloadError.isInstance(error) &&
        /checksum .* differs from file:checksum/.test((error as Error).message),
    );
    await expect(stat(path.join(directory, 'item-a/data.tif'))).rejects.toThrow();
  });
});
