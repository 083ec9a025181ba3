// `pnpm bench` (queue): throughput of `pyramids worker` processes on one queue. The same
// cube (the bundled sample tiles warped to EPSG:4326 at ~2 m with cubic resampling, so
// chunks cost CPU, not I/O) is built by 1 worker pinned to core 0, then by 2 workers
// pinned to cores 0 and 1 (taskset), each into a fresh Zarr store; prints both times, the
// speed-up (the goal: ≥ 1.7×), the per-chunk figures and what they extrapolate to for a
// 100 GB cube. Needs redis-server and a build (`pnpm build`).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRegistry, DatasetCollection } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { runCubeOnQueue } from '@pyramids/queue';

const repo = path.resolve(import.meta.dirname, '../../..');
const bin = path.join(repo, 'packages/cli/bin/pyramids.js');
const scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-queue-bench-'));
const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

/** A loopback Range file server over the repository, counting requests and bytes. */
function startFileServer() {
  const stats = { requests: 0, bytes: 0 };
  const server = createServer((request, response) => {
    const file = path.join(repo, decodeURIComponent(new URL(request.url, 'http://x').pathname));
    const size = statSync(file).size;
    const range = /bytes=(\d+)-(\d*)/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    stats.requests++;
    stats.bytes += end - start + 1;
    response.writeHead(range ? 206 : 200, {
      'content-length': end - start + 1,
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
    createReadStream(file, { start, end }).pipe(response);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, stats, url: `http://127.0.0.1:${server.address().port}` }),
    ),
  );
}

async function startRedis() {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.on(
      'data',
      (data) => data.toString().includes('Ready to accept connections') && resolve(),
    );
  });
  return { url: `redis://127.0.0.1:${port}`, close: () => child.kill() };
}

function startWorker(redis, core, queueName) {
  const args = [bin, 'worker', redis, '--queue-name', queueName];
  const child = hasTaskset
    ? spawn('taskset', ['-c', String(core), process.execPath, ...args], {
        stdio: ['ignore', 'ignore', 'pipe'],
      })
    : spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    child.stderr.on('data', (data) => {
      log += data.toString();
      if (log.includes('waiting for chunks')) resolve(child);
    });
    // A worker that cannot start (say, an unbuilt CLI) must end the bench, not hang it.
    child.once('exit', (code) =>
      reject(new Error(`worker exited with ${code} before starting:\n${log}`)),
    );
  });
}

const files = await startFileServer();
const redis = await startRedis();
const collection = JSON.parse(readFileSync(path.join(repo, 'sample-data/items.json'), 'utf8'));
// Enough work per run (~12 s for one worker) that the fixed costs of a run (planning,
// enqueueing, noticing the end) do not dominate; chunks of 256² px, 4× a BullMQ job's overhead.
const chunkSize = Number(process.env.QUEUE_BENCH_CHUNK ?? 256);
const cube = await DatasetCollection.fromStac(collection.features, {
  registry: createRegistry().use(geotiffReader()),
  baseHref: `${files.url}/sample-data/items.json`,
  asset: ['B04', 'B03', 'B02'],
  groupby: 'solar_day',
  crs: 'EPSG:4326',
  resolution: Number(process.env.QUEUE_BENCH_RESOLUTION ?? 0.00002),
  resampling: 'cubic',
  chunkSize,
});
const chunks = cube.tasks().length;
const [times, bands, height, width] = cube.shape;
console.log(
  `cube: ${times} × ${bands} × ${height} × ${width} (${cube.dataType}), ${chunks} chunks of ${chunkSize}² px${hasTaskset ? ', workers pinned with taskset' : ' (taskset missing: workers not pinned)'}`,
);

async function timedRun(workerCount, label) {
  const queueName = `bench-${label}`;
  const workers = await Promise.all(
    Array.from({ length: workerCount }, (_, index) => startWorker(redis.url, index, queueName)),
  );
  const before = { ...files.stats };
  const started = performance.now();
  const result = await runCubeOnQueue(cube, {
    redis: redis.url,
    store: path.join(scratch, `${label}.zarr`),
    queueName,
  });
  const seconds = (performance.now() - started) / 1000;
  for (const worker of workers) worker.kill('SIGTERM');
  return {
    seconds,
    result,
    requests: files.stats.requests - before.requests,
    bytes: files.stats.bytes - before.bytes,
  };
}

try {
  await timedRun(1, 'warm-up');
  const one = await timedRun(1, 'one');
  const two = await timedRun(2, 'two');
  const speedup = one.seconds / two.seconds;
  console.log(
    `1 worker (1 core):    ${one.seconds.toFixed(2)} s, ${(chunks / one.seconds).toFixed(1)} chunks/s`,
  );
  console.log(
    `2 workers (1 core each): ${two.seconds.toFixed(2)} s, ${(chunks / two.seconds).toFixed(1)} chunks/s`,
  );
  console.log(`speed-up: ${speedup.toFixed(2)}× (goal ≥ 1.7×)`);
  const perChunk = {
    ms: (one.seconds * 1000) / chunks,
    requests: one.requests / chunks,
    bytes: one.bytes / chunks,
    output: bands * chunkSize * chunkSize * 2,
  };
  console.log(
    `per chunk (1 worker): ${perChunk.ms.toFixed(1)} ms, ${perChunk.requests.toFixed(1)} requests, ${(perChunk.bytes / 1e3).toFixed(1)} kB read, ${(perChunk.output / 1e3).toFixed(1)} kB of uint16 output`,
  );
  const big = 100e9 / perChunk.output;
  console.log(
    `100 GB cube extrapolated: ${Math.round(big).toLocaleString('en')} chunks, ${((big * perChunk.requests) / 1e6).toFixed(1)} M requests, ` +
      `${((big * perChunk.bytes) / 1e12).toFixed(2)} TB read, ${((big * perChunk.ms) / 3_600_000).toFixed(0)} worker-core-hours ` +
      `(${((big * perChunk.ms) / 3_600_000 / 100).toFixed(1)} h on 100 one-core workers)`,
  );
} finally {
  redis.close();
  files.server.close();
  rmSync(scratch, { recursive: true, force: true });
}
