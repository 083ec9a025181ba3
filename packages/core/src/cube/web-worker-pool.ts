// Chunk tasks on Web Workers (issue 15): a page hands `cube.tasks()` to a small pool of
// module workers, each running `serveChunkTasks` with its own registry. Tasks and
// results are structured-clonable; result buffers are transferred, not copied.
import { isAbortError } from '../errors/abort.js';
import { ReadError } from '../errors/read-error.js';
import {
  addEpsgDefinitions,
  loadedEpsgDefinitions,
  type EpsgDefinition,
} from '../grid/epsg-definitions.js';
import type { Dataset } from '../dataset/dataset.js';
import type { Signer } from '../signers/signer.js';
import type { ChunkContext, ChunkResult, ChunkTask } from './chunk-task.js';
import { runChunkTask } from './chunk-task.js';

/** Sources a worker keeps open between chunks; the oldest is closed beyond this. */
const MAX_OPEN_SOURCES = 64;

/** A message from the page to a worker. */
type PoolRequest =
  | { kind: 'pyramids.chunk-request'; id: number; task: ChunkTask; epsg: EpsgDefinition[] }
  | { kind: 'pyramids.chunk-cancel'; id: number };

/** A worker's answer. */
type PoolResponse =
  | { kind: 'pyramids.chunk-response'; id: number; result: ChunkResult }
  | { kind: 'pyramids.chunk-response'; id: number; error: { name: string; message: string } };

/** The part of a `Worker` the pool uses. */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

/** Options of {@link createWebWorkerPool}. */
export interface WebWorkerPoolOptions {
  /** Starts one worker, e.g. `() => new Worker(new URL('./chunk-worker.js', import.meta.url), { type: 'module' })`. */
  createWorker: () => WorkerLike;
  /** Workers to start (default: `navigator.hardwareConcurrency`, at most 4). */
  size?: number;
  /** What messages call a worker (default `Web Worker`; the Node pool says `worker thread`). */
  workerName?: string;
}

/** A pool of Web Workers running chunk tasks. */
export interface WebWorkerPool {
  /** Runs one task on the least busy worker; the same contract as {@link runChunkTask}. */
  run(task: ChunkTask, context?: Pick<ChunkContext, 'signal'>): Promise<ChunkResult>;
  /** Stops every worker; tasks still running reject. */
  terminate(): void;
}

interface Pending {
  resolve: (result: ChunkResult) => void;
  reject: (error: unknown) => void;
  worker: number;
}

/**
 * Starts a pool of Web Workers for chunk tasks. Each worker script calls
 * {@link serveChunkTasks} with its own registry. EPSG definitions the page has loaded
 * travel with each task, since a worker sees no import map.
 */
export function createWebWorkerPool(options: WebWorkerPoolOptions): WebWorkerPool {
  const hardware =
    (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
      ?.hardwareConcurrency ?? 2;
  const size = Math.max(1, Math.floor(options.size ?? Math.min(4, hardware)));
  const workerName = options.workerName ?? 'Web Worker';
  const pending = new Map<number, Pending>();
  const busy = new Array<number>(size).fill(0);
  let nextId = 0;
  const workers = Array.from({ length: size }, (_, index) => {
    const worker = options.createWorker();
    worker.addEventListener('message', (event) => {
      const message = event.data as PoolResponse;
      const entry = pending.get(message.id);
      if (message?.kind !== 'pyramids.chunk-response' || !entry) return;
      pending.delete(message.id);
      busy[entry.worker]!--;
      if ('result' in message) entry.resolve(message.result);
      else
        entry.reject(
          new ReadError(
            `a chunk failed in a ${workerName}: ${message.error.name}: ${message.error.message}`,
          ),
        );
    });
    worker.addEventListener('error', (event) => {
      for (const [id, entry] of pending) {
        if (entry.worker !== index) continue;
        pending.delete(id);
        busy[index]!--;
        entry.reject(
          new ReadError(
            `a ${workerName} of the chunk pool failed: ${event.message || 'could not start the worker script'}`,
          ),
        );
      }
    });
    return worker;
  });

  return {
    run(task, context = {}) {
      context.signal?.throwIfAborted();
      const id = nextId++;
      const worker = busy.indexOf(Math.min(...busy));
      busy[worker]!++;
      return new Promise<ChunkResult>((resolve, reject) => {
        const onAbort = () => {
          if (!pending.delete(id)) return;
          busy[worker]!--;
          workers[worker]!.postMessage({ kind: 'pyramids.chunk-cancel', id } satisfies PoolRequest);
          reject(context.signal!.reason);
        };
        const settle =
          <T>(callback: (value: T) => void) =>
          (value: T) => {
            context.signal?.removeEventListener('abort', onAbort);
            callback(value);
          };
        pending.set(id, { resolve: settle(resolve), reject: settle(reject), worker });
        context.signal?.addEventListener('abort', onAbort, { once: true });
        workers[worker]!.postMessage({
          kind: 'pyramids.chunk-request',
          id,
          task,
          epsg: loadedEpsgDefinitions(),
        } satisfies PoolRequest);
      });
    },
    terminate() {
      for (const worker of workers) worker.terminate();
      for (const entry of pending.values())
        entry.reject(new ReadError('the chunk worker pool was terminated'));
      pending.clear();
    },
  };
}

/** The worker side's global scope, as far as {@link serveChunkTasks} uses it. */
export interface WorkerScopeLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/**
 * Call in a Web Worker script: answers the pool's chunk requests with
 * {@link runChunkTask} and `context` (the worker's own registry, signer, fetch).
 */
export function serveChunkTasks(
  context: Omit<ChunkContext, 'signal'> & {
    /** Rebuilds the signer a task names (`task.options.signer`); default: `context.signer` for every task. */
    signerFor?: (
      description: NonNullable<ChunkTask['options']['signer']>,
    ) => Promise<Signer | undefined>;
  },
  scope: WorkerScopeLike = globalThis as unknown as WorkerScopeLike,
): void {
  const controllers = new Map<number, AbortController>();
  const { signerFor, ...base } = context;
  // Sources stay open across the chunks this worker runs (headers are read once), up to a bound.
  const opened = new Map<string, Promise<Dataset>>();
  const openSource: ChunkContext['openSource'] =
    base.openSource ??
    ((source, open) => {
      let pending = opened.get(source.href);
      if (!pending) {
        pending = open();
        opened.set(source.href, pending);
        pending.catch(() => opened.delete(source.href));
        if (opened.size > MAX_OPEN_SOURCES) {
          const [oldest, evicted] = opened.entries().next().value!;
          opened.delete(oldest);
          void evicted.then((dataset) => dataset.close()).catch(() => undefined);
        }
      }
      return pending;
    });
  const contextFor = async (task: ChunkTask, signal: AbortSignal): Promise<ChunkContext> => {
    const description = task.options.signer;
    const signer = description && signerFor ? await signerFor(description) : base.signer;
    return { ...base, openSource, signal, signer };
  };
  scope.addEventListener('message', (event) => {
    const message = event.data as PoolRequest;
    if (message?.kind === 'pyramids.chunk-cancel') {
      controllers.get(message.id)?.abort();
      return;
    }
    if (message?.kind !== 'pyramids.chunk-request') return;
    addEpsgDefinitions(message.epsg);
    const controller = new AbortController();
    controllers.set(message.id, controller);
    contextFor(message.task, controller.signal)
      .then((taskContext) => runChunkTask(message.task, taskContext))
      .then(
        (result) => {
          const transfer = [...new Set(result.data.map((array) => array.buffer as ArrayBuffer))];
          scope.postMessage(
            { kind: 'pyramids.chunk-response', id: message.id, result } satisfies PoolResponse,
            transfer,
          );
        },
        (error: unknown) => {
          if (isAbortError(error)) return;
          const failure = error as { name?: string; message?: string };
          scope.postMessage({
            kind: 'pyramids.chunk-response',
            id: message.id,
            error: { name: failure?.name ?? 'Error', message: failure?.message ?? String(error) },
          } satisfies PoolResponse);
        },
      )
      .finally(() => controllers.delete(message.id));
  });
}
