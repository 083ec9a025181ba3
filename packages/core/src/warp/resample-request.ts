// A planned resample as plain data, so another thread can run the kernels while this one
// goes on reading: the warp plan without its transformer (rebuilt from the two pixel
// spaces), the source pixels as read and their nodata. Kept apart from warp-raster.ts
// so a resample thread loads the kernels and the transformer, not the readers.
import type { GeoTransform } from '../grid/geotransform.js';
import type { Grid } from '../grid/grid.js';
import type { TypedArray } from '../raster/data-type.js';
import { giveBackFloat64, takeFloat64 } from '../raster/float64-pool.js';
import type { PixelWindow } from '../raster/raster-source.js';
import { createPixelTransformer, type PixelTransformer } from './approx-transformer.js';
import { resampleWindow } from './resample-window.js';
import type { Resampling } from './resampling.js';

/** One part of a planned warp (see `WarpPart`). */
export interface ResamplePart {
  targetWindow: PixelWindow;
  sourceWindow: PixelWindow;
  scale: [number, number];
}

/** What a resample needs, structured-clonable: no functions, no secrets. */
export interface ResampleRequest {
  /** The target grid (its CRS and transform place the target windows). */
  target: Grid;
  /** The source level read: its CRS and the level's geotransform. */
  source: { crs: string | null; transform: GeoTransform };
  errorThreshold?: number;
  resampling: Resampling;
  /** The level window the bands cover. */
  sourceWindow: PixelWindow;
  /** The target window to fill, and its parts as planned. */
  targetWindow: PixelWindow;
  parts: ResamplePart[];
  wrapColumn?: number;
  /** The source values as read, one array per band over `sourceWindow`. */
  bands: TypedArray[];
  /** Nodata per band (undefined: none). */
  nodata: (number | undefined)[];
  /** Over the target window: pixels set here are left NaN, not computed (a `first` fuse has them). */
  skip?: Uint8Array;
}

/**
 * Runs resamples somewhere: resolves to one float64 array per band over the target
 * window, NaN where no valid source pixel contributes, as {@link resampleRequest}.
 */
export type Resampler = (request: ResampleRequest) => Promise<Float64Array[]>;

/** Source values as float64 with NaN where the source has nodata (or NaN). */
export function toValidFloat64(values: TypedArray, nodata: number | undefined): Float64Array {
  const output = takeFloat64(values.length);
  const checkNodata = nodata !== undefined && !Number.isNaN(nodata);
  for (let index = 0; index < values.length; index++) {
    const value = Number(values[index]!);
    output[index] = checkNodata && value === nodata ? Number.NaN : value;
  }
  return output;
}

/** What {@link resampleValid} reads of a plan. */
export type ResampleLayout = Pick<
  ResampleRequest,
  'sourceWindow' | 'targetWindow' | 'parts' | 'resampling' | 'wrapColumn' | 'skip'
>;

/**
 * Resamples float64 source pixels (NaN = nodata, over `layout.sourceWindow`) onto
 * `layout.targetWindow`, part by part, each straight into its place.
 */
export function resampleValid(
  layout: ResampleLayout,
  transformer: PixelTransformer,
  bands: Float64Array[],
): Float64Array[] {
  const { width, height } = layout.targetWindow;
  // One source for every part: what resampleWindow works out about it is worked out once.
  const source = { bands, window: layout.sourceWindow };
  const only = layout.parts.length === 1 ? layout.parts[0]! : undefined;
  if (
    !layout.skip &&
    only &&
    only.targetWindow.width === width &&
    only.targetWindow.height === height
  ) {
    return resampleWindow(
      transformer,
      only.targetWindow,
      source,
      layout.resampling,
      only.scale,
      layout.wrapColumn,
    );
  }
  const outputs = bands.map(() => takeFloat64(width * height).fill(Number.NaN));
  for (const part of layout.parts) {
    resampleWindow(
      transformer,
      part.targetWindow,
      source,
      layout.resampling,
      part.scale,
      layout.wrapColumn,
      {
        outputs,
        width,
        x: part.targetWindow.x - layout.targetWindow.x,
        y: part.targetWindow.y - layout.targetWindow.y,
        skip: layout.skip,
      },
    );
  }
  return outputs;
}

/** Transformers rebuilt for requests, by their two pixel spaces: a thread sees the same few again and again. */
const transformers = new Map<string, PixelTransformer>();
const KEPT_TRANSFORMERS = 32;

function transformerFor(request: ResampleRequest): PixelTransformer {
  const key = JSON.stringify([
    request.target.crs,
    request.target.transform,
    request.source.crs,
    request.source.transform,
    request.errorThreshold,
  ]);
  let transformer = transformers.get(key);
  if (!transformer) {
    transformer = createPixelTransformer(
      request.target,
      request.source,
      request.errorThreshold === undefined ? {} : { errorThreshold: request.errorThreshold },
    );
    transformers.set(key, transformer);
    if (transformers.size > KEPT_TRANSFORMERS)
      transformers.delete(transformers.keys().next().value!);
  }
  return transformer;
}

/** Runs a request in this thread: nodata to NaN, then the planned kernels. */
export function resampleRequest(
  request: ResampleRequest,
  transformer: PixelTransformer = transformerFor(request),
): Float64Array[] {
  const values = request.bands.map((array, index) => toValidFloat64(array, request.nodata[index]));
  const data = resampleValid(request, transformer, values);
  values.forEach(giveBackFloat64);
  return data;
}
