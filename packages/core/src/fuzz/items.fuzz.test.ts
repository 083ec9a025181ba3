// Property-based fuzzing of STAC Items: real fixture Items with fields replaced by junk
// (wrong types, NaN, huge numbers, hostile hrefs, nested objects) through the calls that
// take Items. Every case ends, within a few seconds, in a result or in a typed one-line
// PyramidsError that never quotes the secret planted in the hrefs. Seeded and reproducible.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../../vitest.shared.js';
import { DatasetCollection } from '../cube/dataset-collection.js';
import { PyramidsError } from '../errors/pyramids-error.js';
import { createRegistry } from '../plugins/registry.js';
import { readExtensionMetadata } from '../stac/extension-metadata.js';
import { parseItemsText } from '../stac/items.js';
import { resolveAssetHref } from '../stac/accessors.js';
import type { StacItem } from '../stac/stac-types.js';

const SECRET = 'FUZZSECRET9f3a';
const collection = JSON.parse(
  readFileSync(
    path.join(
      fixturesDir,
      'stac/items/earth-search-v1/search_sentinel-2-l2a_landsat-c2-l2_2items.json',
    ),
    'utf8',
  ),
) as { features: StacItem[] };
// Signed-looking hrefs, so that a message quoting an href would show the secret.
const bases = collection.features.map((item) => {
  const copy = structuredClone(item);
  for (const asset of Object.values(copy.assets)) asset.href = `${asset.href}?sig=${SECRET}`;
  return copy;
});

const junk = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, 1e308, -1, 0, 4294967295, 0.5),
  fc.integer(),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    'file:///etc/passwd',
    '/dev/zero',
    '../../etc/passwd',
    'http://u:p@h/x',
    'EPSG:NaN',
  ),
  fc.array(fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 4 })), { maxLength: 7 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), {
    maxKeys: 3,
  }),
);
const paths = [
  ['type'],
  ['id'],
  ['geometry'],
  ['bbox'],
  ['properties'],
  ['properties', 'datetime'],
  ['properties', 'proj:code'],
  ['properties', 'proj:epsg'],
  ['properties', 'proj:shape'],
  ['properties', 'proj:transform'],
  ['assets'],
  ['assets', '*'],
  ['assets', '*', 'href'],
  ['assets', '*', 'type'],
  ['assets', '*', 'proj:shape'],
  ['assets', '*', 'proj:transform'],
  ['assets', '*', 'raster:bands'],
  ['assets', '*', 'eo:bands'],
  ['links'],
  ['stac_version'],
];
const mutation = fc.record({
  base: fc.integer({ min: 0, max: bases.length - 1 }),
  changes: fc.array(fc.record({ path: fc.constantFrom(...paths), value: junk }), {
    minLength: 1,
    maxLength: 4,
  }),
});

function mutate(base: StacItem, changes: { path: string[]; value: unknown }[]): unknown {
  const item = structuredClone(base) as unknown as Record<string, unknown>;
  const asset = Object.keys(base.assets)[0]!;
  for (const { path: where, value } of changes) {
    const keys = where.map((key) => (key === '*' ? asset : key));
    let target = item as Record<string, unknown> | undefined;
    for (const key of keys.slice(0, -1)) {
      const next = target?.[key];
      target =
        typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : undefined;
    }
    if (target) target[keys.at(-1)!] = value;
  }
  return item;
}

async function within<T>(ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Success, or a typed one-line error without the secret; anything else fails the property. */
function expectTyped(error: unknown): void {
  if (!PyramidsError.isInstance(error)) throw error;
  expect(error.message).not.toContain('\n');
  expect(error.message).not.toContain(SECRET);
  expect(error.message).not.toMatch(/: undefined$/);
}

describe('Items, fuzzed', () => {
  it('through parseItemsText, readExtensionMetadata and fromStac (150 cases)', async () => {
    // No reader is registered and fetch refuses: nothing here may reach a network.
    const fetch = (() => {
      throw new TypeError('the fuzz suite makes no requests');
    }) as unknown as typeof globalThis.fetch;
    await fc.assert(
      fc.asyncProperty(mutation, async ({ base, changes }) => {
        const item = mutate(bases[base]!, changes);
        const asset = Object.keys(bases[base]!.assets)[0]!;
        await within(5_000, async () => {
          let items: StacItem[] = [];
          try {
            items = parseItemsText(JSON.stringify(item) ?? '', 'fuzz.json');
          } catch (error) {
            expectTyped(error);
            return;
          }
          try {
            readExtensionMetadata(items[0]!, asset);
          } catch (error) {
            expectTyped(error);
          }
          try {
            const cube = await DatasetCollection.fromStac(items, {
              registry: createRegistry(),
              asset,
              fetch,
              chunkSize: 256,
            });
            expect(cube.shape.every((size) => Number.isInteger(size) && size >= 0)).toBe(true);
          } catch (error) {
            expectTyped(error);
          }
        });
      }),
      {
        numRuns: Number(process.env['FUZZ_RUNS'] ?? 150),
        seed: Number(process.env['FUZZ_SEED'] ?? 20261203),
      },
    );
  }, 240_000);

  // Found by this fuzzer: `links` that is not an array crashed the self-link lookup with a TypeError.
  it('regression: an Item whose links are a string resolves hrefs without a crash', () => {
    const item = structuredClone(bases[0]!) as unknown as Record<string, unknown>;
    item['links'] = 'file:///etc/passwd';
    const [parsed] = parseItemsText(JSON.stringify(item), 'links.json');
    const asset = Object.keys(bases[0]!.assets)[0]!;
    expect(resolveAssetHref(parsed!, asset)).toContain(SECRET);
  });
});
