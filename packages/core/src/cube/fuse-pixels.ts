import type { DataType, TypedArray } from '../raster/data-type.js';
import { allocateArray, INTEGER_RANGES, isFloatType } from '../raster/data-type.js';
import type { FuseMethod } from './cube-options.js';

/**
 * Fuses warped layers (NaN = no data) pixel by pixel, pulling them one at a time
 * in fusing order. `first` and `last` stop pulling once every pixel is filled,
 * so later sources are never read. They take ownership of the layers: the
 * first readable layer is returned, filled in place from later ones.
 */
export async function fuseLayers(
  method: FuseMethod,
  length: number,
  count: number,
  layerAt: (index: number) => Promise<Float64Array | undefined>,
): Promise<Float64Array> {
  if (method === 'first' || method === 'last') {
    let output: Float64Array | undefined;
    let missing = length;
    for (let step = 0; step < count && missing > 0; step++) {
      const layer = await layerAt(method === 'first' ? step : count - 1 - step);
      if (!layer) continue;
      if (!output) {
        // The first readable layer becomes the output, filled in place by later ones:
        // layers are fresh arrays of `length` values that nothing else holds.
        output = layer;
        missing = 0;
        for (let index = 0; index < length; index++) if (output[index] !== output[index]) missing++;
        continue;
      }
      for (let index = 0; index < length; index++) {
        const value = layer[index]!;
        // x !== x is NaN, without a call in this hot loop.
        if (output[index] !== output[index] && value === value) {
          output[index] = value;
          missing--;
        }
      }
    }
    return output ?? new Float64Array(length).fill(Number.NaN);
  }
  const output = new Float64Array(length).fill(Number.NaN);
  if (method === 'median') {
    const layers: Float64Array[] = [];
    for (let step = 0; step < count; step++) {
      const layer = await layerAt(step);
      if (layer) layers.push(layer);
    }
    const values: number[] = [];
    for (let index = 0; index < length; index++) {
      values.length = 0;
      for (const layer of layers) if (!Number.isNaN(layer[index]!)) values.push(layer[index]!);
      if (values.length === 0) continue;
      values.sort((a, b) => a - b);
      const middle = values.length >> 1;
      // As numpy's nanmedian: the mean of the two middle values for an even count.
      output[index] =
        values.length % 2 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2;
    }
    return output;
  }
  const counts = new Uint32Array(length);
  for (let step = 0; step < count; step++) {
    const layer = await layerAt(step);
    if (!layer) continue;
    for (let index = 0; index < length; index++) {
      const value = layer[index]!;
      if (Number.isNaN(value)) continue;
      const current = output[index]!;
      if (method === 'mean') output[index] = counts[index] === 0 ? value : current + value;
      else if (method === 'min')
        output[index] = counts[index] === 0 || value < current ? value : current;
      else if (method === 'max')
        output[index] = counts[index] === 0 || value > current ? value : current;
      counts[index]!++;
    }
  }
  if (method === 'count') return Float64Array.from(counts);
  if (method === 'mean')
    for (let index = 0; index < length; index++)
      if (counts[index]! > 0) output[index] = output[index]! / counts[index]!;
  return output;
}

/**
 * Float64 values (NaN = no data) → the output type: NaN becomes `nodata`;
 * integer types round half up and clamp, as GDAL writes warped integers.
 */
export function toOutputArray(
  values: Float64Array,
  dataType: DataType,
  nodata: number,
): TypedArray {
  const output = allocateArray(dataType, values.length);
  const range = INTEGER_RANGES[dataType];
  if (isFloatType(dataType) || !range) {
    for (let index = 0; index < values.length; index++)
      output[index] = Number.isNaN(values[index]!) ? nodata : values[index]!;
    return output;
  }
  const [low, high] = range;
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    output[index] = Number.isNaN(value)
      ? nodata
      : Math.min(high, Math.max(low, Math.floor(value + 0.5)));
  }
  return output;
}
