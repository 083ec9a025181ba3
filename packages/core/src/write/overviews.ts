// Reduced-resolution levels for internal overviews.
import type { TypedArray } from '../raster/data-type.js';

/** How overview pixels are computed from the full-resolution ones. */
export type OverviewResampling = 'nearest' | 'average';

/**
 * Decimation factors of the overview levels, finest first. `true` halves until the
 * coarsest level fits in one tile (as GDAL's COG driver does); a list is used as
 * given (sorted, duplicates dropped); `false`/undefined gives none.
 */
export function overviewFactors(
  width: number,
  height: number,
  tileSize: number,
  requested: boolean | readonly number[] | undefined,
): number[] {
  if (requested === undefined || requested === false) return [];
  if (requested === true) {
    const factors: number[] = [];
    let factor = 1;
    while (Math.ceil(width / factor) > tileSize || Math.ceil(height / factor) > tileSize) {
      factor *= 2;
      factors.push(factor);
    }
    return factors;
  }
  return [...new Set(requested)].sort((a, b) => a - b);
}

/** Size of the overview level of decimation `factor` (GDAL's rounding: up). */
export function overviewSize(width: number, height: number, factor: number): [number, number] {
  return [Math.max(1, Math.ceil(width / factor)), Math.max(1, Math.ceil(height / factor))];
}

/**
 * One band downsampled to `outWidth` × `outHeight`. `average` skips nodata and NaN
 * (a block with no valid pixel becomes nodata, or NaN without one) and rounds for
 * integer types; `nearest` takes the source pixel under each output pixel's centre.
 * 64-bit integers are always sampled by nearest.
 */
export function downsampleBand(
  data: TypedArray,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  resampling: OverviewResampling,
  nodata: number | undefined,
): TypedArray {
  const Constructor = data.constructor as new (length: number) => TypedArray;
  const output = new Constructor(outWidth * outHeight);
  const scaleX = width / outWidth;
  const scaleY = height / outHeight;
  const isBig = data instanceof BigInt64Array || data instanceof BigUint64Array;
  if (resampling === 'nearest' || isBig) {
    for (let row = 0; row < outHeight; row++) {
      const sourceRow = Math.min(height - 1, Math.floor((row + 0.5) * scaleY));
      for (let col = 0; col < outWidth; col++) {
        const sourceCol = Math.min(width - 1, Math.floor((col + 0.5) * scaleX));
        (output as Float64Array)[row * outWidth + col] = (data as Float64Array)[
          sourceRow * width + sourceCol
        ]!;
      }
    }
    return output;
  }
  const numeric = data as Exclude<TypedArray, BigInt64Array | BigUint64Array>;
  const target = output as Exclude<TypedArray, BigInt64Array | BigUint64Array>;
  const isFloat = data instanceof Float32Array || data instanceof Float64Array;
  const empty = nodata ?? (isFloat ? Number.NaN : 0);
  for (let row = 0; row < outHeight; row++) {
    const rowStart = Math.floor(row * scaleY);
    const rowEnd = Math.max(rowStart + 1, Math.min(height, Math.floor((row + 1) * scaleY)));
    for (let col = 0; col < outWidth; col++) {
      const colStart = Math.floor(col * scaleX);
      const colEnd = Math.max(colStart + 1, Math.min(width, Math.floor((col + 1) * scaleX)));
      let sum = 0;
      let count = 0;
      for (let sourceRow = rowStart; sourceRow < rowEnd; sourceRow++) {
        for (let sourceCol = colStart; sourceCol < colEnd; sourceCol++) {
          const value = numeric[sourceRow * width + sourceCol]!;
          if (Number.isNaN(value) || value === nodata) continue;
          sum += value;
          count++;
        }
      }
      target[row * outWidth + col] =
        count === 0 ? empty : isFloat ? sum / count : Math.round(sum / count);
    }
  }
  return output;
}
