// The resampling kernels. Each follows the matching GDAL warp kernel
// (gdalwarpkernel.cpp) so results equal `gdalwarp`'s: pixel centres for the
// point methods, pixel corners for the area methods, source nodata skipped and
// weights renormalised over the valid pixels.
import { takeFloat64 } from '../raster/float64-pool.js';
import type { PixelWindow } from '../raster/raster-source.js';
import type { PixelTransformer } from './approx-transformer.js';
import { isAreaResampling, type Resampling } from './resampling.js';

/** Source pixels of one level window, ready to resample: NaN marks nodata. */
export interface SourcePixels {
  /** One array per band, row-major, `window.width × window.height`; NaN = nodata. */
  bands: Float64Array[];
  /** Where the window lies in its level's pixel space. */
  window: PixelWindow;
  /**
   * Per band, true when no value is ±Infinity; worked out by the first {@link resampleWindow}
   * with a stretched kernel and kept here, so the parts of one window scan it once.
   */
  finite?: boolean[];
}

/** How far, in source pixels, each method reaches from a sample point. */
export const FILTER_RADIUS: Record<Resampling, number> = {
  nearest: 0,
  bilinear: 1,
  cubic: 2,
  average: 0,
  mode: 0,
  min: 0,
  max: 0,
  median: 0,
};

/**
 * GDAL's kernel scale for one axis: target pixels per source pixel; 1 from 0.95
 * up; snapped to 1/n when within 1e-3 of it.
 */
export function kernelScale(targetPixels: number, sourcePixels: number): number {
  if (!(sourcePixels > 0) || targetPixels >= sourcePixels) return 1;
  let scale = targetPixels / sourcePixels;
  // Within 5% of 1 the kernel is not stretched, as in GDAL (its 0.95 threshold).
  if (scale >= 0.95) return 1;
  const inverse = 1 / scale;
  const rounded = Math.round(inverse);
  if (Math.abs(inverse - rounded) < 1e-3) scale = 1 / rounded;
  return scale;
}

function bilinearWeight(x: number): number {
  const absolute = Math.abs(x);
  return absolute <= 1 ? 1 - absolute : 0;
}

/** Keys' cubic convolution kernel with a = -0.5 (Catmull-Rom), as GDAL's. */
function cubicWeight(x: number): number {
  const absolute = Math.abs(x);
  if (absolute <= 1) return x * x * (1.5 * absolute - 2.5) + 1;
  if (absolute <= 2) return x * x * (-0.5 * absolute + 2.5) - 4 * absolute + 2;
  return 0;
}

function cubicConvolution(
  distance: number,
  f0: number,
  f1: number,
  f2: number,
  f3: number,
): number {
  const distance2 = distance * distance;
  const distance3 = distance2 * distance;
  return (
    f1 +
    0.5 *
      (distance * (f2 - f0) +
        distance2 * (2 * f0 - 5 * f1 + 4 * f2 - f3) +
        distance3 * (3 * (f1 - f2) + f3 - f0))
  );
}

/** Bilinear from the four surrounding pixels, weights renormalised over the valid ones (GWKBilinearResample4Sample). */
function bilinear4(
  values: Float64Array,
  width: number,
  height: number,
  x: number,
  y: number,
): number {
  const ix = Math.floor(x - 0.5);
  const iy = Math.floor(y - 0.5);
  const ratioX = 1.5 - (x - ix);
  const ratioY = 1.5 - (y - iy);
  let sum = 0;
  let divisor = 0;
  for (let dy = 0; dy < 2; dy++) {
    const row = iy + dy;
    if (row < 0 || row >= height) continue;
    const weightY = dy === 0 ? ratioY : 1 - ratioY;
    for (let dx = 0; dx < 2; dx++) {
      const col = ix + dx;
      if (col < 0 || col >= width) continue;
      const value = values[row * width + col]!;
      if (Number.isNaN(value)) continue;
      const weight = (dx === 0 ? ratioX : 1 - ratioX) * weightY;
      sum += value * weight;
      divisor += weight;
    }
  }
  if (divisor === 1) return sum;
  if (divisor < 0.00001) return Number.NaN;
  return sum / divisor;
}

/** Cubic from 4 × 4 pixels; falls back to bilinear at edges or next to nodata, as GDAL does. */
function cubic4(values: Float64Array, width: number, height: number, x: number, y: number): number {
  const ix = Math.floor(x - 0.5);
  const iy = Math.floor(y - 0.5);
  if (ix - 1 < 0 || ix + 2 >= width || iy - 1 < 0 || iy + 2 >= height)
    return bilinear4(values, width, height, x, y);
  const deltaX = x - 0.5 - ix;
  const deltaY = y - 0.5 - iy;
  const rows = [0, 0, 0, 0];
  for (let dy = -1; dy < 3; dy++) {
    const offset = (iy + dy) * width + ix;
    const f0 = values[offset - 1]!;
    const f1 = values[offset]!;
    const f2 = values[offset + 1]!;
    const f3 = values[offset + 2]!;
    if (Number.isNaN(f0) || Number.isNaN(f1) || Number.isNaN(f2) || Number.isNaN(f3))
      return bilinear4(values, width, height, x, y);
    rows[dy + 1] = cubicConvolution(deltaX, f0, f1, f2, f3);
  }
  return cubicConvolution(deltaY, rows[0]!, rows[1]!, rows[2]!, rows[3]!);
}

/** What {@link resampleGeneral} needs of the method and the kernel scale, worked out once per window. */
interface GeneralKernel {
  filterRadius: number;
  weightOf: (distance: number) => number;
  radiusX: number;
  radiusY: number;
  scaleX: number;
  scaleY: number;
  /** Scratch for one pixel's column weights. */
  weightsX: Float64Array;
}

function generalKernel(
  resampling: 'bilinear' | 'cubic',
  [scaleX, scaleY]: [number, number],
): GeneralKernel {
  const filterRadius = FILTER_RADIUS[resampling];
  const radiusX = scaleX < 1 ? Math.ceil(filterRadius / scaleX) : filterRadius;
  return {
    filterRadius,
    weightOf: resampling === 'bilinear' ? bilinearWeight : cubicWeight,
    radiusX,
    radiusY: scaleY < 1 ? Math.ceil(filterRadius / scaleY) : filterRadius,
    scaleX,
    scaleY,
    weightsX: new Float64Array(2 * radiusX + 1),
  };
}

/** True when no value is ±Infinity (NaN, nodata here, is fine). */
function hasNoInfinity(values: Float64Array): boolean {
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    if (value === Infinity || value === -Infinity) return false;
  }
  return true;
}

/** The general separable kernel, stretched over the source when downsampling (GWKResample). */
function resampleGeneral(
  values: Float64Array,
  width: number,
  height: number,
  x: number,
  y: number,
  kernel: GeneralKernel,
  skipZeroWeights: boolean,
): number {
  const { filterRadius, weightOf, radiusX, radiusY, scaleX, scaleY, weightsX } = kernel;
  const ix = Math.floor(x - 0.5);
  const iy = Math.floor(y - 0.5);
  const deltaX = x - 0.5 - ix;
  const deltaY = y - 0.5 - iy;
  let jMin = ((filterRadius + 1) % 2) - radiusY;
  let jMax = radiusY;
  if (iy + jMin < 0) jMin = -iy;
  if (iy + jMax >= height) jMax = height - iy - 1;
  let iMin = ((filterRadius + 1) % 2) - radiusX;
  let iMax = radiusX;
  if (ix + iMin < 0) iMin = -ix;
  if (ix + iMax >= width) iMax = width - ix - 1;
  // The column weights are the same on every row: computed once per pixel, not once per row.
  for (let i = iMin; i <= iMax; i++)
    weightsX[i - iMin] = weightOf(scaleX < 1 ? (i - deltaX) * scaleX : i - deltaX);
  const first = iMin;
  if (skipZeroWeights) {
    // A stretched kernel reaches ceil(radius / scale) pixels but weighs only those within
    // radius / scale: the zero-weight columns at either end add exactly 0 to both sums.
    while (iMin < iMax && weightsX[iMin - first] === 0) iMin++;
    while (iMax > iMin && weightsX[iMax - first] === 0) iMax--;
  }
  let sum = 0;
  let totalWeight = 0;
  for (let j = jMin; j <= jMax; j++) {
    const weightY = weightOf(scaleY < 1 ? (j - deltaY) * scaleY : j - deltaY);
    if (weightY === 0 && skipZeroWeights) continue;
    const offset = (iy + j) * width + ix;
    let rowSum = 0;
    let rowWeight = 0;
    for (let i = iMin; i <= iMax; i++) {
      const value = values[offset + i]!;
      if (Number.isNaN(value)) continue;
      const weightX = weightsX[i - first]!;
      rowSum += value * weightX;
      rowWeight += weightX;
    }
    sum += rowSum * weightY;
    totalWeight += rowWeight * weightY;
  }
  if (totalWeight < 0.000001) return Number.NaN;
  if (totalWeight < 0.99999 || totalWeight > 1.00001) return sum / totalWeight;
  return sum;
}

/**
 * Arrays a resample writes into instead of allocating its own: `width` wide, the
 * resampled window's pixel (0, 0) at (`x`, `y`); pixels it does not reach are left as they are.
 */
export interface ResampleInto {
  outputs: Float64Array[];
  width: number;
  x: number;
  y: number;
  /** Indexed as `outputs`: pixels set here are not computed (a fuse already has them). */
  skip?: Uint8Array;
}

/**
 * Resamples source pixels onto a window of the target grid. `transformer` maps
 * target pixel coordinates to the source level's pixel coordinates; `scale` is
 * the kernel scale per axis (see `kernelScale`). `wrapColumn`, for the area
 * methods on a source spanning 360° of longitude read whole, is the window column
 * at 180°: footprints reaching it wrap into the first columns, as in gdalwarp.
 * Returns one Float64Array per band, NaN where no valid source pixel contributes.
 */
export function resampleWindow(
  transformer: PixelTransformer,
  target: PixelWindow,
  source: SourcePixels,
  resampling: Resampling,
  scale: [number, number] = [1, 1],
  wrapColumn?: number,
  into?: ResampleInto,
): Float64Array[] {
  const { width, height } = target;
  const outputs =
    into?.outputs ?? source.bands.map(() => takeFloat64(width * height).fill(Number.NaN));
  const place: ResampleInto = into ?? { outputs, width, x: 0, y: 0 };
  const skip = place.skip;
  if (source.bands.length === 0) return outputs;
  if (isAreaResampling(resampling)) {
    resampleArea(transformer, target, source, resampling, scale, place, wrapColumn);
    return outputs;
  }
  const sourceWidth = source.window.width;
  const sourceHeight = source.window.height;
  const offsetX = source.window.x;
  const offsetY = source.window.y;
  const xs = new Float64Array(width);
  const ys = new Float64Array(width);
  const fourSamples = scale[0] >= 0.95 && scale[1] >= 0.95;
  const kernel =
    fourSamples || resampling === 'nearest'
      ? undefined
      : generalKernel(resampling as 'bilinear' | 'cubic', scale);
  // ±Infinity × 0 is NaN in GDAL's sums: zero weights are skipped only on bands without it.
  const finiteBands = kernel ? (source.finite ??= source.bands.map(hasNoInfinity)) : [];
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      xs[col] = target.x + col + 0.5;
      ys[col] = target.y + row + 0.5;
    }
    transformer.transformRow(xs, ys, width);
    for (let col = 0; col < width; col++) {
      const x = xs[col]!;
      const y = ys[col]!;
      // Centres outside the source window are off the source: GDAL tests before truncating.
      if (!(x >= offsetX && y >= offsetY)) continue;
      const localX = x - offsetX;
      const localY = y - offsetY;
      const ix = Math.floor(x + 1e-10) - offsetX;
      const iy = Math.floor(y + 1e-10) - offsetY;
      if (ix >= sourceWidth || iy >= sourceHeight) continue;
      const outputIndex = (place.y + row) * place.width + place.x + col;
      if (skip !== undefined && skip[outputIndex] !== 0) continue;
      for (let band = 0; band < outputs.length; band++) {
        const values = source.bands[band]!;
        // GDAL skips a target pixel whose centre falls on a nodata source pixel, whatever the method.
        const centre = values[iy * sourceWidth + ix]!;
        if (Number.isNaN(centre)) continue;
        let value: number;
        if (resampling === 'nearest') value = centre;
        else if (!fourSamples)
          value = resampleGeneral(
            values,
            sourceWidth,
            sourceHeight,
            localX,
            localY,
            kernel!,
            finiteBands[band]!,
          );
        else if (resampling === 'bilinear')
          value = bilinear4(values, sourceWidth, sourceHeight, localX, localY);
        else value = cubic4(values, sourceWidth, sourceHeight, localX, localY);
        outputs[band]![outputIndex] = value;
      }
    }
  }
  return outputs;
}

/** Average, mode, min, max, median over the source pixels under each target pixel (GWKAverageOrMode). */
function resampleArea(
  transformer: PixelTransformer,
  target: PixelWindow,
  source: SourcePixels,
  resampling: Resampling,
  scale: [number, number],
  place: ResampleInto,
  wrapColumn: number | undefined,
): void {
  const outputs = place.outputs;
  const skip = place.skip;
  const { width, height } = target;
  const sourceWidth = source.window.width;
  const sourceHeight = source.window.height;
  const wrapThreshold = Math.min(2, Math.floor(sourceWidth / 10));
  // GDAL's sanity margin: corners further off the source window than this are skipped.
  const marginX = 2 * Math.max(1, Math.ceil(1 / scale[0]));
  const marginY = 2 * Math.max(1, Math.ceil(1 / scale[1]));
  const topX = new Float64Array(width);
  const topY = new Float64Array(width);
  const bottomX = new Float64Array(width);
  const bottomY = new Float64Array(width);
  const collected: number[] = [];
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      topX[col] = target.x + col;
      topY[col] = target.y + row;
      bottomX[col] = target.x + col + 1;
      bottomY[col] = target.y + row + 1;
    }
    transformer.transformRow(topX, topY, width);
    transformer.transformRow(bottomX, bottomY, width);
    for (let col = 0; col < width; col++) {
      let xMin = topX[col]! - source.window.x;
      let xMax = bottomX[col]! - source.window.x;
      let yMin = topY[col]! - source.window.y;
      let yMax = bottomY[col]! - source.window.y;
      if (
        !Number.isFinite(xMin) ||
        !Number.isFinite(xMax) ||
        !Number.isFinite(yMin) ||
        !Number.isFinite(yMax)
      )
        continue;
      if (
        Math.min(xMin, xMax) < -marginX ||
        Math.min(yMin, yMax) < -marginY ||
        Math.max(xMin, xMax) - sourceWidth > marginX ||
        Math.max(yMin, yMax) - sourceHeight > marginY
      )
        continue;
      // The transform may flip the order of the corners (GDAL #5433).
      if (xMin > xMax) [xMin, xMax] = [xMax, xMin];
      if (yMin > yMax) [yMin, yMax] = [yMax, yMin];
      // As GDAL: a footprint ending less than a pixel before the window's first
      // row or column still takes that row or column (x1 is bumped past x0 below);
      // one starting past the last takes nothing.
      // GDAL's antimeridian rule: a footprint reaching past 180° on a source that spans
      // the globe, near both of its edges, runs on into the first columns.
      const wrapped =
        wrapColumn !== undefined &&
        xMax >= wrapColumn &&
        (xMax - sourceWidth) * scale[0] < wrapThreshold &&
        (sourceWidth - xMin) * scale[0] < wrapThreshold;
      const x0 = Math.max(Math.floor(xMin + 1e-10), 0);
      let x1 = wrapped ? Math.ceil(xMax - 1e-10) : Math.min(Math.ceil(xMax - 1e-10), sourceWidth);
      const y0 = Math.max(Math.floor(yMin + 1e-10), 0);
      let y1 = Math.min(Math.ceil(yMax - 1e-10), sourceHeight);
      if (x0 === x1 && x1 < sourceWidth) x1++;
      if (y0 === y1 && y1 < sourceHeight) y1++;
      if (x0 >= x1 || y0 >= y1) continue;
      const outputIndex = (place.y + row) * place.width + place.x + col;
      if (skip !== undefined && skip[outputIndex] !== 0) continue;
      for (let band = 0; band < outputs.length; band++) {
        const values = source.bands[band]!;
        let result = Number.NaN;
        if (resampling === 'average') {
          let sum = 0;
          let totalWeight = 0;
          for (let y = y0; y < y1; y++) {
            const weightY =
              y === y0 ? (y0 + 1 === y1 ? 1 : 1 - (yMin - y0)) : y + 1 === y1 ? 1 - (y1 - yMax) : 1;
            for (let x = x0; x < x1; x++) {
              const value = values[y * sourceWidth + (x < sourceWidth ? x : x - sourceWidth)]!;
              if (Number.isNaN(value)) continue;
              const weight =
                x === x0
                  ? x0 + 1 === x1
                    ? weightY
                    : weightY * (1 - (xMin - x0))
                  : x + 1 === x1
                    ? weightY * (1 - (x1 - xMax))
                    : weightY;
              if (weight > 0) {
                sum += value * weight;
                totalWeight += weight;
              }
            }
          }
          if (totalWeight > 0) result = sum / totalWeight;
        } else if (resampling === 'min' || resampling === 'max') {
          for (let y = y0; y < y1; y++) {
            for (let x = x0; x < x1; x++) {
              const value = values[y * sourceWidth + (x < sourceWidth ? x : x - sourceWidth)]!;
              if (Number.isNaN(value)) continue;
              if (Number.isNaN(result) || (resampling === 'min' ? value < result : value > result))
                result = value;
            }
          }
        } else {
          collected.length = 0;
          for (let y = y0; y < y1; y++) {
            for (let x = x0; x < x1; x++) {
              const value = values[y * sourceWidth + (x < sourceWidth ? x : x - sourceWidth)]!;
              if (!Number.isNaN(value)) collected.push(value);
            }
          }
          if (collected.length > 0)
            result = resampling === 'mode' ? modeOf(collected) : medianOf(collected);
        }
        outputs[band]![outputIndex] = result;
      }
    }
  }
}

/** The most frequent value; on a tie, the value that reached the top count first (GDAL's order). */
function modeOf(values: number[]): number {
  const counts = new Map<number, number>();
  let best = values[0]!;
  let bestCount = 0;
  for (const value of values) {
    const count = (counts.get(value) ?? 0) + 1;
    counts.set(value, count);
    if (count > bestCount) {
      bestCount = count;
      best = value;
    }
  }
  return best;
}

/** GDAL's median: the sorted value at ceil(n / 2 - 1), i.e. the lower middle for an even count. */
function medianOf(values: number[]): number {
  values.sort((a, b) => a - b);
  return values[Math.ceil(0.5 * values.length - 1)]!;
}
