// `pyramids search catalog.parquet …` takes the STAC API search flags, and
// `-o out.parquet` writes what a search returns through the registered codec.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemCollection } from '@pyramids/core';
import { fixturesDir } from '../../../../vitest.shared.js';
import { runCli } from '../run-cli-for-tests.js';

const source = path.join(
  fixturesDir,
  'stac/items/earth-search-v1/sentinel-2-c1-l2a_item-collection_10.json',
);
const items = (JSON.parse(readFileSync(source, 'utf8')) as ItemCollection).features;
let directory: string;
let catalog: string;

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), 'pyramids-search-parquet-'));
  catalog = path.join(directory, 'catalog.parquet');
  const written = await runCli(['parquet', 'write', source, catalog]);
  expect(written.code).toBe(0);
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('pyramids search on a stac-geoparquet file', () => {
  it('filters by ids, datetime and max-items like a STAC API search', async () => {
    const ids = [items[2]!.id, items[5]!.id];
    const byIds = await runCli(['search', catalog, '--ids', ids.join(',')]);
    expect(byIds.code).toBe(0);
    expect(
      (JSON.parse(byIds.stdout) as ItemCollection).features.map((item) => item.id).sort(),
    ).toEqual([...ids].sort());

    const day = String(items[0]!.properties['datetime']).slice(0, 10);
    const byDay = await runCli(['search', catalog, '--datetime', day]);
    const expected = items
      .filter((item) => String(item.properties['datetime']).startsWith(day))
      .map((item) => item.id);
    expect(
      (JSON.parse(byDay.stdout) as ItemCollection).features.map((item) => item.id).sort(),
    ).toEqual(expected.sort());

    const limited = await runCli(['search', catalog, '--max-items', '3']);
    expect((JSON.parse(limited.stdout) as ItemCollection).features).toHaveLength(3);
  });

  it('filters with CQL2 text and a bbox, and writes the result as parquet', async () => {
    const output = path.join(directory, 'cloudy.parquet');
    const result = await runCli([
      'search',
      catalog,
      '--filter',
      'eo:cloud_cover > 50',
      '--bbox',
      '-106,39,-104,41',
      '-o',
      output,
    ]);
    expect(result.code).toBe(0);
    const read = await runCli(['parquet', 'read', output]);
    const ids = (JSON.parse(read.stdout) as ItemCollection).features.map((item) => item.id).sort();
    const expected = items
      .filter((item) => Number(item.properties['eo:cloud_cover']) > 50)
      .map((item) => item.id)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(ids).toEqual(expected);
  });
});
