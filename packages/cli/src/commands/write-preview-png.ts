import { writeFile } from 'node:fs/promises';
import { encode } from 'fast-png';
import type { CubeArray } from '@pyramids/core';

/** The value at `fraction` (0–1) of the sorted finite values, by nearest rank. */
function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.round(fraction * (sorted.length - 1))))
  ]!;
}

/**
 * Writes a PNG quicklook of one time step of a cube: three or more bands → RGB
 * from the first three, otherwise the first band in grey; each band stretched
 * from its 2nd to its 98th percentile; nodata transparent.
 */
export async function writePreviewPng(
  file: string,
  array: CubeArray,
  nodata: number[],
  time = 0,
): Promise<void> {
  const [, bandCount, height, width] = array.shape;
  const size = width * height;
  const channels = bandCount >= 3 ? [0, 1, 2] : [0, 0, 0];
  const rgba = new Uint8Array(size * 4);
  const valid = new Uint8Array(size).fill(1);
  const planes = channels.map((band) => {
    const start = (time * bandCount + band) * size;
    return array.data.subarray(start, start + size) as unknown as ArrayLike<number>;
  });
  channels.forEach((band, channel) => {
    const plane = planes[channel]!;
    const missing = nodata[band];
    for (let index = 0; index < size; index++) {
      const value = Number(plane[index]);
      if (!Number.isFinite(value) || value === missing) valid[index] = 0;
    }
  });
  channels.forEach((band, channel) => {
    const plane = planes[channel]!;
    const values: number[] = [];
    for (let index = 0; index < size; index++) if (valid[index]) values.push(Number(plane[index]));
    const sorted = Float64Array.from(values).sort();
    const low = percentile(sorted, 0.02);
    const high = percentile(sorted, 0.98);
    const span = high > low ? high - low : 1;
    for (let index = 0; index < size; index++) {
      if (!valid[index]) continue;
      rgba[index * 4 + channel] = Math.round(
        Math.min(1, Math.max(0, (Number(plane[index]) - low) / span)) * 255,
      );
    }
    void band;
  });
  for (let index = 0; index < size; index++) rgba[index * 4 + 3] = valid[index] ? 255 : 0;
  await writeFile(file, encode({ width, height, data: rgba, channels: 4, depth: 8 }));
}
