// Tiles of a GeoTIFF as bytes: predictor, byte order and compression of one tile, and size bounds.
import type { Plan, Level } from './geotiff-plan.js';
import { zlibSync } from 'fflate';
import { bytesPerSample, type WritableArray } from '../raster/data-type.js';
import { encodeLzw } from './encode-lzw.js';
import { applyFloatingPointPredictor, applyHorizontalPredictor } from './predictor.js';
import { directorySize } from './tiff-directory.js';

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function swapBytes(bytes: Uint8Array, size: number): void {
  for (let start = 0; start < bytes.length; start += size)
    bytes.subarray(start, start + size).reverse();
}

/**
 * The bytes of one full (padded) tile of one band, little-endian with the predictor
 * applied, ready to compress. May change `tile` in place.
 */
export function predictTile(plan: Plan, tile: WritableArray): Uint8Array {
  if (plan.predictor === 2) applyHorizontalPredictor(tile, plan.tileSize);
  let bytes = new Uint8Array(tile.buffer, tile.byteOffset, tile.byteLength);
  const sampleSize = tile.BYTES_PER_ELEMENT;
  if (!LITTLE_ENDIAN_HOST && sampleSize > 1) swapBytes(bytes, sampleSize);
  if (plan.predictor === 3) bytes = applyFloatingPointPredictor(bytes, plan.tileSize, sampleSize);
  return bytes;
}

/** One tile of one band, padded to the full tile, predicted and compressed. */
export function encodeTile(
  plan: Plan,
  data: WritableArray,
  width: number,
  height: number,
  tileX: number,
  tileY: number,
): Uint8Array {
  const size = plan.tileSize;
  const Constructor = data.constructor as new (length: number) => WritableArray;
  const tile = new Constructor(size * size);
  const x0 = tileX * size;
  const y0 = tileY * size;
  const columns = Math.min(size, width - x0);
  const rows = Math.min(size, height - y0);
  for (let row = 0; row < rows; row++) {
    const start = (y0 + row) * width + x0;
    (tile as Float64Array).set((data as Float64Array).subarray(start, start + columns), row * size);
  }
  const bytes = predictTile(plan, tile);
  if (plan.compression === 'lzw') return encodeLzw(bytes);
  return plan.compression === 'deflate'
    ? zlibSync(bytes, { level: plan.compressionLevel as 6 })
    : bytes;
}

/** Upper bound of `raw` bytes in `tiles` tiles once compressed (DEFLATE's stored blocks, LZW's 12-bit codes). */
export function compressedBound(plan: Plan, raw: number, tiles: number): number {
  if (plan.compression === 'deflate') return raw + Math.ceil(raw / 1000) + tiles * 32;
  if (plan.compression === 'lzw') return Math.ceil(raw * 1.55) + tiles * 16;
  return raw;
}

/** Upper bound of the file size, to choose BigTIFF before writing. */
export function estimateSize(plan: Plan, levels: readonly Level[]): number {
  let size = 16;
  for (const level of levels) {
    const tiles = level.tilesAcross * level.tilesDown * level.data.length;
    const raw = tiles * plan.tileSize * plan.tileSize * bytesPerSample(plan.dataType);
    // DEFLATE's worst case (stored blocks) adds a few bytes per 16 KiB and per stream.
    size += compressedBound(plan, raw, tiles);
    size += directorySize(level.fields, true);
  }
  return size;
}
