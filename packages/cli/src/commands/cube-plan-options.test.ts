// `pyramids cube` flags that shape the plan, end to end over a loopback range server:
// --dry-run --plan and running a plan file, --anchor, --alternate and --band-config.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistry,
  DatasetCollection,
  PLUGIN_API_VERSION,
  type StacItem,
} from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { toGeoParquet } from '@pyramids/parquet';
import { createCubeScene, writeSceneMask } from '../../../core/src/test-support/cube-scene.js';
import { readWithGdal } from '../../../core/src/test-support/gdal-raster.js';
import { startRangeServer, type RangeServer } from '../../../../test-support/range-server.js';
import { runCli } from '../run-cli-for-tests.js';

let scratch: string;
let server: RangeServer;
let items: StacItem[];
let itemsFile: string;
const zone32 = (list: StacItem[]) => list.filter((item) => item.properties['proj:epsg'] === 32632);
const writeItems = (name: string, list: StacItem[]) => {
  const file = path.join(scratch, name);
  writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: list }));
  return file;
};
const grid = ['--crs', 'EPSG:32632', '--resolution', '10'];
const bounds = ['--bounds', '699003,5318004,699047,5318049'];

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-cube-plan-cli-'));
  server = await startRangeServer(scratch);
  items = zone32(createCubeScene(scratch).items(server.url));
  itemsFile = writeItems('items.json', items);
});
afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('pyramids cube --dry-run --plan', { timeout: 120_000 }, () => {
  it('prints a plan that `pyramids cube PLAN.json -o` runs into the same file', async () => {
    const args = ['--asset', 'B04', '--asset', 'B05', '--groupby', 'solar_day', ...grid];
    const printed = await runCli(['cube', itemsFile, ...args, '--dry-run', '--plan']);
    expect(printed.stderr).toBe('');
    expect(printed.code).toBe(0);
    const plan = JSON.parse(printed.stdout);
    expect(plan).toMatchObject({ kind: 'pyramids.cube-plan', version: 1 });
    expect(plan.bands.map((band: { name: string }) => band.name)).toEqual(['B04', 'B05']);
    const planFile = path.join(scratch, 'plan.json');
    writeFileSync(planFile, printed.stdout);

    const fromPlan = path.join(scratch, 'from-plan.tif');
    const direct = path.join(scratch, 'direct.tif');
    expect((await runCli(['cube', planFile, '-o', fromPlan, '--quiet'])).code).toBe(0);
    expect((await runCli(['cube', itemsFile, ...args, '-o', direct, '--quiet'])).code).toBe(0);
    const [a, b] = [readWithGdal(fromPlan, { scratch }), readWithGdal(direct, { scratch })];
    expect(a.width * a.height).toBeGreaterThan(0);
    expect(a.bands.length).toBe(4);
    expect(a.bands.map((band) => Array.from(band))).toEqual(
      b.bands.map((band) => Array.from(band)),
    );
  });

  it('refuses plan-shaping flags with a plan, and --plan without --dry-run', async () => {
    const planFile = path.join(scratch, 'plan-b04.json');
    writeFileSync(
      planFile,
      (await runCli(['cube', itemsFile, '--asset', 'B04', ...grid, '--dry-run', '--plan'])).stdout,
    );
    const shaped = await runCli([
      'cube',
      planFile,
      '--asset',
      'B04',
      '--crs',
      'EPSG:4326',
      '-o',
      path.join(scratch, 'x.tif'),
    ]);
    expect(shaped.code).not.toBe(0);
    expect(shaped.stderr).toMatch(/cube plan, which already fixes --asset, --crs/);
    const noDryRun = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--plan',
      '-o',
      path.join(scratch, 'y.tif'),
    ]);
    expect(noDryRun.code).not.toBe(0);
    expect(noDryRun.stderr).toMatch(/--plan prints the plan with --dry-run/);
  });
});

describe('pyramids cube --anchor, --alternate, --band-config', { timeout: 120_000 }, () => {
  const dryRunGrid = async (extra: string[], file = itemsFile) => {
    const result = await runCli(['cube', file, ...extra, '--dry-run']);
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout).grid;
  };

  it('--anchor center puts pixel centres on multiples of the resolution (hand-computed grid)', async () => {
    expect(await dryRunGrid(['--asset', 'B04', ...grid, ...bounds, '--anchor', 'center'])).toEqual({
      crs: 'EPSG:32632',
      transform: [698995, 10, 0, 5318055, 0, -10],
      width: 6,
      height: 6,
    });
    expect(
      (await dryRunGrid(['--asset', 'B04', ...grid, ...bounds, '--anchor', '0.25,0.75'])).transform,
    ).toEqual([699002.5, 10, 0, 5318057.5, 0, -10]);
    const bad = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--anchor',
      'middle',
      '--dry-run',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--anchor must be edge, center, floating or FX,FY/);
  });

  it('--alternate reads the named alternate href of every asset', async () => {
    const mirrored = items.map((item) => ({
      ...item,
      stac_extensions: [
        ...(item.stac_extensions ?? []),
        'https://stac-extensions.github.io/alternate-assets/v1.2.0/schema.json',
      ],
      assets: Object.fromEntries(
        Object.entries(item.assets).map(([key, asset]) => [
          key,
          {
            ...asset,
            href: `${server.url}/gone/${key}.tif`,
            alternate: { mirror: { href: asset.href } },
          },
        ]),
      ),
    }));
    const file = writeItems('mirrored.json', mirrored);
    const args = ['--asset', 'B04', ...grid, '--groupby', 'solar_day'];
    const direct = path.join(scratch, 'direct-b04.tif');
    const mirror = path.join(scratch, 'mirror-b04.tif');
    expect((await runCli(['cube', itemsFile, ...args, '-o', direct, '--quiet'])).code).toBe(0);
    const result = await runCli([
      'cube',
      file,
      ...args,
      '--alternate',
      'mirror',
      '-o',
      mirror,
      '--quiet',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readWithGdal(mirror, { scratch }).bands.map((band) => Array.from(band))).toEqual(
      readWithGdal(direct, { scratch }).bands.map((band) => Array.from(band)),
    );
    const own = await runCli([
      'cube',
      file,
      ...args,
      '-o',
      path.join(scratch, 'own.tif'),
      '--quiet',
    ]);
    expect(own.code).not.toBe(0); // the Items' own hrefs are gone
  });

  it('--band-config reads an alias as a band of that name, with its nodata override', async () => {
    const config = path.join(scratch, 'bands.json');
    writeFileSync(
      config,
      JSON.stringify({ '*': { aliases: { red: 'B04' }, assets: { red: { nodata: 7 } } } }),
    );
    const result = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'red',
      '--band-config',
      config,
      ...grid,
      '--dry-run',
    ]);
    expect(result.stderr).toBe('');
    const summary = JSON.parse(result.stdout);
    expect(summary.band).toEqual(['red']);
    expect(summary.nodata).toEqual([7]);
    writeFileSync(config, '{ not json');
    const bad = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'red',
      '--band-config',
      config,
      '--dry-run',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--band-config .*bands\.json is not JSON/);
  });
});

describe('pyramids cube --mask, --mask-bits', { timeout: 120_000 }, () => {
  const cloudBlock = (row: number, col: number) =>
    col < 2 ? 0 : row >= 5 && row < 25 && col >= 5 && col < 30 ? 9 : 4;
  const masked = () =>
    items.map((item) => ({
      ...item,
      assets: {
        ...item.assets,
        SCL: {
          href: `${server.url}/${writeSceneMask(scratch, item, 'scl', cloudBlock)}`,
          type: 'image/tiff; application=geotiff',
        },
      },
    }));

  it('--mask SCL=4,5,6 writes what the API reads with mask, in this thread and on 2 workers', async () => {
    const list = masked();
    const file = writeItems('masked.json', list);
    const args = ['--asset', 'B04', '--groupby', 'solar_day', '--mask', 'SCL=4,5,6', '--quiet'];
    const here = path.join(scratch, 'masked-here.tif');
    const workers = path.join(scratch, 'masked-workers.tif');
    expect((await runCli(['cube', file, ...args, '-o', here])).code).toBe(0);
    expect((await runCli(['cube', file, ...args, '--workers', '2', '-o', workers])).code).toBe(0);
    const api = await (
      await DatasetCollection.fromStac(list, {
        registry: createRegistry().use(geotiffReader()),
        asset: 'B04',
        groupby: 'solar_day',
        mask: { asset: 'SCL', keep: [4, 5, 6] },
      })
    ).read();
    const plane = api.shape[2] * api.shape[3];
    const bands = readWithGdal(here, { scratch }).bands;
    bands.forEach((band, time) =>
      expect(Array.from(band)).toEqual(
        Array.from(api.data.subarray(time * plane, (time + 1) * plane)),
      ),
    );
    expect(readWithGdal(workers, { scratch }).bands.map((band) => Array.from(band))).toEqual(
      bands.map((band) => Array.from(band)),
    );
  });

  it('refuses bad mask flags in one line', async () => {
    for (const [args, message] of [
      [['--mask', 'SCL=a,b'], /--mask SCL=a,b: use ASSET=VALUES/],
      [['--mask', 'clouds'], /--mask clouds: use ASSET=VALUES .* or a preset/],
      [['--mask-bits', 'QA=40'], /mask bits must name bit numbers 0–31/],
      [['--mask', 'SCL=4', '--mask-bits', 'QA=3'], /pass --mask or --mask-bits, not both/],
    ] as const) {
      const result = await runCli(['cube', itemsFile, '--asset', 'B04', ...args, '--dry-run']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('pyramids cube --groupby P1M --method with a fuse plugin', { timeout: 120_000 }, () => {
  /** max − min of the valid values: a fuse no built-in method gives. */
  const spread = (values: Float64Array, valid: Uint8Array): number => {
    let low = Infinity;
    let high = -Infinity;
    for (let index = 0; index < values.length; index++)
      if (valid[index]) {
        low = Math.min(low, values[index]!);
        high = Math.max(high, values[index]!);
      }
    return high >= low ? high - low : Number.NaN;
  };

  it('fuses with a --plugin fuse in this thread and on 2 workers, as the API with the function', async () => {
    const plugin = path.join(scratch, 'spread-plugin.mjs');
    writeFileSync(
      plugin,
      `export default { kind: 'fuse', id: 'spread', apiVersion: ${JSON.stringify(PLUGIN_API_VERSION)},\n` +
        `  fuse: ${spread.toString()} };\n`,
    );
    const args = ['--asset', 'B04', '--groupby', 'P1M', '--method', 'spread', '--quiet'];
    const here = path.join(scratch, 'spread-here.tif');
    const workers = path.join(scratch, 'spread-workers.tif');
    const run = await runCli(['cube', itemsFile, ...args, '--plugin', plugin, '-o', here]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(
      (
        await runCli([
          'cube',
          itemsFile,
          ...args,
          '--plugin',
          plugin,
          '--workers',
          '2',
          '-o',
          workers,
        ])
      ).code,
    ).toBe(0);
    const cube = await DatasetCollection.fromStac(items, {
      registry: createRegistry().use(geotiffReader()),
      asset: 'B04',
      groupby: 'P1M',
      method: spread,
    });
    expect(cube.coords.time).toEqual(['2024-05']);
    const api = Array.from((await cube.read()).data);
    expect(Array.from(readWithGdal(here, { scratch }).bands[0]!)).toEqual(api);
    expect(Array.from(readWithGdal(workers, { scratch }).bands[0]!)).toEqual(api);
    // Where tile A's two dates overlap the spread is theirs, not 0: the fuse saw both.
    expect(api.filter((value) => value > 0).length).toBeGreaterThan(1000);
  });

  it('without the plugin, names the method and how to register it', async () => {
    const result = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--method',
      'spread',
      '--dry-run',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown method "spread".*register a fuse plugin/);
  });
});

describe('pyramids cube --index', { timeout: 120_000 }, () => {
  it('looks the Items up per chunk in a stac-geoparquet URL and writes what loading them all writes', async () => {
    await toGeoParquet(items, path.join(scratch, 'items.parquet'), { rowGroupSize: 1 });
    const args = [
      '--asset',
      'B04',
      '--groupby',
      'solar_day',
      ...grid,
      '--bounds',
      '699000,5318000,703000,5321000',
      '--chunk-size',
      '128',
      '--quiet',
    ];
    const fromIndex = path.join(scratch, 'from-index.tif');
    const fromItems = path.join(scratch, 'from-items.tif');
    const indexed = await runCli([
      'cube',
      `${server.url}/items.parquet`,
      '--index',
      ...args,
      '-o',
      fromIndex,
    ]);
    expect(indexed.stderr).toBe('');
    expect(indexed.code).toBe(0);
    expect((await runCli(['cube', itemsFile, ...args, '-o', fromItems])).code).toBe(0);
    const read = (file: string) =>
      readWithGdal(file, { scratch }).bands.map((band) => Array.from(band));
    expect(read(fromIndex)).toEqual(read(fromItems));
    expect(
      read(fromIndex)
        .flat()
        .some((value) => value !== 0),
    ).toBe(true);
    // --datetime narrows the lookups to one date.
    const dry = await runCli([
      'cube',
      `${server.url}/items.parquet`,
      '--index',
      ...args,
      '--datetime',
      '2024-05-06/2024-05-07',
      '--dry-run',
    ]);
    expect(dry.stderr).toBe('');
    expect(JSON.parse(dry.stdout).time).toEqual(['2024-05-06']);
  });

  it('says what the index needs', async () => {
    const result = await runCli([
      'cube',
      `${server.url}/items.parquet`,
      '--index',
      '--asset',
      'B04',
      '--dry-run',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/needs its grid up front: pass like, or crs and resolution/);
    const datetime = await runCli([
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--datetime',
      '2024',
      '--dry-run',
    ]);
    expect(datetime.stderr).toMatch(/--datetime filters an Item index: pass it with --index/);
  });
});
