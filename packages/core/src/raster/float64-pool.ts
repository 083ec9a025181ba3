// Reused float64 buffers for the warp's per-layer arrays. A chunk of a reprojected cube
// allocates several 8 MB Float64Arrays per source layer and drops them a moment later;
// V8 counts their memory as external and answers with full collections (1.3 s of a 7.8 s
// cube on the engine bench). Buffers handed back here are lent out again instead.

/** Bytes of idle buffers kept, in all (see {@link limitFloat64Pool}). */
let keptBytes = 96 * 1024 * 1024;

const idle: ArrayBuffer[] = [];
let idleBytes = 0;

/**
 * A Float64Array of `length` values, on a buffer handed back earlier when one fits (its
 * old values still in it: fill it), else new (zeros).
 */
export function takeFloat64(length: number): Float64Array {
  const bytes = length * 8;
  let best = -1;
  for (let index = 0; index < idle.length; index++) {
    const size = idle[index]!.byteLength;
    // At most twice the size wanted: a small array must not pin a large buffer.
    if (size >= bytes && size <= 2 * bytes && (best < 0 || size < idle[best]!.byteLength))
      best = index;
  }
  if (best < 0) return new Float64Array(length);
  const [buffer] = idle.splice(best, 1) as [ArrayBuffer];
  idleBytes -= buffer.byteLength;
  return new Float64Array(buffer, 0, length);
}

/**
 * Takes idle buffers out of this thread's pool, up to `maxBytes` in all, e.g. to transfer
 * them to a thread that allocates what this one gives back (see `createResampleThreads`).
 */
export function drainFloat64(maxBytes: number): ArrayBuffer[] {
  const taken: ArrayBuffer[] = [];
  let bytes = 0;
  while (idle.length > 0 && bytes + idle[idle.length - 1]!.byteLength <= maxBytes) {
    const buffer = idle.pop()!;
    idleBytes -= buffer.byteLength;
    bytes += buffer.byteLength;
    taken.push(buffer);
  }
  return taken;
}

/** Adds buffers handed over by another thread to this thread's pool. */
export function receiveFloat64(buffers: readonly ArrayBuffer[]): void {
  for (const buffer of buffers) giveBackFloat64(new Float64Array(buffer));
}

/**
 * Hands `array`'s buffer back for {@link takeFloat64} to lend again. The caller must not
 * use `array` (or any other view of its buffer) afterwards.
 */
export function giveBackFloat64(array: Float64Array): void {
  const buffer = array.buffer as ArrayBuffer;
  if (array.byteOffset !== 0 || buffer.byteLength < 1024 || idle.includes(buffer)) return;
  // Not every platform has SharedArrayBuffer (a page without cross-origin isolation).
  if (typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer) return;
  idle.push(buffer);
  idleBytes += buffer.byteLength;
  while (idleBytes > keptBytes) idleBytes -= idle.shift()!.byteLength;
}

/** Sets how many bytes of idle buffers this thread keeps (a resample thread keeps fewer). */
export function limitFloat64Pool(bytes: number): void {
  keptBytes = bytes;
  while (idleBytes > keptBytes) idleBytes -= idle.shift()!.byteLength;
}
