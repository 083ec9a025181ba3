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
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { createDefaultRegistry } from '../default-registry.js';
import { loadItems } from '../load-items.js';
import { parseBbox, parseDataType, parseLonLatBbox, parseNodataValue, parsePositive } from '../parse-options.js';
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
  resampling?: string;
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
  dryRun?: boolean;
  preview?: string;
  output?: string;
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
    if (value > MAX_RESOLUTION) throw new OptionError(`--resolution ${part} is larger than the Earth; give the pixel size in CRS units (e.g. 10 for 10 m)`);
    return value;
  };
  if (parts.length === 2) return [one(parts[0]!), one(parts[1]!)];
  return one(text);
}

function parseInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new OptionError(`${flag} needs a positive integer; got '${text}'`);
  return value;
}

/** Builds cube options from the command line. */
export function cubeOptionsFromFlags(flags: CubeCommandOptions, base: Pick<CubeOptions, 'registry' | 'baseHref'>): CubeOptions {
  if (flags.asset.length === 0) throw new OptionError('pass --asset KEY (repeat it to stack several assets as bands)');
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
    ...(flags.resampling ? { resampling: flags.resampling as Resampling } : {}),
    ...(flags.bbox ? { bbox: parseLonLatBbox(flags.bbox) } : {}),
    ...(flags.maxItems ? { maxItems: parseInteger(flags.maxItems, '--max-items') } : {}),
    ...(flags.rescale ? { rescale: true } : {}),
    ...(flags.errorsAsNodata ? { errorsAsNodata: true } : {}),
    ...(flags.dtype ? { dtype: parseDataType(flags.dtype) } : {}),
    ...(flags.nodata !== undefined ? { nodata: parseNodataValue(flags.nodata, flags.dtype ? parseDataType(flags.dtype) : undefined) } : {}),
    ...(flags.chunkSize ? { chunkSize: parseInteger(flags.chunkSize, '--chunk-size') } : {}),
    ...(flags.concurrency ? { concurrency: parseInteger(flags.concurrency, '--concurrency') } : {}),
    onWarning: (message) => process.stderr.write(`pyramids: warning: ${message}\n`),
  };
}

/**
 * Hooks for options other parts of the CLI add to `cube`: `resolveSigner` turns the parsed
 * options (e.g. `--signer NAME`, added by the signer option helper) into the Signer of every read.
 */
export interface CubeCommandHooks {
  resolveSigner?: (options: Record<string, unknown>, registry: Registry) => Signer | undefined | Promise<Signer | undefined>;
}

/**
 * `pyramids cube ITEMS --asset KEY … -o OUT.tif|DIR`: stacks Items into a
 * time × band cube on one grid and writes it as GeoTIFF; `--dry-run` prints the
 * estimate; `--preview` writes a PNG quicklook of the first time step.
 */
export function registerCubeCommand(program: Command, hooks: CubeCommandHooks = {}): Command {
  return program
    .command('cube')
    .description('stack STAC Items into a time × band × y × x cube on one grid and write it as GeoTIFF')
    .argument('<items>', 'Items file (JSON, NDJSON, or a codec format such as .parquet), or - for stdin')
    .option('--asset <key>', 'asset key; repeat to stack several assets as bands', collect, [])
    .option('--crs <crs>', "target CRS (EPSG:n, WKT, or 'utm' for the local UTM zone); with --resolution")
    .option('--resolution <r>', 'target resolution in CRS units: r or rx,ry')
    .option('--bounds <minx,miny,maxx,maxy>', 'target bounds in the target CRS (snapped outward to the resolution)')
    .option('--like <raster>', 'use the grid of this raster')
    .option('--groupby <key>', 'solar_day | time | id | PROPERTY: items fused into one time step')
    .option('--method <method>', 'fusing of a group: first | last | min | max | mean | median | count (default first)')
    .option('--resampling <method>', 'nearest | bilinear | cubic | average | mode | min | max | median (default nearest)')
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
    .option('--dry-run', 'print what the cube would cost (sources, tiles, bytes, requests) as JSON and stop')
    .option('--preview <file.png>', 'also write a PNG quicklook of the first time step')
    .option('-o, --output <file.tif|dir/>', 'output GeoTIFF, or a directory for one GeoTIFF per time step')
    .action(async (source: string, flags: CubeCommandOptions) => {
      if (!flags.dryRun && !flags.output) throw new OptionError('pass -o OUT.tif (or a directory) to write the cube, or --dry-run to estimate it');
      // Every option and every output is checked before any work: nothing is read or written for a bad one.
      const checked = cubeOptionsFromFlags(flags, { registry: createDefaultRegistry() });
      const outputIsFolder = flags.output !== undefined && (flags.output.endsWith('/') || (await stat(flags.output).then((info) => info.isDirectory(), () => false)));
      if (flags.output && !flags.dryRun && !outputIsFolder) await checkOutputTarget(flags.output, '-o');
      if (flags.preview && !flags.dryRun) await checkOutputTarget(flags.preview, '--preview');
      const registry = checked.registry;
      const { items, baseHref } = await loadItems(source, registry);
      const signer = await hooks.resolveSigner?.(flags as unknown as Record<string, unknown>, registry);
      const cube = await DatasetCollection.fromStac(items, { ...cubeOptionsFromFlags(flags, { registry, baseHref }), ...(signer ? { signer } : {}) });
      if (flags.dryRun) {
        const estimate = await cube.estimate();
        const summary = { ...estimate, grid: cube.grid, time: cube.coords.time, band: cube.coords.band, dataType: cube.dataType, nodata: cube.bands.map((band) => band.nodata) };
        process.stdout.write(`${JSON.stringify(summary, nanReplacer, 2)}\n`);
        return;
      }
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({ format: 'cube [{bar}] {percentage}% | {value}/{total} chunks | {duration_formatted}', stream: process.stderr }, cliProgress.Presets.shades_classic)
        : undefined;
      let started = false;
      const onProgress = ({ completed, total }: { completed: number; total: number }) => {
        if (!bar) return;
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(completed);
      };
      let array;
      try {
        array = await cube.read({ onProgress });
      } finally {
        if (started) bar?.stop();
      }
      const files = await cube.write(flags.output!, { array });
      if (flags.preview) await writePreviewPng(flags.preview, array, cube.bands.map((band) => band.nodata));
      const [times, bands, height, width] = cube.shape;
      process.stderr.write(
        `wrote ${files.length === 1 ? files[0] : `${files.length} files to ${flags.output}`}: ${times} time step(s) × ${bands} band(s), ${width} × ${height} px` +
          `${flags.preview ? `; preview ${flags.preview}` : ''}\n`,
      );
    });
}
