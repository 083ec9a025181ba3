// The heavy half of the Zarr writer plugin: the store laid out by zarr-layout.ts,
// every cube chunk one Zarr chunk, compressed (gzip on node:zlib's thread pool) and
// written while the next chunks are read. The store is built under a temporary
// name next to the target and renamed when complete.
import { WriteError } from '../errors/write-error.js';
import type {
  CubeWriteChunk,
  CubeWriteDescription,
  WriterImplementation,
  WriterOptions,
} from '../plugins/plugin-types.js';
import { isAbortError, throwIfAborted } from '../errors/abort.js';
import { describeFileError, randomSuffix } from './write-file-errors.js';
import { nodeBuiltin } from '../platform/node-builtin.js';
import { zlibOptions } from './deflate-tile.js';
import { ZARR_DATA_TYPES, zarrChunkBytes, zarrChunkKey, zarrStoreLayout } from './zarr-layout.js';

/** Options of the Zarr writer. */
export interface ZarrWriteOptions extends WriterOptions {
  /** Chunk compression: `gzip` (default) or `none`. */
  compression?: 'gzip' | 'none';
  /** gzip level 1–9 (default 5). */
  compressionLevel?: number;
  /** Chunk writes in flight at once (default 4). */
  concurrency?: number;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function fail(target: string, reason: string): never {
  throw new WriteError(`cannot write Zarr ${target}: ${reason}`, { details: { path: target } });
}

async function writeStore(
  target: string,
  description: CubeWriteDescription,
  chunks: AsyncIterable<CubeWriteChunk>,
  options: ZarrWriteOptions = {},
): Promise<string[]> {
  const { grid, dataType } = description;
  const [chunkWidth, chunkHeight] = description.chunkSize;
  if (!ZARR_DATA_TYPES[dataType])
    fail(target, `data type ${dataType} has no Zarr v3 equivalent here; pass dtype (e.g. float32)`);
  const compression = options.compression ?? 'gzip';
  if (compression !== 'gzip' && compression !== 'none')
    fail(target, `compression must be 'gzip' or 'none'; got ${JSON.stringify(compression)}`);
  const level = options.compressionLevel ?? 5;
  if (!Number.isInteger(level) || level < 1 || level > 9)
    fail(target, `compressionLevel must be an integer from 1 to 9; got ${level}`);
  const concurrency = options.concurrency ?? 4;
  if (!LITTLE_ENDIAN_HOST) fail(target, 'this writer needs a little-endian machine');
  throwIfAborted(options.signal);

  const [fs, nodePath, zlib] = [
    nodeBuiltin('node:fs/promises', 'writing a Zarr store'),
    nodeBuiltin('node:path', 'writing a Zarr store'),
    nodeBuiltin('node:zlib', 'writing a Zarr store'),
  ];
  const cleanTarget = target.replace(/[\\/]+$/, '');
  const temporary = nodePath.join(
    nodePath.dirname(cleanTarget),
    `.${nodePath.basename(cleanTarget)}.${randomSuffix()}.tmp`,
  );
  const layout = zarrStoreLayout(description, { compression, level });
  const gzip = (bytes: Uint8Array) =>
    new Promise<Uint8Array>((resolve, reject) =>
      zlib.gzip(bytes, zlibOptions(level, bytes.byteLength), (error, result) =>
        error ? reject(error) : resolve(result),
      ),
    );
  const put = async (key: string, bytes: Uint8Array) => {
    const file = nodePath.join(temporary, ...key.split('/'));
    await fs.mkdir(nodePath.dirname(file), { recursive: true });
    await fs.writeFile(file, bytes);
  };

  const written = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const writeChunk = async (chunk: CubeWriteChunk) => {
    const key = zarrChunkKey(chunk.time, chunk.window, layout.encoding);
    if (!key)
      fail(
        target,
        `chunk ${JSON.stringify(chunk.window)} is not one cell of the ${chunkWidth} × ${chunkHeight} chunk grid`,
      );
    if (written.has(key))
      fail(target, `chunk ${JSON.stringify(chunk.window)} of time step ${chunk.time} came twice`);
    written.add(key);
    const raw = zarrChunkBytes(chunk, layout.encoding);
    await put(key, compression === 'gzip' ? await gzip(raw) : raw);
  };

  try {
    await fs.mkdir(temporary);
    for (const [key, bytes] of layout.files) await put(key, bytes);

    for await (const chunk of chunks) {
      throwIfAborted(options.signal);
      if (failure !== undefined) throw failure;
      const pending: Promise<void> = writeChunk(chunk).then(
        () => void inFlight.delete(pending),
        (error: unknown) => {
          inFlight.delete(pending);
          failure ??= error;
        },
      );
      inFlight.add(pending);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    const expected =
      description.time.length *
      Math.ceil(grid.height / chunkHeight) *
      Math.ceil(grid.width / chunkWidth);
    if (written.size !== expected)
      fail(target, `${expected - written.size} of ${expected} chunks never came`);
    const exists = await fs.stat(cleanTarget).then(
      () => true,
      () => false,
    );
    if (exists) await fs.rm(cleanTarget, { recursive: true, force: true });
    await fs.rename(temporary, cleanTarget);
    return [cleanTarget];
  } catch (error) {
    await Promise.allSettled(inFlight);
    await fs.rm(temporary, { recursive: true, force: true }).catch(() => undefined);
    if (isAbortError(error) || WriteError.isInstance(error)) throw error;
    throw new WriteError(
      `cannot write Zarr ${target}: ${describeFileError(error)}; nothing was written`,
      { cause: error, details: { path: target } },
    );
  }
}

/** Writes cube chunks into a Zarr v3 store as they arrive; see {@link zarrWriter}. */
export const zarrCubeWriter: WriterImplementation = { write: writeStore };
