// Builds the same cube with pyramids and with gdalwarp, in the same run, and
// prints both times and the ratio. Four 1024² uint16 COGs (two dates, two tiles
// per date, one tile in UTM 32N and one in UTM 33N, with nodata holes), fused per
// solar day onto one 10 m UTM 32N grid, nearest and bilinear.
// Run after `pnpm build`: node packages/cli/bench/cube-bench.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRegistry, DatasetCollection, gridBounds, transformBounds } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';

const size = 1024;
const directory = mkdtempSync(path.join(tmpdir(), 'pyramids-cube-bench-'));
const tiles = [
  {
    id: 'west-1',
    crs: 'EPSG:32632',
    origin: [695000, 5325000],
    datetime: '2024-05-01T10:25:00Z',
    seed: 1,
  },
  {
    id: 'east-1',
    crs: 'EPSG:32633',
    origin: [252000, 5325000],
    datetime: '2024-05-01T10:25:05Z',
    seed: 2,
  },
  {
    id: 'west-2',
    crs: 'EPSG:32632',
    origin: [695000, 5325000],
    datetime: '2024-05-06T10:25:00Z',
    seed: 3,
  },
  {
    id: 'east-2',
    crs: 'EPSG:32633',
    origin: [252000, 5325000],
    datetime: '2024-05-06T10:25:05Z',
    seed: 4,
  },
];

function makeTile(tile) {
  const values = new Uint16Array(size * size);
  let state = (tile.seed * 2654435761) >>> 0;
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      state = (state * 1664525 + 1013904223) >>> 0;
      const inHole =
        row > 300 && row < 420 && col > 200 + tile.seed * 50 && col < 380 + tile.seed * 50;
      values[row * size + col] = inHole
        ? 0
        : Math.round(3000 + 1500 * Math.sin(col / 13) + 1000 * Math.cos(row / 19) + (state % 200));
    }
  }
  const raw = path.join(directory, `${tile.id}.bin`);
  writeFileSync(raw, values);
  writeFileSync(
    path.join(directory, `${tile.id}.hdr`),
    `ENVI\nsamples = ${size}\nlines = ${size}\nbands = 1\nheader offset = 0\nfile type = ENVI Standard\ndata type = 12\ninterleave = bsq\nbyte order = 0\n`,
  );
  const file = path.join(directory, `${tile.id}.tif`);
  const [x, y] = tile.origin;
  execFileSync('gdal_translate', [
    '-q',
    '-of',
    'COG',
    '-co',
    'COMPRESS=DEFLATE',
    '-co',
    'BLOCKSIZE=256',
    '-a_srs',
    tile.crs,
    '-a_nodata',
    '0',
    '-a_ullr',
    String(x),
    String(y),
    String(x + size * 10),
    String(y - size * 10),
    raw,
    file,
  ]);
  const bbox = transformBounds([x, y - size * 10, x + size * 10, y], tile.crs, 'EPSG:4326');
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    id: tile.id,
    bbox,
    geometry: null,
    links: [],
    properties: { datetime: tile.datetime, 'proj:epsg': Number(tile.crs.slice(5)) },
    assets: {
      B04: {
        href: file,
        type: 'image/tiff; application=geotiff; profile=cloud-optimized',
        'proj:shape': [size, size],
        'proj:transform': [10, 0, x, 0, -10, y],
        'raster:bands': [{ data_type: 'uint16', nodata: 0 }],
      },
    },
  };
}

try {
  const items = tiles.map(makeTile);
  const registry = createRegistry().use(geotiffReader());
  const target = { crs: 'EPSG:32632', resolution: 10, bounds: [696000, 5316000, 716000, 5324000] };
  const grid = (
    await DatasetCollection.fromStac(items, {
      registry,
      asset: 'B04',
      ...target,
      groupby: 'solar_day',
    })
  ).grid;
  const [minX, minY, maxX, maxY] = gridBounds(grid);
  console.log(
    `cube: 4 COGs of ${size}² (2 dates × 2 UTM zones) → 2 × ${grid.width} × ${grid.height} at 10 m`,
  );
  // Warm up (module loading, JIT, CRS definitions) on a small window, untimed, as GDAL's process start is cheap.
  await (
    await DatasetCollection.fromStac(items, {
      registry,
      asset: 'B04',
      ...target,
      groupby: 'solar_day',
    })
  ).readWindow({ x: 0, y: 0, width: 64, height: 64 });
  for (const resampling of ['nearest', 'bilinear']) {
    const oursStart = performance.now();
    const cube = await DatasetCollection.fromStac(items, {
      registry,
      asset: 'B04',
      ...target,
      groupby: 'solar_day',
      resampling,
    });
    await cube.read();
    const ours = performance.now() - oursStart;

    const gdalStart = performance.now();
    for (const day of [
      ['east-1', 'west-1'],
      ['east-2', 'west-2'],
    ]) {
      // gdalwarp lets the last file win: list them in reverse fusing order for `first`.
      execFileSync('gdalwarp', [
        '-q',
        '-overwrite',
        '-t_srs',
        grid.crs,
        '-te',
        String(minX),
        String(minY),
        String(maxX),
        String(maxY),
        '-ts',
        String(grid.width),
        String(grid.height),
        '-r',
        resampling === 'nearest' ? 'near' : resampling,
        ...day.map((id) => path.join(directory, `${id}.tif`)),
        path.join(directory, 'gdalwarp.tif'),
      ]);
    }
    const gdal = performance.now() - gdalStart;
    console.log(`  ${resampling}:`);
    console.log(`    pyramids cube.read(): ${ours.toFixed(0)} ms`);
    console.log(`    GDAL gdalwarp:        ${gdal.toFixed(0)} ms`);
    console.log(`    ratio pyramids/GDAL:  ${(ours / gdal).toFixed(2)}×`);
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}
