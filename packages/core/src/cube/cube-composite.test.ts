// Temporal composites on a GDAL-made scene: Items over two months grouped by P1M (and by
// season, P1Y) with median, mean, percentiles and count, after masking; expected values are
// hand calculations over each file as gdalwarp -r near puts it on the cube's grid.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Grid } from '../grid/grid.js';
import { createRegistry } from '../plugins/registry.js';
import type { StacItem } from '../stac/stac-types.js';
import { createCubeScene, writeSceneMask } from '../test-support/cube-scene.js';
import { warpNearWithGdal } from '../test-support/gdal-raster.js';
import { gdalTestReader } from '../test-support/gdal-test-reader.js';
import { OptionError } from '../errors/option-error.js';
import { DatasetCollection } from './dataset-collection.js';
import { runChunkTask } from './chunk-task.js';
import { fusePlugin } from './fuse-pixels.js';

let scratch: string;
let items: StacItem[];
let grid: Grid;
const registry = createRegistry().use(gdalTestReader(() => scratch));

/** The scene's tile A (two dates) and tile B (same CRS, a whole-pixel shift), re-dated over May and June. */
const DATES: [string, string][] = [
  ['A-20240501', '2024-05-01T10:25:00Z'],
  ['A-20240506', '2024-05-06T10:25:00Z'],
  ['A-20240501', '2024-06-03T10:25:00Z'],
  ['A-20240506', '2024-06-10T10:25:00Z'],
  ['B-20240501', '2024-06-20T10:25:00Z'],
];

/** Clouds (class 9) over a block of each June Item's 20 m mask, vegetation (4) elsewhere. */
const cloudy = (row: number, col: number) =>
  row >= 10 && row < 40 && col >= 5 && col < 60 ? 9 : 4;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-cube-composite-'));
  const scene = createCubeScene(scratch).items(scratch);
  items = DATES.map(([source, datetime]) => {
    const original = scene.find((item) => item.id === source)!;
    const item: StacItem = {
      ...original,
      id: `${source.slice(0, 1)}-${datetime.slice(0, 10)}`,
      properties: { ...original.properties, datetime },
    };
    const mask = writeSceneMask(scratch, item, 'scl', datetime < '2024-06' ? () => 4 : cloudy);
    item.assets = {
      ...original.assets,
      SCL: { href: path.join(scratch, mask), type: 'image/tiff; application=geotiff' },
    };
    return item;
  });
  // Tile A's own 10 m grid; tile B lands on it shifted by whole pixels.
  grid = {
    crs: 'EPSG:32632',
    transform: [699000, 10, 0, 5321000, 0, -10],
    width: 200,
    height: 200,
  };
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const warped = new Map<string, Float64Array>();
/** gdalwarp -r near of `file` onto the test grid (0 where no data), once per file. */
function warpNear(file: string): Float64Array {
  let layer = warped.get(file);
  if (!layer) warped.set(file, (layer = warpNearWithGdal(file, grid, scratch)));
  return layer;
}

/** Per month, per pixel, the valid values (nodata 0 and masked pixels left out), in Item order. */
function valuesByMonth(masked: boolean): Map<string, number[][]> {
  const months = new Map<string, number[][]>();
  for (const item of items) {
    const month = String(item.properties['datetime']).slice(0, 7);
    const layer = warpNear(item.assets['B04']!.href);
    const mask = warpNear(item.assets['SCL']!.href);
    const pixels = months.get(month) ?? Array.from({ length: layer.length }, () => []);
    layer.forEach((value, index) => {
      if (value !== 0 && (!masked || mask[index] === 4)) pixels[index]!.push(value);
    });
    months.set(month, pixels);
  }
  return months;
}

/** numpy.percentile (linear) by hand; then rounded half up into uint16, as the cube writes. */
function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  const rank = (q / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}
const toUint16 = (value: number) => Math.min(65535, Math.max(0, Math.floor(value + 0.5)));

describe('temporal composites', { timeout: 120_000 }, () => {
  it('groupby P1M labels months and starts each step at its first day', async () => {
    const cube = await DatasetCollection.fromStac(items, {
      registry,
      asset: 'B04',
      groupby: 'P1M',
      method: 'median',
      like: grid,
    });
    expect(cube.coords.time).toEqual(['2024-05', '2024-06']);
    const read = await cube.read();
    expect(read.attrs.steps.map((step) => step.datetime)).toEqual([
      '2024-05-01T00:00:00.000Z',
      '2024-06-01T00:00:00.000Z',
    ]);
    expect(read.attrs.steps.map((step) => step.items.length)).toEqual([2, 3]);
  });

  for (const method of ['median', 'mean', 'p25', 'p75', 'count'] as const) {
    it(`${method} per month equals the hand calculation over the gdalwarp layers`, async () => {
      const cube = await DatasetCollection.fromStac(items, {
        registry,
        asset: 'B04',
        groupby: 'P1M',
        method,
        like: grid,
      });
      const read = await cube.read();
      const plane = grid.width * grid.height;
      let differing = 0;
      [...valuesByMonth(false).values()].forEach((pixels, step) => {
        const expected = pixels.map((values) => {
          if (method === 'count') return values.length;
          if (values.length === 0) return 0;
          if (method === 'mean') return toUint16(values.reduce((a, b) => a + b, 0) / values.length);
          return toUint16(percentile(values, method === 'median' ? 50 : Number(method.slice(1))));
        });
        const got = Array.from(read.data.subarray(step * plane, (step + 1) * plane));
        expect(got).toEqual(expected);
        if (step === 1) differing = expected.filter((value, i) => value !== pixels[i]![0]).length;
      });
      // June has three different layers: the composite is not just the first of them.
      if (method !== 'count') expect(differing).toBeGreaterThan(1000);
    });
  }

  it('masks before compositing: clouded pixels are left out of the June median and count', async () => {
    const options = {
      registry,
      asset: 'B04',
      groupby: 'P1M',
      like: grid,
      mask: { asset: 'SCL', keep: [4] },
    } as const;
    const median = await (
      await DatasetCollection.fromStac(items, { ...options, method: 'median' })
    ).read();
    const count = await (
      await DatasetCollection.fromStac(items, { ...options, method: 'count' })
    ).read();
    const plane = grid.width * grid.height;
    const june = valuesByMonth(true).get('2024-06')!;
    expect(Array.from(median.data.subarray(plane))).toEqual(
      june.map((values) => (values.length ? toUint16(percentile(values, 50)) : 0)),
    );
    expect(Array.from(count.data.subarray(plane))).toEqual(june.map((values) => values.length));
    // Under the cloud block no June Item is kept.
    expect(count.value(1, 0, 50, 50)).toBe(0);
    expect(count.value(1, 0, 150, 150)).toBeGreaterThan(0);
  });

  it('groups by season and by year', async () => {
    const season = await DatasetCollection.fromStac(items, {
      registry,
      asset: 'B04',
      groupby: 'season',
      method: 'count',
      like: grid,
    });
    expect(season.coords.time).toEqual(['2024-03/2024-05', '2024-06/2024-08']);
    const year = await DatasetCollection.fromStac(items, {
      registry,
      asset: 'B04',
      groupby: 'P1Y',
      method: 'count',
      like: grid,
    });
    expect(year.coords.time).toEqual(['2024']);
    const read = await year.read();
    const months = [...valuesByMonth(false).values()];
    expect(Array.from(read.data)).toEqual(
      months[0]!.map((values, index) => values.length + months[1]![index]!.length),
    );
  });

  it('fuses with a function, or a fuse plugin by id, per pixel after masking', async () => {
    // The second-lowest valid value (the lowest when only one), a fuse no built-in method gives.
    const secondLowest = (values: Float64Array, valid: Uint8Array) => {
      const kept = Array.from(values)
        .filter((_, index) => valid[index])
        .sort((a, b) => a - b);
      return kept.length === 0 ? Number.NaN : kept[Math.min(1, kept.length - 1)]!;
    };
    const options = {
      asset: 'B04',
      groupby: 'P1M',
      like: grid,
      mask: { asset: 'SCL', keep: [4] },
    } as const;
    const byFunction = await DatasetCollection.fromStac(items, {
      ...options,
      registry,
      method: secondLowest,
    });
    expect(byFunction.method).toBe('(function)');
    const read = await byFunction.read();
    const plane = grid.width * grid.height;
    const months = [...valuesByMonth(true).values()];
    months.forEach((pixels, step) => {
      const expected = pixels.map((values) =>
        values.length === 0
          ? 0
          : [...values].sort((a, b) => a - b)[Math.min(1, values.length - 1)]!,
      );
      expect(Array.from(read.data.subarray(step * plane, (step + 1) * plane))).toEqual(expected);
    });

    const withPlugin = createRegistry()
      .use(gdalTestReader(() => scratch))
      .use(fusePlugin('second-lowest', secondLowest));
    const byId = await DatasetCollection.fromStac(items, {
      ...options,
      registry: withPlugin,
      method: 'second-lowest',
    });
    // The plan and its tasks are plain data naming the plugin: a worker with it fuses the same.
    const task = JSON.parse(JSON.stringify(byId.tasks()[1]));
    expect(task.options.method).toBe('second-lowest');
    const result = await runChunkTask(task, { registry: withPlugin });
    expect(Array.from(result.data[0]!)).toEqual(
      Array.from(read.data.subarray(plane, plane + result.data[0]!.length)),
    );
    await expect(runChunkTask(task, { registry })).rejects.toThrow(
      /fused by 'second-lowest', which is not registered here/,
    );
  });

  it('refuses to send a function to workers, and an unknown method, before any read', async () => {
    const cube = await DatasetCollection.fromStac(items, {
      registry,
      asset: 'B04',
      like: grid,
      method: () => 1,
    });
    await expect(
      cube.read({ runTask: () => Promise.reject(new Error('not reached')) }),
    ).rejects.toThrow(OptionError);
    await expect(
      cube.read({ runTask: () => Promise.reject(new Error('not reached')) }),
    ).rejects.toThrow(/register it with fusePlugin/);
    await expect(
      DatasetCollection.fromStac(items, { registry, asset: 'B04', method: 'second-lowest' }),
    ).rejects.toThrow(/unknown method "second-lowest".*register a fuse plugin/);
  });
});
