import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../../vitest.shared.js';
import { openRaster } from '../dataset/load-asset.js';
import { AlignmentError } from '../errors/alignment-error.js';
import { SignerError } from '../errors/signer-error.js';
import { GridError } from '../errors/grid-error.js';
import { OptionError } from '../errors/option-error.js';
import { ReadError } from '../errors/read-error.js';
import { StacAssetError } from '../errors/stac-asset-error.js';
import type { ReaderContext, ReaderPlugin } from '../plugins/plugin-types.js';
import { createRegistry } from '../plugins/registry.js';
import type { RasterSource, ReadRequest } from '../raster/raster-source.js';
import type { Signer } from '../signers/signer.js';
import type { StacItem } from '../stac/stac-types.js';
import { createCubeScene, SCENE_OFFSET, SCENE_SCALE } from '../test-support/cube-scene.js';
import { gdalRasterSource, readWithGdal, runGdal } from '../test-support/gdal-raster.js';
import { PLUGIN_API_VERSION } from '../version.js';
import { runChunkTask } from './chunk-task.js';
import type { CubeOptions } from './cube-options.js';
import { DatasetCollection } from './dataset-collection.js';

let scratch: string;
let items: StacItem[];
const decoded = new Map<string, RasterSource & { reads: ReadRequest[] }>();
const opened: { href: string; context: ReaderContext }[] = [];
let inFlight = 0;
let maxInFlight = 0;

/** A reader plugin over GDAL-decoded local files: the I/O seam of these tests. Counts opens and concurrent reads. */
function gdalTestReader(): ReaderPlugin {
  return {
    kind: 'reader',
    id: 'gdal-test',
    apiVersion: PLUGIN_API_VERSION,
    mediaTypes: ['image/tiff'],
    extensions: ['.tif'],
    load: async () => ({
      open: async (href: string, context: ReaderContext): Promise<RasterSource> => {
        opened.push({ href, context });
        const file = href.replace(/\?.*$/, '');
        if (!decoded.has(file)) decoded.set(file, gdalRasterSource(file, scratch));
        const source = decoded.get(file)!;
        return {
          ...source,
          href,
          read: async (request) => {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            try {
              await new Promise((resolve) => setTimeout(resolve, 2));
              return await source.read(request);
            } finally {
              inFlight--;
            }
          },
        };
      },
    }),
  };
}

const registry = createRegistry().use(gdalTestReader());
const base = (extra: Partial<CubeOptions> = {}): CubeOptions => ({
  registry,
  asset: 'B04',
  ...extra,
});
const zone32 = (list: StacItem[]) => list.filter((item) => item.properties['proj:epsg'] === 32632);

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-cube-'));
  items = createCubeScene(scratch).items(scratch);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('fromStac: building the cube reads no pixels', { timeout: 60_000 }, () => {
  it('stacks one asset as one band per time step, with coordinates and item properties', async () => {
    opened.length = 0;
    const cube = await DatasetCollection.fromStac(zone32(items), base());
    expect(opened).toEqual([]); // metadata came from the Items
    expect(cube.dims).toEqual(['time', 'band', 'y', 'x']);
    expect(cube.coords.time).toEqual(['A-20240501', 'B-20240501', 'A-20240506']);
    expect(cube.coords.band).toEqual(['B04']);
    // Native grid of the first item, extended to all items, on its pixel lattice.
    expect(cube.grid).toEqual({
      crs: 'EPSG:32632',
      transform: [699000, 10, 0, 5321000, 0, -10],
      width: 350,
      height: 250,
    });
    expect(cube.shape).toEqual([3, 1, 250, 350]);
    expect(cube.coords.x[0]).toBe(699005);
    expect(cube.coords.y[0]).toBe(5320995);
    expect(cube.steps[1]!.items[0]!.properties['grid:code']).toBe('32TQT');
    expect(cube.bands[0]).toMatchObject({
      name: 'B04',
      dataType: 'uint16',
      nodata: 0,
      scale: SCENE_SCALE,
      offset: SCENE_OFFSET,
    });
  });

  it('stacks a list of assets on the band axis in the order given', async () => {
    const cube = await DatasetCollection.fromStac(zone32(items), base({ asset: ['B05', 'B04'] }));
    expect(cube.coords.band).toEqual(['B05', 'B04']);
    // The first asset's grid: 20 m.
    expect(cube.grid.transform[1]).toBe(20);
    expect(cube.shape).toEqual([3, 2, 125, 175]);
  });

  it('align: false refuses assets on different grids, naming both', async () => {
    const error = await DatasetCollection.fromStac(
      zone32(items),
      base({ asset: ['B04', 'B05'], align: false }),
    ).catch((caught: unknown) => caught);
    expect(AlignmentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /'B04' is EPSG:32632 200 × 200 at 10 × 10.*'B05' is EPSG:32632 100 × 100 at 20 × 20/,
    );
    await expect(
      DatasetCollection.fromStac(zone32(items), base({ asset: ['B04'], align: false })),
    ).resolves.toBeInstanceOf(DatasetCollection);
  });

  it('skipMissing drops items lacking an asset; without it the error names item and asset', async () => {
    const broken = structuredClone(zone32(items));
    delete (broken[1]!.assets as Record<string, unknown>)['B04'];
    await expect(DatasetCollection.fromStac(broken, base())).rejects.toThrow(
      /asset 'B04' not found on item B-20240501; available: B05\. Pass skipMissing/,
    );
    const cube = await DatasetCollection.fromStac(broken, base({ skipMissing: true }));
    expect(cube.coords.time).toEqual(['A-20240501', 'A-20240506']);
    const error = await DatasetCollection.fromStac(
      broken,
      base({ asset: 'B99', skipMissing: true }),
    ).catch((caught: unknown) => caught);
    expect(StacAssetError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      'none of the 3 item(s) has all of the assets B99; check the asset keys',
    );
  });

  it('groupby solar_day fuses same-day items; preserveOrder keeps input order', async () => {
    const cube = await DatasetCollection.fromStac(zone32(items), base({ groupby: 'solar_day' }));
    expect(cube.coords.time).toEqual(['2024-05-01', '2024-05-06']);
    expect(cube.steps[0]!.items.map((item) => item.id)).toEqual(['A-20240501', 'B-20240501']);
    const reversed = await DatasetCollection.fromStac(
      [...zone32(items)].reverse(),
      base({ groupby: 'solar_day', preserveOrder: true }),
    );
    expect(reversed.steps[0]!.items.map((item) => item.id)).toEqual(['B-20240501', 'A-20240501']);
    const byProperty = await DatasetCollection.fromStac(
      zone32(items),
      base({ groupby: 'grid:code' }),
    );
    expect(byProperty.coords.time).toEqual(['32TPT', '32TQT']);
  });

  it('bbox and maxItems filter items before anything is opened', async () => {
    opened.length = 0;
    // A bbox east of tile A only meets B (and C, filtered out by zone32 here).
    const bbox = items[1]!.bbox as [number, number, number, number];
    const eastOfA: [number, number, number, number] = [
      (items[0]!.bbox as number[])[2]! + 0.001,
      bbox[1],
      bbox[2],
      bbox[3],
    ];
    const cube = await DatasetCollection.fromStac(zone32(items), base({ bbox: eastOfA }));
    expect(cube.steps.flatMap((step) => step.items.map((item) => item.id))).toEqual(['B-20240501']);
    const limited = await DatasetCollection.fromStac(zone32(items), base({ maxItems: 2 }));
    expect(limited.coords.time).toEqual(['A-20240501', 'B-20240501']);
    expect(opened).toEqual([]);
    await expect(
      DatasetCollection.fromStac(zone32(items), base({ bbox: [-10, -10, -9, -9] })),
    ).rejects.toThrow(/no item intersects bbox \[-10,-10,-9,-9\]/);
  });
});

describe('fromStac on real Earth Search Sentinel-2 Items (metadata only)', () => {
  const collection = JSON.parse(
    readFileSync(
      path.join(
        fixturesDir,
        'stac/items/earth-search-v1/sentinel-2-c1-l2a_item-collection_10.json',
      ),
      'utf8',
    ),
  );

  it('takes the 10 m grid of the first asset, fuses by solar day and keeps each item’s scale and offset', async () => {
    const cube = await DatasetCollection.fromStac(
      collection,
      base({ asset: ['red', 'nir08'], groupby: 'solar_day', bbox: [-105.2, 39.8, -105.1, 39.9] }),
    );
    expect(cube.grid.crs).toBe('EPSG:32613');
    expect(cube.grid.transform[1]).toBe(10);
    // The default extent is clipped to the bbox: about 8.6 × 11.1 km, not the 110 km tile.
    expect(cube.grid.width).toBeGreaterThan(800);
    expect(cube.grid.width).toBeLessThan(1000);
    expect(cube.grid.height).toBeLessThan(1200);
    expect(cube.coords.band).toEqual(['red', 'nir08']);
    // Ten items, ten distinct solar days (UTC 17:53–18:03 at about 105.5°W is before noon local).
    expect(cube.coords.time).toEqual([
      '2024-03-31',
      '2024-04-02',
      '2024-04-05',
      '2024-04-07',
      '2024-04-10',
      '2024-04-12',
      '2024-04-15',
      '2024-04-17',
      '2024-04-20',
      '2024-04-22',
    ]);
    expect(cube.bands[0]).toMatchObject({
      dataType: 'uint16',
      nodata: 0,
      scale: 0.0001,
      offset: -0.1,
    });
    const task = cube.tasks()[0]!;
    expect(task.bands[1]![0]).toMatchObject({
      asset: 'nir08',
      scale: 0.0001,
      offset: -0.1,
      nodata: 0,
    });
    expect(task.bands[0]![0]!.href).toMatch(/^https:\/\/.*\/B04\.tif$|red/);
  });
});

describe('fromStac: target grid rules', { timeout: 60_000 }, () => {
  it('snaps crs + resolution + bounds outward to the resolution', async () => {
    const cube = await DatasetCollection.fromStac(
      zone32(items),
      base({ crs: 'EPSG:32632', resolution: 30, bounds: [699010, 5318005, 701995, 5320999] }),
    );
    expect(cube.grid).toEqual({
      crs: 'EPSG:32632',
      transform: [699000, 30, 0, 5321010, 0, -30],
      width: 100,
      height: 101,
    });
  });

  it("crs: 'utm' picks the UTM zone of the items' centre", async () => {
    const cube = await DatasetCollection.fromStac(items, base({ crs: 'utm', resolution: 10 }));
    expect(cube.grid.crs).toBe('EPSG:32632');
  });

  it('items in two CRSs without a target grid: an error that says to pass crs', async () => {
    const error = await DatasetCollection.fromStac(items, base()).catch(
      (caught: unknown) => caught,
    );
    expect(GridError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "the items are in 2 CRSs (EPSG:32632, EPSG:32633); pass crs and resolution (e.g. crs: 'utm', resolution: 10) to choose one target grid",
    );
  });

  it('refuses mixed target-grid options', async () => {
    await expect(DatasetCollection.fromStac(items, base({ bounds: [0, 0, 1, 1] }))).rejects.toThrow(
      'a target grid needs crs and resolution together (and optionally bounds); got only bounds',
    );
    await expect(DatasetCollection.fromStac(items, base({ crs: 'EPSG:32632' }))).rejects.toThrow(
      /got only crs$/,
    );
    const like = {
      crs: 'EPSG:32632',
      transform: [699000, 10, 0, 5321000, 0, -10],
      width: 10,
      height: 10,
    } as const;
    const error = await DatasetCollection.fromStac(
      items,
      base({ like: { ...like, transform: [...like.transform] }, resolution: 10 }),
    ).catch((caught: unknown) => caught);
    expect(OptionError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      'pass either like or crs + resolution (+ bounds), not both; got like and resolution',
    );
  });

  it('like takes the grid of a raster path, a Dataset or a Grid', async () => {
    const file = path.join(scratch, 'B-20240501_B05.tif');
    const expected = {
      crs: 'EPSG:32632',
      transform: [700500, 20, 0, 5320500, 0, -20],
      width: 100,
      height: 100,
    };
    expect((await DatasetCollection.fromStac(zone32(items), base({ like: file }))).grid).toEqual(
      expected,
    );
    const dataset = await openRaster(file, { registry });
    expect((await DatasetCollection.fromStac(zone32(items), base({ like: dataset }))).grid).toEqual(
      expected,
    );
    expect(
      (await DatasetCollection.fromStac(zone32(items), base({ like: dataset.grid }))).grid,
    ).toEqual(expected);
  });

  it('refuses an unknown CRS by name', async () => {
    const error = await DatasetCollection.fromStac(
      items,
      base({ crs: 'EPSG:999999', resolution: 10 }),
    ).catch((caught: unknown) => caught);
    expect(GridError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/unknown CRS EPSG:999999/);
  });

  it('refuses grids over maxPixels unless raised', async () => {
    const options = base({
      crs: 'EPSG:32632',
      resolution: 1,
      bounds: [690000, 5310000, 710000, 5330000],
    });
    await expect(DatasetCollection.fromStac(items, options)).rejects.toThrow(
      /20000 × 20000 = 400,000,000 pixels per band exceeds the limit of 250,000,000/,
    );
    const small = await DatasetCollection.fromStac(items, { ...options, maxPixels: 1e9 });
    expect(small.shape.slice(2)).toEqual([20000, 20000]);
  });

  it('dtype and nodata override the output; rescale makes float32 with NaN nodata', async () => {
    const overridden = await DatasetCollection.fromStac(
      zone32(items),
      base({ dtype: 'int32', nodata: -1 }),
    );
    expect(overridden.bands[0]).toMatchObject({ dataType: 'int32', nodata: -1 });
    const rescaled = await DatasetCollection.fromStac(zone32(items), base({ rescale: true }));
    expect(rescaled.rescaled).toBe(true);
    expect(rescaled.bands[0]).toMatchObject({
      dataType: 'float32',
      scale: 1,
      offset: 0,
      source: { scale: SCENE_SCALE, offset: SCENE_OFFSET },
    });
    expect(Number.isNaN(rescaled.bands[0]!.nodata)).toBe(true);
  });

  it('refuses bad option values with the valid ones listed', async () => {
    await expect(
      DatasetCollection.fromStac(items, base({ method: 'avg' as never })),
    ).rejects.toThrow(
      'unknown method "avg"; use one of first, last, min, max, mean, median, count',
    );
    await expect(
      DatasetCollection.fromStac(items, base({ resampling: 'lanczos' as never })),
    ).rejects.toThrow(
      'unknown resampling "lanczos"; use one of nearest, bilinear, cubic, average, mode, min, max, median',
    );
    await expect(DatasetCollection.fromStac(items, base({ asset: [] }))).rejects.toThrow(
      /asset must be an asset key or a non-empty list/,
    );
  });
});

describe('reading', { timeout: 120_000 }, () => {
  it('read, readWindow and chunks agree; chunks are bounded in flight and report progress', async () => {
    const options = base({ groupby: 'solar_day', chunkSize: 64, concurrency: 3 });
    const cube = await DatasetCollection.fromStac(zone32(items), options);
    maxInFlight = 0;
    const progress: number[] = [];
    const whole = await cube.read({
      onProgress: ({ completed, total }) => progress.push(completed / total),
    });
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(progress.length).toBe(cube.tasks().length);
    expect(progress.at(-1)).toBe(1);
    expect(whole.shape).toEqual([2, 1, 250, 350]);
    expect(whole.data).toBeInstanceOf(Uint16Array);
    const window = { x: 100, y: 50, width: 120, height: 90 };
    const part = await cube.readWindow(window);
    for (let time = 0; time < 2; time++) {
      for (let row = 0; row < window.height; row += 17) {
        for (let col = 0; col < window.width; col += 13) {
          expect(part.data[(time * window.height + row) * window.width + col]).toBe(
            whole.data[(time * 250 + row + window.y) * 350 + col + window.x],
          );
        }
      }
    }
    expect(part.coords.x[0]).toBe(whole.coords.x[100]);
    let chunkCount = 0;
    for await (const chunk of cube.chunks()) {
      chunkCount++;
      expect(chunk.data[0]!.length).toBe(chunk.window.width * chunk.window.height);
    }
    expect(chunkCount).toBe(2 * Math.ceil(350 / 64) * Math.ceil(250 / 64));
  });

  it('fuses with first and last in (datetime, id) order', async () => {
    const first = await (
      await DatasetCollection.fromStac(
        zone32(items),
        base({ groupby: 'solar_day', method: 'first' }),
      )
    ).read();
    const last = await (
      await DatasetCollection.fromStac(
        zone32(items),
        base({ groupby: 'solar_day', method: 'last' }),
      )
    ).read();
    const singleA = await (
      await DatasetCollection.fromStac([items[0]!], base({ like: first.grid }))
    ).read();
    const singleB = await (
      await DatasetCollection.fromStac([items[1]!], base({ like: first.grid }))
    ).read();
    let checked = 0;
    for (let index = 0; index < 250 * 350; index++) {
      const a = singleA.data[index]!;
      const b = singleB.data[index]!;
      if (a !== 0 && b !== 0) {
        expect(first.data[index]).toBe(a);
        expect(last.data[index]).toBe(b);
        checked++;
      } else {
        expect(first.data[index]).toBe(a || b);
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('dtype and nodata shape what is read; relative hrefs resolve against baseHref', async () => {
    const relative = structuredClone([items[0]!]);
    relative[0]!.assets['B04']!.href = 'A-20240501_B04.tif';
    const cube = await DatasetCollection.fromStac(
      relative,
      base({ dtype: 'int32', nodata: -1, baseHref: `${scratch}/` }),
    );
    const result = await cube.read();
    expect(result.data).toBeInstanceOf(Int32Array);
    const raw = await (await DatasetCollection.fromStac([items[0]!], base())).read();
    const hole = Array.from(raw.data).indexOf(0);
    expect(hole).toBeGreaterThanOrEqual(0);
    expect(result.data[hole]).toBe(-1);
    expect(result.data[0]).toBe(raw.data[0]);
  });

  it('rescale applies each source’s scale and offset', async () => {
    const raw = await (await DatasetCollection.fromStac([items[0]!], base())).read();
    const rescaled = await (
      await DatasetCollection.fromStac([items[0]!], base({ rescale: true }))
    ).read();
    expect(rescaled.data).toBeInstanceOf(Float32Array);
    expect(rescaled.data[0]).toBeCloseTo(raw.data[0]! * SCENE_SCALE + SCENE_OFFSET, 5);
    const hole = Array.from(raw.data).indexOf(0);
    expect(Number.isNaN(rescaled.data[hole]!)).toBe(true);
  });

  it('errorsAsNodata turns an unreadable source into nodata with a redacted warning; without it, a ReadError', async () => {
    const broken = structuredClone(zone32(items));
    broken[1]!.assets['B04']!.href = `${scratch}/missing.tif?sig=SECRET`;
    const warnings: string[] = [];
    const cube = await DatasetCollection.fromStac(
      broken,
      base({
        groupby: 'solar_day',
        errorsAsNodata: true,
        onWarning: (message) => warnings.push(message),
      }),
    );
    const result = await cube.read();
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toMatch(
      /could not read asset 'B04' of item B-20240501 \(.*missing\.tif\?<redacted>\)/,
    );
    expect(warnings.join('\n')).not.toContain('SECRET');
    expect(result.data.some((value) => value !== 0)).toBe(true);
    const failing = await DatasetCollection.fromStac(broken, base({ groupby: 'solar_day' }));
    const error = await failing.read().catch((caught: unknown) => caught);
    expect(ReadError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/missing\.tif\?<redacted>/);
    expect((error as Error).message).not.toContain('SECRET');
  });

  it('patchUrl runs before the signer, which is applied to each read', async () => {
    const moved = structuredClone([items[0]!]);
    moved[0]!.assets['B04']!.href = 'https://old-host.invalid/A-20240501_B04.tif';
    const signed: string[] = [];
    const signer: Signer = {
      kind: 'signer',
      id: 'test-signer',
      apiVersion: PLUGIN_API_VERSION,
      matches: () => true,
      signHref: async (href) => (signed.push(href), `${href}?token=abc`),
      describe: () => ({ id: 'test-signer', options: {} }),
    };
    opened.length = 0;
    const cube = await DatasetCollection.fromStac(
      moved,
      base({ signer, patchUrl: (href) => href.replace('https://old-host.invalid', scratch) }),
    );
    await cube.read();
    expect(signed).toContain(path.join(scratch, 'A-20240501_B04.tif'));
    expect(
      opened.every((entry) => entry.href.endsWith('?token=abc') && entry.context.signer === signer),
    ).toBe(true);
    expect(cube.tasks()[0]!.options.signer).toEqual({ id: 'test-signer', options: {} });
    expect(JSON.stringify(cube.tasks()[0])).not.toContain('token=abc');
  });

  it('fromStac takes a signal for the header reads it may need', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await DatasetCollection.fromStac(
      zone32(items),
      base({ like: path.join(scratch, 'A-20240501_B04.tif'), signal: controller.signal }),
    ).catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('AbortError');
  });

  it('an aborted read rethrows the abort, unwrapped', async () => {
    const cube = await DatasetCollection.fromStac(
      zone32(items),
      base({ chunkSize: 32, concurrency: 2 }),
    );
    const controller = new AbortController();
    const reading = cube.read({
      signal: controller.signal,
      onProgress: ({ completed }) => completed === 2 && controller.abort(),
    });
    const error = await reading.catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('AbortError');
  });

  it('a chunk task is plain data that runs on its own, given a registry', async () => {
    const cube = await DatasetCollection.fromStac(
      zone32(items),
      base({ groupby: 'solar_day', chunkSize: 100 }),
    );
    const task = structuredClone(cube.tasks()[4]!);
    const alone = await runChunkTask(task, { registry });
    const whole = await cube.read();
    const { x, y, width } = task.window;
    expect(alone.data[0]![width + 3]).toBe(whole.data[(task.time * 250 + y + 1) * 350 + x + 3]);
    // A worker rebuilds the signer from its description through its own registry.
    const signed: string[] = [];
    const signer: Signer = {
      kind: 'signer',
      id: 'worker-signer',
      apiVersion: PLUGIN_API_VERSION,
      matches: () => true,
      signHref: async (href) => (signed.push(href), href),
      describe: () => ({ id: 'worker-signer', options: {} }),
    };
    const withSigner = structuredClone(
      (
        await DatasetCollection.fromStac(zone32(items), base({ signer, chunkSize: 100 }))
      ).tasks()[0]!,
    );
    await runChunkTask(withSigner, {
      registry: createRegistry().use(gdalTestReader()).use(signer),
    });
    expect(signed.length).toBeGreaterThan(0);
    const error = await runChunkTask(withSigner, { registry }).catch((caught: unknown) => caught);
    expect(SignerError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "this chunk needs signer 'worker-signer', which is not registered here; register it with registry.use(...)",
    );
    // Sources that do not meet the chunk are left out of it.
    expect(cube.tasks()[0]!.bands[0]!.map((source) => source.item)).toEqual(['A-20240501']);
  });

  it('estimate counts sources, tiles, bytes and requests from headers without reading pixels', async () => {
    const cube = await DatasetCollection.fromStac(zone32(items), base({ groupby: 'solar_day' }));
    for (const source of decoded.values()) source.reads.length = 0;
    const estimate = await cube.estimate();
    expect([...decoded.values()].every((source) => source.reads.length === 0)).toBe(true);
    expect(estimate).toMatchObject({ items: 3, timeSteps: 2, bands: 1, chunks: 2, sources: 3 });
    // Three 200 × 200 files in 64 × 64 tiles, fully covered: 16 tiles each.
    expect(estimate.tiles).toBe(48);
    expect(estimate.requests).toBe(48 + 3);
    expect(estimate.outputBytes).toBe(2 * 250 * 350 * 2);
  });
});

// Independent references for cube pixels: gdalwarp mosaics the same files onto the same grid.
// gdalwarp writes its inputs in order, later valid pixels over earlier ones, so the inputs
// in reverse (datetime, id) order give `first` fusing, and in order give `last`.
describe('cube pixels against gdalwarp mosaics', { timeout: 120_000 }, () => {
  const grid = {
    crs: 'EPSG:32632',
    resolution: 10,
    bounds: [698500, 5318000, 703500, 5321500] as [number, number, number, number],
  };

  function gdalwarpMosaic(files: string[], resampling: string): Uint16Array {
    const output = path.join(scratch, `mosaic-${process.hrtime.bigint()}.tif`);
    const [west, south, east, north] = grid.bounds;
    runGdal('gdalwarp', [
      '-q',
      '-t_srs',
      grid.crs,
      '-te',
      String(west),
      String(south),
      String(east),
      String(north),
      '-tr',
      '10',
      '10',
      '-r',
      resampling,
      '-srcnodata',
      '0',
      '-dstnodata',
      '0',
      ...files,
      output,
    ]);
    return readWithGdal(output, { scratch }).bands[0] as Uint16Array;
  }

  function fileOf(item: StacItem): string {
    return item.assets['B04']!.href;
  }

  for (const [method, resampling, tolerance] of [
    ['first', 'nearest', 0],
    ['last', 'nearest', 0],
    ['first', 'bilinear', 1],
  ] as const) {
    it(`groupby solar_day, ${method}, ${resampling}, across two UTM zones: gdalwarp's mosaic`, async () => {
      const cube = await DatasetCollection.fromStac(
        items,
        base({ ...grid, groupby: 'solar_day', method, resampling }),
      );
      const result = await cube.read();
      const [, , height, width] = result.shape;
      expect(cube.coords.time).toEqual(['2024-05-01', '2024-05-06']);
      // The UTM 33N tile takes part (reprojected).
      expect(
        cube.tasks().some((task) => task.bands[0]!.some((source) => source.item === 'C-20240501')),
      ).toBe(true);
      cube.coords.time.forEach((_, time) => {
        const group = items
          .filter((item) => String(item.properties['datetime']).startsWith(cube.coords.time[time]!))
          .sort((a, b) =>
            String(a.properties['datetime']).localeCompare(String(b.properties['datetime'])),
          );
        const ordered = method === 'first' ? [...group].reverse() : group;
        const reference = gdalwarpMosaic(ordered.map(fileOf), resampling);
        expect(reference.length).toBe(width * height);
        const ours = result.data.subarray(time * width * height, (time + 1) * width * height);
        let valid = 0;
        let differing = 0;
        for (let index = 0; index < reference.length; index++) {
          if (reference[index] !== 0) valid++;
          if (Math.abs(ours[index]! - reference[index]!) > tolerance) differing++;
        }
        expect(valid).toBeGreaterThan(10_000);
        // Reprojected nearest samples lying exactly on a source pixel edge may round either way: rare, counted.
        console.info(
          `${method}/${resampling} ${cube.coords.time[time]}: ${differing} of ${valid} pixels differ from gdalwarp`,
        );
        expect(differing, `${differing} of ${valid} pixels differ`).toBeLessThanOrEqual(
          valid * 0.001,
        );
      });
    });
  }
});
