// Test helpers: every STAC Item in the shared fixtures, and the normalisations
// the README documents, applied to the source JSON before comparing. Timestamps
// are normalised by Python's datetime, not by the parser under test.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { StacItem } from '@pyramids/core';

/** The top-level properties stac-geoparquet stores as timestamps (the STAC common metadata date fields). */
const TIMESTAMP_PROPERTIES = new Set([
  'datetime',
  'start_datetime',
  'end_datetime',
  'created',
  'updated',
  'expires',
  'published',
  'unpublished',
]);

// RFC 3339 text → UTC, spelled with the shortest exact fraction (none, milliseconds or
// microseconds); text that is not RFC 3339, or finer than a microsecond, stays as it is.
const CANONICAL_TIMESTAMPS = `
import json, re, sys
from datetime import datetime, timezone
PATTERN = re.compile(r'^(\\d{4}-\\d{2}-\\d{2})[Tt ](\\d{2}:\\d{2}:\\d{2})(?:\\.(\\d+))?([Zz]|[+-]\\d{2}:?\\d{2})$')
def canonical(text):
    match = PATTERN.match(text)
    if not match:
        return text
    day, time, fraction, zone = match.groups()
    fraction = fraction or ''
    if len(fraction) > 6 and fraction[6:].strip('0'):
        return text
    zone = '+00:00' if zone in ('Z', 'z') else (zone if ':' in zone else zone[:3] + ':' + zone[3:])
    try:
        moment = datetime.fromisoformat(f'{day}T{time}{zone}').replace(microsecond=int((fraction + '000000')[:6]))
    except ValueError:
        return text
    moment = moment.astimezone(timezone.utc)
    base = moment.strftime('%Y-%m-%dT%H:%M:%S')
    if moment.microsecond == 0:
        return base + 'Z'
    if moment.microsecond % 1000 == 0:
        return f'{base}.{moment.microsecond // 1000:03d}Z'
    return f'{base}.{moment.microsecond:06d}Z'
print(json.dumps({text: canonical(text) for text in json.load(sys.stdin)}))
`;

/** Canonical spellings of timestamps, computed once per distinct text by Python. */
const canonicalTimestamps = new Map<string, string>();

function canonicalTimestamp(text: string): string {
  if (!canonicalTimestamps.has(text)) {
    const output = execFileSync('python3', ['-c', CANONICAL_TIMESTAMPS], {
      input: JSON.stringify([text]),
      encoding: 'utf8',
    });
    canonicalTimestamps.set(text, (JSON.parse(output) as Record<string, string>)[text]!);
  }
  return canonicalTimestamps.get(text)!;
}

/** Computes the canonical spellings of many timestamps in one Python run (normalizeItem then finds them cached). */
export function primeTimestamps(items: readonly StacItem[]): void {
  const texts = new Set<string>();
  for (const item of items) {
    for (const [key, value] of Object.entries(item.properties ?? {})) {
      if (
        TIMESTAMP_PROPERTIES.has(key) &&
        typeof value === 'string' &&
        !canonicalTimestamps.has(value)
      )
        texts.add(value);
    }
  }
  if (texts.size === 0) return;
  const output = execFileSync('python3', ['-c', CANONICAL_TIMESTAMPS], {
    input: JSON.stringify([...texts]),
    encoding: 'utf8',
  });
  for (const [text, canonical] of Object.entries(JSON.parse(output) as Record<string, string>))
    canonicalTimestamps.set(text, canonical);
}

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
  const entries = files
    .sort()
    .map((file) => ({
      file: path.relative(directory, file),
      items: itemsOf(JSON.parse(readFileSync(file, 'utf8'))),
    }))
    .filter((entry) => entry.items.length > 0);
  primeTimestamps(entries.flatMap((entry) => entry.items));
  return entries;
}

function itemsOf(value: unknown): StacItem[] {
  if (Array.isArray(value))
    return value.filter((entry) => (entry as { type?: unknown }).type === 'Feature') as StacItem[];
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
  primeTimestamps([item]);
  const copy = dropNulls(structuredClone(item)) as StacItem;
  const properties = copy.properties ?? {};
  for (const key of Object.keys(properties)) {
    const value = properties[key];
    if (TIMESTAMP_PROPERTIES.has(key) && typeof value === 'string')
      properties[key] = canonicalTimestamp(value);
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
    for (const [key, entry] of Object.entries(value))
      if (entry !== null) out[key] = dropNulls(entry);
    return out;
  }
  return value;
}
