// The bundled sample data (sample-data/) is what scripts/make-sample-data.mjs writes,
// byte for byte, and its Items describe its rasters as GDAL reads them.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readExtensionMetadata, toItems, type StacItem } from '@pyramids/core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const committed = path.join(root, 'sample-data');
let regenerated: string;

function listFiles(folder: string, prefix = ''): string[] {
  return readdirSync(path.join(folder, prefix), { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? listFiles(folder, path.join(prefix, entry.name))
        : [path.join(prefix, entry.name)],
    )
    .sort();
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

beforeAll(async () => {
  regenerated = mkdtempSync(path.join(tmpdir(), 'pyramids-sample-data-'));
  // A computed specifier: the script is plain JavaScript outside this package.
  const scriptUrl = pathToFileURL(path.join(root, 'scripts/make-sample-data.mjs')).href;
  const script = (await import(scriptUrl)) as {
    makeSampleData(directory: string): Promise<unknown[]>;
  };
  await script.makeSampleData(regenerated);
}, 120_000);
afterAll(() => {
  rmSync(regenerated, { recursive: true, force: true });
});

describe('sample-data', { timeout: 60_000 }, () => {
  it('is reproduced byte for byte by scripts/make-sample-data.mjs', () => {
    const files = listFiles(committed);
    expect(listFiles(regenerated)).toEqual(files);
    expect(files).toHaveLength(3 + 6 * 4);
    for (const file of files)
      expect(sha256(path.join(regenerated, file)), file).toBe(sha256(path.join(committed, file)));
  });

  it('stays small', () => {
    const bytes = listFiles(committed).reduce(
      (total, file) => total + statSync(path.join(committed, file)).size,
      0,
    );
    expect(bytes).toBeLessThan(3 * 1024 * 1024);
  });

  it('has Items whose projection and raster fields match the rasters as GDAL reads them', () => {
    const items = toItems(
      JSON.parse(readFileSync(path.join(committed, 'items.json'), 'utf8')),
    ) as StacItem[];
    expect(items).toHaveLength(6);
    const item = items[1]!;
    expect(item.id).toBe('sample-s2l2a-b-20240605');
    for (const key of ['B02', 'B03', 'B04', 'B05']) {
      const metadata = readExtensionMetadata(item, key);
      const file = path.join(committed, metadata.href!);
      const info = JSON.parse(execFileSync('gdalinfo', ['-json', file], { encoding: 'utf8' })) as {
        size: [number, number];
        geoTransform: number[];
        coordinateSystem: { wkt: string };
        bands: {
          type: string;
          noDataValue: number;
          scale: number;
          offset: number;
          description: string;
        }[];
      };
      expect(metadata.crs).toBe('EPSG:32633');
      expect(info.coordinateSystem.wkt).toMatch(/ID\["EPSG",32633\]\]$/);
      expect(metadata.transform).toEqual(info.geoTransform);
      expect(metadata.shape).toEqual([info.size[1], info.size[0]]);
      expect(metadata.bandNames).toEqual([key]);
      expect(metadata.bands[0]).toMatchObject({
        dataType: 'uint16',
        nodata: 0,
        scale: 0.0001,
        offset: -0.1,
      });
      expect(info.bands[0]).toMatchObject({
        type: 'UInt16',
        noDataValue: 0,
        scale: 0.0001,
        offset: -0.1,
        description: key,
      });
    }
    // The 4326 footprint contains the projected bounds' centre (15.03°E, 47.83°N).
    const [west, south, east, north] = item.bbox!;
    expect(west).toBeLessThan(15.034);
    expect(east).toBeGreaterThan(15.034);
    expect(south).toBeLessThan(47.83);
    expect(north).toBeGreaterThan(47.83);
  });

  it('has rasters that GDAL validates as cloud-optimised GeoTIFFs', () => {
    const file = path.join(committed, 'tiles/sample-s2l2a-a-20240615/B04.tif');
    const output = execFileSync(
      '/usr/bin/python3',
      ['-m', 'osgeo_utils.samples.validate_cloud_optimized_geotiff', '--full-check=yes', file],
      {
        encoding: 'utf8',
      },
    );
    expect(output).toContain('is a valid cloud optimized GeoTIFF');
  });
});
