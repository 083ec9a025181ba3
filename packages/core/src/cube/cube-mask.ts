// Masks at read: a classification or bit band of the same Item (Sentinel-2 SCL, Landsat
// QA_PIXEL, …) read with nearest onto each chunk, so pixels it rejects are nodata in
// that Item's layers before fusing — `groupby: 'solar_day'` with `first` then fills a
// cloud from the next Item of the day.
import { OptionError } from '../errors/option-error.js';
import { hasAsset } from '../stac/accessors.js';
import type { StacItem } from '../stac/stac-types.js';

/**
 * A mask: the asset holding it, and which values keep a pixel (`keep`: class values, as
 * SCL's 4, 5, 6) or which set bits drop it (`bits`: bit numbers by name, as QA_PIXEL's
 * `{ cloud: 3, shadow: 4 }`). The mask's own nodata (and pixels outside it) drop too.
 */
export interface CubeMask {
  /** Asset key of the mask band; a list tries each key in turn on every Item (`['SCL', 'scl']`). */
  asset: string | string[];
  keep?: readonly number[];
  bits?: Record<string, number>;
}

/** Mask presets for well-known collections. */
export type CubeMaskPreset = 'sentinel-2-l2a' | 'landsat-c2-l2';

/**
 * Presets. Sentinel-2 L2A keeps the SCL classes 2 (dark area), 4 (vegetation), 5 (not
 * vegetated), 6 (water), 7 (unclassified) and 11 (snow), dropping 0 (no data),
 * 1 (saturated), 3 (cloud shadow), 8–9 (cloud) and 10 (cirrus). Landsat Collection 2
 * Level-2 drops QA_PIXEL bits 0 (fill), 1 (dilated cloud), 2 (cirrus), 3 (cloud) and
 * 4 (cloud shadow). Asset keys as Planetary Computer, Earth Search and USGS spell them.
 */
export const CUBE_MASK_PRESETS: Record<CubeMaskPreset, CubeMask> = {
  'sentinel-2-l2a': { asset: ['SCL', 'scl'], keep: [2, 4, 5, 6, 7, 11] },
  'landsat-c2-l2': {
    asset: ['qa_pixel', 'QA_PIXEL'],
    bits: { fill: 0, dilatedCloud: 1, cirrus: 2, cloud: 3, shadow: 4 },
  },
};

/** The mask as chunk tasks carry it: what a pixel needs to be kept. */
export interface MaskRule {
  /** Kept class values; absent: every value not dropped by `bits`. */
  keep?: number[];
  /** Bit numbers that drop a pixel when set. */
  bits?: number[];
}

/** `mask` checked: a preset name or `{ asset, keep | bits }`; undefined when absent. */
export function parseMaskOption(value: unknown): (CubeMask & { rule: MaskRule }) | undefined {
  if (value === undefined) return undefined;
  const mask =
    typeof value === 'string' ? CUBE_MASK_PRESETS[value as CubeMaskPreset] : (value as CubeMask);
  const presets = Object.keys(CUBE_MASK_PRESETS).join(', ');
  if (!mask || typeof mask !== 'object')
    throw new OptionError(
      `mask must be a preset (${presets}) or { asset, keep } / { asset, bits }; got ${JSON.stringify(value)}`,
    );
  const assets = typeof mask.asset === 'string' ? [mask.asset] : mask.asset;
  if (
    !Array.isArray(assets) ||
    assets.length === 0 ||
    assets.some((key) => !key || typeof key !== 'string')
  )
    throw new OptionError(
      `mask needs the asset key of the mask band; got ${JSON.stringify(mask.asset)}`,
    );
  if ((mask.keep === undefined) === (mask.bits === undefined))
    throw new OptionError(
      'mask needs exactly one of keep (class values to keep) or bits (bits that drop a pixel)',
    );
  if (
    mask.keep !== undefined &&
    (!Array.isArray(mask.keep) ||
      mask.keep.length === 0 ||
      mask.keep.some((v) => !Number.isFinite(v)))
  )
    throw new OptionError(
      `mask keep must be a non-empty list of values; got ${JSON.stringify(mask.keep)}`,
    );
  const bits = mask.bits === undefined ? undefined : Object.values(mask.bits);
  if (
    mask.bits !== undefined &&
    (typeof mask.bits !== 'object' ||
      bits!.length === 0 ||
      bits!.some((bit) => !Number.isInteger(bit) || bit < 0 || bit > 31))
  )
    throw new OptionError(
      `mask bits must name bit numbers 0–31, e.g. { cloud: 3, shadow: 4 }; got ${JSON.stringify(mask.bits)}`,
    );
  return { ...mask, rule: mask.keep ? { keep: [...mask.keep] } : { bits } };
}

/** The mask's asset key on `item`: the first of the mask's keys the Item has. */
export function maskAssetOf(item: StacItem, mask: CubeMask): string | undefined {
  const keys = typeof mask.asset === 'string' ? [mask.asset] : mask.asset;
  return keys.find((key) => hasAsset(item, key));
}

/**
 * Which pixels of a mask layer (NaN = the mask's nodata) keep their value: 1 kept, 0 dropped.
 */
export function keptPixels(layer: Float64Array, rule: MaskRule): Uint8Array {
  const kept = new Uint8Array(layer.length);
  const keep = rule.keep ? new Set(rule.keep) : undefined;
  let bitMask = 0;
  for (const bit of rule.bits ?? []) bitMask |= 1 << bit;
  for (let index = 0; index < layer.length; index++) {
    const value = layer[index]!;
    if (value !== value) continue; // the mask's nodata
    kept[index] = keep ? (keep.has(value) ? 1 : 0) : (value & bitMask) === 0 ? 1 : 0;
  }
  return kept;
}
