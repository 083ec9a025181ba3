// The planner: writes the store's metadata once, queues one job per chunk not yet in
// the store (so a re-run resumes), follows the workers' progress and reports the
// chunks that failed for good. It reads no pixel itself.
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import type { DatasetCollection } from '@pyramids/core';
import { encodeChunkJob, type CubeChunkJobData } from './chunk-job.js';
import {
  openChunkStore,
  parseStoreTarget,
  type ChunkStore,
  type StoreDescription,
} from './chunk-store.js';
import { DEFAULT_QUEUE_NAME, type ChunkJobResult } from './cube-worker.js';
import {
  chunkKeyOf,
  cubeStoreLayout,
  encodeChunk,
  type CubeStoreLayout,
} from './cube-store-layout.js';
import { QueueError } from './queue-error.js';
import { parseRedisUrl, redactRedisUrl } from './redis-connection.js';

/** Where a queued cube stands. */
export interface QueueProgress {
  /** Chunks of the cube. */
  total: number;
  /** Already in the store when the run started. */
  skipped: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  /** Source bytes the workers fetched for this run's chunks. */
  bytesRead: number;
  elapsedMs: number;
  /** Estimated time left, once a chunk is done. */
  etaMs: number | undefined;
}

/** Options of `runCubeOnQueue`. */
export interface RunCubeOnQueueOptions {
  /** `redis://host:6379`. */
  redis: string;
  /** The Zarr store: a directory every worker can reach, or `s3://bucket/prefix`. */
  store: string | StoreDescription;
  queueName?: string;
  /** Tries per chunk before it counts as failed (default 3), with exponential backoff from `backoffMs` (default 1000). */
  attempts?: number;
  backoffMs?: number;
  /** Chunks that failed for good are written as nodata instead of failing the run. */
  errorsAsNodata?: boolean;
  onProgress?: (progress: QueueProgress) => void;
  signal?: AbortSignal;
}

/** What a run did. */
export interface QueueCubeResult {
  store: StoreDescription;
  chunks: number;
  skipped: number;
  written: number;
  /** Chunks that failed for good, with the last reason (written as nodata with `errorsAsNodata`). */
  failed: { key: string; reason: string }[];
  bytesRead: number;
}

/** Silence (no progress event) after which the planner checks the store itself. */
const SWEEP_AFTER_SILENCE_MS = 30_000;

const textOf = (bytes: Uint8Array | undefined) =>
  bytes ? new TextDecoder().decode(bytes) : undefined;

/** Writes metadata and coordinates, refusing a store that holds another cube. */
async function prepareStore(
  store: ChunkStore,
  layout: CubeStoreLayout,
  where: string,
): Promise<void> {
  const existing = textOf(await store.get('band_data/zarr.json'));
  const wanted = textOf(layout.files.get('band_data/zarr.json'));
  if (existing !== undefined && existing !== wanted) {
    throw new QueueError(
      `${where} already holds a different cube (its band_data/zarr.json differs); write to a new path or remove it`,
    );
  }
  for (const [key, bytes] of layout.files) await store.put(key, bytes);
}

/** Runs `cube` on the workers of the queue at `options.redis`, writing a Zarr v3 store. */
export async function runCubeOnQueue(
  cube: DatasetCollection,
  options: RunCubeOnQueueOptions,
): Promise<QueueCubeResult> {
  const description =
    typeof options.store === 'string' ? parseStoreTarget(options.store) : options.store;
  const where =
    description.kind === 'file'
      ? description.path
      : `s3://${description.bucket}/${description.prefix}`;
  const tasks = cube.tasks();
  const layout = cubeStoreLayout(cube);
  const store = await openChunkStore(description);
  await prepareStore(store, layout, where);
  await store.removeLeftovers();
  const present = new Set(await store.list('band_data/c'));
  const run = randomUUID().slice(0, 8);
  const jobs = tasks
    .map((task) => ({ task, key: chunkKeyOf(task, layout.encoding) }))
    .filter(({ key }) => !present.has(key))
    .map(({ task, key }) => ({
      id: `${run}-${key.slice('band_data/c/'.length).replaceAll('/', '-')}`,
      key,
      data: encodeChunkJob({ run, key, store: description, encoding: layout.encoding, task }),
    }));
  const started = Date.now();
  const progress: QueueProgress = {
    total: tasks.length,
    skipped: tasks.length - jobs.length,
    queued: jobs.length,
    running: 0,
    done: 0,
    failed: 0,
    bytesRead: 0,
    elapsedMs: 0,
    etaMs: undefined,
  };
  const result: QueueCubeResult = {
    store: description,
    chunks: tasks.length,
    skipped: progress.skipped,
    written: 0,
    failed: [],
    bytesRead: 0,
  };
  if (jobs.length === 0) {
    options.onProgress?.(progress);
    return result;
  }

  const connection = parseRedisUrl(options.redis, { giveUpAfter: 5 });
  const name = options.queueName ?? DEFAULT_QUEUE_NAME;
  const queue = new Queue<CubeChunkJobData, ChunkJobResult>(name, { connection });
  const events = new QueueEvents(name, { connection });
  const swallow = () => undefined;
  queue.on('error', swallow);
  events.on('error', swallow);
  const keyOf = new Map(jobs.map((job) => [job.id, job.key]));
  const pending = new Set(keyOf.keys());
  const running = new Set<string>();
  // When the last progress event came: the store is listed only after a silence (see the sweep below).
  let lastEventAt = Date.now();
  const report = () => {
    lastEventAt = Date.now();
    progress.running = running.size;
    progress.elapsedMs = Date.now() - started;
    const finished = progress.done + progress.failed;
    progress.etaMs =
      finished > 0
        ? Math.round((progress.elapsedMs / finished) * (jobs.length - finished))
        : undefined;
    progress.bytesRead = result.bytesRead;
    options.onProgress?.({ ...progress });
  };
  try {
    await Promise.race([
      Promise.all([queue.waitUntilReady(), events.waitUntilReady()]),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('no answer within 10 s')), 10_000).unref(),
      ),
    ]).catch((error: unknown) => {
      throw new QueueError(
        `cannot reach Redis at ${redactRedisUrl(options.redis)}: ${(error as Error).message}; start redis-server or check the URL`,
        { cause: error },
      );
    });
    let resolveFinished!: () => void;
    let rejectFinished!: (error: unknown) => void;
    const finished = new Promise<void>((resolve, reject) => {
      resolveFinished = resolve;
      rejectFinished = reject;
    });
    const markDone = (jobId: string, outcome: ChunkJobResult | undefined) => {
      if (!pending.delete(jobId)) return;
      running.delete(jobId);
      result.bytesRead += outcome?.bytesRead ?? 0;
      result.written++;
      progress.done++;
      report();
      if (pending.size === 0) resolveFinished();
    };
    events.on('active', ({ jobId }) => {
      if (!pending.has(jobId)) return;
      running.add(jobId);
      report();
    });
    events.on('completed', ({ jobId, returnvalue }) =>
      markDone(
        jobId,
        (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as ChunkJobResult,
      ),
    );
    events.on('failed', ({ jobId, failedReason }) => {
      if (!pending.has(jobId)) return;
      // A failure with tries left goes back to the queue; only a job in state 'failed' is done for.
      queue.getJobState(jobId).then((state) => {
        running.delete(jobId);
        if (state === 'failed' && pending.delete(jobId)) {
          result.failed.push({ key: keyOf.get(jobId)!, reason: failedReason });
          progress.failed++;
        }
        report();
        if (pending.size === 0) resolveFinished();
      }, rejectFinished);
    });
    options.signal?.addEventListener('abort', () => rejectFinished(options.signal!.reason), {
      once: true,
    });
    // A safety net for events missed (Redis trims its event stream): after 30 s without an event, chunks in
    // the store whose job completed count as done. Listing a large store (S3) is not free, so not every tick.
    const sweep = setInterval(() => {
      if (Date.now() - lastEventAt < SWEEP_AFTER_SILENCE_MS) return;
      lastEventAt = Date.now();
      store.list('band_data/c').then(async (keys) => {
        const written = new Set(keys);
        for (const jobId of [...pending]) {
          if (!written.has(keyOf.get(jobId)!)) continue;
          const job = await queue.getJob(jobId);
          if (!job || (await job.getState()) === 'completed') markDone(jobId, job?.returnvalue);
        }
      }, swallow);
    }, 5_000);
    const attempts = options.attempts ?? 3;
    for (let start = 0; start < jobs.length; start += 500) {
      await queue.addBulk(
        jobs.slice(start, start + 500).map((job) => ({
          name: 'chunk',
          data: job.data,
          opts: {
            jobId: job.id,
            attempts,
            backoff: { type: 'exponential', delay: options.backoffMs ?? 1000 },
            removeOnComplete: { age: 3600 },
            removeOnFail: { age: 7 * 86_400 },
          },
        })),
      );
    }
    report();
    try {
      await finished;
    } finally {
      clearInterval(sweep);
    }
  } catch (error) {
    if (options.signal?.aborted) {
      await Promise.allSettled([...pending].map((jobId) => queue.remove(jobId)));
    }
    throw error;
  } finally {
    // Closing waits for Redis; an unreachable one must not hold the process.
    await Promise.race([
      Promise.allSettled([events.close(), queue.close()]),
      new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
    ]);
  }
  if (result.failed.length > 0) {
    if (!options.errorsAsNodata) {
      const listed = result.failed
        .slice(0, 3)
        .map(({ key, reason }) => `${key} (${reason})`)
        .join('; ');
      throw new QueueError(
        `${result.failed.length} of ${tasks.length} chunks failed after ${options.attempts ?? 3} tries: ${listed}${result.failed.length > 3 ? '; …' : ''}. ` +
          'Fix the cause and run the same command again (finished chunks are kept), or pass errorsAsNodata to write them as nodata',
        { details: { failed: result.failed } },
      );
    }
    for (const { key } of result.failed) {
      const [time, , row, col] = key.slice('band_data/c/'.length).split('/').map(Number) as [
        number,
        number,
        number,
        number,
      ];
      const [, , height, width] = layout.encoding.chunkShape;
      const data = cube.bands.map((band) => new Float64Array(width * height).fill(band.nodata));
      await store.put(
        key,
        await encodeChunk(
          { time, window: { x: col * width, y: row * height, width, height }, data },
          layout.encoding,
        ),
      );
    }
  }
  // A worker killed while writing may have left a temporary file; the chunk itself was redone.
  await store.removeLeftovers();
  return result;
}
