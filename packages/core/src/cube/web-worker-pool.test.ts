// The pool's message protocol over a real MessageChannel (the structured-clone and
// transfer seam a Web Worker uses); the browser example's test runs it on real workers.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRegistry,
  createWebWorkerPool,
  ReadError,
  serveChunkTasks,
  type ChunkTask,
  type WorkerLike,
  type WorkerScopeLike,
} from '@pyramids/core';

function task(errorsAsNodata: boolean): ChunkTask {
  return {
    kind: 'pyramids.cube-chunk',
    version: 1,
    grid: { crs: 'EPSG:32632', transform: [500000, 10, 0, 5000000, 0, -10], width: 4, height: 3 },
    window: { x: 0, y: 0, width: 4, height: 3 },
    time: 0,
    label: '2024-05-01',
    bands: [[{ item: 'A', asset: 'B04', href: 'https://127.0.0.1:9/not-a-raster.xyz', band: 0 }]],
    options: {
      resampling: 'nearest',
      method: 'first',
      rescale: false,
      dtype: 'uint16',
      nodata: [7],
      errorsAsNodata,
    },
  };
}

const ports: MessagePort[] = [];
afterEach(() => {
  for (const port of ports.splice(0)) port.close();
});

/** A "worker" that is one end of a MessageChannel; the other end runs serveChunkTasks. */
function channelWorker(): WorkerLike {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  serveChunkTasks(
    { registry: createRegistry(), onWarning: () => {} },
    port2 as unknown as WorkerScopeLike,
  );
  port1.start();
  port2.start();
  return Object.assign(port1 as unknown as WorkerLike, { terminate: () => port1.close() });
}

describe('createWebWorkerPool + serveChunkTasks', () => {
  it('runs a task on a worker and gets its pixels back', async () => {
    const pool = createWebWorkerPool({ createWorker: channelWorker, size: 2 });
    const result = await pool.run(task(true));
    expect(result.label).toBe('2024-05-01');
    expect(result.data).toHaveLength(1);
    expect(Array.from(result.data[0]!)).toEqual(new Array(12).fill(7));
    pool.terminate();
  });

  it('turns a failure inside the worker into a ReadError that names it', async () => {
    const pool = createWebWorkerPool({ createWorker: channelWorker, size: 1 });
    const failure = pool.run(task(false));
    await expect(failure).rejects.toThrow(ReadError);
    await expect(failure).rejects.toThrow(/failed in a Web Worker: \w+Error: /);
    pool.terminate();
  });

  it('rejects with the abort reason when aborted', async () => {
    const pool = createWebWorkerPool({ createWorker: channelWorker, size: 1 });
    const controller = new AbortController();
    const running = pool.run(task(true), { signal: controller.signal });
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    pool.terminate();
  });
});
