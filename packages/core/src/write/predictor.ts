// TIFF predictors, as libtiff encodes them, for one band of one tile (planar
// configuration 2, so the sample stride is 1).
import type { TypedArray } from '../raster/data-type.js';

/**
 * Horizontal differencing (Predictor = 2) in place: each sample becomes its
 * difference to the left neighbour, in the sample's own integer type (wrapping).
 */
export function applyHorizontalPredictor(tile: TypedArray, tileWidth: number): void {
  const rows = tile.length / tileWidth;
  if (tile instanceof BigInt64Array || tile instanceof BigUint64Array) {
    for (let row = 0; row < rows; row++) {
      const start = row * tileWidth;
      for (let index = start + tileWidth - 1; index > start; index--)
        tile[index] = tile[index]! - tile[index - 1]!;
    }
    return;
  }
  const numeric = tile as Exclude<TypedArray, BigInt64Array | BigUint64Array>;
  for (let row = 0; row < rows; row++) {
    const start = row * tileWidth;
    for (let index = start + tileWidth - 1; index > start; index--)
      numeric[index] = numeric[index]! - numeric[index - 1]!;
  }
}

/**
 * Floating-point predictor (Predictor = 3, Adobe TIFF Technical Note 3): per row,
 * the bytes of the little-endian samples are regrouped most significant byte first,
 * then byte-differenced. Returns a new buffer.
 */
export function applyFloatingPointPredictor(
  bytes: Uint8Array,
  tileWidth: number,
  bytesPerSample: number,
): Uint8Array {
  const rowBytes = tileWidth * bytesPerSample;
  const rows = bytes.length / rowBytes;
  const output = new Uint8Array(bytes.length);
  for (let row = 0; row < rows; row++) {
    const start = row * rowBytes;
    for (let sample = 0; sample < tileWidth; sample++) {
      for (let byte = 0; byte < bytesPerSample; byte++) {
        output[start + (bytesPerSample - byte - 1) * tileWidth + sample] =
          bytes[start + sample * bytesPerSample + byte]!;
      }
    }
    for (let index = start + rowBytes - 1; index > start; index--)
      output[index] = (output[index]! - output[index - 1]!) & 0xff;
  }
  return output;
}
