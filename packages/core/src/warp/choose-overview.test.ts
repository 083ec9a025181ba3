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
import { chooseOverviewLevel, overviewRatio } from './choose-overview.js';
import type { Resampling } from './resampling.js';
import { planWarp, warpRaster } from './warp-raster.js';

// A 20 m source of 512 × 512 px with 2×, 4× and 8× overviews built by gdaladdo.
const SIZE = 512;
const RESOLUTION = 20;
const ORIGIN_X = 600000;
const ORIGIN_Y = 5300000;
const NODATA = 0;
let scratch: string;
let sourceFile: string;
let source: ReturnType<typeof gdalRasterSource>;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-overview-'));
  sourceFile = writeRasterWithGdal(
    path.join(scratch, 'source.tif'),
    {
      width: SIZE,
      height: SIZE,
      dataType: 'uint16',
      bands: [syntheticBand(SIZE, SIZE, 3, { nodata: NODATA, hole: [300, 40, 340, 90] })],
      crs: 'EPSG:32632',
      transform: [ORIGIN_X, RESOLUTION, 0, ORIGIN_Y, 0, -RESOLUTION],
      nodata: NODATA,
    },
    { creationOptions: ['TILED=YES', 'BLOCKXSIZE=128', 'BLOCKYSIZE=128'] },
  );
  runGdal('gdaladdo', ['-q', '-r', 'average', sourceFile, '2', '4', '8']);
  source = gdalRasterSource(sourceFile, scratch);
}, 60_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A grid at `factor` × the source resolution whose origin is `offset` source pixels from the source's, `width` × `height` px. */
function gridAt(factor: number, offset: [number, number], width: number, height: number): Grid {
  const resolution = RESOLUTION * factor;
  return {
    crs: 'EPSG:32632',
    transform: [
      ORIGIN_X + offset[0] * RESOLUTION,
      resolution,
      0,
      ORIGIN_Y - offset[1] * RESOLUTION,
      0,
      -resolution,
    ],
    width,
    height,
  };
}

/** gdalwarp's pixels for `grid` (default -ovr AUTO) and the overview level it says it picked (-1 = full resolution). */
function gdalwarp(grid: Grid, resampling: Resampling): { values: Float64Array; level: number } {
  const output = path.join(scratch, `gdalwarp-${process.hrtime.bigint()}.tif`);
  const log = runGdal('gdalwarp', [
    '--config',
    'CPL_DEBUG',
    'WARP',
    '--config',
    'CPL_LOG',
    path.join(scratch, 'debug.log'),
    '-overwrite',
    '-r',
    resampling,
    ...gdalGridArgs(grid),
    sourceFile,
    output,
  ]);
  const debug = `${log}\n${readDebugLog()}`;
  const match = /Selecting overview level (\d+)/.exec(debug);
  const { bands } = readWithGdal(output, { scratch });
  return {
    values: Float64Array.from(bands[0] as Uint16Array, (value) =>
      value === NODATA ? Number.NaN : value,
    ),
    level: match ? Number(match[1]) + 1 : 0,
  };
}

function readDebugLog(): string {
  const file = path.join(scratch, 'debug.log');
  try {
    const text = runGdal('cat', [file]);
    rmSync(file);
    return text;
  } catch {
    return '';
  }
}

/** Our values rounded as GDAL writes an integer band. */
function asUint16(values: Float64Array): Float64Array {
  return values.map((value) =>
    Number.isNaN(value) ? Number.NaN : Math.min(65535, Math.max(0, Math.floor(value + 0.5))),
  );
}

/** Largest absolute difference; Infinity when one side is nodata and the other is not. */
function largestDifference(ours: Float64Array, theirs: Float64Array): number {
  let largest = 0;
  for (let index = 0; index < ours.length; index++) {
    const a = ours[index]!;
    const b = theirs[index]!;
    if (Number.isNaN(a) !== Number.isNaN(b)) return Infinity;
    if (!Number.isNaN(a)) largest = Math.max(largest, Math.abs(a - b));
  }
  return largest;
}

describe('overview choice against gdalwarp -ovr AUTO', { timeout: 120_000 }, () => {
  const shapes = {
    // Reaches 200 source pixels past every edge of the source at native resolution.
    larger: (factor: number) =>
      gridAt(factor, [-200, -200], Math.ceil(950 / factor), Math.ceil(900 / factor)),
    // Well inside the source.
    smaller: (factor: number) =>
      gridAt(factor, [64, 96], Math.floor(320 / factor), Math.floor(256 / factor)),
    // Over the source's south-east corner.
    straddling: (factor: number) =>
      gridAt(factor, [256, 320], Math.ceil(512 / factor), Math.ceil(400 / factor)),
  };
  for (const [shape, makeGrid] of Object.entries(shapes)) {
    for (const factor of [1, 2, 4, 8]) {
      for (const resampling of ['nearest', 'bilinear', 'cubic', 'average'] as const) {
        it(`${shape} grid, ${factor}× the source resolution, ${resampling}`, async () => {
          const grid = makeGrid(factor);
          const reference = gdalwarp(grid, resampling);
          const ours = await warpRaster(source, grid, { resampling });
          expect(ours.plan.level).toBe(reference.level);
          expect(ours.plan.level).toBe(Math.log2(factor));
          const values = asUint16(ours.data[0]!);
          expect(values.filter((value) => !Number.isNaN(value)).length).toBeGreaterThan(500);
          // Integer output: GDAL and we may round a .5 differently, nothing more.
          expect(largestDifference(values, reference.values)).toBeLessThanOrEqual(
            resampling === 'nearest' ? 0 : 1,
          );
        });
      }
    }
  }

  it('a chunk reaching past the source reads the same level as the whole grid, and gives the same pixels', async () => {
    const grid = shapes.larger(1);
    const whole = await warpRaster(source, grid, { resampling: 'bilinear' });
    for (const window of [
      { x: 0, y: 0, width: 256, height: 256 },
      { x: 512, y: 512, width: 256, height: 256 },
      { x: 150, y: 700, width: 256, height: 200 },
    ]) {
      const chunk = await warpRaster(source, grid, { resampling: 'bilinear', window });
      expect(chunk.plan.level).toBe(0);
      for (let row = 0; row < window.height; row++) {
        const start = (window.y + row) * grid.width + window.x;
        const expected = whole.data[0]!.subarray(start, start + window.width);
        const actual = chunk.data[0]!.subarray(row * window.width, (row + 1) * window.width);
        expect(largestDifference(asUint16(actual), asUint16(expected))).toBe(0);
      }
    }
  });

  it('at native resolution on an aligned grid, pixels are the source pixels', async () => {
    const grid = shapes.larger(1);
    const decoded = readWithGdal(sourceFile, { scratch }).bands[0] as Uint16Array;
    for (const resampling of ['nearest', 'bilinear', 'cubic'] as const) {
      const values = asUint16((await warpRaster(source, grid, { resampling })).data[0]!);
      let compared = 0;
      for (let row = 0; row < SIZE; row++) {
        for (let col = 0; col < SIZE; col++) {
          const expected = decoded[row * SIZE + col]!;
          if (expected === NODATA) continue;
          expect(values[(row + 200) * grid.width + col + 200]).toBe(expected);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(SIZE * SIZE * 0.9);
    }
  });

  it('across UTM zones picks the level gdalwarp picks', async () => {
    // The source seen from UTM 31N at 80 m: 4× coarser, a rotated footprint.
    const target: Grid = {
      crs: 'EPSG:32631',
      transform: [1046000, 80, 0, 5328000, 0, -80],
      width: 200,
      height: 200,
    };
    const reference = gdalwarp(target, 'average');
    const plan = planWarp(source, target, { resampling: 'average' });
    expect(plan.level).toBe(reference.level);
    expect(plan.level).toBeGreaterThan(0);
  });
});

describe('chooseOverviewLevel and overviewRatio', () => {
  it('picks the coarsest level still at least as fine as the target, like gdalwarp -ovr AUTO', () => {
    const levels = [1, 2, 4, 8].map((factor) => ({
      width: 800 / factor,
      height: 800 / factor,
      transform: [0, factor, 0, 0, 0, -factor] as Grid['transform'],
    }));
    expect(chooseOverviewLevel(levels, 1)).toBe(0);
    expect(chooseOverviewLevel(levels, 1.95)).toBe(0);
    expect(chooseOverviewLevel(levels, 2)).toBe(1);
    expect(chooseOverviewLevel(levels, 3)).toBe(1);
    expect(chooseOverviewLevel(levels, 3.95)).toBe(1);
    expect(chooseOverviewLevel(levels, 4.05)).toBe(2);
    expect(chooseOverviewLevel(levels, 100)).toBe(3);
  });

  it('measures the ratio over the grid clipped to the source, whatever the size of the grid', () => {
    const sourceGrid = gridAt(1, [0, 0], SIZE, SIZE);
    expect(overviewRatio(sourceGrid, gridAt(1, [-200, -200], 950, 900))).toBeCloseTo(1, 12);
    expect(overviewRatio(sourceGrid, gridAt(4, [-5000, -5000], 5000, 5000))).toBeCloseTo(4, 12);
    expect(overviewRatio(sourceGrid, gridAt(4, [5000, 5000], 10, 10))).toBeNull(); // no overlap
    // Non-square target pixels: the finer axis decides.
    expect(
      overviewRatio(sourceGrid, {
        crs: 'EPSG:32632',
        transform: [ORIGIN_X, 40, 0, ORIGIN_Y, 0, -80],
        width: 300,
        height: 300,
      }),
    ).toBeCloseTo(2, 12);
  });
});
