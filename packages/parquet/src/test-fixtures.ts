// Test helpers: every STAC Item in the shared fixtures, and the normalisations
// the README documents, applied to the source JSON before comparing.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { StacItem } from '@pyramids/core';
import { TIMESTAMP_PROPERTIES } from './item-schema.js';
import { formatTimestampMicros, parseTimestampMicros } from './timestamps.js';

/** Items of every JSON file under `directory` (Item files, ItemCollections, arrays), grouped by file. */
export function fixtureItemFiles(directory: string): { file: string; items: StacItem[] }[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(json|geojson)$/.test(entry.name)) files.push(full);
    }
  };
  walk(directory);
  return files
    .sort()
    .map((file) => ({ file: path.relative(directory, file), items: itemsOf(JSON.parse(readFileSync(file, 'utf8'))) }))
    .filter((entry) => entry.items.length > 0);
}

function itemsOf(value: unknown): StacItem[] {
  if (Array.isArray(value)) return value.filter((entry) => (entry as { type?: unknown }).type === 'Feature') as StacItem[];
  const record = value as { type?: unknown; features?: unknown };
  if (record.type === 'Feature') return [value as StacItem];
  if (record.type === 'FeatureCollection') return record.features as StacItem[];
  return [];
}

/**
 * The source Item as a reader of stac-geoparquet gives it back: timestamps of the
 * top-level timestamp properties in canonical UTC spelling, null object members
 * dropped (except `properties.datetime`, which is null when absent).
 */
export function normalizeItem(item: StacItem): StacItem {
  const copy = dropNulls(structuredClone(item)) as StacItem;
  const properties = copy.properties ?? {};
  for (const key of Object.keys(properties)) {
    const value = properties[key];
    if (TIMESTAMP_PROPERTIES.has(key) && typeof value === 'string') {
      const micros = parseTimestampMicros(value);
      if (micros !== undefined) properties[key] = formatTimestampMicros(micros);
    }
  }
  if (!('datetime' in properties)) properties['datetime'] = null;
  copy.properties = properties;
  copy.assets ??= {};
  return copy;
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((entry) => dropNulls(entry));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) if (entry !== null) out[key] = dropNulls(entry);
    return out;
  }
  return value;
}
