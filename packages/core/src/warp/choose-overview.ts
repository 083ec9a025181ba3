import type { Grid } from '../grid/grid.js';
import type { OverviewLevel } from '../raster/raster-source.js';
import { createPixelTransformer } from './approx-transformer.js';

/**
 * The overview level to read for a target that samples the source at `ratio`
 * level-0 pixels per target pixel, chosen as `gdalwarp` does by default (`-ovr
 * AUTO`): walking from full resolution towards coarser levels, stop at the level
 * whose decimation factor is below the ratio while the next one is above it, or
 * at the first level within 0.1 of the ratio. The data read is thus never
 * coarser than the target needs.
 */
export function chooseOverviewLevel(levels: readonly OverviewLevel[], ratio: number): number {
  if (levels.length <= 1 || !(ratio > 1)) return 0;
  const factor = (level: number) => levels[0]!.width / levels[level]!.width;
  let level = 0;
  for (; level < levels.length - 1; level++) {
    if (factor(level) < ratio && factor(level + 1) > ratio) break;
    if (Math.abs(factor(level) - ratio) < 0.1) break;
  }
  return level;
}

/** Points per side of the lattices that measure the scale between the grids. */
const LATTICE_POINTS = 10;

type GridShape = Pick<Grid, 'crs' | 'transform' | 'width' | 'height'>;

/** Bounds [minX, minY, maxX, maxY] of the points that mapped, and how many did. */
function mappedBounds(
  xs: Float64Array,
  ys: Float64Array,
): { bounds: [number, number, number, number]; mapped: number } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  let mapped = 0;
  for (let point = 0; point < xs.length; point++) {
    const x = xs[point]!;
    const y = ys[point]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    mapped++;
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  return { bounds: [minX, minY, maxX, maxY], mapped };
}

/** A `LATTICE_POINTS` × `LATTICE_POINTS` lattice over [x0, x1] × [y0, y1], edges included. */
function lattice(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): { xs: Float64Array; ys: Float64Array } {
  const count = LATTICE_POINTS * LATTICE_POINTS;
  const xs = new Float64Array(count);
  const ys = new Float64Array(count);
  let index = 0;
  for (let i = 0; i < LATTICE_POINTS; i++) {
    for (let j = 0; j < LATTICE_POINTS; j++) {
      xs[index] = x0 + ((x1 - x0) * i) / (LATTICE_POINTS - 1);
      ys[index] = y0 + ((y1 - y0) * j) / (LATTICE_POINTS - 1);
      index++;
    }
  }
  return { xs, ys };
}

/**
 * Source pixels per target pixel for overview choice, measured as gdalwarp
 * measures it when given target bounds and size: a lattice over the target is
 * mapped into source pixels, and the ratio is the size of its image over the
 * target's size, per axis, the smaller of the two (#7019 in GDAL). The target
 * is the whole grid clipped to the source's own footprint, never the chunk being
 * filled: a chunk that reaches past the source's edge reads the same level as one
 * inside it, and a grid far larger than the source (a continent-wide cube) is
 * not measured where the projection to the source's CRS distorts. Null when the
 * grids do not overlap or too few points map; the caller then falls back to a
 * local measure.
 */
export function overviewRatio(source: GridShape, target: GridShape): number | null {
  // The source's footprint in target pixels (roles swapped: source pixels in, target pixels out).
  const toTarget = createPixelTransformer(
    { crs: source.crs, transform: source.transform },
    { crs: target.crs, transform: target.transform },
    { errorThreshold: 0 },
  );
  const outline = lattice(0, 0, source.width, source.height);
  toTarget.transformExact(outline.xs, outline.ys, outline.xs.length);
  const footprint = mappedBounds(outline.xs, outline.ys);
  let [x0, y0, x1, y1] = [0, 0, target.width, target.height];
  if (footprint.mapped >= outline.xs.length / 2) {
    x0 = Math.max(x0, footprint.bounds[0]);
    y0 = Math.max(y0, footprint.bounds[1]);
    x1 = Math.min(x1, footprint.bounds[2]);
    y1 = Math.min(y1, footprint.bounds[3]);
    if (!(x1 > x0) || !(y1 > y0)) return null;
  }
  const toSource = createPixelTransformer(
    { crs: target.crs, transform: target.transform },
    { crs: source.crs, transform: source.transform },
    { errorThreshold: 0 },
  );
  const points = lattice(x0, y0, x1, y1);
  toSource.transformExact(points.xs, points.ys, points.xs.length);
  const image = mappedBounds(points.xs, points.ys);
  if (image.mapped < points.xs.length / 2) return null;
  const [minX, minY, maxX, maxY] = image.bounds;
  const ratios = [(maxX - minX) / (x1 - x0), (maxY - minY) / (y1 - y0)].filter(
    (ratio) => ratio > 0,
  );
  return ratios.length > 0 ? Math.min(...ratios) : null;
}
