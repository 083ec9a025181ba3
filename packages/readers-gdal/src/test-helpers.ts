// Test helpers: what GDAL's own command-line tools read from a file, as typed arrays.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TypedArray } from '@pyramids/core';

const ARRAYS: Record<string, new (buffer: ArrayBuffer) => TypedArray> = {
  Byte: Uint8Array,
  UInt16: Uint16Array,
  Int16: Int16Array,
  UInt32: Uint32Array,
  Int32: Int32Array,
  Float32: Float32Array,
  Float64: Float64Array,
};

/** A temporary directory removed by the returned function. */
export function makeTempDir(prefix = 'pyramids-gdal-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `gdalinfo -json` of a file. */
export function gdalInfo(source: string): {
  size: [number, number];
  bands: { type: string; noDataValue?: number }[];
  geoTransform?: number[];
} {
  return JSON.parse(
    execFileSync('gdalinfo', ['-json', source], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ) as never;
}

/**
 * The pixels gdal_translate reads from `source`, band by band, written to raw
 * ENVI and read back. `args` adds gdal_translate options (`-srcwin`, `-b`, `-ovr`).
 */
export function translatePixels(source: string, args: string[] = []): TypedArray[] {
  const { dir, remove } = makeTempDir();
  try {
    const output = path.join(dir, 'out.bin');
    execFileSync(
      'gdal_translate',
      ['-q', '-of', 'ENVI', '-co', 'INTERLEAVE=BSQ', ...args, source, output],
      { stdio: 'pipe' },
    );
    const info = gdalInfo(output);
    const [width, height] = info.size;
    const bytes = readFileSync(output);
    return info.bands.map((band, index) => {
      const Constructor = ARRAYS[band.type] as
        ((new (buffer: ArrayBuffer) => TypedArray) & { BYTES_PER_ELEMENT: number }) | undefined;
      if (!Constructor) throw new Error(`no typed array for ${band.type}`);
      const size = width * height * Constructor.BYTES_PER_ELEMENT;
      const slice = bytes.buffer.slice(
        bytes.byteOffset + index * size,
        bytes.byteOffset + (index + 1) * size,
      );
      return new Constructor(slice);
    });
  } finally {
    remove();
  }
}

/** Index of the first element where two arrays differ (NaN equals NaN), or -1. */
export function firstDifference(
  a: ArrayLike<number | bigint>,
  b: ArrayLike<number | bigint>,
): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let index = 0; index < a.length; index += 1) {
    const x = Number(a[index]!);
    const y = Number(b[index]!);
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return index;
  }
  return -1;
}
