import {
  DatasetCollection,
  OptionError,
  PLANETARY_COMPUTER_STAC_URL,
  type Registry,
  type Signer,
} from '@pyramids/core';
import type { Command } from 'commander';
import { createDefaultRegistry } from '../default-registry.js';
import { parsePositive } from '../parse-options.js';

/** The options `pyramids point` parses. */
interface PointCommandOptions {
  lat: string;
  lon: string;
  collection: string;
  bands: string;
  start?: string;
  end?: string;
  edgeSize: string;
  resolution: string;
  units: 'px' | 'm';
  stac: string;
  query?: string;
  output: string;
}

/**
 * Hooks for options other parts of the CLI add to `point`: `resolveSigner` turns the parsed
 * options (e.g. `--signer NAME`) into the Signer of the search and of every read.
 */
export interface PointCommandHooks {
  resolveSigner?: (
    options: Record<string, unknown>,
    registry: Registry,
  ) => Signer | undefined | Promise<Signer | undefined>;
}

function parseNumber(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new OptionError(`${flag} needs a number; got '${text}'`);
  return value;
}

function parseQuery(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new OptionError(`--query: not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new OptionError(
      `--query needs a JSON object such as '{"eo:cloud_cover":{"lt":20}}'; got ${text}`,
    );
  return value as Record<string, unknown>;
}

/**
 * `pyramids point --lat --lon --collection C --bands B04,B03,B02 --start D --end D
 * --edge-size 64 --resolution 10 -o OUT.tif`: the cube of `DatasetCollection.fromPoint`
 * (local UTM zone, snapped centre, edge-size × edge-size pixels) written as GeoTIFF.
 */
export function registerPointCommand(program: Command, hooks: PointCommandHooks = {}): Command {
  return program
    .command('point')
    .description(
      'search a STAC API around a point and write an edge-size × edge-size cube in the local UTM zone as GeoTIFF',
    )
    .requiredOption('--lat <degrees>', 'latitude of the centre')
    .requiredOption('--lon <degrees>', 'longitude of the centre')
    .requiredOption('--collection <id>', 'collection to search, e.g. sentinel-2-l2a')
    .requiredOption(
      '--bands <keys>',
      'comma-separated asset keys stacked as bands, e.g. B04,B03,B02',
    )
    .option('--start <date>', 'first day or instant, e.g. 2023-06-01')
    .option('--end <date>', 'last day or instant, e.g. 2023-06-30 (the whole day counts)')
    .option('--edge-size <n>', 'side of the square, in --units', '64')
    .option('--resolution <metres>', 'pixel size in metres', '10')
    .option('--units <px|m>', 'what --edge-size counts: px or m', 'px')
    .option('--stac <url>', 'STAC API to search', PLANETARY_COMPUTER_STAC_URL)
    .option('--query <json>', 'query extension object, e.g. \'{"eo:cloud_cover":{"lt":20}}\'')
    .requiredOption(
      '-o, --output <file.tif|dir/>',
      'output GeoTIFF (every time step × band), or a directory for one GeoTIFF per time step',
    )
    .action(async (flags: PointCommandOptions) => {
      if (flags.units !== 'px' && flags.units !== 'm')
        throw new OptionError(`--units must be px or m; got '${flags.units}'`);
      const registry = createDefaultRegistry();
      const signer = await hooks.resolveSigner?.(
        flags as unknown as Record<string, unknown>,
        registry,
      );
      const cube = await DatasetCollection.fromPoint({
        lat: parseNumber(flags.lat, '--lat'),
        lon: parseNumber(flags.lon, '--lon'),
        collection: flags.collection,
        bands: flags.bands,
        startDate: flags.start,
        endDate: flags.end,
        edgeSize: parsePositive(flags.edgeSize, '--edge-size'),
        resolution: parsePositive(flags.resolution, '--resolution'),
        units: flags.units,
        stac: flags.stac,
        query: flags.query ? parseQuery(flags.query) : undefined,
        registry,
        signer,
        onWarning: (message) => process.stderr.write(`pyramids: warning: ${message}\n`),
      });
      const files = await cube.write(flags.output);
      const [times, bands, height, width] = cube.shape;
      process.stderr.write(
        `wrote ${files.length === 1 ? files[0] : `${files.length} files to ${flags.output}`}: ${times} time step(s) × ${bands} band(s), ${width} × ${height} px in ${cube.grid.crs}\n`,
      );
    });
}
