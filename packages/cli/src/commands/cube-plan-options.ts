// `pyramids cube` options that shape the plan: --anchor, --alternate, --band-config,
// and reading back a plan printed by `--dry-run --plan`.
import { open, readFile } from 'node:fs/promises';
import {
  checkBandConfig,
  checkCubePlan,
  OptionError,
  parseAnchor,
  type BandConfig,
  type CubeOptions,
  type CubePlan,
  type GridAnchor,
} from '@pyramids/core';
import type { CubeCommandOptions } from './cube-command.js';

/** `--anchor edge|center|floating|FX,FY` as odc-stac's `anchor`. */
export function parseAnchorFlag(text: string): GridAnchor {
  const parts = text.split(',');
  const value = parts.length === 2 ? parts.map((part) => Number(part.trim())) : text.trim();
  try {
    return parseAnchor(value)!;
  } catch {
    throw new OptionError(
      `--anchor must be edge, center, floating or FX,FY (pixel fractions in [0, 1)); got '${text}'`,
    );
  }
}

/**
 * `--mask SCL=4,5,6` (classes kept), `--mask sentinel-2-l2a|landsat-c2-l2` (a preset) or
 * `--mask-bits QA_PIXEL=3,4` (bits that drop a pixel) as `CubeOptions.mask`.
 */
export function parseMaskFlags(
  mask: string | undefined,
  maskBits: string | undefined,
): CubeOptions['mask'] {
  if (mask !== undefined && maskBits !== undefined)
    throw new OptionError('pass --mask or --mask-bits, not both');
  const text = mask ?? maskBits;
  if (text === undefined) return undefined;
  const flag = mask !== undefined ? '--mask' : '--mask-bits';
  if (mask !== undefined && !mask.includes('=')) {
    if (mask === 'sentinel-2-l2a' || mask === 'landsat-c2-l2') return mask;
    throw new OptionError(
      `--mask ${mask}: use ASSET=VALUES (e.g. SCL=4,5,6) or a preset: sentinel-2-l2a, landsat-c2-l2`,
    );
  }
  const [asset, list] = text.split('=', 2) as [string, string | undefined];
  const values = (list ?? '').split(',').map((part) => Number(part.trim()));
  if (!asset || values.length === 0 || values.some((value) => !Number.isInteger(value)))
    throw new OptionError(
      `${flag} ${text}: use ASSET=${flag === '--mask' ? 'VALUES, e.g. SCL=4,5,6' : 'BITS, e.g. QA_PIXEL=3,4'}`,
    );
  return flag === '--mask'
    ? { asset, keep: values }
    : { asset, bits: Object.fromEntries(values.map((bit) => [`bit${bit}`, bit])) };
}

async function readJsonFile(
  file: string,
  flag: string,
  reviver?: (key: string, value: unknown) => unknown,
): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new OptionError(
      `${flag} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      { cause: error },
    );
  }
  try {
    return JSON.parse(text, reviver);
  } catch (error) {
    throw new OptionError(`${flag} ${file} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** `--band-config FILE.json`: per collection, band aliases and overrides (`bandConfig`). */
export async function readBandConfigFlag(file: string): Promise<BandConfig> {
  const config = (await readJsonFile(file, '--band-config')) as BandConfig;
  checkBandConfig(config);
  return config;
}

/**
 * The plan in `source` when it is a JSON file that `pyramids cube --dry-run --plan` wrote
 * (it starts with its `kind`); undefined for anything else (Items, stdin, other formats).
 */
export async function readCubePlanFile(source: string): Promise<CubePlan | undefined> {
  if (source === '-' || !/\.json$/i.test(source)) return undefined;
  const head = Buffer.alloc(256);
  try {
    const file = await open(source, 'r');
    try {
      await file.read(head, 0, head.length, 0);
    } finally {
      await file.close();
    }
  } catch {
    return undefined; // the Items reader says what is wrong with the file
  }
  if (!/^\s*\{\s*"kind"\s*:\s*"pyramids\.cube-plan"/.test(head.toString('utf8'))) return undefined;
  return checkCubePlan(await readJsonFile(source, 'the plan', reviveNodata));
}

/** Nodata as `--dry-run` prints it (`nan`, `inf`, `-inf`) back to numbers. */
function reviveNodata(key: string, value: unknown): unknown {
  if (key !== 'nodata' || typeof value !== 'string') return value;
  return value === 'nan'
    ? Number.NaN
    : value === 'inf'
      ? Infinity
      : value === '-inf'
        ? -Infinity
        : value;
}

/** Flags that shape a cube's plan; a plan file already fixed them. */
const PLAN_SHAPING_FLAGS: [keyof CubeCommandOptions, string][] = [
  ['crs', '--crs'],
  ['resolution', '--resolution'],
  ['bounds', '--bounds'],
  ['anchor', '--anchor'],
  ['like', '--like'],
  ['groupby', '--groupby'],
  ['method', '--method'],
  ['resampling', '--resampling'],
  ['bbox', '--bbox'],
  ['maxItems', '--max-items'],
  ['index', '--index'],
  ['datetime', '--datetime'],
  ['alternate', '--alternate'],
  ['bandConfig', '--band-config'],
  ['mask', '--mask'],
  ['maskBits', '--mask-bits'],
  ['dtype', '--dtype'],
  ['nodata', '--nodata'],
  ['rescale', '--rescale'],
  ['chunkSize', '--chunk-size'],
];

/** OptionError when a plan file comes with flags that would have planned another cube. */
export function refusePlanShapingFlags(flags: CubeCommandOptions): void {
  const given = PLAN_SHAPING_FLAGS.filter(([key]) => flags[key] !== undefined).map(
    ([, flag]) => flag,
  );
  if (flags.asset.length > 0) given.unshift('--asset');
  if (given.length > 0)
    throw new OptionError(
      `the input is a cube plan, which already fixes ${given.join(', ')}; drop them, or plan again from the Items`,
    );
}
