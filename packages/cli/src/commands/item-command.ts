import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OptionError, openRaster, type Registry, type ToStacItemOptions } from '@pyramids/core';
import type { Command } from 'commander';
import { createDefaultRegistry } from '../default-registry.js';

/** Options of `pyramids item`, as commander parses them. */
export interface ItemCommandOptions {
  id?: string;
  href?: string;
  datetime?: string;
  start?: string;
  end?: string;
  mediaType?: string;
  assetKey?: string;
  collection?: string;
  stats?: boolean;
  footprint?: string;
  precision?: string;
  output?: string;
}

function isUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
}

/**
 * Runs `pyramids item`: opens RASTER, describes it as a STAC Item and writes the
 * JSON to `--output` or standard output. Warnings go to standard error.
 */
export async function runItemCommand(
  raster: string,
  options: ItemCommandOptions,
  context: {
    registry?: Registry;
    stdout?: NodeJS.WritableStream;
    stderr?: NodeJS.WritableStream;
  } = {},
): Promise<void> {
  const stdout = context.stdout ?? process.stdout;
  const stderr = context.stderr ?? process.stderr;
  if (
    options.datetime !== undefined &&
    (options.start !== undefined || options.end !== undefined)
  ) {
    throw new OptionError('give either --datetime or --start and --end, not both');
  }
  if (
    options.footprint !== undefined &&
    options.footprint !== 'bbox' &&
    options.footprint !== 'data'
  ) {
    throw new OptionError(`--footprint must be bbox or data; got ${options.footprint}`);
  }
  const precision = options.precision === undefined ? undefined : Number(options.precision);
  if (precision !== undefined && !Number.isInteger(precision))
    throw new OptionError(`--precision must be an integer; got ${options.precision}`);
  const href = isUrl(raster) ? raster : path.resolve(raster);
  const dataset = await openRaster(href, { registry: context.registry ?? createDefaultRegistry() });
  try {
    // A local raster is referenced relative to the Item file when one is written, as rio-stac users expect.
    const assetHref =
      options.href ??
      (!isUrl(raster) && options.output
        ? path
            .relative(path.dirname(path.resolve(options.output)), href)
            .split(path.sep)
            .join('/')
        : undefined);
    const id = options.id ?? path.basename(raster.split(/[?#]/)[0]!).replace(/\.[^.]+$/, '');
    const itemOptions: ToStacItemOptions = {
      onWarning: (message) => stderr.write(`pyramids: warning: ${message}\n`),
      assetHref,
      datetime: options.datetime,
      startDatetime: options.start,
      endDatetime: options.end,
      assetMediaType: options.mediaType,
      assetKey: options.assetKey,
      collection: options.collection,
      withStats: options.stats === true,
      ...(options.footprint !== undefined
        ? { footprint: options.footprint as 'bbox' | 'data' }
        : {}),
      precision,
    };
    const item = await dataset.toStacItem(id, itemOptions);
    const text = `${JSON.stringify(item, null, 2)}\n`;
    if (options.output) await writeFile(options.output, text);
    else stdout.write(text);
  } finally {
    await dataset.close();
  }
}

/** `pyramids item RASTER --id ID …`: a STAC Item describing a raster. */
export function registerItemCommand(program: Command): void {
  program
    .command('item')
    .description(
      'describe a raster as a STAC Item (projection and raster extensions, footprint in EPSG:4326)',
    )
    .argument('<raster>', 'raster path or URL')
    .option('--id <id>', 'Item id (default: the file name without extension)')
    .option(
      '--href <href>',
      'asset href to write (default: the raster, relative to --output when local)',
    )
    .option('--datetime <datetime>', 'nominal time, ISO 8601 (default: now)')
    .option('--start <datetime>', 'start of the time range (with --end; datetime becomes null)')
    .option('--end <datetime>', 'end of the time range (with --start)')
    .option('--media-type <type>', 'asset media type (default: from the extension)')
    .option('--asset-key <key>', 'asset key (default: data)')
    .option('--collection <id>', 'collection id (adds a collection link to ../collection.json)')
    .option('--stats', 'compute band statistics (reads every pixel)')
    .option(
      '--footprint <kind>',
      'bbox (the raster outline, default) or data (the outline of valid pixels)',
    )
    .option('--precision <digits>', 'decimals of footprint coordinates (default 6)')
    .option('-o, --output <file>', 'write the Item here instead of standard output')
    .action(async (raster: string, options: ItemCommandOptions) => {
      await runItemCommand(raster, options);
    });
}
