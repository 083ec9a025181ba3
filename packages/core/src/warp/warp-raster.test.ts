import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Grid } from '../grid/grid.js';
import {
  gdalGridArgs,
  gdalRasterSource,
  readWithGdal,
  runGdal,
  syntheticBand,
  writeRasterWithGdal,
} from '../test-support/gdal-raster.js';
import { createPixelTransformer } from './approx-transformer.js';
import type { Resampling } from './resampling.js';
import { planWarp, warpRaster } from './warp-raster.js';

let scratch: string;
let sourceFile: string;
let cogFile: string;
const NODATA = 0;
// 300 × 300 px at 10 m in UTM 32N near the eastern zone edge (about 11.7°E, 48°N).
const SOURCE_TRANSFORM: Grid['transform'] = [700000, 10, 0, 5320000, 0, -10];

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-warp-'));
  const raster = {
    width: 300,
    height: 300,
    dataType: 'uint16' as const,
    bands: [syntheticBand(300, 300, 1, { nodata: NODATA, hole: [120, 40, 170, 90] })],
    crs: 'EPSG:32632',
    transform: SOURCE_TRANSFORM,
    nodata: NODATA,
  };
  sourceFile = writeRasterWithGdal(path.join(scratch, 'source.tif'), raster);
  cogFile = writeRasterWithGdal(path.join(scratch, 'source-cog.tif'), raster, {
    format: 'COG',
    creationOptions: ['BLOCKSIZE=64', 'OVERVIEWS=IGNORE_EXISTING', 'OVERVIEW_RESAMPLING=AVERAGE'],
  });
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const sources = new Map<string, ReturnType<typeof gdalRasterSource>>();
/** Decoding through GDAL is the slow part: once per file. */
function cachedSource(file: string): ReturnType<typeof gdalRasterSource> {
  if (!sources.has(file)) sources.set(file, gdalRasterSource(file, scratch));
  return sources.get(file)!;
}

function gdalwarp(
  source: string,
  grid: Grid,
  resampling: Resampling,
  extra: string[] = [],
): Float64Array {
  const output = path.join(scratch, `gdalwarp-${process.hrtime.bigint()}.tif`);
  runGdal('gdalwarp', [
    '-q',
    '-overwrite',
    '-t_srs',
    grid.crs!,
    '-r',
    resampling === 'median' ? 'med' : resampling,
    ...gdalGridArgs(grid),
    ...extra,
    source,
    output,
  ]);
  const { bands } = readWithGdal(output, { scratch });
  return Float64Array.from(bands[0] as Uint16Array, (value) =>
    value === NODATA ? Number.NaN : value,
  );
}

/** Our result rounded like GDAL writes integer output. */
function asUint16(values: Float64Array): Float64Array {
  return values.map((value) =>
    Number.isNaN(value) ? Number.NaN : Math.min(65535, Math.max(0, Math.floor(value + 0.5))),
  );
}

function differences(ours: Float64Array, theirs: Float64Array, tolerance = 0): number[] {
  const indexes: number[] = [];
  for (let index = 0; index < ours.length; index++) {
    const a = ours[index]!;
    const b = theirs[index]!;
    if (Number.isNaN(a) !== Number.isNaN(b) || Math.abs(a - b) > tolerance) indexes.push(index);
  }
  return indexes;
}

describe('warpRaster against gdalwarp, same CRS', { timeout: 60_000 }, () => {
  // Shifted by a third of a pixel so interpolating methods really interpolate.
  const shifted: Grid = {
    crs: 'EPSG:32632',
    transform: [700503.3, 10, 0, 5319496.7, 0, -10],
    width: 200,
    height: 180,
  };
  const coarse: Grid = {
    crs: 'EPSG:32632',
    transform: [700200, 30, 0, 5319800, 0, -30],
    width: 80,
    height: 80,
  };

  for (const resampling of ['nearest', 'bilinear', 'cubic'] as const) {
    it(`${resampling} on a shifted 10 m grid`, async () => {
      const source = cachedSource(sourceFile);
      const ours = asUint16((await warpRaster(source, shifted, { resampling })).data[0]!);
      const theirs = gdalwarp(sourceFile, shifted, resampling);
      const tolerance = resampling === 'nearest' ? 0 : 1;
      expect(differences(ours, theirs, tolerance)).toEqual([]);
      expect(ours.filter(Number.isNaN).length).toBeGreaterThan(1000); // the nodata hole survived
    });
  }

  for (const resampling of ['average', 'mode', 'min', 'max', 'median'] as const) {
    it(`${resampling} onto a 30 m grid with nodata`, async () => {
      const source = cachedSource(sourceFile);
      const ours = asUint16((await warpRaster(source, coarse, { resampling })).data[0]!);
      const theirs = gdalwarp(sourceFile, coarse, resampling);
      expect(differences(ours, theirs, resampling === 'average' ? 1 : 0)).toEqual([]);
    });
  }

  it('bilinear downsampling without overviews stretches the kernel as GDAL does', async () => {
    const source = cachedSource(sourceFile);
    const ours = asUint16((await warpRaster(source, coarse, { resampling: 'bilinear' })).data[0]!);
    const theirs = gdalwarp(sourceFile, coarse, 'bilinear');
    expect(differences(ours, theirs, 1)).toEqual([]);
  });

  for (const [resampling, grid] of [
    ['bilinear', shifted],
    ['average', coarse],
  ] as const)
    it(`${resampling} leaves out the pixels it is told to skip, and only those`, async () => {
      const source = cachedSource(sourceFile);
      const full = (await warpRaster(source, grid, { resampling })).data[0]!;
      const skip = Uint8Array.from(full, (_, index) => (index % 3 === 0 ? 1 : 0));
      const partial = (await warpRaster(source, grid, { resampling, skip })).data[0]!;
      expect(Array.from(partial)).toEqual(
        Array.from(full, (value, index) => (skip[index] ? Number.NaN : value)),
      );
      expect(partial.filter((value) => !Number.isNaN(value)).length).toBeGreaterThan(1000);
    });

  it("the stretched kernel gives gdalwarp's float values, off the lattice", async () => {
    // Float data, so no rounding hides a weight left out (the kernel skips zero weights).
    const values = Float32Array.from(syntheticBand(300, 300, 5, {}), (value) => value / 7);
    const file = writeRasterWithGdal(path.join(scratch, 'float.tif'), {
      width: 300,
      height: 300,
      dataType: 'float32',
      bands: [values],
      crs: 'EPSG:32632',
      transform: SOURCE_TRANSFORM,
    });
    // Off the 10 m lattice, so the kernel's sample points fall between source pixels.
    const offset: Grid = { ...coarse, transform: [700203.7, 30, 0, 5319791.1, 0, -30] };
    const ours = (
      await warpRaster(gdalRasterSource(file, scratch), offset, { resampling: 'bilinear' })
    ).data[0]!;
    const output = path.join(scratch, 'float-gdalwarp.tif');
    runGdal('gdalwarp', ['-q', '-r', 'bilinear', ...gdalGridArgs(offset), file, output]);
    const theirs = readWithGdal(output, { scratch }).bands[0]!;
    expect(Array.from(ours).filter((value) => !Number.isFinite(value))).toEqual([]);
    expect(
      Array.from(ours).filter((value, index) => Math.abs(value - theirs[index]!) > 1e-3),
    ).toEqual([]);
  });
});

describe('nearest onto the source grid shifted by whole pixels', { timeout: 60_000 }, () => {
  // 7 pixels left of the source and 13 below its top edge, running past its bottom.
  const aligned: Grid = {
    crs: 'EPSG:32632',
    transform: [699930, 10, 0, 5319870, 0, -10],
    width: 250,
    height: 310,
  };

  it('plans a plain copy that reads exactly the pixels copied', () => {
    const plan = planWarp(cachedSource(sourceFile), aligned, { resampling: 'nearest' });
    expect(plan.shift).toEqual([-7, 13]);
    expect(plan.sourceWindow).toEqual({ x: 0, y: 13, width: 243, height: 287 });
    // gdalwarp resamples a translation on pixel boundaries as nearest, whatever the method.
    expect(planWarp(cachedSource(sourceFile), aligned, { resampling: 'average' }).shift).toEqual([
      -7, 13,
    ]);
    const offGrid: Grid = { ...aligned, transform: [699930.5, 10, 0, 5319870, 0, -10] };
    expect(
      planWarp(cachedSource(sourceFile), offGrid, { resampling: 'nearest' }).shift,
    ).toBeUndefined();
  });

  it("gives gdalwarp's pixels and the general kernel's", async () => {
    const source = cachedSource(sourceFile);
    const ours = (await warpRaster(source, aligned, { resampling: 'nearest' })).data[0]!;
    expect(differences(ours, gdalwarp(sourceFile, aligned, 'nearest'))).toEqual([]);
    expect(ours.filter(Number.isNaN).length).toBeGreaterThan(250 * 23 + 310 * 7); // off the source, plus the hole
    // A ten-thousandth of a pixel off the grid takes the general kernel, which picks the same pixels.
    const nudged: Grid = { ...aligned, transform: [699930.001, 10, 0, 5319870, 0, -10] };
    const general = await warpRaster(source, nudged, { resampling: 'nearest' });
    expect(general.plan.shift).toBeUndefined();
    expect(differences(ours, general.data[0]!)).toEqual([]);
  });

  it('maps a nodata override to NaN in the copy', async () => {
    const source = cachedSource(sourceFile);
    const window = { x: 7, y: 0, width: 10, height: 1 };
    const plain = (await warpRaster(source, aligned, { resampling: 'nearest', window })).data[0]!;
    const value = plain[3]!;
    const overridden = (
      await warpRaster(source, aligned, { resampling: 'nearest', window, nodata: [value] })
    ).data[0]!;
    expect(Number.isNaN(value)).toBe(false);
    expect(Number.isNaN(overridden[3]!)).toBe(true);
    expect(
      Array.from(overridden).filter(
        (entry, index) =>
          entry !== plain[index] && !Number.isNaN(plain[index]!) && plain[index] !== value,
      ),
    ).toEqual([]);
  });
});

describe('overview choice', { timeout: 60_000 }, () => {
  it('reads the overview gdalwarp reads and gives its pixels', async () => {
    const source = gdalRasterSource(cogFile, scratch);
    const target: Grid = {
      crs: 'EPSG:32632',
      transform: [700000, 20, 0, 5320000, 0, -20],
      width: 150,
      height: 150,
    };
    const plan = planWarp(source, target, { resampling: 'nearest' });
    expect(plan.level).toBe(1);
    const result = await warpRaster(source, target, { resampling: 'nearest' });
    expect(source.reads.every((read) => read.level === 1)).toBe(true);
    expect(differences(asUint16(result.data[0]!), gdalwarp(cogFile, target, 'nearest'))).toEqual(
      [],
    );
  });
});

describe('warpRaster against gdalwarp across UTM zones', { timeout: 60_000 }, () => {
  // The source area seen from UTM 33N: 10 m pixels, a rotated footprint.
  const target: Grid = {
    crs: 'EPSG:32633',
    transform: [253000, 10, 0, 5322000, 0, -10],
    width: 260,
    height: 260,
  };

  it('nearest with exact transforms equals gdalwarp -et 0 except at exact pixel boundaries, at most 0.1% of pixels', async () => {
    const source = cachedSource(sourceFile);
    const ours = (await warpRaster(source, target, { resampling: 'nearest', errorThreshold: 0 }))
      .data[0]!;
    const theirs = gdalwarp(sourceFile, target, 'nearest', ['-et', '0']);
    const valid = ours.filter((value) => !Number.isNaN(value)).length;
    expect(valid).toBeGreaterThan(30_000);
    const exact = createPixelTransformer(
      target,
      { crs: 'EPSG:32632', transform: SOURCE_TRANSFORM },
      { errorThreshold: 0 },
    );
    const differing = differences(ours, theirs);
    // A sample exactly on a source pixel edge may round either way in floating point; such ties must stay rare.
    console.info(
      `nearest across UTM zones: ${differing.length} of ${valid} pixels differ from gdalwarp, all on pixel edges`,
    );
    expect(differing.length, `${differing.length} of ${valid} pixels differ`).toBeLessThanOrEqual(
      valid * 0.001,
    );
    for (const index of differing) {
      const xs = Float64Array.of((index % target.width) + 0.5);
      const ys = Float64Array.of(Math.floor(index / target.width) + 0.5);
      exact.transformExact(xs, ys, 1);
      const distance = Math.min(
        Math.abs(xs[0]! - Math.round(xs[0]!)),
        Math.abs(ys[0]! - Math.round(ys[0]!)),
      );
      expect(distance).toBeLessThan(1e-6);
    }
  });

  it('bilinear with exact transforms within 1 unit of gdalwarp -et 0', async () => {
    const source = cachedSource(sourceFile);
    const ours = asUint16(
      (await warpRaster(source, target, { resampling: 'bilinear', errorThreshold: 0 })).data[0]!,
    );
    const theirs = gdalwarp(sourceFile, target, 'bilinear', ['-et', '0']);
    expect(differences(ours, theirs, 1)).toEqual([]);
  });

  it('bilinear within 1 unit of gdalwarp, both with the default approximate transformer', async () => {
    const source = cachedSource(sourceFile);
    const ours = asUint16((await warpRaster(source, target, { resampling: 'bilinear' })).data[0]!);
    const theirs = gdalwarp(sourceFile, target, 'bilinear');
    expect(differences(ours, theirs, 1)).toEqual([]);
  });

  // 30 m: target pixels along the rotated edge cover the source only in part.
  const coarseAcross: Grid = {
    ...target,
    transform: [253000, 30, 0, 5322000, 0, -30],
    width: 90,
    height: 90,
  };
  for (const resampling of ['average', 'mode', 'min', 'max', 'median'] as const) {
    it(`${resampling} onto a coarser grid equals gdalwarp, the rotated edge included`, async () => {
      const source = cachedSource(sourceFile);
      const ours = asUint16((await warpRaster(source, coarseAcross, { resampling })).data[0]!);
      const theirs = gdalwarp(sourceFile, coarseAcross, resampling);
      expect(theirs.filter((value) => !Number.isNaN(value)).length).toBeGreaterThan(3000);
      expect(differences(ours, theirs, resampling === 'average' ? 1 : 0)).toEqual([]);
    });
  }

  it('the approximate transformer stays within 0.125 source pixels of the exact one', () => {
    const approximate = createPixelTransformer(target, {
      crs: 'EPSG:32632',
      transform: SOURCE_TRANSFORM,
    });
    const exact = createPixelTransformer(
      target,
      { crs: 'EPSG:32632', transform: SOURCE_TRANSFORM },
      { errorThreshold: 0 },
    );
    expect(approximate.affine).toBe(false);
    let worst = 0;
    for (let row = 0; row < target.height; row += 7) {
      const ax = Float64Array.from({ length: target.width }, (_, col) => col + 0.5);
      const ay = new Float64Array(target.width).fill(row + 0.5);
      const ex = ax.slice();
      const ey = ay.slice();
      approximate.transformRow(ax, ay, target.width);
      exact.transformExact(ex, ey, target.width);
      for (let col = 0; col < target.width; col++)
        worst = Math.max(worst, Math.abs(ax[col]! - ex[col]!) + Math.abs(ay[col]! - ey[col]!));
    }
    expect(worst).toBeLessThanOrEqual(0.125);
    expect(worst).toBeGreaterThan(0); // it did approximate
  });
});
