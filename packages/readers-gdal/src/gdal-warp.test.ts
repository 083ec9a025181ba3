import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry, openRaster, OptionError, type Grid } from '@pyramids/core';
import { gdalReader, type GdalWarpOptions } from '@pyramids/readers-gdal';
import { fixturesDir } from '../../../vitest.shared.js';
import { firstDifference, makeTempDir } from './test-helpers.js';

const AOT = path.join(fixturesDir, 'rasters/sentinel2-jp2/T29UNU_20221005T115411_AOT_60m.jp2');

/** What gdalwarp writes for the same target grid, as UInt16 values. */
function gdalwarpPixels(target: Grid, method: string): Uint16Array {
  const { dir, remove } = makeTempDir();
  try {
    const output = path.join(dir, 'warped.bin');
    const [x0, dx, , y0, , dy] = target.transform;
    const te = [x0, y0 + target.height * dy, x0 + target.width * dx, y0].map(String);
    execFileSync('gdalwarp', ['-q', '-of', 'ENVI', '-t_srs', target.crs!, '-te', ...te, '-ts', String(target.width), String(target.height), '-r', method, AOT, output], { stdio: 'pipe' });
    const bytes = readFileSync(output);
    return new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  } finally {
    remove();
  }
}

type Warpable = { warp(target: Grid, options?: GdalWarpOptions): Promise<ArrayLike<number>[]> };

describe('native warp through GDAL', () => {
  // About 60 m pixels in EPSG:4326 over the middle of the tile (UTM 29N → geographic).
  const target: Grid = { crs: 'EPSG:4326', transform: [-8.6, 0.0008, 0, 53.2, 0, -0.0006], width: 120, height: 90 };

  it('equals gdalwarp for nearest, bilinear and max', async () => {
    const dataset = await openRaster(AOT, { registry: createRegistry().use(gdalReader()) });
    try {
      const source = dataset.source as unknown as Warpable;
      for (const [resampling, method] of [
        ['nearest', 'near'],
        ['bilinear', 'bilinear'],
        ['max', 'max'],
      ] as const) {
        const [ours] = await source.warp(target, { resampling });
        const theirs = gdalwarpPixels(target, method);
        expect(ours!.length).toBe(120 * 90);
        expect(firstDifference(ours!, theirs)).toBe(-1);
        expect(Math.max(...Array.from(ours!))).toBeGreaterThan(0);
      }
    } finally {
      await dataset.close();
    }
  });

  it('refuses a rotated target and an unknown method', async () => {
    const dataset = await openRaster(AOT, { registry: createRegistry().use(gdalReader()) });
    try {
      const source = dataset.source as unknown as Warpable;
      await expect(source.warp({ ...target, transform: [-8.6, 0.0008, 0.0001, 53.2, 0, -0.0006] })).rejects.toSatisfy(OptionError.isInstance);
      await expect(source.warp(target, { resampling: 'sinc' })).rejects.toThrow(/not one of nearest/);
    } finally {
      await dataset.close();
    }
  });
});
