// Reads the same windows of a DEFLATE COG with our reader and with GDAL
// (gdal_translate to an in-memory-ish ENVI file), in the same run, and prints the ratio.
// Run after `pnpm build`: node packages/readers-geotiff/bench/reader-bench.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRegistry, openRaster } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';

const directory = mkdtempSync(path.join(tmpdir(), 'pyramids-bench-'));
const size = 4096;
const cog = path.join(directory, 'bench.tif');
try {
  // A synthetic uint16 4096² COG (DEFLATE + predictor, 512² tiles), made by GDAL.
  execFileSync('gdal_create', [
    '-of',
    'GTiff',
    '-outsize',
    String(size),
    String(size),
    '-bands',
    '1',
    '-ot',
    'UInt16',
    '-burn',
    '0',
    path.join(directory, 'blank.tif'),
  ]);
  execFileSync('gdal_translate', [
    '-q',
    '-of',
    'COG',
    '-co',
    'COMPRESS=DEFLATE',
    '-co',
    'PREDICTOR=2',
    '-co',
    'BLOCKSIZE=512',
    '-scale',
    '0',
    '1',
    '0',
    '1',
    '-outsize',
    String(size),
    String(size),
    path.join('/work/shared/fixtures/rasters/rio-tiler/cog_int16.tif'),
    cog,
  ]);
  const windows = [
    [0, 0, 2048, 2048],
    [1000, 1000, 1024, 1024],
    [2048, 2048, 2048, 2048],
  ];
  const registry = createRegistry().use(geotiffReader());

  const oursStart = performance.now();
  for (const [x, y, width, height] of windows) {
    const dataset = await openRaster(cog, { registry });
    await dataset.read({ window: { x, y, width, height } });
  }
  const ours = performance.now() - oursStart;

  const gdalStart = performance.now();
  for (const [x, y, width, height] of windows) {
    execFileSync('gdal_translate', [
      '-q',
      '-of',
      'ENVI',
      '-srcwin',
      String(x),
      String(y),
      String(width),
      String(height),
      cog,
      path.join(directory, 'out.raw'),
    ]);
  }
  const gdal = performance.now() - gdalStart;

  console.log(`reader: ${windows.length} windows of a ${size}² DEFLATE COG`);
  console.log(`  pyramids (geotiff.js): ${ours.toFixed(0)} ms`);
  console.log(`  GDAL gdal_translate:   ${gdal.toFixed(0)} ms`);
  console.log(`  ratio pyramids/GDAL:   ${(ours / gdal).toFixed(2)}×`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
