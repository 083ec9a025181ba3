import { itemDatetime, OptionError, readItemPoint, type Signer } from '@pyramids/core';
import type { Command } from 'commander';
import { createDefaultRegistry } from '../default-registry.js';
import { loadItems } from '../load-items.js';
import { parseIntegerList } from '../parse-options.js';

/** The options `pyramids point-values` parses. */
export interface PointValuesCommandOptions {
  asset: string;
  point: Array<[number, number]>;
  bands?: string;
}

/** Hooks for shared options (e.g. `--signer`): `resolveSigner` turns parsed options into a Signer. */
export interface PointValuesCommandHooks {
  resolveSigner?: (
    options: Record<string, unknown>,
  ) => Signer | undefined | Promise<Signer | undefined>;
}

/** `--point lon,lat`, repeatable. */
function collectPoint(
  value: string,
  previous: Array<[number, number]> = [],
): Array<[number, number]> {
  const parts = value.split(',').map((part) => Number(part.trim()));
  if (parts.length !== 2 || parts.some((part) => !Number.isFinite(part))) {
    throw new OptionError(
      `--point must be LON,LAT in degrees (e.g. --point 11.2,46.1), not '${value}'`,
    );
  }
  return [...previous, [parts[0]!, parts[1]!]];
}

/**
 * `pyramids point-values ITEMS --asset KEY --point LON,LAT …`: the values of one asset of every
 * Item at the points, a time series when the Items are dates of one place. Prints a JSON array
 * of `{ item, datetime, lon, lat, values, nodata }` (values null outside an Item's raster).
 */
export function registerPointValuesCommand(
  program: Command,
  hooks: PointValuesCommandHooks = {},
): Command {
  return program
    .command('point-values')
    .description(
      'values of an asset of each Item at lon/lat points (a time series across Items), as JSON',
    )
    .argument('<items>', 'Items file (JSON, NDJSON, .parquet) or - for standard input')
    .requiredOption('--asset <key>', 'asset key to read')
    .requiredOption('--point <lon,lat>', 'a point in degrees (repeat for several)', collectPoint)
    .option('--bands <list>', '1-based band numbers, e.g. 1,2 (default: every band)')
    .action(
      async (source: string, options: PointValuesCommandOptions & Record<string, unknown>) => {
        const registry = createDefaultRegistry();
        const signer = await hooks.resolveSigner?.({ ...options, source });
        const bands = options.bands ? parseIntegerList(options.bands, '--bands') : undefined;
        const { items, baseHref } = await loadItems(source, registry);
        const rows: Array<Record<string, unknown>> = [];
        for (const item of items) {
          const datetime = itemDatetime(item);
          const values = await readItemPoint(item, options.asset, options.point, {
            registry,
            baseHref,
            signer,
            bands,
          });
          for (const point of values) {
            rows.push({
              item: item.id,
              datetime: datetime ? datetime.toISOString() : null,
              lon: point.lon,
              lat: point.lat,
              values: point.values,
              nodata: point.nodata,
            });
          }
        }
        process.stdout.write(`${JSON.stringify(rows)}\n`);
      },
    );
}
