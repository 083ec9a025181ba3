import { checkJsonLimits } from './json-limits.js';
import { StacAssetError } from '../errors/stac-asset-error.js';
import { asItem, toPlainJson } from './accessors.js';
import type { ItemCollection, ItemsInput, StacItem } from './stac-types.js';

/**
 * Normalises anything Item-shaped to an array of plain Items: one Item, an
 * ItemCollection, an array or iterable of Items, or objects with `toJSON()`.
 */
export function toItems(input: ItemsInput | unknown): StacItem[] {
  const value = toPlainJson(input);
  if (value === null || typeof value !== 'object') {
    throw new StacAssetError(`expected STAC Items, got ${value === null ? 'null' : typeof value}`);
  }
  const record = value as { type?: unknown; features?: unknown };
  if (record.type === 'FeatureCollection') {
    if (!Array.isArray(record.features)) {
      throw new StacAssetError('ItemCollection has no "features" array');
    }
    return record.features.map((feature, index) => withIndex(index, () => asItem(feature)));
  }
  if (record.type === 'Feature') return [asItem(value)];
  if (Symbol.iterator in (value as object)) {
    return Array.from(value as Iterable<unknown>, (entry, index) =>
      withIndex(index, () => asItem(entry)),
    );
  }
  throw new StacAssetError(
    `expected a STAC Item, an ItemCollection or an array of Items; got an object with type ${JSON.stringify(record.type)}`,
  );
}

function withIndex<T>(index: number, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (StacAssetError.isInstance(error)) {
      throw new StacAssetError(`item #${index}: ${error.message}`, {
        cause: error,
        details: error.details,
      });
    }
    throw error;
  }
}

/** Wraps Items as an ItemCollection. */
export function toItemCollection(items: StacItem[]): ItemCollection {
  return { type: 'FeatureCollection', features: items };
}

/**
 * Parses the text of an Items file: a JSON Item, ItemCollection or array, or
 * newline-delimited JSON (one Item per line). `name` is used in error messages.
 */
export function parseItemsText(text: string, name = 'input'): StacItem[] {
  const trimmed = text.trim();
  if (trimmed === '')
    throw new StacAssetError(`${name} is empty; expected STAC Items as JSON or NDJSON`);
  checkJsonLimits(trimmed, name, (message) => new StacAssetError(message));
  try {
    return toItems(JSON.parse(trimmed));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    // Not one JSON document: try one Item per line.
    const lines = trimmed.split(/\r?\n/).filter((line) => line.trim() !== '');
    if (lines.length < 2) {
      throw new StacAssetError(`${name} is not valid JSON: ${error.message}`, { cause: error });
    }
    return lines.map((line, index) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (lineError) {
        throw new StacAssetError(
          `${name} line ${index + 1} is not valid JSON: ${(lineError as Error).message}`,
          {
            cause: lineError,
          },
        );
      }
      return withIndex(index, () => asItem(parsed));
    });
  }
}
