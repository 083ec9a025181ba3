import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptionError } from '../errors/option-error.js';
import type { ReaderContext, ReaderPlugin } from '../plugins/plugin-types.js';
import { createRegistry } from '../plugins/registry.js';
import type { RasterSource } from '../raster/raster-source.js';
import { readExtensionMetadata } from '../stac/extension-metadata.js';
import type { StacItem } from '../stac/stac-types.js';
import { createCubeScene, SCENE_NODATA } from '../test-support/cube-scene.js';
import { gdalRasterSource, readWithGdal } from '../test-support/gdal-raster.js';
import { PLUGIN_API_VERSION } from '../version.js';
import { applyBandConfig } from './band-config.js';
import { DatasetCollection } from './dataset-collection.js';

let scratch: string;
let items: StacItem[];

/** A reader over GDAL-decoded local files: the I/O seam. */
function gdalTestReader(): ReaderPlugin {
  const decoded = new Map<string, RasterSource>();
  return {
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
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-band-config-'));
  items = createCubeScene(scratch).items(scratch);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('applyBandConfig', () => {
  it('adds aliases and writes overrides into raster:bands of copies, collection entries winning over *', () => {
    const [first] = items;
    const [configured] = applyBandConfig([first!], {
      '*': { aliases: { red: 'B04' }, assets: { '*': { nodata: 1 }, B05: { scale: 3 } } },
      scene: { assets: { B04: { nodata: 7, offset: 2 } }, aliases: { rededge: 'B05' } },
      other: { aliases: { red: 'B05' } },
    });
    expect(readExtensionMetadata(configured!, 'red').bands[0]).toMatchObject({
      dataType: 'uint16',
      nodata: 7,
      offset: 2,
    });
    expect(readExtensionMetadata(configured!, 'rededge').bands[0]).toMatchObject({
      nodata: 1,
      scale: 3,
    });
    // The Item given is unchanged.
    expect(first!.assets.red).toBeUndefined();
    expect(readExtensionMetadata(first!, 'B04').bands[0]!.nodata).toBe(SCENE_NODATA);
  });

  it('fills in raster:bands for an asset without them, NaN nodata included', () => {
    const bare: StacItem = {
      type: 'Feature',
      stac_version: '1.0.0',
      id: 'bare',
      collection: 'c',
      geometry: null,
      properties: { datetime: '2024-01-01T00:00:00Z' },
      links: [],
      assets: { data: { href: '/x.tif' } },
    } as StacItem;
    const [configured] = applyBandConfig([bare], {
      c: { assets: { data: { dataType: 'float32', nodata: Number.NaN, scale: 0.5 } } },
    });
    const band = readExtensionMetadata(configured!, 'data').bands[0]!;
    expect(band.dataType).toBe('float32');
    expect(band.nodata).toBeNaN();
    expect(band.scale).toBe(0.5);
  });

  it('refuses unknown fields, data types and non-numbers with an OptionError', () => {
    expect(() =>
      applyBandConfig(items, { scene: { assets: { B04: { nodta: 1 } as never } } }),
    ).toThrow(OptionError);
    expect(() =>
      applyBandConfig(items, { scene: { assets: { B04: { dataType: 'uint12' as never } } } }),
    ).toThrow(/dataType 'uint12' is not one of/);
    expect(() =>
      applyBandConfig(items, { scene: { assets: { B04: { scale: Number.POSITIVE_INFINITY } } } }),
    ).toThrow(/scale must be a finite number/);
    expect(() => applyBandConfig(items, { scene: { aliases: { red: '' } } })).toThrow(
      /aliases.red must name an asset key/,
    );
  });
});

describe('fromStac with bandConfig', { timeout: 60_000 }, () => {
  it('reads an alias as a band of that name, with the overridden nodata, scale and offset applied by rescale', async () => {
    const registry = createRegistry().use(gdalTestReader());
    const first = items[0]!;
    const cube = await DatasetCollection.fromStac([first], {
      registry,
      asset: 'red',
      rescale: true,
      bandConfig: {
        scene: { aliases: { red: 'B04' }, assets: { red: { nodata: 5, scale: 2, offset: 1 } } },
      },
    });
    expect(cube.coords.band).toEqual(['red']);
    const { data } = await cube.read();
    // Hand calculation on the stored values read by GDAL: 2 · v + 1, NaN where v is the overridden nodata 5.
    const stored = readWithGdal(first.assets.B04!.href, { scratch }).bands[0]!;
    const expected = Array.from(stored, (value) => (value === 5 ? Number.NaN : 2 * value + 1));
    // The scene's own nodata (0) occurs, and is a value now: 2 · 0 + 1.
    expect(Array.from(stored).includes(SCENE_NODATA)).toBe(true);
    expect(Array.from(data as ArrayLike<number>)).toContain(1);
    expect(Array.from(data as ArrayLike<number>)).toEqual(expected);
  });
});
