// @pyramids/core/node: what needs a file system, kept out of the default entry so
// that it bundles for a browser. Everything else is in '@pyramids/core'.

// Downloads
export {
  downloadItem,
  downloadItems,
  type DownloadOptions,
  type DownloadProgress,
  type OverwriteMode,
} from './download/download-item.js';
export { DEFAULT_FILE_NAME, resolveFileName, type FileNameValues } from './download/file-name.js';
export {
  downloadCollection,
  type DownloadCollectionOptions,
  type DownloadCollectionResult,
} from './download/download-collection.js';
export {
  verifyAsset,
  type VerifyAssetOptions,
  type AssetVerification,
  type AssetCheck,
} from './download/verify-asset.js';
export { parseMultihash, encodeMultihash, type Multihash } from './download/multihash.js';

// Chunk tasks on worker threads
export {
  createNodeWorkerPool,
  serveChunkTasksInWorkerThread,
  type NodeWorkerPoolOptions,
  type WorkerThreadContext,
} from './cube/node-worker-pool.js';

// Resampling kernels on worker threads
export {
  createResampleThreads,
  type ResampleThreads,
  type ResampleThreadsOptions,
} from './warp/resample-threads.js';
