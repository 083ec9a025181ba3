// cube.write streams cube.chunks() into the writer: it never calls read(), its
// memory does not grow with the cube, and the pixels are those GDAL reads back.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gdalInfo, gdalReadPixels } from '../../../../test-support/gdal.js';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../test-support/write-large-cube.mjs', import.meta.url));
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-cube-write-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Outcome {
  files: string[];
  cubeBytes: number;
  peakRss: number;
}

/** Writes a 1 × 2 × size² uint16 cube of synthetic sources in a child process; read() throws there. */
async function writeCube(name: string, size: number): Promise<Outcome> {
  const { stdout } = await run(
    process.execPath,
    [script, path.join(scratch, name), String(size), '1', '2', '512'],
    { encoding: 'utf8' },
  );
  return JSON.parse(stdout) as Outcome;
}

/** The pixel value the synthetic sources give (as in write-large-cube.mjs). */
const syntheticValue = (time: number, band: number, x: number, y: number) =>
  (time * 7 + band * 3 + x + 2 * y) & 0xffff;

describe('cube.write streams the chunks', { timeout: 180_000 }, () => {
  it('writes a cube without read(), in memory that does not grow with the cube, pixels as the sources give', async () => {
    const small = await writeCube('small.tif', 2048);
    const large = await writeCube('large.tif', 6144);
    expect(large.cubeBytes).toBe(6144 * 6144 * 2 * 2);
    // 134 MB more cube: holding the cube would grow the peak RSS by all of it; streaming, by GC noise (measured 2-36 MB).
    expect(large.peakRss - small.peakRss).toBeLessThan(0.5 * (large.cubeBytes - small.cubeBytes));
    const info = gdalInfo(large.files[0]!);
    expect(info.size).toEqual([6144, 6144]);
    expect(info.bands.map((band) => band.description)).toEqual(['2024-05-01/b0', '2024-05-01/b1']);
    // A window across chunk and tile edges, at the far corner.
    const window: [number, number, number, number] = [5600, 6000, 144, 144];
    const pixels = gdalReadPixels(large.files[0]!, { window }).data;
    for (let band = 0; band < 2; band++) {
      const expected = Array.from({ length: 144 * 144 }, (_, index) =>
        syntheticValue(0, band, window[0] + (index % 144), window[1] + Math.floor(index / 144)),
      );
      expect(Array.from(pixels[band]!)).toEqual(expected);
    }
  });

  it('leaves nothing behind when a read fails mid-cube, for a file, a directory or a Zarr store', async () => {
    for (const name of ['failed.tif', 'failed-steps/', 'failed.zarr']) {
      const error = await run(
        process.execPath,
        [script, path.join(scratch, name), '600', '3', '1', '256', '2'],
        { encoding: 'utf8' },
      ).catch((caught: { stderr: string }) => caught);
      expect((error as { stderr: string }).stderr).toMatch(/synthetic read failure at time 2/);
      const left = readdirSync(scratch).filter((entry) => entry.includes('failed'));
      // The directory target itself may exist (it was created), but holds no file.
      expect(
        left.filter((entry) => entry !== 'failed-steps'),
        name,
      ).toEqual([]);
      if (left.includes('failed-steps'))
        expect(readdirSync(path.join(scratch, 'failed-steps'))).toEqual([]);
    }
  });
});
