import { readExtensionMetadata } from '@pyramids/core';
import type { Command } from 'commander';
import { createDefaultRegistry } from '../default-registry.js';
import { loadItems, pickItem } from '../load-items.js';

/** `pyramids info ITEMS --asset KEY [--item ID]`: the Item's raster metadata as JSON, no I/O on rasters. */
export function registerInfoCommand(program: Command): void {
  program
    .command('info')
    .description(
      "print what an Item's STAC extension fields say about an asset (CRS, grid, bands), reading no pixels",
    )
    .argument(
      '<items>',
      'Items file (JSON, NDJSON, or a codec format such as .parquet), or - for stdin',
    )
    .option('--asset <key>', 'asset key; item-level fields only when omitted')
    .option('--item <id>', 'item id when the file holds several (default: the first)')
    .action(async (source: string, options: { asset?: string; item?: string }) => {
      const { items } = await loadItems(source, createDefaultRegistry());
      const item = pickItem(items, options.item);
      const metadata = readExtensionMetadata(item, options.asset);
      process.stdout.write(`${JSON.stringify(metadata, nanReplacer, 2)}\n`);
    });
}

/** JSON has no NaN or Infinity: print them as the STAC raster extension spells them. */
export function nanReplacer(_key: string, value: unknown): unknown {
  if (typeof value !== 'number' || Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return 'nan';
  return value > 0 ? 'inf' : '-inf';
}
