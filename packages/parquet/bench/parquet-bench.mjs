#!/usr/bin/env node
// Writes and reads 10 000 Sentinel-2-like Items as stac-geoparquet and prints the times.
// Run: pnpm --filter @pyramids/core --filter @pyramids/parquet build && node packages/parquet/bench/parquet-bench.mjs [count]
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sentinel2Items } from './sentinel-2-items.mjs';

let parquet;
try {
  parquet = await import('../dist/index.js');
} catch (error) {
  console.error(
    `parquet-bench: build @pyramids/parquet first (pnpm --filter @pyramids/core --filter @pyramids/parquet build): ${error.message}`,
  );
  process.exit(1);
}
const { toGeoParquet, readGeoParquet, searchGeoParquet } = parquet;

const count = Number(process.argv[2] ?? 10_000);
const items = sentinel2Items(count);
const directory = await mkdtemp(path.join(tmpdir(), 'parquet-bench-'));
const file = path.join(directory, 'sentinel-2.parquet');
const time = async (label, run) => {
  const start = performance.now();
  const result = await run();
  const seconds = (performance.now() - start) / 1000;
  console.log(`${label.padEnd(34)} ${seconds.toFixed(3)} s`);
  return result;
};
try {
  // One warm-up round so the times measure the code, not the first JIT pass.
  await toGeoParquet(items.slice(0, 200), file);
  await readGeoParquet(file);
  console.log(`stac-geoparquet, ${count} Sentinel-2-like Items (Node ${process.version})`);
  await time('write', () => toGeoParquet(items, file));
  console.log(`${'file size'.padEnd(34)} ${((await stat(file)).size / 1e6).toFixed(2)} MB`);
  const read = await time('read (all columns)', () => readGeoParquet(file));
  if (read.length !== count) throw new Error(`read ${read.length} Items, expected ${count}`);
  await time('read (id, datetime, bbox)', () =>
    readGeoParquet(file, { columns: ['id', 'datetime', 'bbox'] }),
  );
  if (searchGeoParquet) {
    const found = await time('search (bbox + datetime)', () =>
      searchGeoParquet(file, {
        bbox: [-100, 20, -95, 25],
        datetime: '2020-03-01T00:00:00Z/2020-06-01T00:00:00Z',
      }),
    );
    console.log(`${'  matched'.padEnd(34)} ${found.features.length}`);
  }
} finally {
  await rm(directory, { recursive: true, force: true });
}
