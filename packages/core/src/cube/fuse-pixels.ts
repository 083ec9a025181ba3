import type { DataType, TypedArray } from '../raster/data-type.js';
import { allocateArray, INTEGER_RANGES, isFloatType } from '../raster/data-type.js';
import type { FuseFunction, FusePlugin } from '../plugins/plugin-types.js';
import { PLUGIN_API_VERSION } from '../version.js';
import { FUSE_METHODS, type FuseMethod } from './cube-options.js';

/** True for the fusing methods built in: the named ones and percentiles `pNN`. */
export function isBuiltInFuse(method: string): method is FuseMethod {
  return (FUSE_METHODS as readonly string[]).includes(method) || percentileOf(method) !== undefined;
}

/**
 * A fuse function as a plugin: `registry.use(fusePlugin('max-ndvi', fn))`, then
 * `method: 'max-ndvi'` fuses with it in this thread and on workers whose registry has it.
 */
export function fusePlugin(id: string, fuse: FuseFunction): FusePlugin {
  return { kind: 'fuse', id, apiVersion: PLUGIN_API_VERSION, fuse };
}

/** The percentile a method names (`p25` → 25, `p2.5` → 2.5), or undefined for other methods. */
export function percentileOf(method: string): number | undefined {
  const match = /^p(\d+(?:\.\d+)?)$/.exec(method);
  if (!match) return undefined;
  const value = Number(match[1]);
  return value <= 100 ? value : undefined;
}

/**
 * The `percentile` (0–100) of sorted values, linear between the two nearest ranks as numpy's
 * `percentile` (default method): rank `p/100 × (n − 1)`. The 50th is numpy's median (the mean
 * of the two middle values for an even count).
 */
export function sortedPercentile(sorted: readonly number[], percentile: number): number {
  const rank = (percentile / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.min(below + 1, sorted.length - 1);
  const fraction = rank - below;
  const low = sorted[below]!;
  if (fraction === 0) return low;
  // Halfway (every even-count median) as the mean of the two, exact as numpy's nanmedian.
  if (fraction === 0.5) return (low + sorted[above]!) / 2;
  return low + (sorted[above]! - low) * fraction;
}

/**
 * Fuses warped layers (NaN = no data) pixel by pixel, pulling them one at a time
 * in fusing order. `first` and `last` stop pulling once every pixel is filled,
 * so later sources are never read. They take ownership of the layers: the
 * first readable layer is returned, filled in place from later ones.
 */
export async function fuseLayers(
  method: FuseMethod | FuseFunction,
  length: number,
  count: number,
  layerAt: (index: number) => Promise<Float64Array | undefined>,
): Promise<Float64Array> {
  if (typeof method === 'function') return fuseWith(method, length, count, layerAt);
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
  const percentile = method === 'median' ? 50 : percentileOf(method);
  if (percentile !== undefined) {
    // Order statistics need every layer of the step at once: memory is layers × chunk.
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
      output[index] = sortedPercentile(values, percentile);
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

/** Runs a fuse function per pixel over every layer of the step (unreadable layers count as no data). */
async function fuseWith(
  fuse: FuseFunction,
  length: number,
  count: number,
  layerAt: (index: number) => Promise<Float64Array | undefined>,
): Promise<Float64Array> {
  const layers: (Float64Array | undefined)[] = [];
  for (let step = 0; step < count; step++) layers.push(await layerAt(step));
  const output = new Float64Array(length);
  const values = new Float64Array(count);
  const valid = new Uint8Array(count);
  for (let index = 0; index < length; index++) {
    for (let layer = 0; layer < count; layer++) {
      const value = layers[layer]?.[index] ?? Number.NaN;
      values[layer] = value;
      valid[layer] = value === value ? 1 : 0;
    }
    const fused = fuse(values, valid);
    output[index] = typeof fused === 'number' ? fused : Number.NaN;
  }
  return output;
}

/**
 * How one valid float64 value is written to `dataType`: integer types round half up and
 * clamp, as GDAL writes warped integers; float types take it as it is.
 */
export function outputConverter(dataType: DataType): (value: number) => number {
  const range = INTEGER_RANGES[dataType];
  if (isFloatType(dataType) || !range) return (value) => value;
  const [low, high] = range;
  return (value) => Math.min(high, Math.max(low, Math.floor(value + 0.5)));
}

/** Float64 values (NaN = no data) → the output type: NaN becomes `nodata`, the rest {@link outputConverter}. */
export function toOutputArray(
  values: Float64Array,
  dataType: DataType,
  nodata: number,
): TypedArray {
  const output = allocateArray(dataType, values.length);
  const convert = outputConverter(dataType);
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    output[index] = value !== value ? nodata : convert(value);
  }
  return output;
}
