// Chunk tasks on Node worker threads: the same pool and protocol as the browser's Web Worker
// pool (web-worker-pool.ts), with Node's Worker and parentPort adapted to its shape. Each
// worker script builds its own registry and rebuilds signers from its own environment, so no
// credential crosses a thread; result buffers are transferred, not copied.
import { availableParallelism } from 'node:os';
import { parentPort, Worker } from 'node:worker_threads';
import type { Signer } from '../signers/signer.js';
import type { ChunkContext, ChunkTask } from './chunk-task.js';
import {
  createWebWorkerPool,
  serveChunkTasks,
  type WebWorkerPool,
  type WorkerLike,
} from './web-worker-pool.js';

/** Options of {@link createNodeWorkerPool}. */
export interface NodeWorkerPoolOptions {
  /** The worker script (an ES module that calls {@link serveChunkTasksInWorkerThread}). */
  script: string | URL;
  /** Worker threads to start (default: one per core, `os.availableParallelism()`). */
  size?: number;
  /** Passed to each worker as `workerData` (plain data, e.g. plugin specifiers). */
  workerData?: unknown;
}

function adapt(worker: Worker): WorkerLike {
  return {
    postMessage: (message, transfer) =>
      worker.postMessage(message, transfer as readonly ArrayBuffer[] | undefined),
    addEventListener(type: 'message' | 'error', listener: (event: never) => void) {
      if (type === 'message') worker.on('message', (data) => listener({ data } as never));
      else {
        worker.on('error', (error) => listener({ message: error.message } as never));
        // A thread that exits on its own (a crash, process.exit) fails its tasks too.
        worker.on('exit', (code) => {
          if (code !== 0)
            listener({ message: `the worker thread exited with code ${code}` } as never);
        });
      }
    },
    terminate: () => void worker.terminate(),
  };
}

/**
 * Starts a pool of worker threads for chunk tasks: `cube.write(target, { runTask: pool.run })`
 * spreads the chunks over every core. Call `terminate()` when done.
 */
export function createNodeWorkerPool(options: NodeWorkerPoolOptions): WebWorkerPool {
  return createWebWorkerPool({
    size: options.size ?? availableParallelism(),
    workerName: 'worker thread',
    createWorker: () => adapt(new Worker(options.script, { workerData: options.workerData })),
  });
}

/** What a worker thread reads chunks with: its registry, and how it rebuilds a task's signer. */
export interface WorkerThreadContext extends Omit<ChunkContext, 'signal' | 'signer'> {
  /** Rebuilds the signer a task names (`task.options.signer`) from this thread's environment. */
  resolveSigner?: (
    description: NonNullable<ChunkTask['options']['signer']>,
  ) => Signer | undefined | Promise<Signer | undefined>;
}

/** Call in a worker thread's script: answers the pool's chunk requests. */
export function serveChunkTasksInWorkerThread(context: WorkerThreadContext): void {
  const port = parentPort;
  if (!port) throw new Error('serveChunkTasksInWorkerThread runs only in a worker thread');
  const { resolveSigner, ...rest } = context;
  const signers = new Map<string, Promise<Signer | undefined>>();
  serveChunkTasks(
    {
      ...rest,
      // One signer per description, rebuilt once per thread.
      signerFor: resolveSigner
        ? (description) => {
            const key = JSON.stringify(description);
            let signer = signers.get(key);
            if (!signer) signers.set(key, (signer = Promise.resolve(resolveSigner(description))));
            return signer;
          }
        : undefined,
    },
    {
      postMessage: (message, transfer) =>
        port.postMessage(message, transfer as readonly ArrayBuffer[] | undefined),
      addEventListener: (_type, listener) =>
        port.on('message', (data) => listener({ data } as MessageEvent)),
    },
  );
}
