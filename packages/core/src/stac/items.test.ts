import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assetHref,
  itemBbox,
  itemDatetime,
  parseItemsText,
  resolveAssetHref,
  StacAssetError,
  toItems,
} from '@pyramids/core';
import { fixturesDir } from '../../../../vitest.shared.js';

const collectionFile = path.join(
  fixturesDir,
  'stac/items/earth-search-v1/sentinel-2-c1-l2a_item-collection_10.json',
);

describe('Items input', () => {
  const collection = JSON.parse(readFileSync(collectionFile, 'utf8')) as { features: unknown[] };

  it('accepts ItemCollections, arrays, single Items, toJSON objects and NDJSON', () => {
    expect(toItems(collection)).toHaveLength(10);
    expect(toItems(collection.features)).toHaveLength(10);
    expect(toItems(collection.features[0])).toHaveLength(1);
    expect(toItems({ toJSON: () => collection })).toHaveLength(10);
    const ndjson = collection.features.map((feature) => JSON.stringify(feature)).join('\n');
    expect(parseItemsText(ndjson).map((item) => item.id)).toEqual(
      toItems(collection).map((item) => item.id),
    );
  });

  it('says which item is malformed and why', () => {
    const broken = [
      ...collection.features.slice(0, 2),
      { type: 'Feature', id: 'x', properties: {} },
    ];
    expect(() => toItems(broken)).toThrowError(/item #2: item 'x' has no "assets" object/);
    expect(() => parseItemsText('{"type":"Feature",')).toThrowError(StacAssetError);
    expect(() => parseItemsText('')).toThrowError(/input is empty/);
  });

  it('reads datetime, bbox and hrefs through the accessors', () => {
    const [item] = toItems(collection);
    expect(itemDatetime(item!)?.toISOString()).toBe('2024-04-22T17:53:02.036Z');
    expect(itemBbox(item!)).toHaveLength(4);
    expect(assetHref(item!, 'red')).toMatch(/B04\.tif$/);
  });

  it('an asset without href is a StacAssetError', () => {
    const [item] = toItems(collection);
    const copy = { ...item!, assets: { red: { type: 'image/tiff' } } } as never;
    expect(() => assetHref(copy, 'red')).toThrowError(/asset 'red' of item .* has no href/);
  });

  it('resolves relative hrefs against a base or the self link', () => {
    const item = toItems({
      type: 'Feature',
      id: 'a',
      geometry: null,
      properties: {},
      assets: { data: { href: './tiles/a.tif' } },
      links: [{ rel: 'self', href: 'https://h/c/items/a.json' }],
    })[0]!;
    expect(resolveAssetHref(item, 'data')).toBe('https://h/c/items/tiles/a.tif');
    // A local base would make the remote Item's relative href a local path: refused unless allowed.
    expect(() => resolveAssetHref(item, 'data', '/data/catalog/')).toThrowError(/--allow-local/);
    expect(resolveAssetHref(item, 'data', '/data/catalog/', true)).toBe(
      '/data/catalog/tiles/a.tif',
    );
  });
});
