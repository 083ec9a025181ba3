// DEFLATE (zlib format, as TIFF compression 8 wants) for tiles. In Node it runs on
// node:zlib's asynchronous API, which compresses on libuv's thread pool, so tiles
// of one chunk compress on every core; node:zlib is imported lazily, and where it
// cannot be imported (a browser) fflate compresses on the calling thread.
import { zlibSync } from 'fflate';

type Deflate = (bytes: Uint8Array, level: number) => Promise<Uint8Array>;

let loading: Promise<Deflate> | undefined;

/** fflate on the calling thread: the path that needs no Node API. */
export const deflateTileInJavaScript: Deflate = async (bytes, level) =>
  zlibSync(bytes, { level: level as 6 });

async function loadDeflate(): Promise<Deflate> {
  try {
    const zlib = await import('node:zlib');
    return (bytes, level) =>
      new Promise((resolve, reject) =>
        zlib.deflate(bytes, { level }, (error, result) =>
          error
            ? reject(error)
            : resolve(new Uint8Array(result.buffer, result.byteOffset, result.byteLength)),
        ),
      );
  } catch {
    return deflateTileInJavaScript;
  }
}

/**
 * Compresses one tile's bytes as a zlib stream at `level` (1–9): natively on the
 * thread pool in Node, in JavaScript elsewhere. `bytes` must not change until the
 * promise settles.
 */
export function deflateTile(bytes: Uint8Array, level: number): Promise<Uint8Array> {
  loading ??= loadDeflate();
  return loading.then((deflate) => deflate(bytes, level));
}
