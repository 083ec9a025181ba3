import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptionError } from '../errors/option-error.js';
import { createRegistry } from '../plugins/registry.js';
import type { StacItem } from '../stac/stac-types.js';
import { createCubeScene } from '../test-support/cube-scene.js';
import { gdalTestReader } from '../test-support/gdal-test-reader.js';
import { planCube, type CubePlan } from './cube-plan.js';
import type { CubeOptions } from './cube-options.js';
import { DatasetCollection } from './dataset-collection.js';

let scratch: string;
let items: StacItem[];
const reader = gdalTestReader(() => scratch);
const registry = createRegistry().use(reader);
const zone32 = (list: StacItem[]) => list.filter((item) => item.properties['proj:epsg'] === 32632);
const options = (extra: Partial<CubeOptions> = {}): CubeOptions => ({
  registry,
  asset: ['B04', 'B05'],
  groupby: 'solar_day',
  ...extra,
});

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-cube-plan-'));
  items = createCubeScene(scratch).items(scratch);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('planCube', { timeout: 60_000 }, () => {
  it('is plain data: a plan read back from JSON builds the same cube, pixel for pixel', async () => {
    const plan = await planCube(zone32(items), options({ resampling: { B05: 'bilinear' } }));
    expect(plan.kind).toBe('pyramids.cube-plan');
    expect(plan.sources).toHaveLength(plan.steps.length);
    expect(plan.sources[0]!.map((list) => list[0]!.asset)).toEqual(['B04', 'B05']);
    const copy = JSON.parse(JSON.stringify(plan)) as CubePlan;
    const fromJson = DatasetCollection.fromPlan(copy, { registry });
    const direct = await DatasetCollection.fromStac(
      zone32(items),
      options({ resampling: { B05: 'bilinear' } }),
    );
    expect(fromJson.shape).toEqual(direct.shape);
    expect(fromJson.steps[0]!.datetime).toBeInstanceOf(Date);
    expect(fromJson.steps.map((step) => step.datetime?.toISOString())).toEqual(
      direct.steps.map((step) => step.datetime?.toISOString()),
    );
    expect(fromJson.tasks()).toEqual(direct.tasks());
    const [a, b] = [await fromJson.read(), await direct.read()];
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
  });

  it('keeps a pre-signed query out of the plan and its tasks, and still reads with it here', async () => {
    const signed = zone32(items).map((item) => ({
      ...item,
      assets: Object.fromEntries(
        Object.entries(item.assets).map(([key, asset]) => [
          key,
          { ...asset, href: `${asset.href}?se=2030&sig=SECRET123` },
        ]),
      ),
    }));
    const plan = await planCube(signed, options({ asset: 'B04' }));
    expect(JSON.stringify(plan)).not.toContain('SECRET123');
    const cube = DatasetCollection.fromPlan(plan, { registry });
    expect(JSON.stringify(cube.tasks())).not.toContain('SECRET123');
    reader.opened.length = 0;
    await cube.read();
    expect(reader.opened.length).toBeGreaterThan(0);
    expect(reader.opened.every((href) => href.endsWith('sig=SECRET123'))).toBe(true);
  });

  it('refuses what is not a plan of this version', () => {
    expect(() => DatasetCollection.fromPlan({ kind: 'other' } as never, { registry })).toThrow(
      OptionError,
    );
  });
});

describe('anchor', { timeout: 60_000 }, () => {
  const bounds: [number, number, number, number] = [699003, 5318004, 699047, 5318049];
  const gridWith = async (anchor: CubeOptions['anchor']) =>
    (
      await planCube(
        zone32(items),
        options({ asset: 'B04', crs: 'EPSG:32632', resolution: 10, bounds, anchor }),
      )
    ).grid;

  // Expected values worked out by hand from the bounds above.
  it('edge (the default) puts pixel edges on multiples of the resolution', async () => {
    for (const anchor of [undefined, 'edge'] as const)
      expect(await gridWith(anchor)).toMatchObject({
        transform: [699000, 10, 0, 5318050, 0, -10],
        width: 5,
        height: 5,
      });
  });

  it('center puts pixel centres on multiples of the resolution', async () => {
    expect(await gridWith('center')).toMatchObject({
      transform: [698995, 10, 0, 5318055, 0, -10],
      width: 6,
      height: 6,
    });
  });

  it('floating keeps the top-left corner and covers the rest with whole pixels', async () => {
    expect(await gridWith('floating')).toMatchObject({
      transform: [699003, 10, 0, 5318049, 0, -10],
      width: 5,
      height: 5,
    });
  });

  it('[fx, fy] puts edges at (k + fx) × resolution in x and (k + fy) × resolution in y', async () => {
    expect(await gridWith([0.25, 0.75])).toMatchObject({
      transform: [699002.5, 10, 0, 5318057.5, 0, -10],
      width: 5,
      height: 6,
    });
  });

  it('applies to the native resolution when no crs is given', async () => {
    const native = (await planCube(zone32(items), options({ asset: 'B04' }))).grid;
    const centred = (await planCube(zone32(items), options({ asset: 'B04', anchor: 'center' })))
      .grid;
    expect(centred.transform[1]).toBe(native.transform[1]);
    const resolution = centred.transform[1];
    expect(Math.abs(((centred.transform[0] / resolution) % 1) - 0.5)).toBeLessThan(1e-9);
    expect(Math.abs(((centred.transform[3] / resolution) % 1) - 0.5)).toBeLessThan(1e-9);
  });

  it('refuses a bad anchor, and an anchor with like', async () => {
    await expect(planCube(items, options({ anchor: 'middle' as never }))).rejects.toThrow(
      /anchor must be edge, center, floating or \[fx, fy\]/,
    );
    await expect(planCube(items, options({ anchor: [1, 0] }))).rejects.toThrow(OptionError);
    const like = {
      crs: 'EPSG:32632',
      transform: [699000, 10, 0, 5321000, 0, -10],
      width: 10,
      height: 10,
    };
    await expect(
      planCube(items, options({ anchor: 'center', like: like as never })),
    ).rejects.toThrow(/does not apply with like/);
  });
});
