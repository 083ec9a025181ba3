import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WriteError, type StacItem } from '@pyramids/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fromGeoParquet,
  readGeoParquet,
  readGeoParquetInfo,
  toGeoParquet,
  toGeoParquetBuffer,
} from '@pyramids/parquet';
import { fixturesDir } from '../../../vitest.shared.js';
import { fixtureItemFiles, normalizeItem } from './test-fixtures.js';

const itemFiles = fixtureItemFiles(path.join(fixturesDir, 'stac/items'));
let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'parquet-write-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('toGeoParquet round trip', () => {
  it('covers every fixture Item', () => {
    expect(itemFiles.reduce((total, entry) => total + entry.items.length, 0)).toBe(96);
  });

  it.each(itemFiles.map((entry) => [entry.file, entry.items] as const))(
    '%s reads back equal to its JSON',
    async (_file, items) => {
      const bytes = await toGeoParquetBuffer(items);
      const read = await readGeoParquet(bytes);
      expect(read.map((item) => item.id)).toEqual(items.map((item) => item.id));
      expect(read).toEqual(items.map(normalizeItem));
    },
  );

  it('writes every fixture Item into one file with one merged schema', async () => {
    const all = itemFiles.flatMap((entry) => entry.items);
    const target = path.join(directory, 'all.parquet');
    const summary = await toGeoParquet(all, target, { rowGroupSize: 50 });
    expect(summary).toMatchObject({ rows: 96, rowGroups: 2 });
    const read = await readGeoParquet(target);
    expect(read).toEqual(all.map(normalizeItem));
  }, 60_000);

  it('keeps the exact JSON with jsonColumn', async () => {
    const items = itemFiles.find((entry) => entry.file.includes('dlr_S5P'))!.items;
    const bytes = await toGeoParquetBuffer(items, { jsonColumn: true });
    const info = await readGeoParquetInfo(bytes);
    expect(info.jsonColumn).toBe('stac_item');
    expect(await readGeoParquet(bytes)).toEqual(items);
  });

  it('writes a one-shot async iterable through a spool, in row groups', async () => {
    const items = itemFiles.find((entry) =>
      entry.file.includes('sentinel-2-c1-l2a_item-collection_10'),
    )!.items;
    async function* generate() {
      for (const item of items) yield item;
    }
    const target = path.join(directory, 'stream.parquet');
    const summary = await toGeoParquet(generate(), target, { rowGroupSize: 3 });
    expect(summary.rowGroups).toBe(4);
    const info = await readGeoParquetInfo(target);
    expect(info.rowGroups.map((group) => group.rows)).toEqual([3, 3, 3, 1]);
    const ids: string[] = [];
    for await (const item of fromGeoParquet(target, { columns: ['id'] })) ids.push(item.id);
    expect(ids).toEqual(items.map((item) => item.id));
  });

  it('writes heterogeneous Items (2-D and 3-D bbox, different properties and assets) to one consistent file', async () => {
    const base = itemFiles.find((entry) => entry.file.endsWith('v1.1.0/simple-item.json'))!
      .items[0]!;
    const flat: StacItem = {
      ...structuredClone(base),
      id: 'flat',
      properties: { ...base.properties, 'eo:cloud_cover': 12 },
    };
    const tall: StacItem = {
      ...structuredClone(base),
      id: 'tall',
      bbox: [1, 2, -10, 3, 4, 250],
      properties: {
        datetime: null,
        start_datetime: '2020-01-01T00:00:00+01:00',
        end_datetime: '2020-01-02T00:00:00.000001Z',
        'eo:cloud_cover': 12.5,
        extra: 'x',
      },
      assets: { other: { href: 'b.tif', 'raster:bands': [{ nodata: 0 }] } },
    };
    const read = await readGeoParquet(await toGeoParquetBuffer([flat, tall]));
    expect(read[0]!.bbox).toEqual(base.bbox);
    expect(read[1]!.bbox).toEqual([1, 2, -10, 3, 4, 250]);
    expect(read[0]!.properties['eo:cloud_cover']).toBe(12);
    expect(read[1]!.properties).toEqual({
      datetime: null,
      start_datetime: '2019-12-31T23:00:00Z',
      end_datetime: '2020-01-02T00:00:00.000001Z',
      'eo:cloud_cover': 12.5,
      extra: 'x',
    });
    expect(read[1]!.assets).toEqual(tall.assets);
    expect(read[0]!.assets).toEqual(base.assets);
  });

  it('refuses an input without Items and leaves no file behind', async () => {
    const target = path.join(directory, 'empty.parquet');
    await expect(toGeoParquet([], target)).rejects.toThrow(WriteError);
    await expect(toGeoParquet([{ type: 'Feature', id: 'x' }], target)).rejects.toThrow(
      /input item #0 is not a STAC Item/,
    );
    expect((await readdir(directory)).filter((name) => name.startsWith('empty'))).toEqual([]);
  });

  it.each([
    ['datetime', 'yesterday'],
    ['datetime', 20240101],
    ['start_datetime', '2024-13-45T99:00:00Z'],
    ['end_datetime', null],
  ])(
    'refuses properties.%s = %j (not RFC 3339) naming the Item, and writes nothing',
    async (key, value) => {
      const [first, second] = itemFiles[0]!.items as StacItem[];
      const bad = structuredClone(second ?? first!);
      bad.id = 'bad-datetime';
      bad.properties = { ...bad.properties, [key]: value };
      if (key !== 'datetime') {
        bad.properties['start_datetime'] ??= '2024-01-01T00:00:00Z';
        bad.properties['end_datetime'] ??= '2024-01-02T00:00:00Z';
        bad.properties[key] = value;
      }
      const target = path.join(directory, 'bad-datetime.parquet');
      const error = await toGeoParquet([first!, bad], target).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WriteError);
      expect((error as Error).message).toMatch(
        new RegExp(`item "bad-datetime": properties\\.${key} is .*not an RFC 3339 date-time`),
      );
      expect((await readdir(directory)).filter((name) => name.startsWith('bad-datetime'))).toEqual(
        [],
      );
      // A null datetime beside a range is valid STAC and still written.
      const ranged = structuredClone(first!);
      ranged.properties = {
        ...ranged.properties,
        datetime: null,
        start_datetime: '2024-01-01T00:00:00Z',
        end_datetime: '2024-01-02T00:00:00Z',
      };
      await expect(toGeoParquetBuffer([ranged])).resolves.toBeInstanceOf(Uint8Array);
    },
  );

  it('removes the partial file when the input fails midway', async () => {
    const items = itemFiles.find((entry) =>
      entry.file.includes('sentinel-2-c1-l2a_item-collection_10'),
    )!.items;
    async function* failing() {
      yield items[0]!;
      throw new Error('source went away');
    }
    const target = path.join(directory, 'failing.parquet');
    await expect(toGeoParquet(failing(), target)).rejects.toThrow(/source went away/);
    expect((await readdir(directory)).filter((name) => name.startsWith('failing'))).toEqual([]);
  });

  it('rethrows an abort unwrapped', async () => {
    const items = itemFiles.find((entry) =>
      entry.file.includes('sentinel-2-c1-l2a_item-collection_10'),
    )!.items;
    const controller = new AbortController();
    controller.abort();
    await expect(toGeoParquetBuffer(items, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('writes the geo and stac-geoparquet metadata', async () => {
    const items = JSON.parse(
      await readFile(
        path.join(fixturesDir, 'stac/items/planetary-computer/naip_4items.json'),
        'utf8',
      ),
    ) as StacItem[];
    const info = await readGeoParquetInfo(
      await toGeoParquetBuffer(items, {
        collections: [{ type: 'Collection', id: 'naip', description: 'NAIP' }],
      }),
    );
    const geometry = (info.geo!['columns'] as Record<string, Record<string, unknown>>)['geometry']!;
    expect(info.geo).toMatchObject({ version: '1.1.0', primary_column: 'geometry' });
    expect(geometry).toMatchObject({
      encoding: 'WKB',
      geometry_types: ['Polygon'],
      covering: { bbox: { xmin: ['bbox', 'xmin'], ymax: ['bbox', 'ymax'] } },
    });
    expect((geometry['bbox'] as number[])[0]).toBeCloseTo(
      Math.min(...items.map((item) => item.bbox![0]!)),
      9,
    );
    expect(info.stacGeoParquet).toEqual({
      version: '1.0.0',
      collections: { naip: { type: 'Collection', id: 'naip', description: 'NAIP' } },
    });
  });
});
