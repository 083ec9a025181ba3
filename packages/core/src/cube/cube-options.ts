import type { ChunkResult, ChunkTask } from './chunk-task.js';
import type { Dataset } from '../dataset/dataset.js';
import type { Bounds, Grid } from '../grid/grid.js';
import type { Registry } from '../plugins/registry.js';
import type { DataType } from '../raster/data-type.js';
import type { Signer } from '../signers/signer.js';
import type { AlternateChoice } from '../stac/alternate-href.js';
import type { BandConfig } from './band-config.js';
import type { StacItem } from '../stac/stac-types.js';
import type { Resampling } from '../warp/resampling.js';
import type { Resampler } from '../warp/resample-request.js';
import type { GridAnchor } from './choose-target-grid.js';
import type { CubeMask, CubeMaskPreset } from './cube-mask.js';
import type { FuseFunction } from '../plugins/plugin-types.js';

/**
 * How items become time steps: a built-in key, a calendar period for composites (`P1D`, `P1W`,
 * `P1M`, `P2M`, `P3M`, `P4M`, `P6M`, `P1Y`, `season`), any property name, or a function of the Item.
 */
export type GroupBy =
  | 'solar_day'
  | 'time'
  | 'id'
  | 'P1D'
  | 'P1W'
  | 'P1M'
  | 'P3M'
  | 'P1Y'
  | 'season'
  | (string & {})
  | ((item: StacItem) => string | number | Date);

/**
 * How the items of one time step are fused into one pixel: a named method, or a percentile
 * `pNN` (0–100, e.g. `p25`, `p90`; linear between ranks as numpy's `nanpercentile`).
 */
export type FuseMethod =
  'first' | 'last' | 'min' | 'max' | 'mean' | 'median' | 'count' | `p${number}`;

/**
 * A fusing method as `CubeOptions.method` takes it: a built-in one, the id of a registered
 * fuse plugin (`fusePlugin`), or a function of one pixel's values (this thread only).
 */
export type FuseOption = FuseMethod | FuseFunction | (string & {});

/** `CubePlan.method` of a cube fused by a function passed as `method` (not a plugin). */
export const FUNCTION_FUSE = '(function)';

/** Every named fusing method (percentiles `pNN` besides). */
export const FUSE_METHODS: readonly FuseMethod[] = [
  'first',
  'last',
  'min',
  'max',
  'mean',
  'median',
  'count',
];

/** Options of `DatasetCollection.fromStac`, after pyramids.stac and odc-stac. */
export interface CubeOptions {
  /** The readers (and signers) to open assets with. */
  registry: Registry;
  /** One asset key (one band per time step) or several, stacked on the band axis in this order. */
  asset: string | string[];
  /** Resample assets at other native grids onto the first asset's grid (default true); false refuses a mismatch. */
  align?: boolean;
  /**
   * Drop pixels per Item before fusing, by a classification or bit band of the same Item:
   * `{ asset: 'SCL', keep: [4, 5, 6] }`, `{ asset: 'qa_pixel', bits: { cloud: 3, shadow: 4 } }`,
   * or a preset (`sentinel-2-l2a`, `landsat-c2-l2`). The mask is read with nearest.
   */
  mask?: CubeMask | CubeMaskPreset;
  /** Drop items that lack a requested asset instead of failing (default false). */
  skipMissing?: boolean;
  /** Group items into time steps; without it each item is its own time step. */
  groupby?: GroupBy;
  /**
   * How a group is fused per pixel (default `first` valid pixel); `median`, `mean`, `pNN`, `count`
   * make composites. Also the id of a registered fuse plugin, or a `FuseFunction` of one pixel's
   * values (runs in this thread; register it with `fusePlugin` to run it on workers).
   */
  method?: FuseOption;
  /** Fuse in input order instead of (datetime, id) order. */
  preserveOrder?: boolean;
  /** Target grid of an existing raster: a Dataset, a Grid, or a path/URL opened through the registry. */
  like?: Dataset | Grid | string;
  /** Target CRS (`EPSG:n`, WKT, a number, or `utm` for the local UTM zone of the items' centre). */
  crs?: string | number;
  /** Target resolution in CRS units: one number or [x, y]. */
  resolution?: number | [number, number];
  /** Target bounds [minX, minY, maxX, maxY] in the target CRS; snapped outward to the resolution. */
  bounds?: Bounds;
  /**
   * Where pixel edges fall on a grid pyramids chooses (odc-stac's `anchor`): `edge` (multiples
   * of the resolution), `center` (pixel centres on multiples), `floating` (the top-left corner as given)
   * or `[fx, fy]` pixel fractions. Default: edges on multiples of the resolution with `crs`,
   * the first Item's own pixel lattice without.
   */
  anchor?: GridAnchor;
  /** Largest grid accepted, in pixels per band (default 250 million). */
  maxPixels?: number;
  /**
   * Resampling onto the target grid (default `nearest`): one method, or per band name with `'*'`
   * for the rest, e.g. `{ SCL: 'nearest', '*': 'bilinear' }`.
   */
  resampling?: Resampling | Record<string, Resampling>;
  /** Keep only items whose bbox intersects this [west, south, east, north] (lon/lat; west > east crosses the antimeridian). */
  bbox?: Bounds;
  /** With an Item index: only Items in this instant or interval (`2024-05`, `2024-05-01/2024-06-30`, RFC 3339 or pystac-client shorthands). */
  datetime?: string;
  /** Keep at most this many items (after `bbox`). */
  maxItems?: number;
  /** Rewrites every asset href before signing (e.g. s3:// → https://). */
  patchUrl?: (href: string) => string;
  /** Signs each read. */
  signer?: Signer;
  /** Apply scale/offset and return float32 with NaN nodata (default false). */
  rescale?: boolean;
  /** Output data type (default: the assets' type; float32 with `rescale`). */
  dtype?: DataType;
  /** Output nodata (default: the assets' nodata; NaN for floats without one; 0 for integers without one). */
  nodata?: number;
  /** An unreadable source becomes nodata with a warning instead of failing (default false). */
  errorsAsNodata?: boolean;
  /** Chunk size in target pixels: one number or [width, height] (default 1024). */
  chunkSize?: number | [number, number];
  /** Chunks computed at once, each reading all its bands together (default 4). */
  concurrency?: number;
  /** Largest error of the approximate coordinate transformer, in source pixels (default 0.125; 0 = exact). */
  errorThreshold?: number;
  /** Base that relative asset hrefs resolve against (default: each Item's self link). */
  baseHref?: string;
  /** Read an alternate href (`'s3'`, `'https'`, … or `'auto'`); see `resolveAlternateHref`. */
  alternate?: AlternateChoice;
  /** Let Items from remote catalogs (an http(s) `self` link) name local files; default false (or PYRAMIDS_ALLOW_LOCAL=1). */
  allowLocal?: boolean;
  /** Band aliases and metadata overrides per collection (`{ 'sentinel-2-l2a': { aliases: { red: 'B04' } } }`). */
  bandConfig?: BandConfig;
  /** HTTP client for the readers. */
  fetch?: typeof fetch;
  /** Cancels the header reads `fromStac` may need (reads take their own signal). */
  signal?: AbortSignal;
  /** Receives warnings (redacted); default `console.warn`. */
  onWarning?: (message: string) => void;
}

/** Progress of a read: chunk tasks done out of all. */
export interface CubeProgress {
  completed: number;
  total: number;
}

/** Options of a cube read. */
export interface CubeReadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: CubeProgress) => void;
  /**
   * Runs each chunk task somewhere else, e.g. `pool.run` of a worker pool
   * (`createNodeWorkerPool` in `@pyramids/core/node`, `createWebWorkerPool` in a browser);
   * default: in this thread with `runChunkTask`. Results must be what `runChunkTask` gives.
   */
  runTask?: (task: ChunkTask, signal?: AbortSignal) => Promise<ChunkResult>;
  /**
   * Runs the resampling kernels of chunks computed in this thread elsewhere, e.g.
   * `createResampleThreads().resample` of `@pyramids/core/node`: reads stay here, in
   * one reader, while the kernels use every core. Default: in this thread.
   */
  resampler?: Resampler;
}
