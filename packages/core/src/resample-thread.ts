// The script of a resample thread (warp/resample-threads.ts): answers each request with
// the kernels run here and transfers the result buffers back.
import { parentPort } from 'node:worker_threads';
import { addEpsgDefinitions } from './grid/epsg-definitions.js';
import { limitFloat64Pool, receiveFloat64 } from './raster/float64-pool.js';
import { resampleRequest } from './warp/resample-request.js';
import type { ResampleThreadRequest, ResampleThreadResponse } from './warp/resample-threads.js';

const port = parentPort;
if (!port) throw new Error('resample-thread.js runs only in a worker thread');
// One request's source and result arrays are all a thread needs at hand; several threads share memory.
limitFloat64Pool(32 * 1024 * 1024);
port.on('message', ({ id, request, epsg, recycled }: ResampleThreadRequest) => {
  try {
    receiveFloat64(recycled);
    addEpsgDefinitions(epsg);
    const data = resampleRequest(request);
    port.postMessage({ id, data } satisfies ResampleThreadResponse, [
      ...new Set(data.map((array) => array.buffer as ArrayBuffer)),
    ]);
  } catch (error) {
    const failure = error as { name?: string; message?: string };
    port.postMessage({
      id,
      error: { name: failure?.name ?? 'Error', message: failure?.message ?? String(error) },
    } satisfies ResampleThreadResponse);
  }
});
