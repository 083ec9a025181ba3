import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  parseItemsText,
  StacAssetError,
  toItems,
  type Registry,
  type StacItem,
} from '@pyramids/core';

/** Items read from a file, and the directory their relative hrefs resolve against. */
export interface LoadedItems {
  items: StacItem[];
  baseHref: string;
}

/**
 * Reads Items from a path: JSON (Item, ItemCollection, array), NDJSON, or any
 * format a registered codec serves (e.g. `.parquet`). `-` reads standard input.
 */
export async function loadItems(source: string, registry: Registry): Promise<LoadedItems> {
  const codec = source === '-' ? undefined : registry.codecFor(source);
  if (codec) {
    const implementation = await codec.load();
    const items: StacItem[] = [];
    for await (const item of implementation.readItems(source)) items.push(item);
    return { items, baseHref: `${path.dirname(path.resolve(source))}/` };
  }
  let text: string;
  try {
    text = source === '-' ? await readStdin() : await readFile(source, 'utf8');
  } catch (error) {
    throw new StacAssetError(
      `cannot read Items from ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const items = parseItemsText(text, source);
  return {
    items: toItems(items),
    baseHref: source === '-' ? `${process.cwd()}/` : `${path.dirname(path.resolve(source))}/`,
  };
}

/** Picks one Item by id, or the only/first one when no id is given. */
export function pickItem(items: StacItem[], id: string | undefined): StacItem {
  if (items.length === 0) throw new StacAssetError('the Items input holds no Items');
  if (id === undefined) return items[0]!;
  const found = items.find((item) => item.id === id);
  if (!found) {
    const ids = items.slice(0, 10).map((item) => item.id);
    throw new StacAssetError(
      `item '${id}' not found; the input has ${items.length} item(s): ${ids.join(', ')}${items.length > 10 ? ', …' : ''}`,
    );
  }
  return found;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
