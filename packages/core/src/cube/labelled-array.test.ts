import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptionError } from '../errors/option-error.js';
import { xCoordinates, yCoordinates, type Grid } from '../grid/grid.js';
import type { ReaderContext, ReaderPlugin } from '../plugins/plugin-types.js';
import { createRegistry } from '../plugins/registry.js';
import type { RasterSource } from '../raster/raster-source.js';
import type { StacItem } from '../stac/stac-types.js';
import { createCubeScene } from '../test-support/cube-scene.js';
import { gdalRasterSource } from '../test-support/gdal-raster.js';
import { PLUGIN_API_VERSION } from '../version.js';
import type { CubeBand } from './cube-plan.js';
import { DatasetCollection } from './dataset-collection.js';
import { labelArray } from './labelled-array.js';

// A 2 × 2 × 3 × 4 array whose value is its own flat index: t·24 + b·12 + y·4 + x.
const grid: Grid = {
  crs: 'EPSG:32632',
  transform: [1000, 10, 0, 2000, 0, -10],
  width: 4,
  height: 3,
};
const band = (name: string, nodata: number): CubeBand => ({
  name,
  asset: name,
  dataType: 'int16',
  nodata,
  scale: 1,
  offset: 0,
  source: { dataType: 'int16' },
});
const small = labelArray(
  {
    data: Int16Array.from({ length: 48 }, (_, index) => index),
    shape: [2, 2, 3, 4],
    dims: ['time', 'band', 'y', 'x'],
    coords: {
      time: ['2024-05-01', '2024-05-06'],
      band: ['red', 'nir'],
      y: yCoordinates(grid),
      x: xCoordinates(grid),
    },
    grid,
  },
  {
    bands: [band('red', -1), band('nir', -2)],
    steps: [
      {
        label: '2024-05-01',
        datetime: new Date('2024-05-01T10:00:00Z'),
        items: [{ id: 'a', properties: { 'eo:cloud_cover': 3 } }],
      },
      {
        label: '2024-05-06',
        datetime: new Date('2024-05-06T10:00:00Z'),
        items: [{ id: 'b', properties: { 'eo:cloud_cover': 40 } }],
      },
    ],
  },
);
const flat = (t: number, b: number, y: number, x: number) => t * 24 + b * 12 + y * 4 + x;

describe('LabelledArray on a small hand-made array', () => {
  it('isel picks positions, keeps the dims and moves the grid', () => {
    const picked = small.isel({ time: 1, band: [1, 0], y: [1, 3], x: -1 });
    expect(picked.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(picked.data)).toEqual([
      flat(1, 1, 1, 3),
      flat(1, 1, 2, 3),
      flat(1, 0, 1, 3),
      flat(1, 0, 2, 3),
    ]);
    expect(picked.coords.band).toEqual(['nir', 'red']);
    expect(picked.grid.transform).toEqual([1030, 10, 0, 1990, 0, -10]);
    expect(Array.from(picked.coords.x)).toEqual([1035]);
    expect(Array.from(picked.coords.y)).toEqual([1985, 1975]);
    expect(picked.attrs.nodata).toEqual([-2, -1]);
    expect(picked.attrs.steps).toEqual([
      {
        label: '2024-05-06',
        datetime: '2024-05-06T10:00:00.000Z',
        items: [{ id: 'b', properties: { 'eo:cloud_cover': 40 } }],
      },
    ]);
    expect(picked.data).toBeInstanceOf(Int16Array);
  });

  it('sel picks by time label, band name and coordinates', () => {
    // x 1017 lies in column 1 (1010..1020); y 1995..1975 holds the centres of rows 0..2.
    const selected = small.sel({ time: '2024-05-01', band: 'nir', x: 1017, y: [1995, 1975] });
    expect(selected.shape).toEqual([1, 1, 3, 1]);
    expect(Array.from(selected.data)).toEqual([
      flat(0, 1, 0, 1),
      flat(0, 1, 1, 1),
      flat(0, 1, 2, 1),
    ]);
    expect(small.sel({ x: [1012, 1031] }).coords.x).toEqual(Float64Array.from([1015, 1025]));
    expect(small.value(1, 0, 2, 3)).toBe(flat(1, 0, 2, 3));
  });

  it('carries the CRS and transform in attrs', () => {
    expect(small.attrs.crs).toBe('EPSG:32632');
    expect(small.attrs.transform).toEqual([1000, 10, 0, 2000, 0, -10]);
    expect(small.attrs.bands.map((entry) => entry.name)).toEqual(['red', 'nir']);
  });

  it('names what is missing with an OptionError', () => {
    expect(() => small.sel({ band: 'blue' })).toThrow(/no band 'blue'; available: red, nir/);
    expect(() => small.sel({ x: 999 })).toThrow(/x 999 is outside the array/);
    expect(() => small.sel({ y: [0, 10] })).toThrow(/no y pixel centre lies in \[0, 10\]/);
    expect(() => small.isel({ time: 2 })).toThrow(OptionError);
    expect(() => small.isel({ x: [3, 3] })).toThrow(/not a non-empty range/);
  });
});

describe('cube.read() is labelled', { timeout: 60_000 }, () => {
  let scratch: string;
  let items: StacItem[];
  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-labelled-'));
    items = createCubeScene(scratch).items(scratch);
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('sel by time label and coordinate gives the pixel of the full array', async () => {
    const decoded = new Map<string, RasterSource>();
    const reader: ReaderPlugin = {
      kind: 'reader',
      id: 'gdal-test',
      apiVersion: PLUGIN_API_VERSION,
      mediaTypes: ['image/tiff'],
      extensions: ['.tif'],
      load: async () => ({
        open: async (href: string, _context: ReaderContext): Promise<RasterSource> => {
          if (!decoded.has(href)) decoded.set(href, gdalRasterSource(href, scratch));
          return { ...decoded.get(href)!, href };
        },
      }),
    };
    const zone32 = items.filter((item) => item.properties['proj:epsg'] === 32632);
    const cube = await DatasetCollection.fromStac(zone32, {
      registry: createRegistry().use(reader),
      asset: 'B04',
    });
    const array = await cube.read();
    expect(array.attrs.crs).toBe('EPSG:32632');
    expect(array.attrs.steps.map((step) => step.items.map((entry) => entry.id))).toEqual(
      cube.steps.map((step) => step.items.map((entry) => entry.id)),
    );
    // Time step 1, column 120, row 80 by hand from the grid: x = x0 + (120 + 0.5)·10, y = y0 − (80 + 0.5)·10.
    const [x0, , , y0] = cube.grid.transform;
    const pixel = array.sel({
      time: cube.coords.time[1]!,
      band: 'B04',
      x: x0 + 120.5 * 10,
      y: y0 - 80.5 * 10,
    });
    expect(pixel.shape).toEqual([1, 1, 1, 1]);
    const [, bands, height, width] = array.shape;
    expect(pixel.data[0]).toBe(array.data[((1 * bands + 0) * height + 80) * width + 120]);
    expect(pixel.grid.transform.slice(0, 4)).toEqual([x0 + 1200, 10, 0, y0 - 800]);
  });
});
