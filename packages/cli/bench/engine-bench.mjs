// The cube engine against GDAL on the same work, in the same run (issue #11's table):
//   deep: 8 dates × 4 bands of 2048² uint16 DEFLATE COGs, native grid, nearest
//   wide: 9 tiles of 2048² over two UTM zones → one 10 m UTM 32N grid, bilinear
//   zoom: deep at 80 m (overviews), nearest
// Both sides read the COGs over HTTP Range from a loopback server that counts requests and
// bytes, and write tiled DEFLATE + predictor 2 GeoTIFFs. pyramids runs `pyramids cube` as a
// user would (chunks in its own thread, codecs on libuv's pool), and wide twice more, with
// `--warp-threads all` (kernels on a thread per core) and `--workers 0` (chunks on a worker
// thread per core); GDAL runs gdalwarp (-multi, two warp threads) one process per
// date, two at a time, as a Python thread pool over gdal.Warp would (what odc-stac and
// stackstac users get). Peak RSS comes from /usr/bin/time. Also `pyramids --help` cold start.
// Kept in one file: a script `pnpm bench` runs as is; its data, server, runs and table go together.
// Run after `pnpm build`: node packages/cli/bench/engine-bench.mjs   (BENCH_SIZE=1024 for a quick run;
// --big: a 6 GB cube written in 1 GiB of memory instead of the table)
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformBounds } from '@pyramids/core';

const SIZE = Number(process.env.BENCH_SIZE ?? 2048);
const DATES = 8;
const BANDS = ['b1', 'b2', 'b3', 'b4'];
const cli = fileURLToPath(new URL('../bin/pyramids.js', import.meta.url));
const root = mkdtempSync(path.join(tmpdir(), 'pyramids-engine-bench-'));
const data = path.join(root, 'data');
const out = path.join(root, 'out');
execFileSync('mkdir', ['-p', data, out]);

/** Smooth, noisy uint16 values: compresses like reflectance, not like a constant. */
function synthetic(seed) {
  const values = new Uint16Array(SIZE * SIZE);
  let state = (seed * 2654435761) >>> 0;
  for (let row = 0; row < SIZE; row++)
    for (let col = 0; col < SIZE; col++) {
      state = (state * 1664525 + 1013904223) >>> 0;
      values[row * SIZE + col] = 1000 + ((row * 3 + col * 2 + seed * 97) % 4000) + (state >>> 27);
    }
  return values;
}

/** A 2048² uint16 DEFLATE COG (512 blocks, predictor 2, overviews) at 10 m; returns its file name. */
function writeCog(name, crs, origin, seed) {
  const raw = path.join(root, `${name}.bin`);
  writeFileSync(raw, synthetic(seed));
  writeFileSync(
    `${raw.slice(0, -4)}.hdr`,
    `ENVI\nsamples = ${SIZE}\nlines = ${SIZE}\nbands = 1\nheader offset = 0\nfile type = ENVI Standard\ndata type = 12\ninterleave = bsq\nbyte order = 0\n`,
  );
  const file = `${name}.tif`;
  execFileSync('gdal_translate', [
    '-q',
    '-of',
    'COG',
    '-a_srs',
    crs,
    '-a_ullr',
    String(origin[0]),
    String(origin[1]),
    String(origin[0] + SIZE * 10),
    String(origin[1] - SIZE * 10),
    '-a_nodata',
    '0',
    '-co',
    'COMPRESS=DEFLATE',
    '-co',
    'PREDICTOR=2',
    '-co',
    'BLOCKSIZE=512',
    raw,
    path.join(data, file),
  ]);
  rmSync(raw);
  rmSync(`${raw.slice(0, -4)}.hdr`);
  return file;
}

// --- A loopback Range server that counts what each side reads --------------------------
const counters = { requests: 0, bytes: 0 };
const server = createServer((request, response) => {
  const file = path.join(data, decodeURIComponent(new URL(request.url, 'http://x').pathname));
  if (!file.startsWith(data) || !existsSync(file)) return response.writeHead(404).end();
  const size = statSync(file).size;
  counters.requests++;
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
  let [start, end] = [0, size - 1];
  if (range && (range[1] || range[2])) {
    start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    response.writeHead(206, {
      'content-range': `bytes ${start}-${end}/${size}`,
      'content-length': String(end - start + 1),
      'accept-ranges': 'bytes',
    });
  } else response.writeHead(200, { 'content-length': String(size), 'accept-ranges': 'bytes' });
  if (request.method === 'HEAD') return response.end();
  counters.bytes += end - start + 1;
  createReadStream(file, { start, end }).pipe(response);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

/** Runs a command under /usr/bin/time; resolves to { seconds, peakMb }. */
function timed(command, args, env = {}) {
  return new Promise((resolve, reject) => {
    const useTime = existsSync('/usr/bin/time');
    const child = spawn(
      useTime ? '/usr/bin/time' : command,
      useTime ? ['-f', 'BENCH %e %M', command, ...args] : args,
      { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    const started = performance.now();
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => {
      if (code !== 0)
        return reject(new Error(`${command} failed (${code}): ${stderr.slice(-800)}`));
      const match = /BENCH ([\d.]+) (\d+)/.exec(stderr);
      resolve({
        seconds: (performance.now() - started) / 1000,
        peakMb: match ? Number(match[2]) / 1024 : undefined,
      });
    });
  });
}

/** Runs `jobs` (functions returning promises) at most `limit` at a time; resolves to the max peak. */
async function pool(jobs, limit) {
  let next = 0;
  let peak = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) {
        const result = await jobs[next++]();
        peak = Math.max(peak, result.peakMb ?? 0);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, peakMb: peak || undefined };
}

const sizeOf = (target) =>
  statSync(target).isDirectory()
    ? readdirSync(target).reduce((sum, name) => sum + statSync(path.join(target, name)).size, 0)
    : statSync(target).size;

function item(id, datetime, crs, origin, assets) {
  const grid = [origin[0], origin[1] - SIZE * 10, origin[0] + SIZE * 10, origin[1]];
  const bbox = transformBounds(grid, crs, 'EPSG:4326');
  const asset = (file) => ({
    href: `${base}/${file}`,
    type: 'image/tiff; application=geotiff; profile=cloud-optimized',
    'proj:code': crs,
    'proj:shape': [SIZE, SIZE],
    'proj:transform': [10, 0, origin[0], 0, -10, origin[1]],
    'raster:bands': [{ data_type: 'uint16', nodata: 0 }],
  });
  return {
    type: 'Feature',
    stac_version: '1.1.0',
    id,
    bbox,
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [bbox[0], bbox[1]],
          [bbox[2], bbox[1]],
          [bbox[2], bbox[3]],
          [bbox[0], bbox[3]],
          [bbox[0], bbox[1]],
        ],
      ],
    },
    properties: { datetime },
    links: [],
    assets: Object.fromEntries(Object.entries(assets).map(([key, file]) => [key, asset(file)])),
  };
}

// --- Data ---------------------------------------------------------------------------------
console.log(`engine bench: ${SIZE}² tiles, ${availableParallelism()} cores, data in ${root}`);
// `pyramids --help` first, before this script's own writes (hundreds of MB of COGs and cubes
// still being flushed to disk) slow every process start down.
const help = JSON.parse(
  execFileSync(process.execPath, [
    fileURLToPath(new URL('../../../scripts/measure-cli-start.mjs', import.meta.url)),
    '21',
  ]).toString(),
);
const deepOrigin = [600000, 5200000];
const deepItems = [];
for (let date = 0; date < DATES; date++) {
  const files = {};
  BANDS.forEach((band, index) => {
    files[band] = writeCog(`deep-${date}-${band}`, 'EPSG:32632', deepOrigin, date * 10 + index + 1);
  });
  const day = String(date * 3 + 1).padStart(2, '0');
  deepItems.push(item(`deep-${date}`, `2024-06-${day}T10:30:00Z`, 'EPSG:32632', deepOrigin, files));
}
// Wide: a 3 × 3 block of tiles overlapping by 10%, the east column in UTM 33N.
const wideItems = [];
const step = SIZE * 10 * 0.9;
for (let row = 0; row < 3; row++)
  for (let col = 0; col < 3; col++) {
    const east = col === 2;
    const crs = east ? 'EPSG:32633' : 'EPSG:32632';
    const west32 = [700000 + col * step, 5300000 - row * step];
    // The UTM 33N tile placed where the 32N lattice would put it (its corner reprojected).
    const origin = east
      ? transformBounds([west32[0], west32[1] - 1, west32[0] + 1, west32[1]], 'EPSG:32632', crs)
      : west32;
    const corner = east
      ? [Math.round(origin[0] / 10) * 10, Math.round(origin[3] / 10) * 10]
      : origin;
    const file = writeCog(`wide-${row}-${col}`, crs, corner, 100 + row * 3 + col);
    wideItems.push(item(`wide-${row}-${col}`, '2024-06-01T10:30:00Z', crs, corner, { b1: file }));
  }
const write = (name, items) => {
  const file = path.join(root, name);
  writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: items }));
  return file;
};
const deepFile = write('deep.json', deepItems);
const wideFile = write('wide.json', wideItems);

// --- `--big`: a 6 GB cube in 1 GiB of memory ---------------------------------------------
// The deep COGs again and again, one date a day, until the cube holds 6 GB (uint16), written
// by `pyramids cube` in a memory cgroup of 1 GiB (cgroup v1 or v2, as root) so the machine it
// builds on has less free memory than the cube; without a writable cgroup, peak RSS tells.
if (process.argv.includes('--big')) {
  const bytesPerDate = BANDS.length * SIZE * SIZE * 2;
  const dates = Math.ceil(6e9 / bytesPerDate);
  const bigItems = Array.from({ length: dates }, (_, date) => ({
    ...deepItems[date % DATES],
    id: `big-${date}`,
    properties: { datetime: new Date(Date.UTC(2024, 0, 1 + date, 10, 30)).toISOString() },
  }));
  const bigFile = write('big.json', bigItems);
  const bigOut = path.join(out, 'big.tif');
  const limit = 1024 ** 3;
  // A memory cgroup of our own: v2 where the root has the memory controller, else v1's.
  const cgroup = [
    { parent: '/sys/fs/cgroup', marker: 'cgroup.controllers', limit: 'memory.max' },
    {
      parent: '/sys/fs/cgroup/memory',
      marker: 'memory.limit_in_bytes',
      limit: 'memory.limit_in_bytes',
    },
  ]
    .filter(({ parent, marker }) => {
      const file = path.join(parent, marker);
      return (
        existsSync(file) &&
        (marker !== 'cgroup.controllers' || /\bmemory\b/.test(readFileSync(file, 'utf8')))
      );
    })
    .map((candidate) => ({
      ...candidate,
      dir: path.join(candidate.parent, `pyramids-bench-${process.pid}`),
    }))
    .find(({ dir, limit: file }) => {
      try {
        execFileSync('mkdir', [dir], { stdio: 'ignore' });
        writeFileSync(path.join(dir, file), String(limit));
        return true;
      } catch {
        return false;
      }
    });
  const args = [
    cli,
    'cube',
    bigFile,
    ...BANDS.flatMap((band) => ['--asset', band]),
    '--quiet',
    '-o',
    bigOut,
  ];
  const run = cgroup
    ? await timed('sh', [
        '-c',
        `echo $$ > ${cgroup.dir}/cgroup.procs && exec "$0" "$@"`,
        process.execPath,
        ...args,
      ])
    : await timed(process.execPath, args);
  // Empty once its process has exited; a leftover directory is harmless.
  try {
    if (cgroup) execFileSync('rmdir', [cgroup.dir], { stdio: 'ignore' });
  } catch {
    console.log(`(could not remove ${cgroup.dir})`);
  }
  // GDAL opens what was written and sees every band of every date.
  const info = execFileSync('gdalinfo', ['-nomd', bigOut]).toString();
  if (!info.includes(`Band ${dates * BANDS.length} `))
    throw new Error(`the 6 GB cube does not have ${dates * BANDS.length} bands`);
  const cubeGb = (dates * bytesPerDate) / 1e9;
  console.log(
    `\n| 6 GB cube | time | peak RSS | memory limit | cube (uint16) | file |\n| --- | --- | --- | --- | --- | --- |\n` +
      `| ${dates} dates × ${BANDS.length} bands of ${SIZE}² | ${run.seconds.toFixed(0)} s | ${run.peakMb?.toFixed(0) ?? '?'} MB | ` +
      `${cgroup ? '1 GiB (cgroup)' : 'none (no writable cgroup)'} | ${cubeGb.toFixed(2)} GB | ${(sizeOf(bigOut) / 1e9).toFixed(2)} GB |`,
  );
  server.close();
  rmSync(root, { recursive: true, force: true });
  process.exit(0);
}
// The 32N columns' extent, snapped outward to 10 m so both sides take the same grid.
const wideBounds = [
  700000,
  Math.floor((5300000 - 2 * step - SIZE * 10) / 10) * 10,
  Math.ceil((700000 + 2 * step + SIZE * 10) / 10) * 10,
  5300000,
];

// --- The runs -----------------------------------------------------------------------------
const creation = [
  '-co',
  'TILED=YES',
  '-co',
  'COMPRESS=DEFLATE',
  '-co',
  'PREDICTOR=2',
  '-co',
  'BIGTIFF=IF_NEEDED',
];
const gdalEnv = {
  GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR',
  CPL_VSIL_CURL_ALLOWED_EXTENSIONS: '.tif',
};

async function measure(name, ours, theirs) {
  const before = { ...counters };
  const p = await ours();
  const mid = { ...counters };
  const g = await theirs();
  const after = { ...counters };
  return {
    name,
    pyramids: p,
    gdal: g,
    requests: [mid.requests - before.requests, after.requests - mid.requests],
    mb: [(mid.bytes - before.bytes) / 1e6, (after.bytes - mid.bytes) / 1e6],
  };
}

const cubeArgs = (items, output, extra) => [cli, 'cube', items, ...extra, '--quiet', '-o', output];
const gdalPerDate = (resolution) =>
  deepItems.map((entry, date) => async () => {
    const vrt = path.join(out, `gdal-${resolution}-${date}.vrt`);
    // Not execFileSync: gdalbuildvrt reads the COGs from this process's server.
    await timed(
      'gdalbuildvrt',
      ['-q', '-separate', vrt, ...BANDS.map((band) => `/vsicurl/${entry.assets[band].href}`)],
      gdalEnv,
    );
    return timed(
      'gdalwarp',
      [
        '-q',
        '-multi',
        '-wo',
        'NUM_THREADS=2',
        '-r',
        'near',
        '-tr',
        String(resolution),
        String(resolution),
        '-tap',
        ...creation,
        vrt,
        path.join(out, `gdal-${resolution}-${date}.tif`),
      ],
      gdalEnv,
    );
  });

const results = [];
const deepOut = path.join(out, 'deep.tif');
results.push(
  await measure(
    'deep',
    () =>
      timed(
        process.execPath,
        cubeArgs(
          deepFile,
          deepOut,
          BANDS.flatMap((b) => ['--asset', b]),
        ),
      ),
    () => pool(gdalPerDate(10), 2),
  ),
);
results.at(-1).outputMb = sizeOf(deepOut) / 1e6;
const wideOut = path.join(out, 'wide.tif');
const te = wideBounds.map(String);
const wideExtra = [
  '--asset',
  'b1',
  '--groupby',
  'solar_day',
  '--crs',
  'EPSG:32632',
  '--resolution',
  '10',
  '--bounds',
  wideBounds.join(','),
  '--resampling',
  'bilinear',
];
results.push(
  await measure(
    'wide',
    () => timed(process.execPath, cubeArgs(wideFile, wideOut, wideExtra)),
    () =>
      timed(
        'gdalwarp',
        [
          '-q',
          '-multi',
          '-wo',
          'NUM_THREADS=ALL_CPUS',
          '-r',
          'bilinear',
          '-t_srs',
          'EPSG:32632',
          '-te',
          ...te,
          '-tr',
          '10',
          '10',
          ...creation,
          // gdalwarp lets the last file win: reverse, for pyramids' `first`.
          ...[...wideItems].reverse().map((entry) => `/vsicurl/${entry.assets.b1.href}`),
          path.join(out, 'gdal-wide.tif'),
        ],
        gdalEnv,
      ),
  ),
);
results.at(-1).outputMb = sizeOf(wideOut) / 1e6;
// The same wide cube with its kernels on a thread per core (one reader), and with whole chunks
// on a worker thread per core (a reader each), against the same GDAL run.
const wideGdal = results.at(-1);
for (const flags of [
  ['--warp-threads', 'all'],
  ['--workers', '0'],
]) {
  const variant = await measure(
    `wide, ${flags.join(' ')}`,
    () => timed(process.execPath, cubeArgs(wideFile, wideOut, [...wideExtra, ...flags])),
    async () => wideGdal.gdal,
  );
  variant.requests[1] = wideGdal.requests[1];
  variant.mb[1] = wideGdal.mb[1];
  variant.outputMb = sizeOf(wideOut) / 1e6;
  results.push(variant);
}
const zoomOut = path.join(out, 'zoom.tif');
results.push(
  await measure(
    'zoom',
    () =>
      timed(
        process.execPath,
        cubeArgs(deepFile, zoomOut, [
          ...BANDS.flatMap((b) => ['--asset', b]),
          '--crs',
          'EPSG:32632',
          '--resolution',
          '80',
        ]),
      ),
    () => pool(gdalPerDate(80), 2),
  ),
);
results.at(-1).outputMb = sizeOf(zoomOut) / 1e6;
server.close();

console.log(
  '\n| work | pyramids | GDAL | ratio | requests (p / g) | MB read (p / g) | peak RSS p / g | output |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const rss = (value) => (value === undefined ? '?' : `${value.toFixed(0)} MB`);
  console.log(
    `| ${r.name} | ${r.pyramids.seconds.toFixed(1)} s | ${r.gdal.seconds.toFixed(1)} s | ` +
      `${(r.pyramids.seconds / r.gdal.seconds).toFixed(2)}× | ${r.requests[0]} / ${r.requests[1]} | ` +
      `${r.mb[0].toFixed(1)} / ${r.mb[1].toFixed(1)} | ${rss(r.pyramids.peakMb)} / ${rss(r.gdal.peakMb)} | ` +
      `${r.outputMb.toFixed(0)} MB |`,
  );
}
console.log(`| \`pyramids --help\` cold start | ${JSON.stringify(help)} | | | | | | |`);
rmSync(root, { recursive: true, force: true });
