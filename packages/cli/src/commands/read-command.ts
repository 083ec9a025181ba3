import {
  geoKeyDirectoryFromTags,
  loadAsset,
  openRaster,
  OptionError,
  PyramidsError,
  writeGeoTiff,
  type Dataset,
} from '@pyramids/core';
import type { Command } from 'commander';
import { createDefaultRegistry } from '../default-registry.js';
import { loadItems, pickItem } from '../load-items.js';
import { looksLikeItems, parseBbox, parseIntegerList } from '../parse-options.js';
import { signerFromOptions } from '../signer-option.js';

interface ReadOptions {
  signer?: string;
  asset?: string;
  item?: string;
  bbox?: string;
  bboxCrs?: string;
  bands?: string;
  overview?: string;
  variable?: string;
  output: string;
}

/** The reader's "choose a variable" error, worded for the command line. */
function withVariableHint(error: unknown, source: string): unknown {
  const variables = PyramidsError.isInstance(error) ? error.details['variables'] : undefined;
  if (
    !OptionError.isInstance(error) ||
    !Array.isArray(variables) ||
    !/holds \d+ variables/.test(error.message)
  )
    return error;
  return new OptionError(
    `${source} holds ${variables.length} variables (${variables.join(', ')}); pass --variable NAME, e.g. --variable ${String(variables[0])}`,
    { ...(error.plugin ? { plugin: error.plugin } : {}), details: { variables } },
  );
}

/** `pyramids read SOURCE -o OUT.tif`: a (windowed) read of one asset or raster, written as a GeoTIFF. */
export function registerReadCommand(program: Command): Command {
  return program
    .command('read')
    .description(
      'read one asset of an Item, or a raster path/URL (--variable picks a NetCDF/HDF5 variable), and write the (windowed) pixels as a GeoTIFF',
    )
    .argument('<source>', 'an Items file (with --asset) or a raster path or URL')
    .option('--asset <key>', 'asset key, when SOURCE is an Items file')
    .option('--item <id>', 'item id when the file holds several (default: the first)')
    .option(
      '--bbox <minx,miny,maxx,maxy>',
      'bounds to read (in --bbox-crs, default the raster CRS)',
    )
    .option('--bbox-crs <crs>', 'CRS of --bbox, e.g. EPSG:4326')
    .option('--bands <list>', '1-based band numbers, e.g. 1,2')
    .option(
      '--overview <level>',
      'overview level to read: 0 = full resolution (default), 1 = first overview, …',
    )
    .option(
      '--variable <name>',
      'variable (GDAL subdataset) of a NetCDF, HDF5 or Zarr file with several, e.g. blue or /group/var',
    )
    .requiredOption('-o, --output <file.tif>', 'output GeoTIFF')
    .action(async (source: string, options: ReadOptions) => {
      const registry = createDefaultRegistry();
      const signer = signerFromOptions(options, { targets: [source] });
      const readerOptions =
        options.variable !== undefined ? { readerOptions: { variable: options.variable } } : {};
      let dataset: Dataset;
      try {
        if (looksLikeItems(source) || options.asset) {
          if (!options.asset)
            throw new OptionError(
              `${source} is an Items file: pass --asset KEY to choose the asset to read`,
            );
          const { items, baseHref } = await loadItems(source, registry);
          dataset = await loadAsset(pickItem(items, options.item), options.asset, {
            registry,
            baseHref,
            ...readerOptions,
            signer,
          });
        } else {
          dataset = await openRaster(source, {
            registry,
            ...readerOptions,
            signer,
          });
        }
      } catch (error) {
        throw withVariableHint(error, source);
      }
      try {
        const result = await dataset.read({
          bbox: options.bbox ? parseBbox(options.bbox) : undefined,
          bboxCrs: options.bboxCrs,
          bands: options.bands ? parseIntegerList(options.bands, '--bands') : undefined,
          overview: options.overview ? Number(options.overview) : undefined,
        });
        const metadata = dataset.source.metadata ?? {};
        const rawKeys = metadata['geoKeys'] as
          { directory: number[]; doubleParams?: number[]; asciiParams?: string } | undefined;
        const gcps = metadata['gcps'] as
          { pixel: number; line: number; x: number; y: number; z: number }[] | undefined;
        // A window of a GCP-georeferenced raster moves its GCPs by the window offset.
        const shiftedGcps = gcps?.map((gcp) => ({
          ...gcp,
          pixel: gcp.pixel - result.window.x,
          line: gcp.line - result.window.y,
        }));
        await writeGeoTiff(options.output, {
          grid: result.grid,
          bands: result.bands,
          data: result.data,
          // The source's own GeoKeys when its CRS is not a plain EPSG code, so it survives exactly.
          ...(rawKeys && !/^EPSG:\d+$/.test(result.grid.crs ?? '')
            ? {
                geoKeys: geoKeyDirectoryFromTags(
                  rawKeys.directory,
                  rawKeys.doubleParams,
                  rawKeys.asciiParams,
                ),
              }
            : {}),
          gcps: shiftedGcps,
        });
        process.stderr.write(
          `wrote ${options.output}: ${result.window.width} × ${result.window.height} px, ${result.data.length} band(s)\n`,
        );
      } finally {
        await dataset.close();
      }
    });
}
