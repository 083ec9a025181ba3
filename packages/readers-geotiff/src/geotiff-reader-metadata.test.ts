import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, openRaster, writeGeoTiff } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { fixturesDir } from '../../../vitest.shared.js';
import { gdalInfo } from '../../../test-support/gdal.js';

const registry = createRegistry().use(geotiffReader());
const NAME = 'red & <nir> "q"';
let directory: string;

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'pyramids-geotiff-metadata-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('geotiff reader: GDAL_METADATA through the core codec', () => {
  it('a band name with XML characters round-trips through our writer and reader, as GDAL reads it', async () => {
    const file = path.join(directory, 'named.tif');
    await writeGeoTiff(file, {
      grid: { crs: 'EPSG:32633', transform: [500000, 10, 0, 5000000, 0, -10], width: 4, height: 4 },
      bands: [{ dataType: 'uint16', name: NAME, unit: 'm & s', scale: 0.5, offset: -1 }],
      data: [new Uint16Array(16)],
    });
    expect(gdalInfo(file).bands[0]!.description).toBe(NAME);
    const dataset = await openRaster(file, { registry });
    expect(dataset.bands[0]).toMatchObject({ name: NAME, unit: 'm & s', scale: 0.5, offset: -1 });
    await dataset.close();
  });

  it('reads a band description GDAL wrote', async () => {
    const vrt = path.join(directory, 'gdal.vrt');
    writeFileSync(
      vrt,
      `<VRTDataset rasterXSize="20" rasterYSize="20"><VRTRasterBand dataType="Byte" band="1">
  <Description>red &amp; &lt;nir&gt; &quot;q&quot;</Description>
  <SimpleSource><SourceFilename relativeToVRT="0">${path.join(fixturesDir, 'rasters/rasterio/byte.tif')}</SourceFilename><SourceBand>1</SourceBand></SimpleSource>
</VRTRasterBand></VRTDataset>`,
    );
    const file = path.join(directory, 'gdal.tif');
    execFileSync('gdal_translate', ['-q', vrt, file]);
    const dataset = await openRaster(file, { registry });
    expect(dataset.bands[0]!.name).toBe(NAME);
    await dataset.close();
  });
});
