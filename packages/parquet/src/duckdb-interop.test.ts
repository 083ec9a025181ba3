// An independent reader (DuckDB) opens the files we write.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { StacItem } from '@pyramids/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGeoParquet } from '@pyramids/parquet';
import { fixturesDir } from '../../../vitest.shared.js';

let directory: string;
let connection: DuckDBConnection;
let file: string;
let items: StacItem[];

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'parquet-duckdb-'));
  const collection = JSON.parse(
    await readFile(
      path.join(
        fixturesDir,
        'stac/items/earth-search-v1/sentinel-2-c1-l2a_item-collection_10.json',
      ),
      'utf8',
    ),
  ) as { features: StacItem[] };
  items = collection.features;
  file = path.join(directory, 'sentinel-2.parquet');
  await toGeoParquet(items, file, {
    rowGroupSize: 4,
    collections: [{ type: 'Collection', id: 'sentinel-2-c1-l2a' }],
  });
  connection = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(async () => {
  connection?.closeSync();
  await rm(directory, { recursive: true, force: true });
});

const query = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson();

describe('DuckDB reads our stac-geoparquet', () => {
  it('sees every row and id', async () => {
    const rows = await query(`select id from read_parquet('${file}')`);
    expect(rows.map((row) => row['id'])).toEqual(items.map((item) => item.id));
  });

  it('sees bbox as a struct of doubles with the Items’ values', async () => {
    const [type] = await query(
      `select column_type from (describe select bbox from read_parquet('${file}'))`,
    );
    expect(type!['column_type']).toBe('STRUCT(xmin DOUBLE, ymin DOUBLE, xmax DOUBLE, ymax DOUBLE)');
    const rows = await query(
      `select bbox.xmin as xmin, bbox.ymax as ymax from read_parquet('${file}')`,
    );
    expect(rows.map((row) => [row['xmin'], row['ymax']])).toEqual(
      items.map((item) => [item.bbox![0], item.bbox![3]]),
    );
  });

  it('sees datetime, created and updated as TIMESTAMP WITH TIME ZONE at the Items’ instants', async () => {
    const types = await query(
      `select column_name, column_type from (describe select datetime, created, updated from read_parquet('${file}'))`,
    );
    expect(types.map((row) => row['column_type'])).toEqual([
      'TIMESTAMP WITH TIME ZONE',
      'TIMESTAMP WITH TIME ZONE',
      'TIMESTAMP WITH TIME ZONE',
    ]);
    const rows = await query(
      `select epoch_us(datetime)::varchar as micros from read_parquet('${file}')`,
    );
    expect(rows.map((row) => Number(row['micros']) / 1000)).toEqual(
      items.map((item) => Date.parse(item.properties['datetime'] as string)),
    );
  });

  it('sees the geo and stac-geoparquet metadata keys', async () => {
    const rows = await query(
      `select decode(key) as key, decode(value) as value from parquet_kv_metadata('${file}')`,
    );
    const byKey = Object.fromEntries(
      rows.map((row) => [row['key'], JSON.parse(String(row['value'])) as Record<string, unknown>]),
    );
    expect(byKey['geo']).toMatchObject({
      version: '1.1.0',
      primary_column: 'geometry',
      columns: { geometry: { encoding: 'WKB' } },
    });
    expect(byKey['stac-geoparquet']).toEqual({
      version: '1.0.0',
      collections: { 'sentinel-2-c1-l2a': { type: 'Collection', id: 'sentinel-2-c1-l2a' } },
    });
  });

  it('reads nested assets and the geometry as GEOMETRY', async () => {
    const rows = await query(
      `select assets.red.href as red, "eo:cloud_cover" as cloud, typeof(geometry) as geometry_type from read_parquet('${file}')`,
    );
    expect(rows.map((row) => row['red'])).toEqual(items.map((item) => item.assets['red']!.href));
    expect(rows.map((row) => row['cloud'])).toEqual(
      items.map((item) => item.properties['eo:cloud_cover']),
    );
    expect(rows[0]!['geometry_type']).toMatch(/^GEOMETRY/);
  });
});
