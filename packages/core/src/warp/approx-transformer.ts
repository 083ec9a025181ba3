// Target pixel → source pixel coordinates, the way GDAL's warper computes them:
// an affine map when both grids share a CRS, otherwise a reprojection made cheap
// by an approximate transformer that is exact at chosen points of each row and
// linear between them, subdividing until the midpoint error is within bound.
import { GridError } from '../errors/grid-error.js';
import { createTransformer } from '../grid/crs.js';
import { invertGeotransform, type GeoTransform } from '../grid/geotransform.js';

/** GDAL's default error threshold of `gdalwarp -et`, in source pixels. */
export const DEFAULT_ERROR_THRESHOLD = 0.125;

/** Transforms points in place: x/y in target pixel space in, source pixel space out; NaN where it fails. */
export interface PixelTransformer {
  /** True when the map is affine (same CRS): exact everywhere, no approximation. */
  readonly affine: boolean;
  /** Transforms `count` points exactly. */
  transformExact(xs: Float64Array, ys: Float64Array, count: number): void;
  /**
   * Transforms one row of points (same y, increasing x), approximately within the
   * error threshold (exact when the threshold is 0 or the map is affine).
   */
  transformRow(xs: Float64Array, ys: Float64Array, count: number): void;
}

/** What a pixel transformer needs to know of each side. */
export interface PixelSpace {
  crs: string | null;
  transform: GeoTransform;
}

/**
 * A transformer from the pixel space of `target` to the pixel space of `source`.
 * `errorThreshold` is the largest error allowed by the approximation, in source
 * pixels (default 0.125, as GDAL's); 0 transforms every point exactly.
 */
export function createPixelTransformer(
  target: PixelSpace,
  source: PixelSpace,
  options: { errorThreshold?: number } = {},
): PixelTransformer {
  const errorThreshold = options.errorThreshold ?? DEFAULT_ERROR_THRESHOLD;
  if (!(errorThreshold >= 0))
    throw new GridError(`errorThreshold must be 0 or more; got ${errorThreshold}`);
  const t = target.transform;
  const inverse = invertGeotransform(source.transform);
  if ((target.crs === null) !== (source.crs === null)) {
    throw new GridError(
      `cannot warp between a grid with a CRS (${target.crs ?? source.crs}) and one without; give the raster a CRS first`,
    );
  }
  if (target.crs === source.crs) {
    // Both affine: compose them into one affine map, exact everywhere.
    const a0 = inverse[0] + inverse[1] * t[0] + inverse[2] * t[3];
    const a1 = inverse[1] * t[1] + inverse[2] * t[4];
    const a2 = inverse[1] * t[2] + inverse[2] * t[5];
    const b0 = inverse[3] + inverse[4] * t[0] + inverse[5] * t[3];
    const b1 = inverse[4] * t[1] + inverse[5] * t[4];
    const b2 = inverse[4] * t[2] + inverse[5] * t[5];
    const apply = (xs: Float64Array, ys: Float64Array, count: number): void => {
      for (let index = 0; index < count; index++) {
        const x = xs[index]!;
        const y = ys[index]!;
        xs[index] = a0 + a1 * x + a2 * y;
        ys[index] = b0 + b1 * x + b2 * y;
      }
    };
    return { affine: true, transformExact: apply, transformRow: apply };
  }
  const reproject = createTransformer(target.crs!, source.crs!);
  const exactPoint = (x: number, y: number): [number, number] => {
    const worldX = t[0] + x * t[1] + y * t[2];
    const worldY = t[3] + x * t[4] + y * t[5];
    let sourceX: number;
    let sourceY: number;
    try {
      [sourceX, sourceY] = reproject(worldX, worldY);
    } catch {
      return [Number.NaN, Number.NaN];
    }
    if (!Number.isFinite(sourceX) || !Number.isFinite(sourceY)) return [Number.NaN, Number.NaN];
    return [
      inverse[0] + inverse[1] * sourceX + inverse[2] * sourceY,
      inverse[3] + inverse[4] * sourceX + inverse[5] * sourceY,
    ];
  };
  const transformExact = (xs: Float64Array, ys: Float64Array, count: number): void => {
    for (let index = 0; index < count; index++) {
      const [x, y] = exactPoint(xs[index]!, ys[index]!);
      xs[index] = x;
      ys[index] = y;
    }
  };

  // Recursive subdivision as in GDAL's GDALApproxTransform: exact at both ends and
  // the middle; when the straight line misses the middle by more than the bound,
  // split in two and repeat; short runs are transformed exactly.
  const approximate = (
    xs: Float64Array,
    ys: Float64Array,
    start: number,
    end: number,
    startOut: [number, number],
    endOut: [number, number],
  ): void => {
    const count = end - start + 1;
    if (count <= 5 || !Number.isFinite(startOut[0]) || !Number.isFinite(endOut[0])) {
      for (let index = start + 1; index < end; index++) {
        const [x, y] = exactPoint(xs[index]!, ys[index]!);
        xs[index] = x;
        ys[index] = y;
      }
      xs[start] = startOut[0];
      ys[start] = startOut[1];
      xs[end] = endOut[0];
      ys[end] = endOut[1];
      return;
    }
    const middle = start + Math.floor((count - 1) / 2);
    const middleOut = exactPoint(xs[middle]!, ys[middle]!);
    const span = xs[end]! - xs[start]!;
    const fraction = (xs[middle]! - xs[start]!) / span;
    const error =
      Math.abs(startOut[0] + (endOut[0] - startOut[0]) * fraction - middleOut[0]) +
      Math.abs(startOut[1] + (endOut[1] - startOut[1]) * fraction - middleOut[1]);
    if (error <= errorThreshold) {
      const x0 = xs[start]!;
      const deltaX = (endOut[0] - startOut[0]) / span;
      const deltaY = (endOut[1] - startOut[1]) / span;
      for (let index = start; index <= end; index++) {
        const offset = xs[index]! - x0;
        xs[index] = startOut[0] + deltaX * offset;
        ys[index] = startOut[1] + deltaY * offset;
      }
      return;
    }
    // The middle point is shared: the second half starts from its exact value.
    const middleX = xs[middle]!;
    const middleY = ys[middle]!;
    approximate(xs, ys, start, middle, startOut, middleOut);
    xs[middle] = middleX;
    ys[middle] = middleY;
    approximate(xs, ys, middle, end, middleOut, endOut);
  };

  const transformRow = (xs: Float64Array, ys: Float64Array, count: number): void => {
    if (errorThreshold === 0 || count <= 5) {
      transformExact(xs, ys, count);
      return;
    }
    const startOut = exactPoint(xs[0]!, ys[0]!);
    const endOut = exactPoint(xs[count - 1]!, ys[count - 1]!);
    approximate(xs, ys, 0, count - 1, startOut, endOut);
  };
  return { affine: false, transformExact, transformRow };
}
