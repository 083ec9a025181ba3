import { OptionError } from '../errors/option-error.js';
import type { Grid } from '../grid/grid.js';
import type { TypedArray } from '../raster/data-type.js';
import type { OverviewLevel, PixelWindow, RasterSource } from '../raster/raster-source.js';
import { createPixelTransformer, type PixelTransformer } from './approx-transformer.js';
import { chooseOverviewLevel } from './choose-overview.js';
import { FILTER_RADIUS, kernelScale, resampleWindow } from './resample-window.js';
import { parseResampling, type Resampling } from './resampling.js';

/** Options of `warpRaster` and `planWarp`. */
export interface WarpOptions {
  /** Resampling method (default `nearest`). */
  resampling?: Resampling;
  /** 0-based source bands to warp; all when omitted. */
  bands?: number[];
  /** Window of the target grid to fill; the whole grid when omitted. */
  window?: PixelWindow;
  /** Source level to read (0 = full resolution); chosen from the target resolution when omitted. */
  level?: number;
  /** Nodata per requested band, overriding the source's own (undefined = use the source's). */
  nodata?: (number | undefined)[];
  /** Largest error of the approximate transformer in source pixels (default 0.125; 0 = exact). */
  errorThreshold?: number;
  signal?: AbortSignal;
}

/** What a warp will read: the level, the window of it (null when the target misses the source) and the kernel scale. */
export interface WarpPlan {
  level: number;
  /** Window of the level to read, or null when no source pixel is needed. */
  sourceWindow: PixelWindow | null;
  /** Target window filled. */
  targetWindow: PixelWindow;
  /** Kernel scale per axis (1 unless downsampling without a matching overview). */
  scale: [number, number];
  /** Target pixel → level pixel transformer. */
  transformer: PixelTransformer;
  resampling: Resampling;
}

/** The warped pixels of one target window. */
export interface WarpResult {
  /** One array per band, row-major over the target window; NaN where no valid source pixel. */
  data: Float64Array[];
  window: PixelWindow;
  plan: WarpPlan;
}

/** What planning needs of a source: its grid and levels. */
export type WarpSourceShape = Pick<RasterSource, 'grid' | 'levels'>;

function sampleFootprint(transformer: PixelTransformer, window: PixelWindow): [number, number, number, number] | null {
  // Edges densely (21 steps, as GDAL's ComputeSourceWindow) plus an interior lattice,
  // so a footprint that bulges or wraps is still covered.
  const steps = 20;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i <= steps; i++) {
    const fraction = i / steps;
    for (let j = 0; j <= steps; j += i === 0 || i === steps ? 1 : 4) {
      xs.push(window.x + window.width * fraction);
      ys.push(window.y + window.height * (j / steps));
    }
  }
  const pointX = Float64Array.from(xs);
  const pointY = Float64Array.from(ys);
  transformer.transformExact(pointX, pointY, pointX.length);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let index = 0; index < pointX.length; index++) {
    const x = pointX[index]!;
    const y = pointY[index]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  return Number.isFinite(minX) ? [minX, minY, maxX, maxY] : null;
}

/**
 * Source pixels per target pixel along each target axis, from the local
 * derivatives at the window centre (a rotation between grids does not count as
 * downsampling); the footprint's extent when the centre does not transform.
 */
function sourcePixelsPerTargetPixel(
  transformer: PixelTransformer,
  window: PixelWindow,
  footprint: [number, number, number, number],
): [number, number] {
  const centreX = window.x + window.width / 2;
  const centreY = window.y + window.height / 2;
  const xs = Float64Array.of(centreX, centreX + 1, centreX);
  const ys = Float64Array.of(centreY, centreY, centreY + 1);
  transformer.transformExact(xs, ys, 3);
  const perX = Math.hypot(xs[1]! - xs[0]!, ys[1]! - ys[0]!);
  const perY = Math.hypot(xs[2]! - xs[0]!, ys[2]! - ys[0]!);
  if (Number.isFinite(perX) && Number.isFinite(perY) && perX > 0 && perY > 0) return [perX, perY];
  return [(footprint[2] - footprint[0]) / window.width, (footprint[3] - footprint[1]) / window.height];
}

function checkWindow(window: PixelWindow, grid: Grid): void {
  if (
    !Number.isInteger(window.x) || !Number.isInteger(window.y) || !Number.isInteger(window.width) || !Number.isInteger(window.height) ||
    window.width < 1 || window.height < 1 || window.x < 0 || window.y < 0 ||
    window.x + window.width > grid.width || window.y + window.height > grid.height
  ) {
    throw new OptionError(`target window ${JSON.stringify(window)} is not inside the target grid (${grid.width} × ${grid.height})`);
  }
}

/**
 * Plans a warp without reading: which level of the source suits the target
 * resolution and which window of it covers the target window (plus the kernel's
 * reach). Pure: depends only on the source's grid and levels and on the target.
 */
export function planWarp(source: WarpSourceShape, target: Grid, options: WarpOptions = {}): WarpPlan {
  const resampling = parseResampling(options.resampling);
  const targetWindow = options.window ?? { x: 0, y: 0, width: target.width, height: target.height };
  checkWindow(targetWindow, target);
  const transformerOptions = options.errorThreshold === undefined ? {} : { errorThreshold: options.errorThreshold };
  const fullTransformer = createPixelTransformer(target, { crs: source.grid.crs, transform: source.grid.transform }, transformerOptions);
  const fullFootprint = sampleFootprint(fullTransformer, targetWindow);
  let level = options.level ?? 0;
  if (options.level === undefined && fullFootprint) {
    const [perX, perY] = sourcePixelsPerTargetPixel(fullTransformer, targetWindow, fullFootprint);
    level = chooseOverviewLevel(source.levels, Math.min(perX, perY));
  }
  const levelInfo: OverviewLevel | undefined = source.levels[level];
  if (!levelInfo) throw new OptionError(`overview level ${level} does not exist; the source has levels 0..${source.levels.length - 1}`);
  const transformer =
    level === 0 ? fullTransformer : createPixelTransformer(target, { crs: source.grid.crs, transform: levelInfo.transform }, transformerOptions);
  const footprint = level === 0 ? fullFootprint : sampleFootprint(transformer, targetWindow);
  if (!footprint) return { level, sourceWindow: null, targetWindow, scale: [1, 1], transformer, resampling };
  const radius = FILTER_RADIUS[resampling];
  const axis = (min: number, max: number, targetSize: number, levelSize: number) => {
    // As GDAL's ComputeSourceWindow and WarpRegion: the reach grows when the kernel is
    // stretched, and the kernel scale is the target size over the footprint's size
    // clipped to the raster (so a footprint cut by the raster edge is not "downsampling").
    const rawScale = targetSize / (max - min);
    const reach = rawScale < 0.95 ? Math.ceil(radius / rawScale) : radius;
    const start = Math.max(0, Math.floor(min) - reach - 1);
    const end = Math.min(levelSize, Math.ceil(max) + reach + 1);
    const clippedSize = Math.max(0, Math.min(levelSize - Math.max(0, Math.floor(min) - reach), max - min));
    return { start, end, scale: clippedSize > 0 ? kernelScale(targetSize, clippedSize) : 1 };
  };
  const x = axis(footprint[0], footprint[2], targetWindow.width, levelInfo.width);
  const y = axis(footprint[1], footprint[3], targetWindow.height, levelInfo.height);
  const scale: [number, number] = [x.scale, y.scale];
  const sourceWindow = x.end > x.start && y.end > y.start ? { x: x.start, y: y.start, width: x.end - x.start, height: y.end - y.start } : null;
  return { level, sourceWindow, targetWindow, scale, transformer, resampling };
}

/** Source values as float64 with NaN where the source has nodata (or NaN). */
export function toValidFloat64(values: TypedArray, nodata: number | undefined): Float64Array {
  const output = new Float64Array(values.length);
  const checkNodata = nodata !== undefined && !Number.isNaN(nodata);
  for (let index = 0; index < values.length; index++) {
    const value = Number(values[index]!);
    output[index] = checkNodata && value === nodata ? Number.NaN : value;
  }
  return output;
}

/** Resamples pixels already read (one array per band over `plan.sourceWindow`) as planned. */
export function resamplePlanned(plan: WarpPlan, bands: Float64Array[]): Float64Array[] {
  if (!plan.sourceWindow) return bands.map(() => new Float64Array(plan.targetWindow.width * plan.targetWindow.height).fill(Number.NaN));
  return resampleWindow(plan.transformer, plan.targetWindow, { bands, window: plan.sourceWindow }, plan.resampling, plan.scale);
}

/**
 * Warps a window of `source` onto `target` (any CRS, any resolution): picks the
 * overview level that suits the target resolution, reads only the source window
 * the target needs, and resamples with GDAL's semantics, honouring nodata.
 * An aborted read rethrows the abort.
 */
export async function warpRaster(source: RasterSource, target: Grid, options: WarpOptions = {}): Promise<WarpResult> {
  const plan = planWarp(source, target, options);
  const bands = options.bands ?? source.bands.map((_, index) => index);
  for (const band of bands) {
    if (!Number.isInteger(band) || band < 0 || band >= source.bands.length) {
      throw new OptionError(`band index ${band} does not exist; the source has bands 0..${source.bands.length - 1}`);
    }
  }
  if (!plan.sourceWindow) return { data: resamplePlanned(plan, bands.map(() => new Float64Array(0))), window: plan.targetWindow, plan };
  options.signal?.throwIfAborted();
  const raw = await source.read({
    window: plan.sourceWindow,
    bands,
    level: plan.level,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const values = raw.map((array, index) => toValidFloat64(array, options.nodata?.[index] ?? source.bands[bands[index]!]!.nodata));
  return { data: resamplePlanned(plan, values), window: plan.targetWindow, plan };
}
