// Warping one raster onto a target grid as GDAL does: plan the source window and overview
// (planWarp), then resample (resamplePlanned), with plain copies for whole-pixel shifts.
// Kept in one file: the plan's fields are made and read only here.
import { OptionError } from '../errors/option-error.js';
import type { GeoTransform } from '../grid/geotransform.js';
import { isGeographic } from '../grid/crs.js';
import type { Grid } from '../grid/grid.js';
import type { TypedArray } from '../raster/data-type.js';
import { takeFloat64 } from '../raster/float64-pool.js';
import type { OverviewLevel, PixelWindow, RasterSource } from '../raster/raster-source.js';
import { createPixelTransformer, type PixelTransformer } from './approx-transformer.js';
import { chooseOverviewLevel, overviewRatio } from './choose-overview.js';
import { FILTER_RADIUS, kernelScale } from './resample-window.js';
import {
  resampleRequest,
  resampleValid,
  type ResampleRequest,
  type Resampler,
} from './resample-request.js';
import { isAreaResampling, parseResampling, type Resampling } from './resampling.js';

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
  /**
   * Runs the kernels elsewhere (e.g. `createResampleThreads` of `@pyramids/core/node`),
   * while this thread goes on reading; default: here. Whole-pixel shifts are copied here.
   */
  resampler?: Resampler;
  /**
   * Over the target window: pixels set here need no value (a `first` fuse already has
   * them) and are left NaN instead of resampled. Whole-pixel shifts copy every pixel.
   */
  skip?: Uint8Array;
}

/** What a warp will read: the level, the window of it (null when the target misses the source) and the kernel scale. */
export interface WarpPlan {
  level: number;
  /** Window of the level to read, or null when no source pixel is needed. */
  sourceWindow: PixelWindow | null;
  /** Target window filled. */
  targetWindow: PixelWindow;
  /** The target window in parts, each with the source window it needs and its kernel scale. */
  parts: WarpPart[];
  /** Target pixel → level pixel transformer. */
  transformer: PixelTransformer;
  resampling: Resampling;
  /**
   * For the area methods on a geographic source spanning 360° of longitude, read
   * whole: the level column at 180°, where footprints wrap into the first columns.
   */
  wrapColumn?: number;
  /**
   * Set when the target grid is the level's grid shifted by whole pixels, whatever
   * the resampling (gdalwarp then resamples as nearest): target pixel (x, y) is level pixel (x + shift[0], y + shift[1]),
   * so the warp is a plain copy and `sourceWindow` is exactly the pixels copied.
   */
  shift?: [number, number];
}

/** The warped pixels of one target window. */
export interface WarpResult {
  /** One array per band, row-major over the target window; NaN where no valid source pixel. */
  data: Float64Array[];
  window: PixelWindow;
  plan: WarpPlan;
}

/** One part of a planned warp: a target window, the level window it reads and the kernel scale per axis. */
export interface WarpPart {
  targetWindow: PixelWindow;
  sourceWindow: PixelWindow;
  /** 1 unless downsampling without a matching overview. */
  scale: [number, number];
}

/** What planning needs of a source: its grid and levels. */
export type WarpSourceShape = Pick<RasterSource, 'grid' | 'levels'>;

function sampleFootprint(
  transformer: PixelTransformer,
  window: PixelWindow,
): [number, number, number, number] | null {
  // As GDAL's ComputeSourceWindow: 21 points along each edge; a 21 × 21 lattice
  // when some edge point does not transform (a pole, a CRS's edge).
  const steps = 20;
  const collect = (grid: boolean) => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i <= steps; i++) {
      for (let j = 0; j <= steps; j++) {
        if (!grid && i !== 0 && i !== steps && j !== 0 && j !== steps) continue;
        xs.push(window.x + (window.width * i) / steps);
        ys.push(window.y + (window.height * j) / steps);
      }
    }
    const pointX = Float64Array.from(xs);
    const pointY = Float64Array.from(ys);
    transformer.transformExact(pointX, pointY, pointX.length);
    return { pointX, pointY };
  };
  let { pointX, pointY } = collect(false);
  if (pointX.some((value) => !Number.isFinite(value))) ({ pointX, pointY } = collect(true));
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

/** The source window GDAL computes for one target window, with its fill ratio and kernel scale. */
interface SourceWindowInfo {
  window: PixelWindow | null;
  fillRatio: number;
  scale: [number, number];
}

/**
 * GDAL's ComputeSourceWindow + kernel scale for one target window: the
 * footprint's bbox, clamped to the level, padded by the kernel's reach; the kernel
 * scale is the target size over the footprint's size clipped to the raster.
 */
function computeSourceWindow(
  transformer: PixelTransformer,
  window: PixelWindow,
  level: OverviewLevel,
  resampling: Resampling,
): SourceWindowInfo {
  const footprint = sampleFootprint(transformer, window);
  if (!footprint) return { window: null, fillRatio: 0, scale: [1, 1] };
  const [minX, minY, maxX, maxY] = footprint;
  const radius = FILTER_RADIUS[resampling];
  const axis = (min: number, max: number, targetSize: number, levelSize: number) => {
    const rawScale = targetSize / (max - min);
    const reach = rawScale < 0.95 ? Math.ceil(radius / rawScale) : radius;
    let clampedMin = Math.trunc(Math.max(0, min));
    let clampedMax = Math.trunc(Math.min(Math.ceil(max), levelSize));
    let rawSize = Math.max(0, Math.min(levelSize - clampedMin, max - min));
    // Covering more than 90% of the raster: take all of it (GDAL, for antimeridian discontinuities).
    if (clampedMax - clampedMin > 0.9 * levelSize) {
      clampedMin = 0;
      clampedMax = levelSize;
      rawSize = levelSize;
    }
    const offset = Math.max(0, clampedMin - reach);
    const size = Math.min(levelSize - offset, clampedMax - offset + reach);
    return { offset, size, reach, scale: rawSize > 0 ? kernelScale(targetSize, rawSize) : 1 };
  };
  const x = axis(minX, maxX, window.width, level.width);
  const y = axis(minY, maxY, window.height, level.height);
  const fillRatio =
    (Math.max(0, x.size) * Math.max(0, y.size)) /
    Math.max(1, (maxX - minX + 2 * x.reach) * (maxY - minY + 2 * y.reach));
  // One pixel more than GDAL reads on each side: the kernels treat the window edge as the raster edge.
  const x0 = Math.max(0, x.offset - 1);
  const y0 = Math.max(0, y.offset - 1);
  const x1 = Math.min(level.width, x.offset + x.size + 1);
  const y1 = Math.min(level.height, y.offset + y.size + 1);
  return {
    window:
      x.size > 0 && y.size > 0 && x1 > x0 && y1 > y0
        ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
        : null,
    fillRatio: x.size > 0 && y.size > 0 ? fillRatio : 0,
    scale: [x.scale, y.scale],
  };
}

/**
 * Splits a target window as GDAL's CollectChunkList does when the source covers
 * less than half of what the window asks for (its fill-ratio heuristic): halve
 * the longer side (width on ties) and recurse. Each part gets its own kernel
 * scale and approximate-transform rows, as in gdalwarp.
 */
function splitLikeGdal(
  transformer: PixelTransformer,
  window: PixelWindow,
  level: OverviewLevel,
  resampling: Resampling,
  parts: WarpPart[],
): void {
  const info = computeSourceWindow(transformer, window, level, resampling);
  if (info.fillRatio > 0 && info.fillRatio < 0.5 && (window.width > 100 || window.height > 100)) {
    if (window.width > window.height) {
      const half = Math.floor(window.width / 2);
      splitLikeGdal(transformer, { ...window, width: half }, level, resampling, parts);
      splitLikeGdal(
        transformer,
        { ...window, x: window.x + half, width: window.width - half },
        level,
        resampling,
        parts,
      );
    } else {
      const half = Math.floor(window.height / 2);
      splitLikeGdal(transformer, { ...window, height: half }, level, resampling, parts);
      splitLikeGdal(
        transformer,
        { ...window, y: window.y + half, height: window.height - half },
        level,
        resampling,
        parts,
      );
    }
    return;
  }
  if (info.window)
    parts.push({ targetWindow: window, sourceWindow: info.window, scale: info.scale });
}

/**
 * Source pixels per target pixel along each target axis, from the local
 * derivatives at the window centre (a rotation between grids does not count as
 * downsampling); the footprint's extent when the centre does not transform.
 * The fallback of overview choice when the source's extent cannot be mapped.
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
  return [
    (footprint[2] - footprint[0]) / window.width,
    (footprint[3] - footprint[1]) / window.height,
  ];
}

function checkWindow(window: PixelWindow, grid: Grid): void {
  if (
    !Number.isInteger(window.x) ||
    !Number.isInteger(window.y) ||
    !Number.isInteger(window.width) ||
    !Number.isInteger(window.height) ||
    window.width < 1 ||
    window.height < 1 ||
    window.x < 0 ||
    window.y < 0 ||
    window.x + window.width > grid.width ||
    window.y + window.height > grid.height
  ) {
    throw new OptionError(
      `target window ${JSON.stringify(window)} is not inside the target grid (${grid.width} × ${grid.height})`,
    );
  }
}

/**
 * Target pixel → level pixel offset when both grids share CRS, pixel size and
 * north-up axes and their origins differ by whole pixels; null otherwise. Nearest
 * resampling then picks pixel (x + shift) for every target pixel, as the general
 * kernel would: its sample points are off by far less than half a pixel.
 */
function wholePixelShift(
  target: Grid,
  sourceCrs: string | null,
  level: GeoTransform,
): [number, number] | null {
  const t = target.transform;
  if (target.crs !== sourceCrs || t[2] !== 0 || t[4] !== 0 || level[2] !== 0 || level[4] !== 0)
    return null;
  if (
    Math.abs(t[1] - level[1]) > 1e-9 * Math.abs(level[1]) ||
    Math.abs(t[5] - level[5]) > 1e-9 * Math.abs(level[5])
  )
    return null;
  const shiftX = (t[0] - level[0]) / level[1];
  const shiftY = (t[3] - level[3]) / level[5];
  const roundX = Math.round(shiftX);
  const roundY = Math.round(shiftY);
  if (Math.abs(shiftX - roundX) > 1e-6 || Math.abs(shiftY - roundY) > 1e-6) return null;
  // Math.round(-0.2) is -0: keep offsets plain integers.
  return [roundX + 0, roundY + 0];
}

/**
 * Plans a warp without reading: which level of the source suits the target
 * resolution and which window of it covers the target window (plus the kernel's
 * reach). Pure: depends only on the source's grid and levels and on the target.
 */
export function planWarp(
  source: WarpSourceShape,
  target: Grid,
  options: WarpOptions = {},
): WarpPlan {
  const resampling = parseResampling(options.resampling);
  const targetWindow = options.window ?? { x: 0, y: 0, width: target.width, height: target.height };
  checkWindow(targetWindow, target);
  const transformerOptions =
    options.errorThreshold === undefined ? {} : { errorThreshold: options.errorThreshold };
  const fullTransformer = createPixelTransformer(
    target,
    { crs: source.grid.crs, transform: source.grid.transform },
    transformerOptions,
  );
  const fullFootprint = sampleFootprint(fullTransformer, targetWindow);
  let level = options.level ?? 0;
  if (options.level === undefined && fullFootprint) {
    // From the source's whole extent, as gdalwarp; the window's local scale only when that cannot be measured.
    const ratio =
      overviewRatio(source.grid, target) ??
      Math.min(...sourcePixelsPerTargetPixel(fullTransformer, targetWindow, fullFootprint));
    level = chooseOverviewLevel(source.levels, ratio);
  }
  const levelInfo: OverviewLevel | undefined = source.levels[level];
  if (!levelInfo)
    throw new OptionError(
      `overview level ${level} does not exist; the source has levels 0..${source.levels.length - 1}`,
    );
  const transformer =
    level === 0
      ? fullTransformer
      : createPixelTransformer(
          target,
          { crs: source.grid.crs, transform: levelInfo.transform },
          transformerOptions,
        );
  // Any method: gdalwarp resamples a translation on pixel boundaries as nearest.
  const shift = wholePixelShift(target, source.grid.crs, levelInfo.transform);
  if (shift) {
    // Only the pixels copied are read: no kernel reach, no padding.
    const x0 = Math.max(0, targetWindow.x + shift[0]);
    const y0 = Math.max(0, targetWindow.y + shift[1]);
    const x1 = Math.min(levelInfo.width, targetWindow.x + targetWindow.width + shift[0]);
    const y1 = Math.min(levelInfo.height, targetWindow.y + targetWindow.height + shift[1]);
    if (x1 <= x0 || y1 <= y0)
      return { level, sourceWindow: null, targetWindow, parts: [], transformer, resampling, shift };
    const sourceWindow = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
    const part: WarpPart = { targetWindow, sourceWindow, scale: [1, 1] };
    return { level, sourceWindow, targetWindow, parts: [part], transformer, resampling, shift };
  }
  const parts: WarpPart[] = [];
  splitLikeGdal(transformer, targetWindow, levelInfo, resampling, parts);
  if (parts.length === 0)
    return { level, sourceWindow: null, targetWindow, parts, transformer, resampling };
  const x0 = Math.min(...parts.map((part) => part.sourceWindow.x));
  const y0 = Math.min(...parts.map((part) => part.sourceWindow.y));
  const x1 = Math.max(...parts.map((part) => part.sourceWindow.x + part.sourceWindow.width));
  const y1 = Math.max(...parts.map((part) => part.sourceWindow.y + part.sourceWindow.height));
  const wrapColumn =
    isAreaResampling(resampling) && x0 === 0 && x1 === levelInfo.width
      ? antimeridianColumn(source.grid.crs, levelInfo)
      : undefined;
  return {
    level,
    sourceWindow: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
    targetWindow,
    parts,
    transformer,
    resampling,
    wrapColumn,
  };
}

/**
 * The level column at 180°E when the source is geographic, north-up and spans 360°
 * of longitude (within half a pixel); undefined otherwise. gdalwarp's transformer
 * wraps longitudes from 180° on, so its area kernel then runs on into column 0.
 */
function antimeridianColumn(crs: string | null, level: OverviewLevel): number | undefined {
  const [originX, pixelWidth, rotation] = level.transform;
  if (!crs || rotation !== 0 || !(pixelWidth > 0) || !isGeographic(crs)) return undefined;
  if (Math.abs(pixelWidth * level.width - 360) > pixelWidth / 2) return undefined;
  return (180 - originX) / pixelWidth;
}

/**
 * The plain copy of a whole-pixel-shift plan: each band's pixels over
 * `plan.sourceWindow` straight into float64 target windows, nodata (and NaN) as
 * NaN, in one pass with no float64 copy of the source in between.
 */
function copyShifted(
  plan: WarpPlan & { shift: [number, number] },
  bands: TypedArray[],
  nodata: (number | undefined)[],
): Float64Array[] {
  const { width, height } = plan.targetWindow;
  return bands.map((values, band) => {
    const output = new Float64Array(width * height).fill(Number.NaN);
    const source = plan.sourceWindow;
    if (!source) return output;
    const missing = nodata[band];
    const checkNodata = missing !== undefined && !Number.isNaN(missing);
    const startX = source.x - plan.shift[0] - plan.targetWindow.x;
    const startY = source.y - plan.shift[1] - plan.targetWindow.y;
    for (let row = 0; row < source.height; row++) {
      let from = row * source.width;
      let to = (startY + row) * width + startX;
      const end = from + source.width;
      if (checkNodata) {
        for (; from < end; from++, to++) {
          const value = Number(values[from]!);
          output[to] = value === missing ? Number.NaN : value;
        }
      } else {
        for (; from < end; from++, to++) output[to] = Number(values[from]!);
      }
    }
    return output;
  });
}

/** Resamples pixels already read (one array per band over `plan.sourceWindow`, NaN = nodata) as planned. */
export function resamplePlanned(plan: WarpPlan, bands: Float64Array[]): Float64Array[] {
  if (plan.shift) return copyShifted({ ...plan, shift: plan.shift }, bands, []);
  if (!plan.sourceWindow) {
    const { width, height } = plan.targetWindow;
    return bands.map(() => takeFloat64(width * height).fill(Number.NaN));
  }
  return resampleValid({ ...plan, sourceWindow: plan.sourceWindow }, plan.transformer, bands);
}

/**
 * A warp's pixels before any float64 conversion. For a whole-pixel shift (`plan.shift`),
 * the source's own typed values over `plan.sourceWindow` and the nodata of each band, so
 * a caller can copy them into an output of the same type; otherwise the resampled float64
 * result (NaN where no valid source pixel).
 */
export type WarpedPixels =
  | {
      kind: 'shifted';
      plan: WarpPlan & { shift: [number, number] };
      values: TypedArray[];
      nodata: (number | undefined)[];
    }
  | { kind: 'resampled'; plan: WarpPlan; data: Float64Array[] };

/** Plans and reads a warp; resamples unless the plan is a whole-pixel shift (see {@link WarpedPixels}). */
export async function warpRasterPixels(
  source: RasterSource,
  target: Grid,
  options: WarpOptions = {},
): Promise<WarpedPixels> {
  const plan = planWarp(source, target, options);
  const bands = options.bands ?? source.bands.map((_, index) => index);
  for (const band of bands) {
    if (!Number.isInteger(band) || band < 0 || band >= source.bands.length) {
      throw new OptionError(
        `band index ${band} does not exist; the source has bands 0..${source.bands.length - 1}`,
      );
    }
  }
  const nodata = bands.map((band, index) => options.nodata?.[index] ?? source.bands[band]!.nodata);
  if (!plan.sourceWindow) {
    const empty = bands.map(() => new Float64Array(0));
    return { kind: 'resampled', plan, data: resamplePlanned(plan, empty) };
  }
  options.signal?.throwIfAborted();
  const raw = await source.read({
    window: plan.sourceWindow,
    bands,
    level: plan.level,
    signal: options.signal,
  });
  if (plan.shift)
    return { kind: 'shifted', plan: { ...plan, shift: plan.shift }, values: raw, nodata };
  const request: ResampleRequest = {
    target,
    source: { crs: source.grid.crs, transform: source.levels[plan.level]!.transform },
    errorThreshold: options.errorThreshold,
    resampling: plan.resampling,
    sourceWindow: plan.sourceWindow,
    targetWindow: plan.targetWindow,
    parts: plan.parts,
    wrapColumn: plan.wrapColumn,
    bands: raw,
    nodata,
    skip: options.skip,
  };
  const data = options.resampler
    ? await options.resampler(request)
    : resampleRequest(request, plan.transformer);
  return { kind: 'resampled', plan, data };
}

/** The float64 target windows of warped pixels (a shifted copy converted, nodata as NaN). */
export function warpedToFloat64(pixels: WarpedPixels): Float64Array[] {
  return pixels.kind === 'shifted'
    ? copyShifted(pixels.plan, pixels.values, pixels.nodata)
    : pixels.data;
}

/**
 * Warps a window of `source` onto `target` (any CRS, any resolution): picks the
 * overview level that suits the target resolution, reads only the source window
 * the target needs, and resamples with GDAL's semantics, honouring nodata.
 * An aborted read rethrows the abort.
 */
export async function warpRaster(
  source: RasterSource,
  target: Grid,
  options: WarpOptions = {},
): Promise<WarpResult> {
  const pixels = await warpRasterPixels(source, target, options);
  return { data: warpedToFloat64(pixels), window: pixels.plan.targetWindow, plan: pixels.plan };
}
