// `first` and `last` straight into the output type: each pixel takes the value of one
// layer, so nothing needs a float64 copy. A layer that is a whole-pixel shift of its
// source (the native grid, nearest) is copied from the source's own typed values; any
// other layer (resampled, masked, rescaled) is converted pixel by pixel as toOutputArray does.
import { allocateArray, dataTypeOf } from '../raster/data-type.js';
import type { DataType, TypedArray } from '../raster/data-type.js';
import type { WarpedPixels } from '../warp/warp-raster.js';
import { giveBackFloat64 } from '../raster/float64-pool.js';
import { outputConverter } from './fuse-pixels.js';

/**
 * Fuses layers with `first` (or `last`): pulls them one at a time in that order, each
 * pixel keeping the first valid value it gets, and stops pulling once every pixel is
 * filled, so later sources are never read, and tells each layer which pixels are
 * filled already, so it need not resample them. Returns the band in `dataType`, `nodata`
 * where no layer had a valid value: the same values as fusing float64 layers and then
 * `toOutputArray`.
 */
export async function pickLayers(
  method: 'first' | 'last',
  dataType: DataType,
  nodata: number,
  length: number,
  count: number,
  layerAt: (index: number, filled?: Uint8Array) => Promise<WarpedPixels | undefined>,
): Promise<TypedArray> {
  const output = allocateArray(dataType, length);
  if (nodata !== 0) output.fill(nodata);
  const filled = new Uint8Array(length);
  const convert = outputConverter(dataType);
  let missing = length;
  for (let step = 0; step < count && missing > 0; step++) {
    // Pixels already filled need not be resampled: the layer may leave them out.
    const layer = await layerAt(
      method === 'first' ? step : count - 1 - step,
      missing < length ? filled : undefined,
    );
    if (!layer) continue;
    if (layer.kind === 'shifted') {
      missing -= pickShifted(layer, output, filled, dataType, convert);
      continue;
    }
    missing -= pickFloat(layer.data[0]!, output, filled, convert);
    // Nothing else holds a layer once picked from: its buffer serves the next warp.
    giveBackFloat64(layer.data[0]!);
  }
  return output;
}

/** Fills unfilled pixels from a float64 layer (NaN = no data); returns how many it filled. */
function pickFloat(
  layer: Float64Array,
  output: TypedArray,
  filled: Uint8Array,
  convert: (value: number) => number,
): number {
  let count = 0;
  for (let index = 0; index < layer.length; index++) {
    const value = layer[index]!;
    // x !== x is NaN, without a call in this hot loop.
    if (filled[index] || value !== value) continue;
    output[index] = convert(value);
    filled[index] = 1;
    count++;
  }
  return count;
}

/**
 * Fills unfilled pixels from a shifted copy's source values (the source's nodata and NaN
 * are no data); a plain typed copy when the source has the output's type. Returns how many it filled.
 */
function pickShifted(
  layer: Extract<WarpedPixels, { kind: 'shifted' }>,
  output: TypedArray,
  filled: Uint8Array,
  dataType: DataType,
  convert: (value: number) => number,
): number {
  const { plan } = layer;
  const source = plan.sourceWindow;
  if (!source) return 0;
  const values = layer.values[0]!;
  const missingValue = layer.nodata[0];
  // NaN never equals itself, so an absent or NaN nodata rejects nothing here.
  const rejected = missingValue === undefined ? Number.NaN : missingValue;
  const sameType = dataTypeOf(values) === dataType;
  const width = plan.targetWindow.width;
  const startX = source.x - plan.shift[0] - plan.targetWindow.x;
  const startY = source.y - plan.shift[1] - plan.targetWindow.y;
  let count = 0;
  for (let row = 0; row < source.height; row++) {
    let from = row * source.width;
    let to = (startY + row) * width + startX;
    const end = from + source.width;
    for (; from < end; from++, to++) {
      if (filled[to]) continue;
      const value = values[from]!;
      if (value === rejected || value !== value) continue;
      output[to] = sameType ? value : convert(value);
      filled[to] = 1;
      count++;
    }
  }
  return count;
}
