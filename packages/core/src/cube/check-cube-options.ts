// Validation of `CubeOptions` before any Item is looked at: every bad value is an
// OptionError naming the option, so nothing is read for a cube that cannot be built.
import { OptionError } from '../errors/option-error.js';
import { parseResampling, type Resampling } from '../warp/resampling.js';
import { isBuiltInFuse } from './fuse-pixels.js';
import { parseTimePeriod } from './time-periods.js';
import { FUNCTION_FUSE, FUSE_METHODS, type CubeOptions } from './cube-options.js';
import { parseAnchor, type GridAnchor } from './choose-target-grid.js';
import { parseMaskOption, type CubeMask, type MaskRule } from './cube-mask.js';

/** The options `planCube` derives from `CubeOptions`, checked. */
export interface CheckedCubeOptions {
  assets: string[];
  /** A built-in method, a registered fuse plugin's id, or FUNCTION_FUSE for a function. */
  method: string;
  resampling: Resampling;
  resamplingByBand: Record<string, Resampling>;
  chunkSize: [number, number];
  concurrency: number;
  anchor: GridAnchor | undefined;
  /** The mask, with the rule chunk tasks apply. */
  mask: (CubeMask & { rule: MaskRule }) | undefined;
}

function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new OptionError(`${name} must be a positive integer; got ${JSON.stringify(value)}`);
  return value;
}

function checkBox(value: unknown, name: string, shape: string): void {
  if (
    value !== undefined &&
    (!Array.isArray(value) ||
      value.length !== 4 ||
      value.some((entry) => typeof entry !== 'number' || !Number.isFinite(entry)))
  )
    throw new OptionError(`${name} must be ${shape}; got ${JSON.stringify(value)}`);
}

/** Checks `options` and derives what planning needs; OptionError on the first bad value. */
export function checkCubeOptions(options: CubeOptions): CheckedCubeOptions {
  if (!options || typeof options !== 'object' || !options.registry)
    throw new OptionError(
      'fromStac needs options with a registry: createRegistry().use(geotiffReader())',
    );
  const assets =
    typeof options.asset === 'string'
      ? [options.asset]
      : Array.isArray(options.asset)
        ? options.asset
        : [];
  if (assets.length === 0 || assets.some((asset) => typeof asset !== 'string' || asset === '')) {
    throw new OptionError(
      `asset must be an asset key or a non-empty list of keys; got ${JSON.stringify(options.asset)}`,
    );
  }
  if (new Set(assets).size !== assets.length)
    throw new OptionError(`asset lists a key twice: ${assets.join(', ')}`);
  const fuse = typeof options.method === 'function' ? options.method : undefined;
  const method = fuse ? FUNCTION_FUSE : (options.method ?? 'first');
  if (
    !fuse &&
    (typeof method !== 'string' || (!isBuiltInFuse(method) && !options.registry.getFuse(method)))
  ) {
    const plugins = options.registry.fuses.map((plugin) => plugin.id);
    throw new OptionError(
      `unknown method ${JSON.stringify(method)}; use one of ${FUSE_METHODS.join(', ')}, or a percentile p0…p100 (p25, p75)` +
        (plugins.length
          ? `, or a registered fuse: ${plugins.join(', ')}`
          : ', or register a fuse plugin (fusePlugin) under that name'),
    );
  }
  // A period groupby that does not tile the calendar fails here, before any Item is read.
  if (typeof options.groupby === 'string') parseTimePeriod(options.groupby);
  const { resampling, resamplingByBand } = parseResamplingOption(options.resampling, assets);
  const gridOptions = (['crs', 'resolution', 'bounds'] as const).filter(
    (name) => options[name] !== undefined,
  );
  if (options.like !== undefined && gridOptions.length > 0) {
    throw new OptionError(
      `pass either like or crs + resolution (+ bounds), not both; got like and ${gridOptions.join(', ')}`,
    );
  }
  if (gridOptions.length > 0 && (options.crs === undefined || options.resolution === undefined)) {
    throw new OptionError(
      `a target grid needs crs and resolution together (and optionally bounds); got only ${gridOptions.join(', ')}`,
    );
  }
  checkBox(options.bounds, 'bounds', '[minX, minY, maxX, maxY]');
  checkBox(options.bbox, 'bbox', '[west, south, east, north] in degrees');
  if (options.maxItems !== undefined) positiveInteger(options.maxItems, 'maxItems');
  const anchor = parseAnchor(options.anchor);
  const mask = parseMaskOption(options.mask);
  if (anchor !== undefined && options.like !== undefined)
    throw new OptionError('anchor snaps a grid pyramids chooses; it does not apply with like');
  const size = options.chunkSize ?? 1024;
  const chunkSize: [number, number] = typeof size === 'number' ? [size, size] : [size[0], size[1]];
  chunkSize.forEach((value) => positiveInteger(value, 'chunkSize'));
  const concurrency = positiveInteger(options.concurrency ?? 4, 'concurrency');
  return {
    assets,
    method: method as string,
    resampling,
    resamplingByBand,
    chunkSize,
    concurrency,
    anchor,
    mask,
  };
}

/**
 * `resampling` as one method, or per band name (`{ SCL: 'nearest', '*': 'bilinear' }`, `'*'`
 * for the other bands, default nearest): categorical bands (classes, bit masks) need nearest
 * while reflectance reads better smoothed.
 */
function parseResamplingOption(
  value: CubeOptions['resampling'],
  assets: string[],
): { resampling: Resampling; resamplingByBand: Record<string, Resampling> } {
  if (value === undefined || typeof value === 'string')
    return { resampling: parseResampling(value), resamplingByBand: {} };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new OptionError(
      `resampling must be a method or { band: method, '*': method }; got ${JSON.stringify(value)}`,
    );
  const resamplingByBand: Record<string, Resampling> = {};
  for (const [band, method] of Object.entries(value)) {
    if (band !== '*' && !assets.includes(band))
      throw new OptionError(
        `resampling names the band ${JSON.stringify(band)}, which the cube does not have; its bands: ${assets.join(', ')} (or '*' for the rest)`,
      );
    if (band !== '*') resamplingByBand[band] = parseResampling(method);
  }
  return { resampling: parseResampling(value['*']), resamplingByBand };
}
