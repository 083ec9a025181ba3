// The same Zarr store built in this process, chunk by chunk as the cube yields them,
// into any chunk store (a directory or S3); for a local directory `cube.write('x.zarr')`
// writes the same bytes.
import type { CubeReadOptions, DatasetCollection } from '@pyramids/core';
import { openChunkStore, parseStoreTarget, type StoreDescription } from './chunk-store.js';
import { chunkKeyOf, cubeStoreLayout, encodeChunk } from './cube-store-layout.js';

/** Writes `cube` as a Zarr v3 store at `target` (a directory or `s3://bucket/prefix`) in this process. */
export async function writeCubeStore(
  cube: DatasetCollection,
  target: string | StoreDescription,
  options: CubeReadOptions = {},
): Promise<StoreDescription> {
  const description = typeof target === 'string' ? parseStoreTarget(target) : target;
  const store = await openChunkStore(description);
  const layout = cubeStoreLayout(cube);
  for (const [key, bytes] of layout.files) await store.put(key, bytes);
  for await (const chunk of cube.chunks(options)) {
    await store.put(chunkKeyOf(chunk, layout.encoding), await encodeChunk(chunk, layout.encoding));
  }
  return description;
}
