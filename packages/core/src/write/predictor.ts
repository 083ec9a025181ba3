// TIFF predictors, as libtiff encodes them, for one band of one tile (planar
// configuration 2, so the sample stride is 1).
import type { WritableArray } from '../raster/data-type.js';

/** Differences each row of `samples` in place, left to right, keeping the previous original value. */
function differenceRows8(samples: Uint8Array, width: number): void {
  for (let start = 0; start < samples.length; start += width) {
    let previous = samples[start]!;
    for (let index = start + 1, end = start + width; index < end; index++) {
      const value = samples[index]!;
      samples[index] = value - previous;
      previous = value;
    }
  }
}

/** As {@link differenceRows8}, for 16-bit samples. */
function differenceRows16(samples: Uint16Array, width: number): void {
  for (let start = 0; start < samples.length; start += width) {
    let previous = samples[start]!;
    for (let index = start + 1, end = start + width; index < end; index++) {
      const value = samples[index]!;
      samples[index] = value - previous;
      previous = value;
    }
  }
}

/** As {@link differenceRows8}, for 32-bit samples. */
function differenceRows32(samples: Uint32Array, width: number): void {
  for (let start = 0; start < samples.length; start += width) {
    let previous = samples[start]!;
    for (let index = start + 1, end = start + width; index < end; index++) {
      const value = samples[index]!;
      samples[index] = value - previous;
      previous = value;
    }
  }
}

/**
 * Horizontal differencing (Predictor = 2) in place: each sample becomes its
 * difference to the left neighbour, in the sample's own integer type (wrapping).
 * Signed and unsigned samples of one width wrap to the same bits, so each width has
 * one loop over an unsigned view (one array type per loop keeps it fast in V8).
 */
export function applyHorizontalPredictor(tile: WritableArray, tileWidth: number): void {
  if (tile instanceof BigInt64Array || tile instanceof BigUint64Array) {
    const rows = tile.length / tileWidth;
    for (let row = 0; row < rows; row++) {
      const start = row * tileWidth;
      for (let index = start + tileWidth - 1; index > start; index--)
        tile[index] = tile[index]! - tile[index - 1]!;
    }
    return;
  }
  const { buffer, byteOffset, length } = tile;
  if (tile.BYTES_PER_ELEMENT === 1)
    differenceRows8(new Uint8Array(buffer, byteOffset, length), tileWidth);
  else if (tile.BYTES_PER_ELEMENT === 2)
    differenceRows16(new Uint16Array(buffer, byteOffset, length), tileWidth);
  else if (tile.BYTES_PER_ELEMENT === 4 && !(tile instanceof Float32Array))
    differenceRows32(new Uint32Array(buffer, byteOffset, length), tileWidth);
  else {
    // Floating-point samples take Predictor = 3; kept for callers that difference them anyway.
    const numeric = tile as Float32Array | Float64Array;
    for (let start = 0; start < numeric.length; start += tileWidth)
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
