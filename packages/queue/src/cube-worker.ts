// A worker: takes chunk jobs from the queue, reads, warps and fuses the chunk with
// its own registry and signers (rebuilt from its own machine's environment), and
// writes it straight into the store. Run any number of them, on any machines.
import { Worker, type Job } from 'bullmq';
import {
  runChunkTask,
  type ChunkTask,
  type Dataset,
  type Registry,
  type Signer,
} from '@pyramids/core';
import { decodeChunkJob, type CubeChunkJobData } from './chunk-job.js';
import { openChunkStore, type ChunkStore } from './chunk-store.js';
import { encodeChunk } from './cube-store-layout.js';
import { parseRedisUrl } from './redis-connection.js';

/** The queue planners and workers meet on unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'pyramids-cube';

/** Opened sources a worker keeps between chunks. */
const MAX_OPEN_SOURCES = 64;

/** What a finished job reports back to the planner. */
export interface ChunkJobResult {
  key: string;
  /** Bytes of source data fetched (HTTP response bodies). */
  bytesRead: number;
  /** The chunk was already in the store (another worker or an earlier run wrote it). */
  skipped: boolean;
}

/** Options of `startCubeWorker`. */
export interface CubeWorkerOptions {
  /** `redis://host:6379`. */
  redis: string;
  /** Readers (and signers) of this worker. */
  registry: Registry;
  /** Rebuilds the signer a task names (`task.options.signer`) on this machine; default: the registry's signer of that id. */
  resolveSigner?: (
    description: NonNullable<ChunkTask['options']['signer']>,
  ) => Signer | undefined | Promise<Signer | undefined>;
  /** Chunks computed at once (default 1: one chunk's reads already run in parallel). */
  concurrency?: number;
  queueName?: string;
  /**
   * How long a job stays locked to this worker without a heartbeat, in ms (default 30 000).
   * A killed worker's chunk goes back to the queue after about this long.
   */
  lockDuration?: number;
  /** Called once per chunk done or failed, e.g. to log. */
  onChunk?: (event: {
    key: string;
    status: 'done' | 'skipped' | 'failed';
    message?: string;
  }) => void;
  /** The fetch of every read (default the global one); wrapped to count bytes. */
  fetch?: typeof fetch;
}

/** A running worker. */
export interface CubeWorker {
  /** Stops taking jobs, waits for those running, disconnects. */
  close(): Promise<void>;
}

function countingFetch(base: typeof fetch, count: (bytes: number) => void): typeof fetch {
  return async (input, init) => {
    const response = await base(input, init);
    const length = Number(response.headers.get('content-length'));
    if (Number.isFinite(length) && length > 0) count(length);
    return response;
  };
}

/** Starts a worker on the queue at `options.redis`. */
export async function startCubeWorker(options: CubeWorkerOptions): Promise<CubeWorker> {
  const connection = parseRedisUrl(options.redis);
  const stores = new Map<string, Promise<ChunkStore>>();
  const storeOf = (description: Parameters<typeof openChunkStore>[0]) => {
    const id = JSON.stringify(description);
    let store = stores.get(id);
    if (!store) stores.set(id, (store = openChunkStore(description)));
    return store;
  };
  const signers = new Map<string, Promise<Signer | undefined>>();
  const signerOf = (task: ChunkTask): Promise<Signer | undefined> => {
    const description = task.options.signer;
    if (!description || description.id === 'anonymous') return Promise.resolve(undefined);
    const id = JSON.stringify(description);
    let signer = signers.get(id);
    if (!signer) {
      signer = Promise.resolve(
        options.resolveSigner
          ? options.resolveSigner(description)
          : options.registry.getSigner(description.id),
      );
      signers.set(id, signer);
    }
    return signer;
  };
  // One counting fetch for the worker (opened sources keep the fetch they were opened with);
  // a job reports what the counter moved while it ran (exact at concurrency 1).
  let fetchedBytes = 0;
  const fetchCounted = countingFetch(
    options.fetch ?? globalThis.fetch,
    (bytes) => (fetchedBytes += bytes),
  );
  // Chunks of one cube share sources: keep recently opened ones (their headers) instead of
  // reading every header again for every chunk. Signing still happens per request.
  const opened = new Map<string, Promise<Dataset>>();
  const openSource = (source: { href: string }, open: () => Promise<Dataset>): Promise<Dataset> => {
    let dataset = opened.get(source.href);
    if (dataset) {
      opened.delete(source.href);
      opened.set(source.href, dataset);
      return dataset;
    }
    dataset = open();
    opened.set(source.href, dataset);
    dataset.catch(() => opened.delete(source.href));
    if (opened.size > MAX_OPEN_SOURCES) {
      const [oldest, evicted] = opened.entries().next().value as [string, Promise<Dataset>];
      opened.delete(oldest);
      // Chunks still reading it hold their own reference; closing releases only idle resources.
      evicted
        .then(
          (old) => old.close(),
          () => undefined,
        )
        .catch(() => undefined);
    }
    return dataset;
  };

  const process = async (job: Job<CubeChunkJobData>): Promise<ChunkJobResult> => {
    const chunk = decodeChunkJob(job.data);
    const store = await storeOf(chunk.store);
    if (await store.get(chunk.key)) {
      options.onChunk?.({ key: chunk.key, status: 'skipped' });
      return { key: chunk.key, bytesRead: 0, skipped: true };
    }
    const before = fetchedBytes;
    const signer = await signerOf(chunk.task);
    const result = await runChunkTask(chunk.task, {
      registry: options.registry,
      signer,
      fetch: fetchCounted,
      openSource,
      onWarning: (message) => options.onChunk?.({ key: chunk.key, status: 'done', message }),
    });
    await store.put(chunk.key, await encodeChunk(result, chunk.encoding));
    options.onChunk?.({ key: chunk.key, status: 'done' });
    return { key: chunk.key, bytesRead: fetchedBytes - before, skipped: false };
  };

  const lockDuration = options.lockDuration ?? 30_000;
  const worker = new Worker<CubeChunkJobData, ChunkJobResult>(
    options.queueName ?? DEFAULT_QUEUE_NAME,
    process,
    {
      connection,
      concurrency: options.concurrency ?? 1,
      lockDuration,
      // Look for chunks of dead workers as often as a lock can expire.
      stalledInterval: lockDuration,
      maxStalledCount: 2,
    },
  );
  worker.on('failed', (job, error) => {
    if (job)
      options.onChunk?.({
        key: decodeChunkJob(job.data).key,
        status: 'failed',
        message: error.message,
      });
  });
  // Connection trouble is retried by ioredis; without a listener an 'error' event would crash the process.
  worker.on('error', () => undefined);
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await Promise.allSettled(
        [...opened.values()].map(async (dataset) => (await dataset).close()),
      );
    },
  };
}
