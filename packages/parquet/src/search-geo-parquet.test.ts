import path from 'node:path';
import { OptionError, type StacItem } from '@pyramids/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  searchGeoParquet,
  toGeoParquetBuffer,
  type GeoParquetSearchStats,
} from '@pyramids/parquet';
import { fixturesDir } from '../../../vitest.shared.js';
import { fixtureItemFiles } from './test-fixtures.js';

// Items of several collections, sorted west to east so that row groups are spatially coherent.
const sources = new Set([
  'planetary-computer/naip_4items.json',
  'planetary-computer/cop-dem-glo-30_4items.json',
  'planetary-computer/3dep-lidar-copc_4items.json',
  'planetary-computer/io-lulc-annual-v02_4items.json',
  'planetary-computer/sentinel-2-l2a_4items.json',
  'planetary-computer/sentinel-1-rtc_4items.json',
  'planetary-computer/landsat-c2-l2_4items.json',
]);
const items = fixtureItemFiles(path.join(fixturesDir, 'stac/items'))
  .filter((entry) => sources.has(entry.file))
  .flatMap((entry) => entry.items)
  .filter((item) => item.bbox)
  .sort((a, b) => a.bbox![0]! - b.bbox![0]!);
let file: Uint8Array;
beforeAll(async () => {
  file = await toGeoParquetBuffer(items, { rowGroupSize: 4 });
}, 60_000);

const ids = (found: { features: StacItem[] }) => found.features.map((item) => item.id);
const west = (item: StacItem) => item.bbox![0]!;
const east = (item: StacItem) => item.bbox![item.bbox!.length === 6 ? 3 : 2]!;
const south = (item: StacItem) => item.bbox![1]!;
const north = (item: StacItem) => item.bbox![item.bbox!.length === 6 ? 4 : 3]!;
const time = (item: StacItem, key: string) => {
  const value = item.properties[key];
  return typeof value === 'string' ? Date.parse(value) : undefined;
};

// Reading full rows of wide Items is slow in the Parquet library (see the decision record).
describe('searchGeoParquet', { timeout: 30_000 }, () => {
  it('finds the Items whose bbox intersects, skipping row groups by the bbox covering', async () => {
    const box = [10, 25, 20, 40];
    const stats = {} as GeoParquetSearchStats;
    const found = await searchGeoParquet(file, { bbox: box }, { stats });
    const expected = items.filter(
      (item) =>
        west(item) <= box[2]! &&
        east(item) >= box[0]! &&
        south(item) <= box[3]! &&
        north(item) >= box[1]!,
    );
    expect(expected.length).toBeGreaterThan(3);
    expect(ids(found)).toEqual(expected.map((item) => item.id));
    expect(stats.rowGroupsSkipped).toBeGreaterThanOrEqual(4);
    expect(stats.matched).toBe(expected.length);
    // Full Items come back, not just the filter columns.
    expect(found.features[0]!.assets).toEqual(expected[0]!.assets);
  });

  it('filters by datetime interval, open intervals and instants', async () => {
    const start = Date.parse('2024-01-01T00:00:00Z');
    const found = await searchGeoParquet(file, { datetime: '2024-01-01T00:00:00Z/..' });
    const expected = items.filter(
      (item) => (time(item, 'datetime') ?? time(item, 'end_datetime') ?? -Infinity) >= start,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(found).sort()).toEqual(expected.map((item) => item.id).sort());
    const one = expected.find((item) => typeof item.properties['datetime'] === 'string')!;
    const instant = await searchGeoParquet(file, {
      datetime: one.properties['datetime'] as string,
      ids: [one.id],
    });
    expect(ids(instant)).toEqual([one.id]);
  });

  it('filters by collections and ids, and stops at maxItems', async () => {
    const found = await searchGeoParquet(file, { collections: ['sentinel-2-l2a'] });
    expect(ids(found)).toEqual(
      items.filter((item) => item.collection === 'sentinel-2-l2a').map((item) => item.id),
    );
    const some = items.slice(10, 13).map((item) => item.id);
    expect(ids(await searchGeoParquet(file, { ids: some }))).toEqual(some);
    expect(
      ids(await searchGeoParquet(file, { collections: ['sentinel-2-l2a'], maxItems: 2 })),
    ).toHaveLength(2);
  });

  it('applies a CQL2-JSON filter (comparison, and, in, like, between, not, isNull, s_intersects)', async () => {
    const cloudy = await searchGeoParquet(file, {
      filter: {
        op: 'and',
        args: [
          { op: '<=', args: [{ property: 'eo:cloud_cover' }, 40] },
          { op: '=', args: [{ property: 'collection' }, 'sentinel-2-l2a'] },
        ],
      },
    });
    const expected = items.filter(
      (item) =>
        typeof item.properties['eo:cloud_cover'] === 'number' &&
        (item.properties['eo:cloud_cover'] as number) <= 40 &&
        item.collection === 'sentinel-2-l2a',
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(cloudy)).toEqual(expected.map((item) => item.id));

    const like = await searchGeoParquet(file, {
      filter: JSON.stringify({ op: 'like', args: [{ property: 'id' }, 'S2B%'] }),
    });
    expect(ids(like)).toEqual(
      items.filter((item) => item.id.startsWith('S2B')).map((item) => item.id),
    );
    expect(like.features.length).toBeGreaterThan(0);

    const inList = await searchGeoParquet(file, {
      filter: { op: 'in', args: [{ property: 'collection' }, ['naip', 'cop-dem-glo-30']] },
    });
    expect(ids(inList)).toEqual(
      items
        .filter((item) => ['naip', 'cop-dem-glo-30'].includes(item.collection!))
        .map((item) => item.id),
    );
    expect(inList.features).toHaveLength(8);

    const between = await searchGeoParquet(file, {
      filter: { op: 'between', args: [{ property: 'eo:cloud_cover' }, 10, 20] },
    });
    expect(ids(between)).toEqual(
      items
        .filter((item) => {
          const c = item.properties['eo:cloud_cover'] as number;
          return c >= 10 && c <= 20;
        })
        .map((item) => item.id),
    );

    const noCloud = await searchGeoParquet(file, {
      filter: { op: 'isNull', args: [{ property: 'eo:cloud_cover' }] },
    });
    const notNoCloud = await searchGeoParquet(file, {
      filter: { op: 'not', args: [{ op: 'isNull', args: [{ property: 'eo:cloud_cover' }] }] },
    });
    expect(noCloud.features.length + notNoCloud.features.length).toBe(items.length);
    expect(noCloud.features.every((item) => item.properties['eo:cloud_cover'] === undefined)).toBe(
      true,
    );

    const spatial = await searchGeoParquet(file, {
      filter: { op: 's_intersects', args: [{ property: 'geometry' }, { bbox: [10, 25, 20, 40] }] },
    });
    expect(ids(spatial)).toEqual(ids(await searchGeoParquet(file, { bbox: [10, 25, 20, 40] })));
  });

  it('takes the same filter as CQL2 text', async () => {
    const text = await searchGeoParquet(file, {
      filter: "eo:cloud_cover <= 40 AND collection = 'sentinel-2-l2a'",
    });
    const json = await searchGeoParquet(file, {
      filter: {
        op: 'and',
        args: [
          { op: '<=', args: [{ property: 'eo:cloud_cover' }, 40] },
          { op: '=', args: [{ property: 'collection' }, 'sentinel-2-l2a'] },
        ],
      },
    });
    expect(text.features.length).toBeGreaterThan(0);
    expect(ids(text)).toEqual(ids(json));
    const spatial = await searchGeoParquet(file, {
      filter: 'S_INTERSECTS(geometry, BBOX(10, 25, 20, 40))',
      filterLang: 'cql2-text',
    });
    expect(ids(spatial)).toEqual(ids(await searchGeoParquet(file, { bbox: [10, 25, 20, 40] })));
  });

  it('filters by an intersects geometry exactly, not by bbox alone', async () => {
    const target = items.find((item) => item.collection === 'sentinel-2-l2a')!;
    const [x0, y0, x1, y1] = [west(target), south(target), east(target), north(target)];
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    const found = await searchGeoParquet(file, {
      intersects: { type: 'Point', coordinates: [cx, cy] },
      ids: [target.id],
    });
    expect(ids(found)).toEqual([target.id]);
    // A point inside the bbox but outside the footprint polygon (footprints are rotated or clipped):
    // a bbox-only filter would keep the Item, an exact one must not. Chosen with the test's own
    // even-odd ray casting over the Item's polygon.
    const polygons = (
      target.geometry!.type === 'Polygon'
        ? [target.geometry!.coordinates]
        : target.geometry!.coordinates
    ) as number[][][][];
    const inside = (x: number, y: number) =>
      polygons.some(
        (rings) =>
          rings.reduce((crossings, ring) => {
            let count = crossings;
            for (
              let index = 0, previous = ring.length - 1;
              index < ring.length;
              previous = index++
            ) {
              const [xi, yi] = ring[index]!;
              const [xj, yj] = ring[previous]!;
              if (yi! > y !== yj! > y && x < ((xj! - xi!) * (y - yi!)) / (yj! - yi!) + xi!) count++;
            }
            return count;
          }, 0) %
            2 ===
          1,
      );
    let outside: [number, number] | undefined;
    for (let i = 1; i < 40 && !outside; i++) {
      for (let j = 1; j < 40 && !outside; j++) {
        const point: [number, number] = [x0 + ((x1 - x0) * i) / 40, y0 + ((y1 - y0) * j) / 40];
        if (!inside(...point)) outside = point;
      }
    }
    expect(outside, 'the footprint leaves part of its bbox uncovered').toBeDefined();
    expect(outside![0]).toBeGreaterThan(x0);
    expect(outside![1]).toBeLessThan(y1);
    const byBbox = await searchGeoParquet(file, {
      bbox: [outside![0], outside![1], outside![0], outside![1]],
      ids: [target.id],
    });
    expect(ids(byBbox)).toEqual([target.id]); // what a bbox-only filter keeps
    const exact = await searchGeoParquet(file, {
      intersects: { type: 'Point', coordinates: outside! },
      ids: [target.id],
    });
    expect(ids(exact)).toEqual([]);
  });

  it('rejects bad parameters with OptionError', async () => {
    await expect(
      searchGeoParquet(file, {
        bbox: [0, 0, 1, 1],
        intersects: { type: 'Point', coordinates: [0, 0] },
      }),
    ).rejects.toThrow(OptionError);
    await expect(searchGeoParquet(file, { datetime: 'yesterday' })).rejects.toThrow(
      /datetime 'yesterday' is not an RFC 3339/,
    );
    await expect(searchGeoParquet(file, { filter: 'eo:cloud_cover <' })).rejects.toThrow(
      /cannot parse CQL2 text at position 16: found the end of the text/,
    );
    await expect(
      searchGeoParquet(file, { filter: { op: 'frobnicate', args: [] } }),
    ).rejects.toThrow(/CQL2 operator 'frobnicate' is not supported/);
    await expect(searchGeoParquet(file, { bbox: [1, 2, 3] })).rejects.toThrow(
      /bbox must be 4 or 6 numbers/,
    );
  });
});
