// A queued chunk as data. BullMQ stores job data as JSON, which has no NaN or
// Infinity (a float cube's nodata is NaN), so the job is one JSON text whose
// non-finite numbers are tagged. It holds no secret: the task names its signer by
// description only, and each worker rebuilds the signer from its own environment.
import type { ChunkTask } from '@pyramids/core';
import type { ChunkEncoding } from './cube-store-layout.js';
import type { StoreDescription } from './chunk-store.js';

/** Everything a worker needs to compute and store one chunk. */
export interface CubeChunkJob {
  /** The run that queued it (a planner invocation). */
  run: string;
  /** Store key of the chunk, e.g. `band_data/c/0/0/1/2`. */
  key: string;
  store: StoreDescription;
  encoding: ChunkEncoding;
  task: ChunkTask;
}

/** The job payload BullMQ stores. */
export interface CubeChunkJobData {
  payload: string;
}

const TAG = '$number';

/** Job → JSON text, keeping NaN and ±Infinity. */
export function encodeChunkJob(job: CubeChunkJob): CubeChunkJobData {
  return {
    payload: JSON.stringify(job, (_key, value: unknown) =>
      typeof value === 'number' && !Number.isFinite(value) ? { [TAG]: String(value) } : value,
    ),
  };
}

/** JSON text → job. */
export function decodeChunkJob(data: CubeChunkJobData): CubeChunkJob {
  return JSON.parse(data.payload, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && TAG in value && Object.keys(value).length === 1
      ? Number((value as Record<string, string>)[TAG])
      : value,
  ) as CubeChunkJob;
}
