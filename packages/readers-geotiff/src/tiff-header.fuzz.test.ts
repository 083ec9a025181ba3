// Property-based fuzzing of TIFF headers: bytes of small real fixture TIFFs flipped at random
// (IFD entries, types, counts, offsets, tile sizes, predictor, compression) and read through
// the registry. Every case must end, within a few seconds, either in pixels or in a typed
// one-line PyramidsError; never a hang, a crash deep in a dependency or a multi-line message.
// Seeded: a failure prints the seed and path that reproduce it.
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry, openRaster, PyramidsError } from '@pyramids/core';
import { fixturesDir } from '../../../vitest.shared.js';
import { geotiffReader } from './index.js';

const sources = [
  'rasterio/byte.tif',
  'rasterio/float_nan.tif',
  'rasterio/rotated.tif',
  'cogeotiff/cog.tiff',
]
  .map((name) => path.join(fixturesDir, 'rasters', name))
  .map((file) => ({ name: path.basename(file), bytes: readFileSync(file) }));
const scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-tiff-fuzz-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const registry = createRegistry().use(geotiffReader());

/** Runs `work`, failing the property if it takes longer than `ms` (a hang). */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

let caseNumber = 0;
const mutation = fc.record({
  source: fc.integer({ min: 0, max: sources.length - 1 }),
  // Flips land mostly in the first 512 bytes (header and IFDs), sometimes anywhere.
  flips: fc.array(
    fc.record({
      at: fc.oneof(fc.integer({ min: 0, max: 511 }), fc.nat()),
      value: fc.integer({ min: 0, max: 255 }),
    }),
    { minLength: 1, maxLength: 8 },
  ),
  truncateTo: fc.option(fc.nat(), { nil: undefined }),
});

describe('TIFF headers, fuzzed', () => {
  it('end in pixels or a typed one-line error, in bounded time (120 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async ({ source, flips, truncateTo }) => {
        const original = sources[source]!;
        let bytes = Buffer.from(original.bytes);
        for (const { at, value } of flips) bytes[at % bytes.length] = value;
        if (truncateTo !== undefined) bytes = bytes.subarray(0, truncateTo % (bytes.length + 1));
        const file = path.join(scratch, `case-${caseNumber++}-${original.name}`);
        writeFileSync(file, bytes);
        try {
          await within(
            5_000,
            (async () => {
              const dataset = await openRaster(file, { registry });
              try {
                const width = Math.min(dataset.width, 16);
                const height = Math.min(dataset.height, 16);
                if (width > 0 && height > 0)
                  await dataset.read({ window: { x: 0, y: 0, width, height } });
              } finally {
                await dataset.close();
              }
            })(),
          );
        } catch (error) {
          if (!PyramidsError.isInstance(error)) throw error;
          expect(error.message).not.toContain('\n');
          expect(error.message).not.toMatch(/: undefined$/);
        } finally {
          rmSync(file, { force: true });
        }
      }),
      {
        numRuns: Number(process.env.FUZZ_RUNS ?? 120),
        seed: Number(process.env.FUZZ_SEED ?? 20261203),
      },
    );
  }, 240_000);

  // Found by this fuzzer: one zeroed byte in cog.tiff's JPEG tables made libvips report two
  // causes on two lines, which reached the ReadError's message as is.
  it('regression: a corrupt JPEG tile gives a one-line ReadError', async () => {
    const bytes = Buffer.from(sources[3]!.bytes);
    bytes[126] = 0;
    const file = path.join(scratch, 'regression-jpeg-tables.tiff');
    writeFileSync(file, bytes);
    const dataset = await openRaster(file, { registry });
    try {
      const error = await dataset
        .read({ window: { x: 0, y: 0, width: 16, height: 16 } })
        .catch((caught: unknown) => caught);
      expect(PyramidsError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/cannot decode window .*; /);
      expect((error as Error).message).not.toContain('\n');
    } finally {
      await dataset.close();
    }
  });
});
