import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ReadError, type StacItem } from '@pyramids/core';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromGeoParquet, readGeoParquet, readGeoParquetInfo } from '@pyramids/parquet';
import { fixturesDir } from '../../../vitest.shared.js';
import type { FileMetaData, SchemaElement } from 'hyparquet';
import { canAssemble } from './assemble-rows.js';
import { openGeoParquet, readRows, rowToItem } from './from-geo-parquet.js';
import { closeParquetSource } from './parquet-source.js';
import { normalizeItem, primeTimestamps } from './test-fixtures.js';
import { geometryToWkb } from './wkb.js';

const geoparquetDir = path.join(fixturesDir, 'geoparquet');
const readJson = async (file: string) =>
  JSON.parse(await readFile(path.join(geoparquetDir, file), 'utf8')) as unknown;

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'parquet-read-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('fromGeoParquet reads files written by others', () => {
  it.each(['sentinel-2-l2a-1.0.0.parquet', 'sentinel-2-l2a-1.1.0.parquet'])(
    'stac-geoparquet (Python) %s equals the JSON it was written from',
    async (file) => {
      const source = (await readJson('stac-geoparquet-py/sentinel-2-l2a.json')) as StacItem[];
      primeTimestamps(source); // one Python run for every expected timestamp
      const items = await readGeoParquet(path.join(geoparquetDir, 'stac-geoparquet-py', file));
      expect(items).toHaveLength(10);
      expect(items).toEqual(source.map(normalizeItem));
    },
    30_000,
  );

  it('rustac extended-item.parquet (millisecond timestamps) equals its JSON', async () => {
    const source = (await readJson('rustac/extended-item.json')) as StacItem;
    const [item] = await readGeoParquet(path.join(geoparquetDir, 'rustac/extended-item.parquet'));
    expect(item).toEqual(normalizeItem(source));
    expect(item!.properties['datetime']).toBe('2020-12-14T18:02:31.437Z');
  });

  it.each([
    [
      'rustac/100-sentinel-2-items.parquet',
      100,
      'S2B_MSIL2A_20241203T174629_R098_T13TDE_20241203T211406',
    ],
    ['rustac/sentinel-1-global-mosaics.parquet', 4, undefined],
    ['rustac/opr-one.parquet', 1, 'Data_20160517_04_001'],
    ['stac-geoparquet-py/naip.parquet', 5, 'ok_m_3409901_nw_14_1_20100425'],
  ] as const)('%s reads as %i valid Items', async (file, count, firstId) => {
    const items = await readGeoParquet(path.join(geoparquetDir, file));
    expect(items).toHaveLength(count);
    if (firstId) expect(items[0]!.id).toBe(firstId);
    for (const item of items) {
      expect(item.type).toBe('Feature');
      expect(typeof item.id).toBe('string');
      expect(item.geometry?.type).toMatch(/Polygon|LineString|Point/);
      expect(item.bbox).toHaveLength(4);
      expect(item.bbox![0]).toBeLessThanOrEqual(item.bbox![2]!);
      expect(
        typeof item.properties['datetime'] === 'string' ||
          typeof item.properties['start_datetime'] === 'string',
      ).toBe(true);
      expect(Object.keys(item.assets).length).toBeGreaterThan(0);
      for (const asset of Object.values(item.assets)) expect(typeof asset.href).toBe('string');
    }
  });

  it('reads the older single-JSON-column layout (id, stac_item, geometry)', async () => {
    const items = ((await readJson('stac-geoparquet-py/sentinel-2-l2a.json')) as StacItem[]).slice(
      0,
      3,
    );
    const writer = new ByteWriter();
    await parquetWrite({
      writer,
      columnData: [
        { name: 'id', data: items.map((item) => item.id), type: 'STRING' },
        {
          name: 'stac_item',
          data: items.map((item) => JSON.stringify({ ...item, geometry: undefined })),
          type: 'STRING',
        },
        {
          name: 'geometry',
          data: items.map((item) => geometryToWkb(item.geometry!)),
          type: 'BYTE_ARRAY',
        },
      ],
    });
    const file = path.join(directory, 'legacy.parquet');
    await writeFile(file, writer.getBytes());
    const info = await readGeoParquetInfo(file);
    expect(info).toMatchObject({ layout: 'json', jsonColumn: 'stac_item', rows: 3 });
    expect(await readGeoParquet(file)).toEqual(items);
  });

  it('reads the same Items through hyparquet’s record assembly, the fallback for maps and legacy lists', async () => {
    const file = path.join(geoparquetDir, 'rustac/sentinel-1-global-mosaics.parquet');
    const opened = await openGeoParquet(file);
    try {
      const range = { rowStart: 0, rowEnd: opened.info.rows };
      const ours = (await readRows(opened, range)).map((row) => rowToItem(row, opened.info));
      const fallback = (await readRows({ ...opened, assemble: false }, range)).map((row) =>
        rowToItem(row, opened.info),
      );
      expect(opened.assemble).toBe(true);
      expect(fallback).toEqual(ours);
    } finally {
      await closeParquetSource(opened.file);
    }
    const schema = (children: SchemaElement[]) =>
      ({ schema: [{ name: 'root', num_children: 1 }, ...children] }) as FileMetaData;
    const map = schema([
      { name: 'tags', converted_type: 'MAP', repetition_type: 'OPTIONAL', num_children: 1 },
      { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
      { name: 'key', type: 'BYTE_ARRAY', repetition_type: 'REQUIRED' },
      { name: 'value', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
    ]);
    map.schema[0]!.num_children = 1;
    expect(canAssemble(map)).toBe(false);
    expect(
      canAssemble(schema([{ name: 'tags', type: 'BYTE_ARRAY', repetition_type: 'REPEATED' }])),
    ).toBe(false);
  });

  it('reads only the columns asked for', async () => {
    const items: StacItem[] = [];
    for await (const item of fromGeoParquet(
      path.join(geoparquetDir, 'stac-geoparquet-py/sentinel-2-l2a-1.1.0.parquet'),
      { columns: ['id', 'eo:cloud_cover'], maxItems: 2 },
    )) {
      items.push(item);
    }
    expect(items).toHaveLength(2);
    expect(Object.keys(items[0]!).sort()).toEqual(['assets', 'id', 'properties', 'type']);
    expect(Object.keys(items[0]!.properties)).toEqual(['eo:cloud_cover']);
  });

  it('fails with a ReadError naming the file for a missing, empty or corrupt file', async () => {
    await expect(readGeoParquet(path.join(directory, 'missing.parquet'))).rejects.toThrow(
      /cannot open .*missing\.parquet: no such file/,
    );
    const corrupt = path.join(directory, 'corrupt.parquet');
    await writeFile(corrupt, 'PAR1 this is not parquet at all PAR1');
    const error = await readGeoParquet(corrupt).catch((caught: unknown) => caught);
    expect(ReadError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/corrupt\.parquet is not a readable Parquet file/);
    const plain = path.join(directory, 'plain.parquet');
    const writer = new ByteWriter();
    await parquetWrite({ writer, columnData: [{ name: 'name', data: ['a'], type: 'STRING' }] });
    await writeFile(plain, writer.getBytes());
    await expect(readGeoParquet(plain)).rejects.toThrow(
      /is not stac-geoparquet: it has no "id" column/,
    );
  });
});
