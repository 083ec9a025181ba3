// The cube's Zarr v3 store as core's Zarr writer lays it out (zarr-layout.ts in core), so
// a store built by queued workers equals `cube.write('cube.zarr')` byte for byte. The
// planner writes the metadata and coordinates; workers write `band_data` chunks, each
// independently, compressed here with node:zlib as the writer compresses them.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import {
  OptionError,
  ZARR_DATA_TYPES,
  zarrChunkBytes,
  zarrChunkKey,
  zarrStoreLayout,
  zlibOptions,
  type ChunkResult,
  type ChunkTask,
  type DatasetCollection,
  type ZarrChunkEncoding,
} from '@pyramids/core';

const gzipAsync = promisify(gzip);

/** What a worker needs to encode a chunk; plain data, sent with every job. */
export type ChunkEncoding = ZarrChunkEncoding;

/** A cube's store: its encoding plus the metadata and coordinate files the planner writes. */
export interface CubeStoreLayout {
  encoding: ChunkEncoding;
  shape: [number, number, number, number];
  /** `zarr.json` documents and coordinate chunks, keyed by store key. */
  files: Map<string, Uint8Array>;
}

/** gzip level of `band_data` chunks: the Zarr writer's default (with its zlibOptions), so both write the same bytes. */
const GZIP_LEVEL = 5;

/** The store layout of `cube`. */
export function cubeStoreLayout(cube: DatasetCollection): CubeStoreLayout {
  if (!ZARR_DATA_TYPES[cube.dataType]) {
    throw new OptionError(
      `a cube of ${cube.dataType} cannot be written as Zarr here; pass dtype (e.g. 'float64' or 'int32') to fromStac`,
    );
  }
  const { files, encoding } = zarrStoreLayout(cube.writeDescription(), {
    compression: 'gzip',
    level: GZIP_LEVEL,
  });
  return { encoding, shape: cube.shape, files };
}

/** The store key of a task's chunk of `band_data`. */
export function chunkKeyOf(
  task: Pick<ChunkTask, 'time' | 'window'>,
  encoding: ChunkEncoding,
): string {
  const key = zarrChunkKey(task.time, task.window, encoding);
  if (!key)
    throw new OptionError(
      `chunk at (${task.window.x}, ${task.window.y}) is not on the cube's chunk grid; plan the whole cube, not a window`,
    );
  return key;
}

/** One chunk's bytes as the store holds them. */
export async function encodeChunk(
  result: Pick<ChunkResult, 'time' | 'window' | 'data'>,
  encoding: ChunkEncoding,
): Promise<Uint8Array> {
  const raw = zarrChunkBytes(result, encoding);
  return encoding.compression === 'gzip'
    ? new Uint8Array(await gzipAsync(raw, zlibOptions(encoding.level, raw.byteLength)))
    : raw;
}
