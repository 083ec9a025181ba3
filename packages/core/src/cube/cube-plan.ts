// The cube as data: what `fromStac` decides before any pixel is read. `planCube` runs
// the planner's steps in order — check options, select Items, choose the grid, resolve
// bands, group into time steps, plan sources — and returns a plain, JSON-friendly
// `CubePlan` that `pyramids cube --dry-run --json` prints and `DatasetCollection.fromPlan` runs.
import { OptionError } from '../errors/option-error.js';
import { StacAssetError } from '../errors/stac-asset-error.js';
import type { Grid } from '../grid/grid.js';
import type { DataType } from '../raster/data-type.js';
import { hasAsset } from '../stac/accessors.js';
import { toItems } from '../stac/items.js';
import type { ItemsInput, StacItem } from '../stac/stac-types.js';
import type { Resampling } from '../warp/resampling.js';
import { applyBandConfig } from './band-config.js';
import { checkCubeOptions, type CheckedCubeOptions } from './check-cube-options.js';
import {
  indexGridOptions,
  isIndexInput,
  itemsFromIndex,
  openItemIndex,
  type ItemIndex,
} from './item-index.js';
import { redactHref } from '../signers/redact.js';
import { chooseTargetGrid } from './choose-target-grid.js';
import type { CubeOptions } from './cube-options.js';
import { groupItems, itemIntersectsBbox } from './group-items.js';
import { createItemAssetLookup } from './item-asset-lookup.js';
import { checkAssetsAligned, planSources, type PlannedSource } from './plan-sources.js';
import { resolveBands } from './resolve-bands.js';
import { maskAssetOf, type CubeMask } from './cube-mask.js';

/** One band of the cube: an asset, with its output type and nodata, and what the source says. */
export interface CubeBand {
  /** Band name: the asset key. */
  name: string;
  asset: string;
  /** Output data type of the cube's arrays. */
  dataType: DataType;
  /** Output nodata. */
  nodata: number;
  /** Scale and offset still to apply to output values (1 and 0 once rescaled). */
  scale: number;
  offset: number;
  unit?: string;
  /** What the first item says about the source band. */
  source: { dataType: DataType; nodata?: number; scale?: number; offset?: number };
}

/** One time step: its label, time and the items fused into it. */
export interface CubeTimeStep {
  label: string;
  datetime: Date | undefined;
  items: { id: string; collection?: string; properties: Record<string, unknown> }[];
}

/**
 * Everything a cube is, decided from Items and (where they say too little) file headers:
 * the grid, bands, time steps and, per time step and band, the sources in fusing order.
 * Plain data: no function, no secret (pre-signed hrefs are planned without their query).
 */
export interface CubePlan {
  kind: 'pyramids.cube-plan';
  version: 1;
  grid: Grid;
  bands: CubeBand[];
  steps: CubeTimeStep[];
  /** sources[time][band] in fusing order. */
  sources: PlannedSource[][][];
  /** The default resampling, and per band name those `resampling: { NAME: … }` chose. */
  resampling: Resampling;
  resamplingByBand: Record<string, Resampling>;
  /** A built-in method, a registered fuse plugin's id, or `(function)` for a function passed as `method`. */
  method: string;
  /** True when scale/offset are applied (float32, NaN nodata). */
  rescale: boolean;
  errorsAsNodata: boolean;
  errorThreshold?: number;
  chunkSize: [number, number];
  concurrency: number;
  /** Items the cube was built from (after filters). */
  itemCount: number;
}

// Pre-signed hrefs of a plan, kept beside it so that printing or posting the plan never
// carries them; a plan rebuilt from JSON has none and its reads are signed by the signer.
const signedHrefsOfPlan = new WeakMap<CubePlan, Map<string, string>>();

/** The pre-signed hrefs `planCube` found for `plan` (unsigned href → signed), empty for other plans. */
export function planSignedHrefs(plan: CubePlan): ReadonlyMap<string, string> {
  return signedHrefsOfPlan.get(plan) ?? new Map();
}

/**
 * The Items a cube is built from: `bandConfig` applied, `bbox` and `maxItems` filters,
 * then those with every asset (others dropped with `skipMissing`, else an error).
 * @throws StacAssetError when no Item is left, or one lacks an asset without `skipMissing`.
 */
export function selectItems(
  input: ItemsInput | unknown[],
  assets: string[],
  options: Pick<CubeOptions, 'bandConfig' | 'bbox' | 'maxItems' | 'skipMissing'>,
): StacItem[] {
  let items = applyBandConfig(
    Array.isArray(input) ? input.flatMap((entry) => toItems(entry)) : toItems(input),
    options.bandConfig,
  );
  if (options.bbox) items = items.filter((item) => itemIntersectsBbox(item, options.bbox!));
  if (options.maxItems !== undefined) items = items.slice(0, options.maxItems);
  if (items.length === 0) {
    throw new StacAssetError(
      options.bbox
        ? `no item intersects bbox ${JSON.stringify(options.bbox)}`
        : 'no items to build a cube from',
    );
  }
  const kept: StacItem[] = [];
  for (const item of items) {
    const missing = assets.filter((asset) => !hasAsset(item, asset));
    if (missing.length === 0) kept.push(item);
    else if (!options.skipMissing) {
      throw new StacAssetError(
        `asset '${missing[0]}' not found on item ${item.id}; available: ${Object.keys(item.assets).join(', ') || '(none)'}. ` +
          'Pass skipMissing to drop such items',
        { details: { item: item.id, asset: missing[0], available: Object.keys(item.assets) } },
      );
    }
  }
  if (kept.length === 0) {
    throw new StacAssetError(
      `none of the ${items.length} item(s) has all of the assets ${assets.join(', ')}; check the asset keys`,
      { details: { assets } },
    );
  }
  return kept;
}

/** The Items that have the mask's asset (others dropped with `skipMissing`, else an error). */
function withMaskAsset(
  items: StacItem[],
  mask: CubeMask | undefined,
  options: Pick<CubeOptions, 'skipMissing'>,
): StacItem[] {
  if (!mask) return items;
  const keys = typeof mask.asset === 'string' ? [mask.asset] : mask.asset;
  const kept = items.filter((item) => {
    if (maskAssetOf(item, mask)) return true;
    if (options.skipMissing) return false;
    throw new StacAssetError(
      `mask asset ${keys.map((key) => `'${key}'`).join(' or ')} not found on item ${item.id}; available: ${Object.keys(item.assets).join(', ') || '(none)'}. ` +
        'Pass skipMissing to drop such items',
      { details: { item: item.id, asset: keys[0] } },
    );
  });
  if (kept.length === 0)
    throw new StacAssetError(
      `none of the ${items.length} item(s) has the mask asset ${keys.join(' or ')}`,
    );
  return kept;
}

/**
 * Plans the cube `DatasetCollection.fromStac(input, options)` builds, reading no pixel
 * (headers only where the Items lack projection or raster metadata). See `CubeOptions`.
 */
export async function planCube(
  input: ItemsInput | ItemIndex | string | unknown[],
  options: CubeOptions,
): Promise<CubePlan> {
  const checked = checkCubeOptions(options);
  const { assets, method } = checked;
  options.signal?.throwIfAborted();
  if (isIndexInput(input)) return planCubeFromIndex(input, options, checked);
  const items = withMaskAsset(selectItems(input, assets, options), checked.mask, options);
  const lookup = createItemAssetLookup(options);
  try {
    if (options.align === false) await checkAssetsAligned(items, assets, lookup);
    const bands = await resolveBands(items, assets, { ...options, method }, lookup);
    const grid = await chooseTargetGrid(
      items,
      assets,
      { ...options, anchor: checked.anchor },
      lookup,
    );
    const groups = groupItems(items, options.groupby, options.preserveOrder === true);
    const { sources, signedHrefs } = await planSources(groups, assets, grid, lookup, checked.mask);
    const plan: CubePlan = {
      kind: 'pyramids.cube-plan',
      version: 1,
      grid,
      bands,
      steps: groups.map((group) => ({
        label: group.label,
        datetime: group.datetime,
        items: group.items.map((item) => {
          const step: CubeTimeStep['items'][number] = { id: item.id, properties: item.properties };
          if (typeof item.collection === 'string') step.collection = item.collection;
          return step;
        }),
      })),
      sources,
      resampling: checked.resampling,
      resamplingByBand: checked.resamplingByBand,
      method,
      rescale: options.rescale === true,
      errorsAsNodata: options.errorsAsNodata === true,
      chunkSize: checked.chunkSize,
      concurrency: checked.concurrency,
      itemCount: items.length,
    };
    if (options.errorThreshold !== undefined) plan.errorThreshold = options.errorThreshold;
    signedHrefsOfPlan.set(plan, signedHrefs);
    return plan;
  } finally {
    lookup.close();
  }
}

/**
 * An index (or the path/URL of one): the grid first, from the options alone; then the Items
 * meeting each chunk of it, looked up chunk by chunk; then the plan of those Items on that grid.
 */
async function planCubeFromIndex(
  input: ItemIndex | string,
  options: CubeOptions,
  checked: CheckedCubeOptions,
): Promise<CubePlan> {
  const index = typeof input === 'string' ? await openItemIndex(input, options) : input;
  try {
    const lookup = createItemAssetLookup(options);
    let grid: Grid;
    try {
      grid = await chooseTargetGrid(
        [],
        checked.assets,
        { ...indexGridOptions(options), anchor: checked.anchor },
        lookup,
      );
    } finally {
      lookup.close();
    }
    const items = await itemsFromIndex(index, grid, checked.chunkSize, {
      datetime: options.datetime,
      signal: options.signal,
    });
    if (items.length === 0)
      throw new StacAssetError(
        `no Item of the index${index.href ? ` ${redactHref(index.href)}` : ''} meets the cube's grid` +
          (options.datetime ? ` in ${options.datetime}` : '') +
          '; check bounds/bbox, crs and datetime',
      );
    return await planCube(items, {
      ...options,
      like: grid,
      crs: undefined,
      resolution: undefined,
      bounds: undefined,
      anchor: undefined,
    });
  } finally {
    if (typeof input === 'string') await index.close?.();
  }
}

/** OptionError unless `value` looks like a plan `planCube` made (e.g. one read back from JSON). */
export function checkCubePlan(value: unknown): CubePlan {
  const plan = value as Partial<CubePlan> | null;
  if (
    !plan ||
    typeof plan !== 'object' ||
    plan.kind !== 'pyramids.cube-plan' ||
    plan.version !== 1 ||
    !plan.grid ||
    !Array.isArray(plan.bands) ||
    !Array.isArray(plan.steps) ||
    !Array.isArray(plan.sources) ||
    plan.sources.length !== plan.steps.length
  )
    throw new OptionError(
      'not a cube plan of this version: make one with planCube (or pyramids cube --dry-run --json)',
    );
  return plan as CubePlan;
}
