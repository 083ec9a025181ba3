import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { createNodeWorkerPool } from '@pyramids/core/node';
import type { ChunkWorkerData } from '../chunk-worker.js';
import { loadedPluginSpecifiers } from '../plugin-option.js';
import {
  allocateArray,
  checkOutputTarget,
  DatasetCollection,
  OptionError,
  type CubeArray,
  type CubeOptions,
  type CubeWriteChunk,
  type CubeWriteOptions,
  type DataType,
  type WebWorkerPool,
  type FuseMethod,
  type Registry,
  type Resampling,
  type Signer,
} from '@pyramids/core';
import type { Command } from 'commander';
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
import { nanReplacer } from './info-command.js';
import { writePreviewPng } from './write-preview-png.js';

interface CubeCommandOptions {
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
  align: boolean;
  skipMissing?: boolean;
  rescale?: boolean;
  errorsAsNodata?: boolean;
  dtype?: string;
  nodata?: string;
  chunkSize?: string;
  concurrency?: string;
  workers?: string;
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

/** Writer options from `--format`, `--compress`, `--predictor` and `--overviews`; checked against the output format and the cube's data type. */
export function writeOptionsFromFlags(
  flags: Pick<CubeCommandOptions, 'format' | 'compress' | 'predictor' | 'overviews' | 'output'>,
  dataType: DataType,
): CubeWriteOptions {
  const isZarr = flags.format
    ? flags.format.toLowerCase().startsWith('zarr')
    : /\.zarr[\\/]*$/i.test(flags.output ?? '');
  const compress = (flags.compress ?? 'deflate').toLowerCase();
  if (isZarr) {
    // Zarr chunks are gzip-compressed; no predictor there.
    if (compress !== 'deflate' && compress !== 'gzip' && compress !== 'none')
      throw new OptionError(
        `--compress ${flags.compress} is not supported for Zarr; use gzip or none`,
      );
    if (flags.predictor !== undefined)
      throw new OptionError('--predictor applies to GeoTIFF output only');
    if (flags.overviews) throw new OptionError('--overviews applies to GeoTIFF output only');
    return {
      ...(flags.format ? { format: flags.format } : {}),
      compression: compress === 'none' ? 'none' : 'gzip',
    };
  }
  if (compress !== 'deflate' && compress !== 'lzw' && compress !== 'none') {
    throw new OptionError(
      `--compress ${flags.compress} is not supported; use deflate, lzw or none`,
    );
  }
  const isFloat = dataType.startsWith('float');
  const predictor = (flags.predictor ?? (compress === 'none' ? 'no' : 'yes')).toLowerCase();
  const allowed: Record<string, boolean> = {
    yes: true,
    no: false,
    '1': false,
    [isFloat ? '3' : '2']: true,
  };
  if (!(predictor in allowed)) {
    throw new OptionError(
      `--predictor ${flags.predictor} does not fit ${dataType} pixels; use yes, no, 1 or ${isFloat ? 3 : 2}`,
    );
  }
  if (allowed[predictor] && compress === 'none')
    throw new OptionError(
      '--predictor needs compression; pass --compress deflate or --predictor no',
    );
  return {
    ...(flags.format ? { format: flags.format } : {}),
    compression: compress as 'deflate' | 'lzw' | 'none',
    predictor: allowed[predictor]!,
    ...(flags.overviews ? { overviews: true } : {}),
  };
}

/** Collects the chunks of the first time step into a one-time-step array, for the preview. */
function firstTimeStep(cube: DatasetCollection): {
  onChunk: (chunk: CubeWriteChunk) => void;
  array: CubeArray;
} {
  const [, bands, height, width] = cube.shape;
  const data = allocateArray(cube.dataType, bands * height * width);
  const onChunk = (chunk: CubeWriteChunk) => {
    if (chunk.time !== 0) return;
    chunk.data.forEach((values, band) => {
      for (let row = 0; row < chunk.window.height; row++) {
        const start = band * width * height + (chunk.window.y + row) * width + chunk.window.x;
        (data as Float64Array).set(
          (values as Float64Array).subarray(
            row * chunk.window.width,
            (row + 1) * chunk.window.width,
          ),
          start,
        );
      }
    });
  };
  const coords = cube.coords;
  return {
    onChunk,
    array: {
      data,
      shape: [1, bands, height, width],
      dims: ['time', 'band', 'y', 'x'],
      coords: { ...coords, time: coords.time.slice(0, 1) },
      grid: cube.grid,
    },
  };
}

/** Builds cube options from the command line. */
export function cubeOptionsFromFlags(
  flags: CubeCommandOptions,
  base: Pick<CubeOptions, 'registry' | 'baseHref'>,
): CubeOptions {
  if (flags.asset.length === 0)
    throw new OptionError('pass --asset KEY (repeat it to stack several assets as bands)');
  return {
    ...base,
    asset: flags.asset.length === 1 ? flags.asset[0]! : flags.asset,
    align: flags.align,
    ...(flags.skipMissing ? { skipMissing: true } : {}),
    ...(flags.crs ? { crs: flags.crs } : {}),
    ...(flags.resolution ? { resolution: parseResolution(flags.resolution) } : {}),
    ...(flags.bounds ? { bounds: parseBbox(flags.bounds, '--bounds') } : {}),
    ...(flags.like ? { like: flags.like } : {}),
    ...(flags.groupby ? { groupby: flags.groupby } : {}),
    ...(flags.method ? { method: flags.method as FuseMethod } : {}),
    ...(flags.resampling ? { resampling: parseResamplingFlags(flags.resampling) } : {}),
    ...(flags.bbox ? { bbox: parseLonLatBbox(flags.bbox) } : {}),
    ...(flags.maxItems ? { maxItems: parseInteger(flags.maxItems, '--max-items') } : {}),
    ...(flags.rescale ? { rescale: true } : {}),
    ...(flags.errorsAsNodata ? { errorsAsNodata: true } : {}),
    ...(flags.dtype ? { dtype: parseDataType(flags.dtype) } : {}),
    ...(flags.nodata !== undefined
      ? {
          nodata: parseNodataValue(
            flags.nodata,
            flags.dtype ? parseDataType(flags.dtype) : undefined,
          ),
        }
      : {}),
    ...(flags.chunkSize ? { chunkSize: parseInteger(flags.chunkSize, '--chunk-size') } : {}),
    ...(flags.concurrency ? { concurrency: parseInteger(flags.concurrency, '--concurrency') } : {}),
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

/** `--workers N`: 1 (default) computes chunks in this thread, 0 one thread per core. */
function parseWorkers(text: string | undefined): number {
  if (text === undefined) return 1;
  const workers = Number(text);
  if (!Number.isInteger(workers) || workers < 0 || workers > 256)
    throw new OptionError(
      `--workers must be a whole number from 0 (one per core) to 256; got '${text}'`,
    );
  return workers === 0 ? availableParallelism() : workers;
}

/** The worker-thread script: next to this chunk in dist/, or in dist/ when run from the sources (tests). */
function chunkWorkerScript(): URL {
  const beside = new URL('./chunk-worker.js', import.meta.url);
  return existsSync(beside) ? beside : new URL('../../dist/chunk-worker.js', import.meta.url);
}

/** Worker threads for the chunk tasks, loading the same plugins as this command. */
function startChunkWorkers(size: number): WebWorkerPool {
  return createNodeWorkerPool({
    script: chunkWorkerScript(),
    size,
    workerData: {
      plugins: [...loadedPluginSpecifiers()],
      cwd: process.cwd(),
    } satisfies ChunkWorkerData,
  });
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
    .option('--like <raster>', 'use the grid of this raster')
    .option('--groupby <key>', 'solar_day | time | id | PROPERTY: items fused into one time step')
    .option(
      '--method <method>',
      'fusing of a group: first | last | min | max | mean | median | count (default first)',
    )
    .option(
      '--resampling <method>',
      'nearest | bilinear | cubic | average | mode | min | max | median (default nearest); per band as BAND=method (e.g. --resampling SCL=nearest --resampling bilinear); repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--bbox <w,s,e,n>', 'keep only items whose bbox intersects this lon/lat box')
    .option('--max-items <n>', 'keep at most n items')
    .option('--no-align', 'refuse assets of one item on different grids instead of resampling them')
    .option('--skip-missing', 'drop items that lack an asset instead of failing')
    .option('--rescale', 'apply scale/offset: float32 output with NaN nodata')
    .option('--errors-as-nodata', 'an unreadable source becomes nodata with a warning')
    .option('--dtype <type>', 'output data type, e.g. uint16, float32')
    .option('--nodata <value>', 'output nodata value (a number or nan)')
    .option('--chunk-size <pixels>', 'chunk size in pixels (default 1024)')
    .option('--concurrency <n>', 'most sources read at once (default 8)')
    .option(
      '--workers <n>',
      'worker threads computing chunks (default 1: this thread; 0: one per core); signers are rebuilt in each from the environment',
    )
    .option(
      '--dry-run',
      'print what the cube would cost (sources, tiles, bytes, requests) as JSON and stop',
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
      const checked = cubeOptionsFromFlags(flags, { registry: createDefaultRegistry() });
      const workers = parseWorkers(flags.workers);
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
      const registry = checked.registry;
      const { items, baseHref } = await loadItems(source, registry);
      const signer = await hooks.resolveSigner?.(
        flags as unknown as Record<string, unknown>,
        registry,
      );
      const progress = createCubeProgressBar(process.stderr, { quiet: flags.quiet === true });
      const cube = await DatasetCollection.fromStac(items, {
        ...cubeOptionsFromFlags(flags, { registry, baseHref }),
        fetch: progress.countingFetch,
        ...(signer ? { signer } : {}),
      });
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
      let files: string[];
      try {
        files = await cube.write(flags.output!, {
          ...writeOptions,
          onProgress: progress.onProgress,
          ...(preview ? { onChunk: preview.onChunk } : {}),
          // Enough chunks in flight to keep every worker busy while the writer takes one.
          ...(pool ? { runTask: (task, signal) => pool.run(task, { signal }) } : {}),
        });
      } finally {
        progress.stop();
        pool?.terminate();
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
