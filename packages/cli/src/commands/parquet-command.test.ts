import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StacItem } from '@pyramids/core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../main.js';
import { fixturesDir } from '../../../../vitest.shared.js';

const source = path.join(
  fixturesDir,
  'stac/items/earth-search-v1/sentinel-2-c1-l2a_item-collection_10.json',
);
let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'cli-parquet-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

function captureOutput() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  return { out, err };
}

describe('pyramids parquet', () => {
  it('writes Items to stac-geoparquet and reads them back as NDJSON and as an ItemCollection', async () => {
    const items = (JSON.parse(await readFile(source, 'utf8')) as { features: StacItem[] }).features;
    const parquet = path.join(directory, 'items.parquet');
    const output = captureOutput();
    expect(
      await main(['node', 'pyramids', 'parquet', 'write', source, parquet, '--json-column']),
    ).toBe(0);
    expect(output.err.join('')).toMatch(/wrote 10 item\(s\)/);

    const ndjson = path.join(directory, 'items.ndjson');
    expect(await main(['node', 'pyramids', 'parquet', 'read', parquet, '-o', ndjson])).toBe(0);
    const lines = (await readFile(ndjson, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as StacItem);
    expect(lines).toEqual(items);

    output.out.length = 0;
    expect(await main(['node', 'pyramids', 'parquet', 'read', parquet, '--max-items', '2'])).toBe(
      0,
    );
    const collection = JSON.parse(output.out.join('')) as { type: string; features: StacItem[] };
    expect(collection.type).toBe('FeatureCollection');
    expect(collection.features.map((item) => item.id)).toEqual(
      items.slice(0, 2).map((item) => item.id),
    );
  });

  it('lets every command that takes ITEMS read .parquet (info)', async () => {
    const parquet = path.join(directory, 'info.parquet');
    const output = captureOutput();
    expect(await main(['node', 'pyramids', 'parquet', 'write', source, parquet])).toBe(0);
    output.out.length = 0;
    expect(
      await main([
        'node',
        'pyramids',
        'info',
        parquet,
        '--asset',
        'red',
        '--item',
        'S2B_T13TDE_20240420T175329_L2A',
      ]),
    ).toBe(0);
    const info = JSON.parse(output.out.join('')) as Record<string, unknown>;
    expect(JSON.stringify(info)).toMatch(/32613/);
  });

  it('fails with one clear line and leaves no partial output for a bad input', async () => {
    const bad = path.join(directory, 'bad.parquet');
    await writeFile(bad, 'not parquet');
    const output = captureOutput();
    const target = path.join(directory, 'out.ndjson');
    expect(await main(['node', 'pyramids', 'parquet', 'read', bad, '-o', target])).toBe(1);
    expect(output.err.join('')).toMatch(/ReadError: .*bad\.parquet is not a readable Parquet file/);
    expect((await readdir(directory)).filter((name) => name.startsWith('out.ndjson'))).toEqual([]);
    expect(
      await main(['node', 'pyramids', 'parquet', 'write', source, path.join(directory, 'out.txt')]),
    ).toBe(1);
    expect(output.err.join('')).toMatch(/the output must end in \.parquet or \.geoparquet/);
  });
});
