import { open } from 'node:fs/promises';
import path from 'node:path';
import {
  buildVrtDocument,
  OptionError,
  writeFileAtomic,
  WriteError,
  type Signer,
} from '@pyramids/core';
import { signerFromOptions } from '../signer-option.js';
import type { Command } from 'commander';
import { createDefaultRegistry } from '../default-registry.js';
import { loadItems } from '../load-items.js';

/** Options of `pyramids vrt`. */
export interface VrtCommandOptions {
  asset: string;
  output: string;
  separate?: boolean;
  band?: string;
  strict?: boolean;
  resolution?: string;
  /** Writes the GDAL config that opens the VRT (credentials) here, as NAME=value lines readable by the owner only. */
  envFile?: string;
}

/**
 * Writes `NAME=value` lines to `file`, created readable by its owner only (the
 * values are credentials). A value GDAL needs on one line is refused rather than broken.
 */
async function writeEnvFile(file: string, config: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(config)) {
    if (/[\r\n]/.test(value))
      throw new OptionError(
        `--env-file: the value of ${name} spans lines and cannot go into an env file; open the VRT with pyramids read --signer instead`,
      );
  }
  const text = Object.entries(config)
    .map(([name, value]) => `${name}=${value}\n`)
    .join('');
  let handle;
  try {
    handle = await open(file, 'w', 0o600);
    await handle.chmod(0o600);
    await handle.writeFile(text, 'utf8');
  } catch (error) {
    throw new WriteError(
      `cannot write --env-file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  } finally {
    await handle?.close();
  }
}

/**
 * Builds the VRT and writes it; the body of `pyramids vrt`, callable with a signer
 * (the `--signer NAME` option is resolved by the caller).
 */
export async function runVrtCommand(
  source: string,
  options: VrtCommandOptions,
  extras: { signer?: Signer } = {},
): Promise<void> {
  const registry = createDefaultRegistry();
  const band = options.band === undefined ? undefined : Number(options.band);
  if (band !== undefined && !(Number.isInteger(band) && band >= 1))
    throw new OptionError(`--band must be a positive integer; got ${options.band}`);
  const resolution = options.resolution;
  if (resolution !== undefined && !['highest', 'lowest', 'average'].includes(resolution)) {
    throw new OptionError(`--resolution must be highest, lowest or average; got ${resolution}`);
  }
  const { items, baseHref } = await loadItems(source, registry);
  const result = await buildVrtDocument(items, options.asset, {
    registry,
    baseHref,
    signer: extras.signer,
    separate: options.separate === true,
    strict: options.strict === true,
    band,
    resolution: (resolution || undefined) as 'highest' | 'lowest' | 'average' | undefined,
    onWarning: (warning) => process.stderr.write(`pyramids: warning: ${warning}\n`),
  });
  await writeFileAtomic(options.output, result.xml);
  const sources = new Set(
    result.document.bands.flatMap((vrtBand) =>
      vrtBand.sources.map((vrtSource) => vrtSource.filename),
    ),
  ).size;
  process.stdout.write(
    `wrote ${path.resolve(options.output)}: ${result.document.width} × ${result.document.height}, ` +
      `${result.document.bands.length} band(s), ${sources} source(s)${result.skipped.length ? `, ${result.skipped.length} left out` : ''}\n`,
  );
  // The VRT carries no credential; GDAL reads it under this config. Names only on the terminal: the values are secrets.
  const names = Object.keys(result.gdalConfig);
  if (options.envFile) await writeEnvFile(options.envFile, result.gdalConfig);
  if (names.length > 0) {
    process.stdout.write(
      options.envFile
        ? `GDAL opens it with the config ${names.join(', ')}, written to ${path.resolve(options.envFile)} (e.g. set -a; . ${options.envFile}; set +a; gdalinfo ${options.output})\n`
        : `GDAL opens it with the config ${names.join(', ')} (secrets, not shown): pass --env-file FILE to write them\n`,
    );
  }
}

/** `pyramids vrt ITEMS --asset KEY [--separate] -o mosaic.vrt`: a GDAL VRT mosaic of one asset of the Items. */
export function registerVrtCommand(program: Command): Command {
  return program
    .command('vrt')
    .description(
      'write a GDAL VRT mosaic of one asset of the Items (opens in GDAL and QGIS; `pyramids read` reads it lazily)',
    )
    .argument(
      '<items>',
      'Items file (JSON, NDJSON, or a codec format such as .parquet), or - for stdin',
    )
    .requiredOption('--asset <key>', 'asset key to mosaic')
    .requiredOption('-o, --output <path>', 'VRT file to write')
    .option('--separate', 'one band per Item instead of a mosaic (as gdalbuildvrt -separate)')
    .option('--band <n>', 'band of each Item used with --separate (default 1)')
    .option(
      '--strict',
      'fail when an Item cannot be placed (other CRS, rotated grid) instead of leaving it out',
    )
    .option('--resolution <how>', 'highest, lowest or average (default) resolution of the Items')
    .option(
      '--env-file <file>',
      "write the GDAL config that opens the VRT with the signer's credentials (GDAL_HTTP_HEADERS, AWS_*, AZURE_*), as NAME=value lines readable by you only",
    )
    .action(async (source: string, options: VrtCommandOptions & { signer?: string }) => {
      const signer = signerFromOptions(options);
      await runVrtCommand(source, options, signer ? { signer } : {});
    });
}
