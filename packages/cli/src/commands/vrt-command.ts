import path from 'node:path';
import { buildVrtDocument, OptionError, writeFileAtomic, type Signer } from '@pyramids/core';
import { signerFromOptions } from '../signer-option.js';
import type { Command } from 'commander';
import { createDefaultRegistry } from '../default-registry.js';
import { loadItems } from '../load-items.js';

/** Options of `pyramids vrt`. */
export interface VRTCommandOptions {
  asset: string;
  output: string;
  separate?: boolean;
  band?: string;
  strict?: boolean;
  resolution?: string;
}

/**
 * Builds the VRT and writes it; the body of `pyramids vrt`, callable with a signer
 * (the `--signer NAME` option is resolved by the caller).
 */
export async function runVrtCommand(source: string, options: VRTCommandOptions, extras: { signer?: Signer } = {}): Promise<void> {
  const registry = createDefaultRegistry();
  const band = options.band === undefined ? undefined : Number(options.band);
  if (band !== undefined && !(Number.isInteger(band) && band >= 1)) throw new OptionError(`--band must be a positive integer; got ${options.band}`);
  const resolution = options.resolution;
  if (resolution !== undefined && !['highest', 'lowest', 'average'].includes(resolution)) {
    throw new OptionError(`--resolution must be highest, lowest or average; got ${resolution}`);
  }
  const { items, baseHref } = await loadItems(source, registry);
  const result = await buildVrtDocument(items, options.asset, {
    registry,
    baseHref,
    ...(extras.signer ? { signer: extras.signer } : {}),
    ...(options.separate ? { separate: true } : {}),
    ...(options.strict ? { strict: true } : {}),
    ...(band !== undefined ? { band } : {}),
    ...(resolution ? { resolution: resolution as 'highest' | 'lowest' | 'average' } : {}),
    onWarning: (warning) => process.stderr.write(`pyramids: warning: ${warning}\n`),
  });
  await writeFileAtomic(options.output, result.xml);
  const sources = new Set(result.document.bands.flatMap((vrtBand) => vrtBand.sources.map((vrtSource) => vrtSource.filename))).size;
  process.stdout.write(
    `wrote ${path.resolve(options.output)}: ${result.document.width} × ${result.document.height}, ` +
      `${result.document.bands.length} band(s), ${sources} source(s)${result.skipped.length ? `, ${result.skipped.length} left out` : ''}\n`,
  );
}

/** `pyramids vrt ITEMS --asset KEY [--separate] -o mosaic.vrt`: a GDAL VRT mosaic of one asset of the Items. */
export function registerVrtCommand(program: Command): Command {
  return program
    .command('vrt')
    .description('write a GDAL VRT mosaic of one asset of the Items (opens in GDAL and QGIS; `pyramids read` reads it lazily)')
    .argument('<items>', 'Items file (JSON, NDJSON, or a codec format such as .parquet), or - for stdin')
    .requiredOption('--asset <key>', 'asset key to mosaic')
    .requiredOption('-o, --output <path>', 'VRT file to write')
    .option('--separate', 'one band per Item instead of a mosaic (as gdalbuildvrt -separate)')
    .option('--band <n>', 'band of each Item used with --separate (default 1)')
    .option('--strict', 'fail when an Item cannot be placed (other CRS, rotated grid) instead of leaving it out')
    .option('--resolution <how>', 'highest, lowest or average (default) resolution of the Items')
    .action(async (source: string, options: VRTCommandOptions & { signer?: string }) => {
      const signer = signerFromOptions(options);
      await runVrtCommand(source, options, signer ? { signer } : {});
    });
}
