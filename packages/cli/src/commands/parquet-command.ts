import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  OptionError,
  replaceWithTemporary,
  WriteError,
  redactHref,
  type StacItem,
} from '@pyramids/core';
import type { Command } from 'commander';
import { createDefaultRegistry } from '../default-registry.js';
import { loadItems } from '../load-items.js';

/**
 * `pyramids parquet write ITEMS OUT.parquet` and `pyramids parquet read IN.parquet [-o items.json|.ndjson]`:
 * convert between STAC Items (JSON, NDJSON) and stac-geoparquet.
 */
export function registerParquetCommand(program: Command): void {
  const parquet = program.command('parquet').description('write and read stac-geoparquet files');

  parquet
    .command('write')
    .description(
      'write STAC Items (JSON, NDJSON, ItemCollection, or another codec format) as stac-geoparquet',
    )
    .argument('<items>', 'Items file, or - for stdin')
    .argument('<output>', 'the .parquet file to write')
    .option('--row-group-size <rows>', 'rows per row group (default 5000)', parsePositiveInteger)
    .option(
      '--json-column',
      'also store each Item’s full JSON (column stac_item) for exact round trips',
    )
    .option('--collection <file>', 'a STAC Collection JSON file to embed in the file metadata')
    .action(
      async (
        source: string,
        output: string,
        options: { rowGroupSize?: number; jsonColumn?: boolean; collection?: string },
      ) => {
        const registry = createDefaultRegistry();
        const codec = registry.codecFor(output);
        if (!codec)
          throw new OptionError(
            `${redactHref(output)} has no codec: the output must end in .parquet or .geoparquet`,
          );
        const { items } = await loadItems(source, registry);
        const collections = options.collection
          ? [await readCollection(options.collection)]
          : undefined;
        const implementation = await codec.load();
        await implementation.writeItems(items, output, {
          rowGroupSize: options.rowGroupSize,
          jsonColumn: options.jsonColumn,
          collections,
        });
        process.stderr.write(`pyramids: wrote ${items.length} item(s) to ${redactHref(output)}\n`);
      },
    );

  parquet
    .command('read')
    .description(
      'read a stac-geoparquet file (path or http(s) URL) and print its Items as an ItemCollection, or write JSON / NDJSON',
    )
    .argument('<input>', 'the .parquet file')
    .option(
      '-o, --output <file>',
      'write to a file: .json (ItemCollection) or .ndjson (one Item per line); standard output when omitted',
    )
    .option('--max-items <n>', 'stop after this many Items', parsePositiveInteger)
    .action(async (input: string, options: { output?: string; maxItems?: number }) => {
      const registry = createDefaultRegistry();
      const codec = registry.codecFor(input);
      if (!codec)
        throw new OptionError(
          `${redactHref(input)} is not a stac-geoparquet file: expected a .parquet or .geoparquet name`,
        );
      const implementation = await codec.load();
      const items = implementation.readItems(input, { maxItems: options.maxItems });
      const ndjson = options.output?.toLowerCase().endsWith('.ndjson') ?? false;
      if (
        options.output &&
        !ndjson &&
        !options.output.toLowerCase().endsWith('.json') &&
        !options.output.toLowerCase().endsWith('.geojson')
      ) {
        throw new OptionError(
          `--output must end in .json, .geojson or .ndjson, got ${options.output}`,
        );
      }
      if (!options.output) {
        await writeItems(items, (text) => void process.stdout.write(text), false);
        return;
      }
      await writeFileAtomically(options.output, (write) => writeItems(items, write, ndjson));
    });
}

/** Streams Items as an ItemCollection or NDJSON through `write`, one Item at a time. */
async function writeItems(
  items: AsyncIterable<StacItem>,
  write: (text: string) => void | Promise<void>,
  ndjson: boolean,
): Promise<number> {
  let count = 0;
  if (!ndjson) await write('{"type":"FeatureCollection","features":[');
  for await (const item of items) {
    if (ndjson) await write(`${JSON.stringify(item)}\n`);
    else await write(`${count ? ',' : ''}\n${JSON.stringify(item)}`);
    count++;
  }
  if (!ndjson) await write('\n]}\n');
  return count;
}

/** Writes to a temporary name and renames at the end, so a failure leaves no partial file. */
async function writeFileAtomically(
  target: string,
  produce: (write: (text: string) => Promise<void>) => Promise<number>,
): Promise<void> {
  const partial = `${target}.partial-${process.pid}`;
  const stream = createWriteStream(partial);
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
    const write = (text: string) =>
      new Promise<void>((resolve, reject) => {
        if (stream.write(text)) resolve();
        else stream.once('drain', resolve).once('error', reject);
      });
    const count = await produce(write);
    await new Promise<void>((resolve, reject) =>
      stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    await replaceWithTemporary(partial, target);
    process.stderr.write(`pyramids: wrote ${count} item(s) to ${target}\n`);
  } catch (error) {
    stream.destroy();
    await rm(partial, { force: true });
    if ((error as NodeJS.ErrnoException).code && !(error as { details?: unknown }).details) {
      throw new WriteError(`cannot write ${target}: ${(error as NodeJS.ErrnoException).code}`, {
        cause: error,
      });
    }
    throw error;
  }
}

async function readCollection(file: string): Promise<unknown> {
  const { readFile } = await import('node:fs/promises');
  let collection: unknown;
  try {
    collection = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new OptionError(
      `--collection ${file} is not a readable JSON file: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (
    (collection as { type?: unknown }).type !== 'Collection' ||
    typeof (collection as { id?: unknown }).id !== 'string'
  ) {
    throw new OptionError(
      `--collection ${file} is not a STAC Collection (needs "type": "Collection" and an "id")`,
    );
  }
  return collection;
}

function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new OptionError(`expected a positive whole number, got '${value}'`);
  return number;
}
