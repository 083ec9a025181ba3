import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRegistry,
  OptionError,
  PLUGIN_API_VERSION,
  readExtensionMetadata,
  type ReaderPlugin,
  type StacItem,
} from '@pyramids/core';
import { fixturesDir } from '../../../../vitest.shared.js';
// Core's test support: a RasterSource fed by GDAL's command-line tools, and the schema validator.
import { gdalRasterSource } from '../../../core/src/item/gdal-raster-source.test-support.js';
import { createStacValidator } from '../../../core/src/item/stac-schema-validator.test-support.js';
import { createProgram } from '../program.js';
import { runItemCommand } from './item-command.js';

const validate = createStacValidator(path.join(fixturesDir, 'stac/schemas'));

/** A reader plugin whose sources come from GDAL (the I/O seam), so the command runs end to end. */
const gdalTestReader: ReaderPlugin = {
  kind: 'reader',
  id: 'gdal-test',
  apiVersion: PLUGIN_API_VERSION,
  mediaTypes: ['image/tiff'],
  extensions: ['.tif', '.tiff'],
  load: async () => ({
    open: async (href) => gdalRasterSource(href.startsWith('file://') ? fileURLToPath(href) : href),
  }),
};
const registry = createRegistry().use(gdalTestReader);

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'pyramids-item-cli-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe('pyramids item', () => {
  it('is registered on the program', () => {
    expect(createProgram().commands.map((command) => command.name())).toEqual(
      expect.arrayContaining(['item', 'download']),
    );
  });

  it('prints a valid Item for a raster', async () => {
    const stdout = capture();
    const raster = path.join(fixturesDir, 'rasters/rio-tiler/cog_dateline.tif');
    await runItemCommand(
      raster,
      { id: 'dateline', datetime: '2024-01-01T00:00:00Z', footprint: 'bbox' },
      { registry, stdout: stdout.stream },
    );
    const item = JSON.parse(stdout.text()) as StacItem;
    expect(item.id).toBe('dateline');
    expect(item.geometry!.type).toBe('MultiPolygon');
    expect(item.assets['data']!.href).toBe(raster);
    expect(validate(item)).toEqual([]);
  });

  it('writes -o with a relative href, a time range, statistics and a data footprint', async () => {
    const raster = path.join(fixturesDir, 'rasters/rasterio/RGB.byte.tif');
    const output = path.join(directory, 'item.json');
    await runItemCommand(
      raster,
      {
        start: '2020-01-01',
        end: '2020-12-31',
        stats: true,
        footprint: 'data',
        output,
        mediaType: 'image/tiff; application=geotiff; profile=cloud-optimized',
      },
      { registry },
    );
    const item = JSON.parse(readFileSync(output, 'utf8')) as StacItem;
    expect(item.id).toBe('RGB.byte');
    expect(item.assets['data']!.href).toBe(path.relative(directory, raster));
    expect(item.properties['datetime']).toBeNull();
    expect(
      (item.assets['data']!['raster:bands'] as { statistics?: unknown }[])[0]!.statistics,
    ).toBeDefined();
    expect(readExtensionMetadata(item, 'data').grid!.width).toBe(791);
    expect(validate(item)).toEqual([]);
  });

  it('prints warnings to standard error', async () => {
    const stdout = capture();
    const stderr = capture();
    await runItemCommand(
      path.join(fixturesDir, 'rasters/rasterio/float.tif'),
      {},
      { registry, stdout: stdout.stream, stderr: stderr.stream },
    );
    expect(stderr.text()).toMatch(/^pyramids: warning: .*has no CRS/);
    expect((JSON.parse(stdout.text()) as StacItem).bbox).toEqual([-180, -90, 180, 90]);
  });

  it('refuses conflicting or malformed options', async () => {
    const raster = path.join(fixturesDir, 'rasters/rasterio/byte.tif');
    await expect(
      runItemCommand(raster, { datetime: '2020-01-01', start: '2020-01-01' }, { registry }),
    ).rejects.toThrowError(OptionError);
    await expect(runItemCommand(raster, { footprint: 'hull' }, { registry })).rejects.toThrowError(
      /--footprint must be bbox or data/,
    );
    await expect(runItemCommand(raster, { precision: 'six' }, { registry })).rejects.toThrowError(
      /--precision must be an integer/,
    );
    await expect(
      runItemCommand(raster, { start: '2020-01-01' }, { registry }),
    ).rejects.toThrowError(/both startDatetime and endDatetime/);
  });
});
