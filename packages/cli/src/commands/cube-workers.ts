// `pyramids cube --workers N`: worker threads that run the cube's chunk tasks.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { OptionError, type WebWorkerPool } from '@pyramids/core';
import { createNodeWorkerPool } from '@pyramids/core/node';
import type { ChunkWorkerData } from '../chunk-worker.js';
import { loadedPluginSpecifiers } from '../plugin-option.js';

/** `--workers N`: 1 (default) computes chunks in this thread, 0 one thread per core. */
export function parseWorkers(text: string | undefined): number {
  if (text === undefined) return 1;
  const workers = Number(text);
  if (!Number.isInteger(workers) || workers < 0 || workers > 256)
    throw new OptionError(
      `--workers must be a whole number from 0 (one per core) to 256; got '${text}'`,
    );
  return workers === 0 ? availableParallelism() : workers;
}

/**
 * `--warp-threads N`: threads running the resampling kernels while this thread reads, as
 * gdalwarp's `-wo NUM_THREADS`; `all` (or `ALL_CPUS`) one per core; default 0, none: on two
 * cores they bought little and cost memory (decision 0025).
 */
export function parseWarpThreads(text: string | undefined): number {
  if (text === undefined) return 0;
  if (/^(all|all_cpus)$/i.test(text)) return availableParallelism();
  const threads = Number(text);
  if (!/^\d+$/.test(text) || threads > 256)
    throw new OptionError(
      `--warp-threads must be a whole number from 0 (resample in this thread) to 256, or 'all' (one per core); got '${text}'`,
    );
  return threads;
}

/** The worker-thread script: next to this chunk in dist/, or in dist/ when run from the sources (tests). */
function chunkWorkerScript(): URL {
  const beside = new URL('./chunk-worker.js', import.meta.url);
  return existsSync(beside) ? beside : new URL('../../dist/chunk-worker.js', import.meta.url);
}

/** Worker threads for the chunk tasks, loading the same plugins as this command. */
export function startChunkWorkers(size: number): WebWorkerPool {
  return createNodeWorkerPool({
    script: chunkWorkerScript(),
    size,
    workerData: {
      plugins: [...loadedPluginSpecifiers()],
      cwd: process.cwd(),
    } satisfies ChunkWorkerData,
  });
}
