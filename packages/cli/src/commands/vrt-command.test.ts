import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { geotransformToAffine } from '@pyramids/core';
import { main } from '../main.js';
import { fixturesDir } from '../../../../vitest.shared.js';

const SOURCE = path.join(fixturesDir, 'rasters/rasterio/RGB.byte.tif');

function info(file: string): { size: [number, number]; geoTransform: number[]; bands: unknown[] } {
  return JSON.parse(execFileSync('gdalinfo', ['-json', file], { encoding: 'utf8' })) as never;
}

describe('pyramids vrt', () => {
  let dir: string;
  let itemsFile: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pyramids-cli-vrt-'));
    const features = [
      ['a', ['-srcwin', '0', '0', '50', '40']],
      ['b', ['-srcwin', '50', '0', '30', '40']],
    ].map(([id, window]) => {
      const file = path.join(dir, `${id as string}.tif`);
      execFileSync('gdal_translate', ['-q', ...(window as string[]), SOURCE, file]);
      const tile = info(file);
      return {
        type: 'Feature',
        stac_version: '1.0.0',
        id,
        geometry: null,
        properties: {
          datetime: '2020-01-01T00:00:00Z',
          'proj:epsg': 32618,
          'proj:shape': [tile.size[1], tile.size[0]],
          'proj:transform': geotransformToAffine(tile.geoTransform),
        },
        links: [],
        // Relative hrefs resolve against the Items file's folder.
        assets: {
          visual: {
            href: `./${id as string}.tif`,
            type: 'image/tiff',
            'raster:bands': [1, 2, 3].map(() => ({ data_type: 'uint8', nodata: 0 })),
          },
        },
      };
    });
    itemsFile = path.join(dir, 'items.json');
    writeFileSync(itemsFile, JSON.stringify({ type: 'FeatureCollection', features }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a mosaic VRT that GDAL opens and reads like the original window', async () => {
    const output = path.join(dir, 'mosaic.vrt');
    const printed: string[] = [];
    const stdout = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk) => printed.push(String(chunk)) > 0);
    let code: number;
    try {
      code = await main(['node', 'pyramids', 'vrt', itemsFile, '--asset', 'visual', '-o', output]);
    } finally {
      stdout.mockRestore();
    }
    expect(code).toBe(0);
    expect(printed.join('')).toContain('80 × 40, 3 band(s), 2 source(s)');
    expect(info(output).size).toEqual([80, 40]);
    const translated = path.join(dir, 'mosaic.tif');
    const original = path.join(dir, 'original.tif');
    execFileSync('gdal_translate', ['-q', output, translated]);
    execFileSync('gdal_translate', ['-q', '-srcwin', '0', '0', '80', '40', SOURCE, original]);
    const checksums = (file: string) =>
      execFileSync('gdalinfo', ['-checksum', file], { encoding: 'utf8' }).match(/Checksum=\d+/g);
    expect(checksums(translated)).toEqual(checksums(original));
  });

  it('fails with one line naming the missing asset and writes nothing', async () => {
    const output = path.join(dir, 'none.vrt');
    const printed: string[] = [];
    const stderr = vi
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk) => printed.push(String(chunk)) > 0);
    let code: number;
    try {
      code = await main(['node', 'pyramids', 'vrt', itemsFile, '--asset', 'B04', '-o', output]);
    } finally {
      stderr.mockRestore();
    }
    expect(code).toBe(1);
    expect(printed.join('')).toContain("asset 'B04' not found on item a; available: visual");
    expect(existsSync(output)).toBe(false);
    expect(readFileSync(itemsFile, 'utf8')).toContain('"visual"');
  });
});
