// Masks at read on a GDAL-made scene: SCL-like classes and QA-like bits, each at 20 m
// under 10 m bands, against gdalwarp -r near of the mask and the unmasked layers.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../../vitest.shared.js';
import { OptionError } from '../errors/option-error.js';
import { StacAssetError } from '../errors/stac-asset-error.js';
import type { Grid } from '../grid/grid.js';
import { createRegistry } from '../plugins/registry.js';
import type { StacItem } from '../stac/stac-types.js';
import { createCubeScene, writeSceneMask } from '../test-support/cube-scene.js';
import { warpNearWithGdal } from '../test-support/gdal-raster.js';
import { gdalTestReader } from '../test-support/gdal-test-reader.js';
import { CUBE_MASK_PRESETS, keptPixels } from './cube-mask.js';
import { planCube } from './cube-plan.js';
import { DatasetCollection } from './dataset-collection.js';

let scratch: string;
let items: StacItem[];
const registry = createRegistry().use(gdalTestReader(() => scratch));

const inside = (row: number, col: number, [r0, r1, c0, c1]: number[]) =>
  row >= r0! && row < r1! && col >= c0! && col < c1!;
/** Classes: a cloud (9) block, a shadow (3) block, a no-data (0) strip, vegetation (4) elsewhere. */
const classes = (row: number, col: number) =>
  col < 2 ? 0 : inside(row, col, [5, 25, 5, 30]) ? 9 : inside(row, col, [30, 40, 10, 20]) ? 3 : 4;
/** Bits: clear (bit 6) everywhere, cloud (bit 3) and shadow (bit 4) in blocks, fill (0) in a strip. */
const bits = (row: number, col: number) =>
  col < 2
    ? 0
    : 64 +
      (inside(row, col, [8, 20, 12, 36]) ? 8 : 0) +
      (inside(row, col, [26, 44, 4, 9]) ? 16 : 0);

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-cube-mask-'));
  const scene = createCubeScene(scratch).items(scratch);
  items = scene
    .filter((item) => item.properties['proj:epsg'] === 32632)
    .map((item) => ({
      ...item,
      assets: {
        ...item.assets,
        SCL: {
          href: path.join(scratch, writeSceneMask(scratch, item, 'scl', classes)),
          type: 'image/tiff; application=geotiff',
        },
        QA: {
          href: path.join(scratch, writeSceneMask(scratch, item, 'qa', bits)),
          type: 'image/tiff; application=geotiff',
        },
      },
    }));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const warpNear = (file: string, grid: Grid) => warpNearWithGdal(file, grid, scratch);

/** Per solar day, the first pixel (in datetime order) that is valid and kept by `kept`; 0 if none. */
async function expectedComposite(
  grid: Grid,
  maskAsset: string,
  kept: (value: number) => boolean,
): Promise<number[][]> {
  const days = new Map<string, StacItem[]>();
  for (const item of [...items].sort((a, b) =>
    String(a.properties['datetime']).localeCompare(String(b.properties['datetime'])),
  )) {
    const day = String(item.properties['datetime']).slice(0, 10);
    days.set(day, [...(days.get(day) ?? []), item]);
  }
  const result: number[][] = [];
  for (const dayItems of days.values()) {
    const out = new Array<number>(grid.width * grid.height).fill(0);
    for (const item of dayItems) {
      const layer = (
        await (
          await DatasetCollection.fromStac([item], { registry, asset: 'B04', like: grid })
        ).read()
      ).data;
      const mask = warpNear(item.assets[maskAsset]!.href, grid);
      for (let i = 0; i < out.length; i++)
        if (out[i] === 0 && layer[i] !== 0 && mask[i] !== 0 && kept(mask[i]!))
          out[i] = Number(layer[i]);
    }
    result.push(out);
  }
  return result;
}

describe('masks at read', { timeout: 120_000 }, () => {
  it('keep: classes outside the list (and the mask nodata) drop; solar_day first fills from the next item', async () => {
    const cube = await DatasetCollection.fromStac(items, {
      registry,
      asset: 'B04',
      groupby: 'solar_day',
      mask: { asset: 'SCL', keep: [4, 5, 6] },
    });
    const expected = await expectedComposite(cube.grid, 'SCL', (value) =>
      [4, 5, 6].includes(value),
    );
    const read = await cube.read();
    const plane = cube.grid.width * cube.grid.height;
    expected.forEach((day, index) => {
      const got = Array.from(read.data.subarray(index * plane, (index + 1) * plane) as Uint16Array);
      expect(got).toEqual(day);
    });
    // The mask did something: some pixel is filled from a later item or left empty.
    const unmasked = await (
      await DatasetCollection.fromStac(items, {
        registry,
        asset: 'B04',
        groupby: 'solar_day',
        like: cube.grid,
      })
    ).read();
    expect(Buffer.from(unmasked.data.buffer).equals(Buffer.from(read.data.buffer))).toBe(false);
  });

  it('bits: a set cloud or shadow bit drops the pixel, other bits do not', async () => {
    const cube = await DatasetCollection.fromStac(items, {
      registry,
      asset: ['B04', 'B05'],
      groupby: 'solar_day',
      mask: { asset: 'QA', bits: { cloud: 3, shadow: 4 } },
    });
    const expected = await expectedComposite(cube.grid, 'QA', (value) => (value & 0b11000) === 0);
    const read = await cube.read();
    const plane = cube.grid.width * cube.grid.height;
    expected.forEach((day, index) => {
      const start = index * 2 * plane; // band 0 of time step `index`
      expect(Array.from(read.data.subarray(start, start + plane) as Uint16Array)).toEqual(day);
    });
  });

  it('keptPixels on a small array, by hand', () => {
    const layer = Float64Array.from([4, 9, Number.NaN, 5, 3]);
    expect(Array.from(keptPixels(layer, { keep: [4, 5] }))).toEqual([1, 0, 0, 1, 0]);
    const qa = Float64Array.from([64, 64 + 8, 64 + 16, 64 + 32, Number.NaN]);
    expect(Array.from(keptPixels(qa, { bits: [3, 4] }))).toEqual([1, 0, 0, 1, 0]);
  });

  it('presets find the mask band on real Earth Search Items (SCL classes, QA_PIXEL bits)', async () => {
    const search = JSON.parse(
      readFileSync(
        path.join(
          fixturesDir,
          'stac/items/earth-search-v1/search_sentinel-2-l2a_landsat-c2-l2_2items.json',
        ),
        'utf8',
      ),
    ) as { features: StacItem[] };
    const [sentinel, landsat] = search.features;
    const s2 = await planCube([sentinel!], { registry, asset: 'red', mask: 'sentinel-2-l2a' });
    expect(s2.sources[0]![0]![0]!.mask).toEqual({
      asset: 'scl',
      href: sentinel!.assets['scl']!.href,
      mediaType: sentinel!.assets['scl']!.type,
      band: 0,
      keep: CUBE_MASK_PRESETS['sentinel-2-l2a'].keep,
    });
    const ls = await planCube([landsat!], { registry, asset: 'red', mask: 'landsat-c2-l2' });
    expect(ls.sources[0]![0]![0]!.mask).toMatchObject({ asset: 'qa_pixel', bits: [0, 1, 2, 3, 4] });
  });

  it('refuses a bad mask and, without skipMissing, an item lacking the mask asset', async () => {
    await expect(
      planCube(items, { registry, asset: 'B04', mask: 'clouds' as never }),
    ).rejects.toThrow(OptionError);
    await expect(
      planCube(items, { registry, asset: 'B04', mask: { asset: 'SCL' } }),
    ).rejects.toThrow(/exactly one of keep/);
    await expect(
      planCube(items, { registry, asset: 'B04', mask: { asset: 'QA', bits: { cloud: 40 } } }),
    ).rejects.toThrow(/bit numbers 0–31/);
    await expect(
      planCube(items, { registry, asset: 'B04', mask: { asset: 'FMASK', keep: [1] } }),
    ).rejects.toThrow(StacAssetError);
    await expect(
      planCube(items, {
        registry,
        asset: 'B04',
        mask: { asset: 'FMASK', keep: [1] },
        skipMissing: true,
      }),
    ).rejects.toThrow(/none of the \d+ item\(s\) has the mask asset FMASK/);
  });
});
