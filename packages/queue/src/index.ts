// @pyramids/queue: cube chunks on a Redis-backed job queue (BullMQ). A planner queues one
// job per chunk and follows progress; workers on any machines compute chunks and write
// them into one Zarr v3 store (a shared directory or S3).
export {
  runCubeOnQueue,
  type RunCubeOnQueueOptions,
  type QueueCubeResult,
  type QueueProgress,
} from './run-cube-on-queue.js';
export {
  startCubeWorker,
  DEFAULT_QUEUE_NAME,
  type CubeWorker,
  type CubeWorkerOptions,
  type ChunkJobResult,
} from './cube-worker.js';
export { writeCubeStore } from './write-cube-store.js';
export {
  cubeStoreLayout,
  chunkKeyOf,
  encodeChunk,
  type ChunkEncoding,
  type CubeStoreLayout,
} from './cube-store-layout.js';
export {
  openChunkStore,
  parseStoreTarget,
  fileChunkStore,
  s3ChunkStore,
  type ChunkStore,
  type StoreDescription,
} from './chunk-store.js';
export {
  encodeChunkJob,
  decodeChunkJob,
  type CubeChunkJob,
  type CubeChunkJobData,
} from './chunk-job.js';
export { parseRedisUrl, redactRedisUrl, type RedisConnection } from './redis-connection.js';
export { QueueError } from './queue-error.js';
export { VERSION } from './version.js';
