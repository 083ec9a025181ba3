// geotiff.js's pure-JS DEFLATE decoder (pako) against the node:zlib one the reader
// registers, on the same 2048² uint16 DEFLATE + predictor 2 COG (512² tiles), with
// GDAL reading the same pixels in the same run. Each mode reads the whole image
// through the reader, so tiles are fetched, inflated and un-predicted as in a cube.
// Run after `pnpm build`: node packages/readers-geotiff/bench/deflate-decoder-bench.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { addDecoder, getDecoder } from 'geotiff';
import { createRegistry, openRaster } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';

const directory = mkdtempSync(path.join(tmpdir(), 'pyramids-deflate-bench-'));
const size = 2048;
const cog = path.join(directory, 'bench.tif');
const parameters = {
  tileWidth: 512,
  tileHeight: 512,
  predictor: 2,
  bitsPerSample: 16,
  planarConfiguration: 1,
};
try {
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
    '-ot',
    'UInt16',
    '-outsize',
    String(size),
    String(size),
    '/work/shared/fixtures/rasters/rio-tiler/cog_int16.tif',
    cog,
  ]);
  // geotiff.js's own decoder, taken before the reader swaps in the native one.
  const PakoDecoder = (await getDecoder(8, parameters)).constructor;
  const registry = createRegistry().use(geotiffReader());
  await (
    await openRaster(cog, { registry })
  ).read({ window: { x: 0, y: 0, width: 16, height: 16 } });
  const NativeDecoder = (await getDecoder(8, parameters)).constructor;
  if (NativeDecoder === PakoDecoder)
    throw new Error('the reader did not register its native DEFLATE decoder');

  const timeRead = async (Decoder) => {
    addDecoder([8, 32946], async () => Decoder, undefined, false);
    const dataset = await openRaster(cog, { registry });
    const start = performance.now();
    const { data } = await dataset.read({});
    const elapsed = performance.now() - start;
    await dataset.close?.();
    return { elapsed, sum: data[0].reduce((total, value) => total + value, 0) };
  };
  const runs = { pako: [], native: [] };
  let sums = new Set();
  for (let round = 0; round < 3; round++) {
    for (const [name, Decoder] of [
      ['pako', PakoDecoder],
      ['native', NativeDecoder],
    ]) {
      const { elapsed, sum } = await timeRead(Decoder);
      runs[name].push(elapsed);
      sums.add(sum);
    }
  }
  if (sums.size !== 1) throw new Error('the two decoders gave different pixels');
  const gdalStart = performance.now();
  execFileSync('gdal_translate', ['-q', '-of', 'ENVI', cog, path.join(directory, 'out.raw')]);
  const gdal = performance.now() - gdalStart;
  const median = (values) => values.toSorted((a, b) => a - b)[values.length >> 1];
  const pako = median(runs.pako);
  const native = median(runs.native);
  console.log(`DEFLATE decoders: whole ${size}² uint16 COG, predictor 2, 512² tiles, median of 3`);
  console.log(`  geotiff.js pako:       ${pako.toFixed(0)} ms`);
  console.log(
    `  node:zlib (async):     ${native.toFixed(0)} ms   (${(pako / native).toFixed(2)}× faster)`,
  );
  console.log(`  GDAL gdal_translate:   ${gdal.toFixed(0)} ms (process included)`);
  console.log(`  ratio native/GDAL:     ${(native / gdal).toFixed(2)}×`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
