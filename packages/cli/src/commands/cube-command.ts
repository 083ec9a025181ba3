import { stat } from 'node:fs/promises';
import {
  checkOutputTarget,
  DatasetCollection,
  OptionError,
  type CubeOptions,
  type FuseMethod,
  type Registry,
  type Resampling,
  type Signer,
} from '@pyramids/core';
import type { Command } from 'commander';
import { createResampleThreads } from '@pyramids/core/node';
import { createCubeProgressBar } from '../cube-progress-bar.js';
import { createDefaultRegistry } from '../default-registry.js';
import { loadItems } from '../load-items.js';
import {
  parseBbox,
  parseDataType,
  parseLonLatBbox,
  parseNodataValue,
  parsePositive,
} from '../parse-options.js';
import { runCubeCommandOnQueue } from './cube-queue.js';
import {
  parseAnchorFlag,
  parseMaskFlags,
  readBandConfigFlag,
  readCubePlanFile,
  refusePlanShapingFlags,
} from './cube-plan-options.js';
import { firstTimeStep, writeOptionsFromFlags } from './cube-output-options.js';
import { parseWarpThreads, parseWorkers, startChunkWorkers } from './cube-workers.js';
import { nanReplacer } from './info-command.js';
import { writePreviewPng } from './write-preview-png.js';

/** The parsed flags of `pyramids cube`. */
export interface CubeCommandOptions {
  asset: string[];
  crs?: string;
  resolution?: string;
  bounds?: string;
  like?: string;
  groupby?: string;
  method?: string;
  resampling?: string[];
  bbox?: string;
  maxItems?: string;
  index?: boolean;
  datetime?: string;
  align: boolean;
  skipMissing?: boolean;
  rescale?: boolean;
  errorsAsNodata?: boolean;
  dtype?: string;
  nodata?: string;
  chunkSize?: string;
  concurrency?: string;
  workers?: string;
  warpThreads?: string;
  dryRun?: boolean;
  preview?: string;
  output?: string;
  queue?: string;
  queueName?: string;
  format?: string;
  compress?: string;
  predictor?: string;
  overviews?: boolean;
  quiet?: boolean;
  anchor?: string;
  alternate?: string;
  bandConfig?: string;
  plan?: boolean;
  mask?: string;
  maskBits?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A pixel larger than the Earth's circumference (in metres, feet or degrees) is no raster. */
const MAX_RESOLUTION = 4e7;

function parseResolution(text: string): number | [number, number] {
  const parts = text.split(',');
  const one = (part: string) => {
    const value = parsePositive(part, '--resolution');
    if (value > MAX_RESOLUTION)
      throw new OptionError(
        `--resolution ${part} is larger than the Earth; give the pixel size in CRS units (e.g. 10 for 10 m)`,
      );
    return value;
  };
  if (parts.length === 2) return [one(parts[0]!), one(parts[1]!)];
  return one(text);
}

function parseInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new OptionError(`${flag} needs a positive integer; got '${text}'`);
  return value;
}

/** Builds cube options from the command line. */
export function cubeOptionsFromFlags(
  flags: CubeCommandOptions,
  base: Pick<CubeOptions, 'registry' | 'baseHref'>,
): CubeOptions {
  if (flags.asset.length === 0)
    throw new OptionError('pass --asset KEY (repeat it to stack several assets as bands)');
  const dtype = flags.dtype ? parseDataType(flags.dtype) : undefined;
  return {
    ...base,
    asset: flags.asset.length === 1 ? flags.asset[0]! : flags.asset,
    align: flags.align,
    skipMissing: flags.skipMissing === true,
    crs: flags.crs || undefined,
    resolution: flags.resolution ? parseResolution(flags.resolution) : undefined,
    bounds: flags.bounds ? parseBbox(flags.bounds, '--bounds') : undefined,
    anchor: flags.anchor ? parseAnchorFlag(flags.anchor) : undefined,
    like: flags.like || undefined,
    groupby: flags.groupby || undefined,
    method: (flags.method || undefined) as FuseMethod | undefined,
    resampling: flags.resampling ? parseResamplingFlags(flags.resampling) : undefined,
    bbox: flags.bbox ? parseLonLatBbox(flags.bbox) : undefined,
    maxItems: flags.maxItems ? parseInteger(flags.maxItems, '--max-items') : undefined,
    datetime: flags.datetime || undefined,
    alternate: flags.alternate || undefined,
    mask: parseMaskFlags(flags.mask, flags.maskBits),
    rescale: flags.rescale === true,
    errorsAsNodata: flags.errorsAsNodata === true,
    dtype,
    nodata: flags.nodata === undefined ? undefined : parseNodataValue(flags.nodata, dtype),
    chunkSize: flags.chunkSize ? parseInteger(flags.chunkSize, '--chunk-size') : undefined,
    concurrency: flags.concurrency ? parseInteger(flags.concurrency, '--concurrency') : undefined,
    onWarning: (message) => process.stderr.write(`pyramids: warning: ${message}\n`),
  };
}

/**
 * `--resampling` values: `bilinear` (every band), `SCL=nearest` (one band), comma lists of
 * either; a bare method is the default for the bands not named (`'*'`).
 */
function parseResamplingFlags(values: string[]): Resampling | Record<string, Resampling> {
  const byBand: Record<string, Resampling> = {};
  for (const part of values.flatMap((value) => value.split(',')).map((text) => text.trim())) {
    const [band, method] = part.includes('=') ? part.split('=', 2) : ['*', part];
    if (!band || !method)
      throw new OptionError(`--resampling ${JSON.stringify(part)}: use METHOD or BAND=METHOD`);
    if (byBand[band] !== undefined)
      throw new OptionError(`--resampling sets ${band === '*' ? 'the default' : band} twice`);
    byBand[band] = method as Resampling;
  }
  const names = Object.keys(byBand);
  return names.length === 1 && names[0] === '*' ? byBand['*']! : byBand;
}

/**
 * Hooks for options other parts of the CLI add to `cube`: `resolveSigner` turns the parsed
 * options (e.g. `--signer NAME`, added by the signer option helper) into the Signer of every read.
 */
export interface CubeCommandHooks {
  resolveSigner?: (
    options: Record<string, unknown>,
    registry: Registry,
  ) => Signer | undefined | Promise<Signer | undefined>;
}

/**
 * `pyramids cube ITEMS --asset KEY … -o OUT.tif|DIR`: stacks Items into a
 * time × band cube on one grid and writes it as GeoTIFF; `--dry-run` prints the
 * estimate; `--preview` writes a PNG quicklook of the first time step.
 */
export function registerCubeCommand(program: Command, hooks: CubeCommandHooks = {}): Command {
  return program
    .command('cube')
    .description(
      'stack STAC Items into a time × band × y × x cube on one grid and write it as GeoTIFF',
    )
    .argument(
      '<items>',
      'Items file (JSON, NDJSON, or a codec format such as .parquet), or - for stdin',
    )
    .option('--asset <key>', 'asset key; repeat to stack several assets as bands', collect, [])
    .option(
      '--crs <crs>',
      "target CRS (EPSG:n, WKT, or 'utm' for the local UTM zone); with --resolution",
    )
    .option('--resolution <r>', 'target resolution in CRS units: r or rx,ry')
    .option(
      '--bounds <minx,miny,maxx,maxy>',
      'target bounds in the target CRS (snapped outward to the resolution)',
    )
    .option(
      '--anchor <anchor>',
      'where pixel edges fall on the chosen grid: edge | center | floating | FX,FY (as odc-stac)',
    )
    .option('--like <raster>', 'use the grid of this raster')
    .option(
      '--groupby <key>',
      'solar_day | time | id | PROPERTY, or a period for composites: P1D | P1W | P1M | P3M | P6M | P1Y | season',
    )
    .option(
      '--method <method>',
      'fusing of a group: first | last | min | max | mean | median | count | pNN percentile, e.g. p25 (default first)',
    )
    .option(
      '--resampling <method>',
      'nearest | bilinear | cubic | average | mode | min | max | median (default nearest); per band as BAND=method (e.g. --resampling SCL=nearest --resampling bilinear); repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--bbox <w,s,e,n>', 'keep only items whose bbox intersects this lon/lat box')
    .option('--max-items <n>', 'keep at most n items')
    .option(
      '--index',
      'look Items up per chunk in the input (a stac-geoparquet file or URL) instead of loading them all; needs --like, or --crs and --resolution with --bounds or --bbox',
    )
    .option(
      '--datetime <interval>',
      'with --index: only Items in this RFC 3339 instant or interval',
    )
    .option('--no-align', 'refuse assets of one item on different grids instead of resampling them')
    .option('--skip-missing', 'drop items that lack an asset instead of failing')
    .option(
      '--mask <asset=values|preset>',
      'drop pixels per item before fusing: ASSET=classes kept (SCL=4,5,6) or a preset (sentinel-2-l2a, landsat-c2-l2)',
    )
    .option(
      '--mask-bits <asset=bits>',
      'drop pixels whose mask band has any of these bits set (QA_PIXEL=3,4)',
    )
    .option(
      '--alternate <name>',
      "read the assets' alternate href of this name (s3, https, …; auto prefers one a signer serves)",
    )
    .option(
      '--band-config <file.json>',
      'per collection band aliases and nodata/scale/offset/data type overrides (JSON)',
    )
    .option('--rescale', 'apply scale/offset: float32 output with NaN nodata')
    .option('--errors-as-nodata', 'an unreadable source becomes nodata with a warning')
    .option('--dtype <type>', 'output data type, e.g. uint16, float32')
    .option('--nodata <value>', 'output nodata value (a number or nan)')
    .option('--chunk-size <pixels>', 'chunk size in pixels (default 1024)')
    .option(
      '--concurrency <n>',
      'chunks computed at once, each reading all its bands together (default 4)',
    )
    .option(
      '--workers <n>',
      'worker threads computing whole chunks, each reading its own sources (default 1: this thread; 0: one per core); signers are rebuilt in each from the environment',
    )
    .option(
      '--warp-threads <n>',
      'threads resampling reprojected pixels while this thread reads, as gdalwarp -wo NUM_THREADS (default 0: in this thread; all: one per core)',
    )
    .option(
      '--dry-run',
      'print what the cube would cost (sources, tiles, bytes, requests) as JSON and stop',
    )
    .option(
      '--plan',
      'with --dry-run: print the cube plan (grid, bands, time steps, sources) as JSON; run it later with `pyramids cube PLAN.json -o OUT`',
    )
    .option('--preview <file.png>', 'also write a PNG quicklook of the first time step')
    .option(
      '-o, --output <file.tif|dir/|store.zarr>',
      'output GeoTIFF, a directory for one GeoTIFF per time step, or a Zarr v3 store; written chunk by chunk',
    )
    .option(
      '--format <name>',
      'writer to use (gtiff, cog, or a registered writer); by default the output extension decides',
    )
    .option(
      '--compress <method>',
      'compression: deflate | lzw | none for GeoTIFF (default deflate), gzip | none for Zarr (default gzip)',
    )
    .option(
      '--predictor <mode>',
      'GeoTIFF predictor with compression: yes | no | 2 (integers) | 3 (floats) (default yes)',
    )
    .option(
      '--overviews',
      'write internal overviews (halved until one tile), a cloud-optimised GeoTIFF',
    )
    .option('--quiet', 'no progress bar and no summary line')
    .option(
      '--queue <redis-url>',
      'compute the chunks on `pyramids worker`s through this Redis queue; -o names a Zarr store (shared path or s3://)',
    )
    .option(
      '--queue-name <name>',
      'with --queue: the queue the workers listen on (default pyramids-cube)',
    )
    .action(async (source: string, flags: CubeCommandOptions) => {
      if (!flags.dryRun && !flags.output)
        throw new OptionError(
          'pass -o OUT.tif (or a directory) to write the cube, or --dry-run to estimate it',
        );
      // Every option and every output is checked before any work: nothing is read or written for a bad one.
      const plan = await readCubePlanFile(source);
      if (plan) refusePlanShapingFlags(flags);
      if (flags.plan && !flags.dryRun)
        throw new OptionError('--plan prints the plan with --dry-run; pass --dry-run too');
      const registry = createDefaultRegistry();
      if (!plan) cubeOptionsFromFlags(flags, { registry });
      const bandConfig = flags.bandConfig ? await readBandConfigFlag(flags.bandConfig) : undefined;
      const workers = parseWorkers(flags.workers);
      const warpThreads = parseWarpThreads(flags.warpThreads);
      const outputIsFolder =
        flags.output !== undefined &&
        (flags.output.endsWith('/') ||
          (await stat(flags.output).then(
            (info) => info.isDirectory(),
            () => false,
          )));
      // A queued cube's store may be s3:// or a path on another machine's share: the workers check it.
      if (flags.output && !flags.dryRun && !outputIsFolder && !flags.queue)
        await checkOutputTarget(flags.output, '-o');
      if (flags.preview && !flags.dryRun) await checkOutputTarget(flags.preview, '--preview');
      const signer = await hooks.resolveSigner?.(
        flags as unknown as Record<string, unknown>,
        registry,
      );
      const progress = createCubeProgressBar(process.stderr, { quiet: flags.quiet === true });
      const onWarning = (message: string) =>
        process.stderr.write(`pyramids: warning: ${message}\n`);
      let cube: DatasetCollection;
      if (plan) {
        cube = DatasetCollection.fromPlan(plan, {
          registry,
          signer,
          fetch: progress.countingFetch,
          onWarning,
        });
      } else if (flags.index) {
        // Items are found chunk by chunk in the index; nothing loads them all.
        cube = await DatasetCollection.fromStac(source, {
          ...cubeOptionsFromFlags(flags, { registry }),
          bandConfig,
          fetch: progress.countingFetch,
          signer,
        });
      } else {
        if (flags.datetime)
          throw new OptionError('--datetime filters an Item index: pass it with --index');
        const { items, baseHref } = await loadItems(source, registry);
        cube = await DatasetCollection.fromStac(items, {
          ...cubeOptionsFromFlags(flags, { registry, baseHref }),
          bandConfig,
          fetch: progress.countingFetch,
          signer,
        });
      }
      if (flags.dryRun && flags.plan) {
        process.stdout.write(`${JSON.stringify(cube.plan, nanReplacer, 2)}\n`);
        return;
      }
      if (flags.dryRun) {
        const estimate = await cube.estimate();
        const summary = {
          ...estimate,
          grid: cube.grid,
          time: cube.coords.time,
          band: cube.coords.band,
          dataType: cube.dataType,
          nodata: cube.bands.map((band) => band.nodata),
        };
        process.stdout.write(`${JSON.stringify(summary, nanReplacer, 2)}\n`);
        return;
      }
      if (flags.queue) return runCubeCommandOnQueue(cube, { ...flags, queue: flags.queue });
      const writeOptions = writeOptionsFromFlags(flags, cube.dataType);
      // The preview needs the first time step whole; the rest of the cube streams.
      const preview = flags.preview ? firstTimeStep(cube) : undefined;
      const pool = workers > 1 ? startChunkWorkers(workers) : undefined;
      // Chunk workers resample in their own threads; otherwise the kernels get threads of their own.
      const threads =
        !pool && warpThreads > 0 ? createResampleThreads({ size: warpThreads }) : undefined;
      let files: string[];
      try {
        files = await cube.write(flags.output!, {
          ...writeOptions,
          onProgress: progress.onProgress,
          onChunk: preview?.onChunk,
          runTask: pool ? (task, signal) => pool.run(task, { signal }) : undefined,
          resampler: threads?.resample,
        });
      } finally {
        progress.stop();
        pool?.terminate();
        await threads?.terminate();
      }
      if (preview)
        await writePreviewPng(
          flags.preview!,
          preview.array,
          cube.bands.map((band) => band.nodata),
        );
      if (flags.quiet) return;
      const [times, bands, height, width] = cube.shape;
      process.stderr.write(
        `wrote ${files.length === 1 ? files[0] : `${files.length} files to ${flags.output}`}: ${times} time step(s) × ${bands} band(s), ${width} × ${height} px` +
          `${flags.preview ? `; preview ${flags.preview}` : ''}\n`,
      );
    });
}
