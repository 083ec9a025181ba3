// For packages/readers-geotiff/src/vrt-mosaic.test.ts once @pyramids/readers-geotiff's
// reader implementation is merged: a VRT mosaic read with no GDAL on our side (core's JS
// VRT reader + the pure-JS GeoTIFF reader) equals what gdal_translate reads from it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildVrtFromStac,
  createRegistry,
  geotransformToAffine,
  openRaster,
  vrtReader,
  type StacItem,
} from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { fixturesDir } from '../../../vitest.shared.js';

const SOURCE = path.join(fixturesDir, 'rasters/rasterio/RGB.byte.tif');

function gdalInfo(file: string): { size: [number, number]; geoTransform: number[] } {
  return JSON.parse(execFileSync('gdalinfo', ['-json', file], { encoding: 'utf8' })) as never;
}

/** Band-sequential bytes gdal_translate reads from a Byte raster. */
function translateBytes(file: string, args: string[] = []): Uint8Array {
  const output = path.join(dir, `t-${Math.random().toString(36).slice(2)}.bin`);
  execFileSync('gdal_translate', [
    '-q',
    '-of',
    'ENVI',
    '-co',
    'INTERLEAVE=BSQ',
    ...args,
    file,
    output,
  ]);
  return new Uint8Array(readFileSync(output));
}

let dir: string;

function tileItem(id: string, href: string, withProjection: boolean): StacItem {
  const info = gdalInfo(href);
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    id,
    geometry: null,
    properties: {
      datetime: '2020-01-01T00:00:00Z',
      ...(withProjection
        ? {
            'proj:epsg': 32618,
            'proj:shape': [info.size[1], info.size[0]],
            'proj:transform': geotransformToAffine(info.geoTransform),
          }
        : {}),
    },
    links: [],
    assets: {
      visual: {
        href,
        type: 'image/tiff; application=geotiff',
        ...(withProjection
          ? { 'raster:bands': [1, 2, 3].map(() => ({ data_type: 'uint8', nodata: 0 })) }
          : {}),
      },
    },
  } as unknown as StacItem;
}

describe('VRT mosaic without GDAL on our side (JS VRT reader + geotiff.js)', () => {
  let items: StacItem[];
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pyramids-vrt-js-'));
    const left = path.join(dir, 'left.tif');
    const right = path.join(dir, 'right.tif');
    execFileSync('gdal_translate', ['-q', '-srcwin', '100', '300', '120', '80', SOURCE, left]);
    execFileSync('gdal_translate', ['-q', '-srcwin', '220', '300', '100', '80', SOURCE, right]);
    items = [tileItem('left', left, true), tileItem('right', right, false)];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the mosaic equal to gdal_translate, built and opened by path', async () => {
    const registry = createRegistry().use(geotiffReader());
    registry.use(vrtReader({ registry }));
    const output = path.join(dir, 'mosaic.vrt');
    const built = await buildVrtFromStac(items, 'visual', { registry, output });
    expect(gdalInfo(output).size).toEqual([220, 80]);
    const expected = translateBytes(output);
    const plane = 220 * 80;
    const fromBuild = await built.read();
    const reopened = await openRaster(output, { registry });
    expect(reopened.readerId).toBe('vrt');
    const fromFile = await reopened.read();
    for (const result of [fromBuild, fromFile]) {
      result.data.forEach((band, index) =>
        expect(
          Buffer.from(band as Uint8Array).equals(
            Buffer.from(expected.subarray(index * plane, (index + 1) * plane)),
          ),
        ).toBe(true),
      );
    }
    await built.close();
    await reopened.close();
  });
});
