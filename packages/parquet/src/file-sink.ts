import { nodeBuiltin, redactHref, replaceWithTemporary, WriteError } from '@pyramids/core';
// Types only: the Node modules themselves are imported lazily, so browsers never load them.
import type * as FsPromises from 'node:fs/promises';
import type { GeoParquetSink } from './to-geo-parquet.js';

/** Writes to `path.partial-…` and renames on close; removes the partial file on abort. */
export async function fileSink(target: string): Promise<GeoParquetSink> {
  const fs = nodeBuiltin('node:fs/promises', 'writing a stac-geoparquet file');
  const partial = `${target}.partial-${process.pid}-${Date.now()}`;
  let handle: FsPromises.FileHandle;
  try {
    handle = await fs.open(partial, 'w');
  } catch (error) {
    throw new WriteError(
      `cannot create ${redactHref(target)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  }
  return {
    async write(chunk) {
      await handle.write(chunk);
    },
    async close() {
      await handle.close();
      await replaceWithTemporary(partial, target);
    },
    async abort() {
      await handle.close().catch(() => {});
      await fs.rm(partial, { force: true });
    },
  };
}
