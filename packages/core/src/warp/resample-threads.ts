// The resampling kernels on worker threads (issue 11): the cube's reads, its one reader and
// its tile cache stay in the calling thread while the kernels, pure JavaScript, use every
// core, as gdalwarp's warp threads (-wo NUM_THREADS) do. Requests go to the least busy
// thread; results come back transferred, not copied.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ReadError } from '../errors/read-error.js';
import { loadedEpsgDefinitions, type EpsgDefinition } from '../grid/epsg-definitions.js';
import { drainFloat64 } from '../raster/float64-pool.js';
import type { ResampleRequest, Resampler } from './resample-request.js';

/** A message to a resample thread. */
export interface ResampleThreadRequest {
  id: number;
  request: ResampleRequest;
  epsg: EpsgDefinition[];
  /** Float64 buffers this thread was given back (results it is done with), for the thread to reuse. */
  recycled: ArrayBuffer[];
}

/** A resample thread's answer. */
export type ResampleThreadResponse =
  { id: number; data: Float64Array[] } | { id: number; error: { name: string; message: string } };

/** Options of {@link createResampleThreads}. */
export interface ResampleThreadsOptions {
  /** Threads to start (default: one per core, `os.availableParallelism()`). */
  size?: number;
}

/** Worker threads running resamples; pass `resample` as a cube's `resampler`. */
export interface ResampleThreads {
  resample: Resampler;
  /** Stops the threads; resamples still running reject. */
  terminate(): Promise<void>;
}

/** The thread script: beside this module in dist/, or in dist/ when run from the sources (tests). */
function threadScript(): URL {
  const beside = new URL('./resample-thread.js', import.meta.url);
  return existsSync(beside) ? beside : new URL('../../dist/resample-thread.js', import.meta.url);
}

/** Idle float64 buffers sent back to a thread with each request, at most. */
const RECYCLED_BYTES = 64 * 1024 * 1024;

interface Pending {
  resolve: (data: Float64Array[]) => void;
  reject: (error: unknown) => void;
  thread: number;
}

/**
 * Starts threads that run resamples (`cube.write(target, { resampler: threads.resample })`).
 * Threads start on the first request, so a cube that only copies pixels never starts one.
 * Call `terminate()` when done.
 */
export function createResampleThreads(options: ResampleThreadsOptions = {}): ResampleThreads {
  const size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
  const pending = new Map<number, Pending>();
  const busy = new Array<number>(size).fill(0);
  const threads: (Worker | undefined)[] = new Array(size).fill(undefined);
  let nextId = 0;
  let terminated = false;

  const fail = (thread: number, message: string) => {
    for (const [id, entry] of pending) {
      if (entry.thread !== thread) continue;
      pending.delete(id);
      entry.reject(new ReadError(`a resample thread failed: ${message}`));
    }
    busy[thread] = 0;
    threads[thread] = undefined;
  };

  const start = (index: number): Worker => {
    const worker = new Worker(threadScript());
    worker.on('message', (message: ResampleThreadResponse) => {
      const entry = pending.get(message.id);
      if (!entry) return;
      pending.delete(message.id);
      // An idle pool must not keep the process alive; a busy one must (its answer is awaited).
      if (--busy[index]! === 0) worker.unref();
      if ('data' in message) entry.resolve(message.data);
      else
        entry.reject(
          new ReadError(`a resample failed: ${message.error.name}: ${message.error.message}`),
        );
    });
    worker.on('error', (error) => fail(index, error.message));
    worker.on('exit', (code) => {
      if (code !== 0 && !terminated) fail(index, `the thread exited with code ${code}`);
    });
    return worker;
  };

  return {
    resample(request) {
      if (terminated) return Promise.reject(new ReadError('the resample threads were terminated'));
      const index = busy.indexOf(Math.min(...busy));
      const worker = (threads[index] ??= start(index));
      const id = nextId++;
      if (busy[index]!++ === 0) worker.ref();
      return new Promise<Float64Array[]>((resolve, reject) => {
        pending.set(id, { resolve, reject, thread: index });
        // A view of a larger buffer (a reader's cache) would clone all of it: send its own copy.
        const bands = request.bands.map((array) =>
          array.byteOffset === 0 && array.byteLength === array.buffer.byteLength
            ? array
            : array.slice(),
        );
        // Results come back on new buffers; once given back here they return to a thread.
        const recycled = drainFloat64(RECYCLED_BYTES);
        try {
          worker.postMessage(
            {
              id,
              request: { ...request, bands },
              epsg: loadedEpsgDefinitions(),
              recycled,
            } satisfies ResampleThreadRequest,
            recycled,
          );
        } catch (error) {
          // A request that cannot be sent (not clonable) must not stay counted, or the idle
          // pool would keep the process alive.
          pending.delete(id);
          if (--busy[index]! === 0) worker.unref();
          reject(
            new ReadError(`could not send a resample to its thread: ${(error as Error).message}`),
          );
        }
      });
    },
    async terminate() {
      terminated = true;
      for (const entry of pending.values())
        entry.reject(new ReadError('the resample threads were terminated'));
      pending.clear();
      await Promise.all(threads.map((worker) => worker?.terminate()));
    },
  };
}
