import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, openRaster, ReadError } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { fixturesDir } from '../../../vitest.shared.js';
import { gdalReadPixels } from '../../../test-support/gdal.js';

const registry = createRegistry().use(geotiffReader());
const work = mkdtempSync(path.join(tmpdir(), 'tiff-structure-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A classic little-endian TIFF's IFDs: where each starts, its entries and where its next pointer is. */
function directories(bytes: Buffer): {
  offset: number;
  entries: Map<number, { at: number; type: number; count: number; value: number }>;
  nextAt: number;
}[] {
  expect(bytes.toString('latin1', 0, 2)).toBe('II');
  const result = [];
  for (let offset = bytes.readUInt32LE(4); offset !== 0;) {
    const count = bytes.readUInt16LE(offset);
    const entries = new Map<number, { at: number; type: number; count: number; value: number }>();
    for (let index = 0; index < count; index++) {
      const at = offset + 2 + index * 12;
      const type = bytes.readUInt16LE(at + 2);
      entries.set(bytes.readUInt16LE(at), {
        at,
        type,
        count: bytes.readUInt32LE(at + 4),
        value: type === 3 ? bytes.readUInt16LE(at + 8) : bytes.readUInt32LE(at + 8),
      });
    }
    const nextAt = offset + 2 + count * 12;
    result.push({ offset, entries, nextAt });
    offset = bytes.readUInt32LE(nextAt);
  }
  return result;
}

/** A copy of `source` changed by `mutate`, written next to the others. */
function mutated(source: string, name: string, mutate: (bytes: Buffer) => void): string {
  const bytes = Buffer.from(readFileSync(source));
  mutate(bytes);
  const file = path.join(work, name);
  writeFileSync(file, bytes);
  return file;
}

/** Opens and reads the whole first band, within a time bound: a loop or a hang fails here. */
async function readAll(file: string): Promise<ArrayLike<number>> {
  const dataset = await openRaster(file, { registry });
  try {
    const [band] = await dataset.source.read({
      window: { x: 0, y: 0, width: dataset.grid.width, height: dataset.grid.height },
      bands: [0],
    });
    return band!;
  } finally {
    await dataset.source.close?.();
  }
}

/** True when GDAL cannot decode every pixel of `file` either. */
function gdalRefuses(file: string): boolean {
  return (
    spawnSync('gdalinfo', ['-checksum', file], { encoding: 'utf8' }).stderr.includes('ERROR') ||
    spawnSync('gdalinfo', ['-checksum', file]).status !== 0
  );
}

let tiled: string;
let stripped: string;
let withOverview: string;

beforeAll(() => {
  const source = path.join(fixturesDir, 'rasters/rio-tiler/cog_rgb.tif');
  tiled = path.join(work, 'tiled.tif');
  stripped = path.join(work, 'stripped.tif');
  execFileSync('gdal_translate', [
    '-q',
    '-b',
    '1',
    '-outsize',
    '64',
    '64',
    '-co',
    'TILED=YES',
    '-co',
    'BLOCKXSIZE=16',
    '-co',
    'BLOCKYSIZE=16',
    source,
    tiled,
  ]);
  execFileSync('gdal_translate', [
    '-q',
    '-b',
    '1',
    '-outsize',
    '64',
    '64',
    '-co',
    'BLOCKYSIZE=8',
    '-co',
    'COMPRESS=DEFLATE',
    '-co',
    'PREDICTOR=2',
    source,
    stripped,
  ]);
  withOverview = path.join(work, 'overview.tif');
  execFileSync('gdal_translate', [
    '-q',
    '-b',
    '1',
    '-outsize',
    '64',
    '64',
    '-co',
    'TILED=YES',
    '-co',
    'BLOCKXSIZE=16',
    '-co',
    'BLOCKYSIZE=16',
    source,
    withOverview,
  ]);
  execFileSync('gdaladdo', ['-q', withOverview, '2']);
});

describe('TIFF structure checks', () => {
  it('stops at an IFD that points back to itself, and reads what GDAL reads', async () => {
    const file = mutated(tiled, 'self-loop.tif', (bytes) => {
      const [first] = directories(bytes);
      bytes.writeUInt32LE(first!.offset, first!.nextAt);
    });
    const started = Date.now();
    const ours = await readAll(file);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(Array.from(ours)).toEqual(Array.from(gdalReadPixels(file).data[0]!));
  });

  it('stops at an overview IFD that points back to the first one', async () => {
    const file = mutated(withOverview, 'back-loop.tif', (bytes) => {
      const all = directories(bytes);
      expect(all.length).toBe(2);
      bytes.writeUInt32LE(all[0]!.offset, all[1]!.nextAt);
    });
    const dataset = await openRaster(file, { registry });
    expect(dataset.source.levels.map((level) => level.width)).toEqual([64, 32]);
    await dataset.source.close?.();
    expect(Array.from(await readAll(file))).toEqual(Array.from(gdalReadPixels(file).data[0]!));
  });

  const corruptions: [string, () => string, (bytes: Buffer) => void, RegExp][] = [
    [
      'a tile width of 0',
      () => tiled,
      (bytes) => bytes.writeUInt16LE(0, directories(bytes)[0]!.entries.get(322)!.at + 8),
      /tile size of 0 × 16/,
    ],
    [
      'a tile offset past the end of the file',
      () => tiled,
      (bytes) => {
        const offsets = directories(bytes)[0]!.entries.get(324)!;
        bytes.writeUInt32LE(bytes.length + 1000, offsets.value + 4 * 3);
      },
      /tile 3 of image directory 0 lies past the end of the file/,
    ],
    [
      'a strip offset past the end of the file',
      () => stripped,
      (bytes) => {
        const offsets = directories(bytes)[0]!.entries.get(273)!;
        bytes.writeUInt32LE(bytes.length * 4, offsets.value);
      },
      /strip 0 of image directory 0 lies past the end of the file/,
    ],
    [
      'predictor 5',
      () => stripped,
      (bytes) => bytes.writeUInt16LE(5, directories(bytes)[0]!.entries.get(317)!.at + 8),
      /predictor 5/,
    ],
    [
      'an image width of 0',
      () => tiled,
      (bytes) => {
        const width = directories(bytes)[0]!.entries.get(256)!;
        if (width.type === 3) bytes.writeUInt16LE(0, width.at + 8);
        else bytes.writeUInt32LE(0, width.at + 8);
      },
      /image size of 0 × 64/,
    ],
    [
      'a first IFD past the end of the file',
      () => tiled,
      (bytes) => bytes.writeUInt32LE(bytes.length + 8, 4),
      /past the end of the file/,
    ],
  ];

  it.each(corruptions)(
    'refuses %s with a one-line ReadError, as GDAL does',
    async (_name, base, mutate, message) => {
      const file = mutated(base(), `${_name.replace(/\W+/g, '-')}.tif`, mutate);
      expect(gdalRefuses(file)).toBe(true);
      const started = Date.now();
      const error = await readAll(file).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(ReadError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message).not.toContain('window');
    },
  );

  it('refuses an 8-byte file', async () => {
    const file = path.join(work, 'eight.tif');
    writeFileSync(file, Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]));
    const error = await readAll(file).catch((caught: unknown) => caught);
    expect(ReadError.isInstance(error)).toBe(true);
    expect((error as Error).message).not.toContain('\n');
  });
});
