// Pixel scans for toStacItem: band statistics, histograms and valid-pixel masks,
// read strip by strip so memory stays bounded whatever the raster's size.
import type { TypedArray } from '../raster/data-type.js';
import type { BandInfo, RasterSource } from '../raster/raster-source.js';

/** Statistics of one band, as the STAC raster extension spells them. */
export interface BandStatistics {
  minimum: number;
  maximum: number;
  mean: number;
  stddev: number;
  valid_percent: number;
}

/** A histogram, as the STAC raster extension spells it. */
export interface BandHistogram {
  count: number;
  min: number;
  max: number;
  buckets: number[];
}

/** Pixels read per strip (all bands of a strip together). */
const STRIP_PIXELS = 1 << 20;

/**
 * A test for invalid values of a band: its nodata value (compared at the band's
 * own precision, so a float32 nodata of -3.4e38 matches), and NaN in float bands.
 */
export function invalidValueTest(band: BandInfo): (value: number) => boolean {
  const isFloat =
    band.dataType === 'float16' || band.dataType === 'float32' || band.dataType === 'float64';
  const nodata = band.nodata;
  if (nodata === undefined) return isFloat ? (value) => Number.isNaN(value) : () => false;
  const stored =
    band.dataType === 'float32' || band.dataType === 'float16' ? Math.fround(nodata) : nodata;
  if (Number.isNaN(stored)) return (value) => Number.isNaN(value);
  return isFloat ? (value) => value === stored || Number.isNaN(value) : (value) => value === stored;
}

/** One strip of rows of a level, with one array per requested band. */
export interface Strip {
  row: number;
  height: number;
  width: number;
  data: TypedArray[];
}

/** Reads a whole level strip by strip (bands are 0-based indexes). */
export async function* readStrips(
  source: RasterSource,
  level: number,
  bands: number[],
  signal?: AbortSignal,
): AsyncGenerator<Strip> {
  const info = source.levels[level]!;
  const rows = Math.max(1, Math.floor(STRIP_PIXELS / Math.max(1, info.width * bands.length)));
  for (let row = 0; row < info.height; row += rows) {
    signal?.throwIfAborted();
    const height = Math.min(rows, info.height - row);
    const data = await source.read({
      window: { x: 0, y: row, width: info.width, height },
      bands,
      level,
      signal,
    });
    yield { row, height, width: info.width, data };
  }
}

/**
 * Statistics (and, with `buckets`, a histogram) of each band of a level, ignoring
 * nodata and NaN. Bands without a valid pixel get no statistics.
 */
export async function computeBandStatistics(
  source: RasterSource,
  options: { level?: number; buckets?: number; signal?: AbortSignal } = {},
): Promise<{
  statistics: (BandStatistics | undefined)[];
  histograms: (BandHistogram | undefined)[];
}> {
  const level = options.level ?? 0;
  const bands = source.bands.map((_, index) => index);
  const tests = source.bands.map(invalidValueTest);
  const count = new Float64Array(bands.length);
  const sum = new Float64Array(bands.length);
  const sumSquares = new Float64Array(bands.length);
  const minimum = new Float64Array(bands.length).fill(Infinity);
  const maximum = new Float64Array(bands.length).fill(-Infinity);
  let total = 0;
  for await (const strip of readStrips(source, level, bands, options.signal)) {
    total += strip.width * strip.height;
    strip.data.forEach((array, band) => {
      const invalid = tests[band]!;
      for (let index = 0; index < array.length; index++) {
        const value = Number(array[index]);
        if (invalid(value) || !Number.isFinite(value)) continue;
        count[band]!++;
        sum[band]! += value;
        sumSquares[band]! += value * value;
        if (value < minimum[band]!) minimum[band] = value;
        if (value > maximum[band]!) maximum[band] = value;
      }
    });
  }
  const statistics = bands.map((band): BandStatistics | undefined => {
    const n = count[band]!;
    if (n === 0) return undefined;
    const mean = sum[band]! / n;
    const variance = Math.max(0, sumSquares[band]! / n - mean * mean);
    return {
      minimum: minimum[band]!,
      maximum: maximum[band]!,
      mean,
      stddev: Math.sqrt(variance),
      valid_percent: (100 * n) / total,
    };
  });
  const histograms: (BandHistogram | undefined)[] = bands.map(() => undefined);
  const bucketCount = options.buckets;
  if (bucketCount !== undefined && bucketCount >= 3) {
    const counts = bands.map(() => new Array<number>(bucketCount).fill(0));
    for await (const strip of readStrips(source, level, bands, options.signal)) {
      strip.data.forEach((array, band) => {
        const stats = statistics[band];
        if (!stats) return;
        const invalid = tests[band]!;
        const width = stats.maximum - stats.minimum;
        for (let index = 0; index < array.length; index++) {
          const value = Number(array[index]);
          if (invalid(value) || !Number.isFinite(value)) continue;
          const bucket =
            width === 0
              ? 0
              : Math.min(
                  bucketCount - 1,
                  Math.floor(((value - stats.minimum) / width) * bucketCount),
                );
          counts[band]![bucket]!++;
        }
      });
    }
    bands.forEach((band) => {
      const stats = statistics[band];
      if (stats)
        histograms[band] = {
          count: bucketCount,
          min: stats.minimum,
          max: stats.maximum,
          buckets: counts[band]!,
        };
    });
  }
  return { statistics, histograms };
}

/**
 * A boolean mask of the valid pixels (valid in any band) of a level, decimated
 * by `step` (a mask cell is valid when its sampled pixel is).
 */
export async function validMask(
  source: RasterSource,
  level: number,
  step: number,
  signal?: AbortSignal,
): Promise<{ mask: Uint8Array; width: number; height: number; validCount: number }> {
  const info = source.levels[level]!;
  const width = Math.ceil(info.width / step);
  const height = Math.ceil(info.height / step);
  const mask = new Uint8Array(width * height);
  const bands = source.bands.map((_, index) => index);
  const tests = source.bands.map(invalidValueTest);
  let validCount = 0;
  for await (const strip of readStrips(source, level, bands, signal)) {
    for (let localRow = 0; localRow < strip.height; localRow++) {
      const row = strip.row + localRow;
      if (row % step !== 0) continue;
      const maskRow = row / step;
      for (let col = 0; col < info.width; col += step) {
        const offset = localRow * strip.width + col;
        let valid = false;
        for (let band = 0; band < bands.length && !valid; band++)
          valid = !tests[band]!(Number(strip.data[band]![offset]));
        if (valid) {
          mask[maskRow * width + col / step] = 1;
          validCount++;
        }
      }
    }
  }
  return { mask, width, height, validCount };
}
