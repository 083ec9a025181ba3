import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gdalMetadataXml, parseGdalMetadata, writeGeoTiff } from '@pyramids/core';
import { fixturesDir } from '../../../../vitest.shared.js';
import { gdalInfo } from '../../../../test-support/gdal.js';

// Names that break a codec escaping once too few or too many times.
const AWKWARD = 'red & <nir> "quoted" \'single\' &amp;';
const UNIT = 'W m-2 & sr';

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'pyramids-gdal-metadata-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** The GDAL_METADATA document GDAL itself wrote into a GeoTIFF (the tag's ASCII text, found in the file's bytes). */
function gdalMetadataOf(file: string): string {
  const text = readFileSync(file).toString('latin1');
  const start = text.indexOf('<GDALMetadata>');
  const end = text.indexOf('</GDALMetadata>');
  if (start < 0 || end < 0) throw new Error(`${file} has no GDAL_METADATA`);
  return text.slice(start, end + '</GDALMetadata>'.length);
}

function escapeForVrt(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

describe('GDAL_METADATA codec', () => {
  it('decodes what GDAL writes: band description, unit, scale/offset and dataset items', () => {
    const vrt = path.join(directory, 'awkward.vrt');
    writeFileSync(
      vrt,
      `<VRTDataset rasterXSize="20" rasterYSize="20">
  <Metadata><MDI key="NOTE">${escapeForVrt(AWKWARD)}</MDI></Metadata>
  <VRTRasterBand dataType="Byte" band="1">
    <Description>${escapeForVrt(AWKWARD)}</Description>
    <UnitType>${escapeForVrt(UNIT)}</UnitType>
    <Offset>-0.1</Offset><Scale>0.0001</Scale>
    <SimpleSource><SourceFilename relativeToVRT="0">${path.join(fixturesDir, 'rasters/rasterio/byte.tif')}</SourceFilename><SourceBand>1</SourceBand></SimpleSource>
  </VRTRasterBand>
</VRTDataset>`,
    );
    const tif = path.join(directory, 'awkward.tif');
    execFileSync('gdal_translate', ['-q', vrt, tif]);
    const xml = gdalMetadataOf(tif);
    // GDAL escapes item values twice: the codec must undo both.
    expect(xml).toContain('red &amp;amp; &amp;lt;nir&amp;gt;');
    const decoded = parseGdalMetadata(xml);
    expect(decoded.dataset).toEqual({ NOTE: AWKWARD });
    const band = decoded.bands.get(0)!;
    expect({ description: band['description'], unittype: band['unittype'] }).toEqual({
      description: AWKWARD,
      unittype: UNIT,
    });
    expect(Number(band['offset'])).toBe(-0.1);
    expect(Number(band['scale'])).toBe(0.0001);
    // Encoding the text items gives back GDAL's own bytes for them (numbers GDAL prints with %.18g).
    const encoded = gdalMetadataXml([{ name: AWKWARD, unit: UNIT }], { NOTE: AWKWARD })!;
    const lines = encoded.split('\n').filter((entry) => entry.includes('<Item'));
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(xml).toContain(line);
  });

  it('round-trips band names and metadata through our writer, as GDAL reads them', async () => {
    const file = path.join(directory, 'ours.tif');
    await writeGeoTiff(file, {
      grid: { crs: 'EPSG:32633', transform: [500000, 10, 0, 5000000, 0, -10], width: 4, height: 4 },
      bands: [
        { dataType: 'uint8', name: AWKWARD, unit: UNIT },
        { dataType: 'uint8', name: 'plain' },
      ],
      data: [new Uint8Array(16), new Uint8Array(16)],
      metadata: { NOTE: AWKWARD },
    });
    const info = gdalInfo(file);
    expect(info.bands.map((band) => band.description)).toEqual([AWKWARD, 'plain']);
    expect(info.metadata['']?.['NOTE']).toBe(AWKWARD);
    const decoded = parseGdalMetadata(gdalMetadataOf(file));
    expect(decoded.bands.get(0)?.['description']).toBe(AWKWARD);
    expect(decoded.bands.get(1)?.['description']).toBe('plain');
    expect(decoded.dataset['NOTE']).toBe(AWKWARD);
  });

  it('skips items of other domains and tolerates an empty document', () => {
    expect(parseGdalMetadata(undefined)).toEqual({ dataset: {}, bands: new Map() });
    const decoded = parseGdalMetadata(
      '<GDALMetadata><Item name="A" domain="IMAGE_STRUCTURE">x</Item><Item name="B">&amp;#38;</Item><Item name="E"/></GDALMetadata>',
    );
    expect(decoded.dataset).toEqual({ B: '&', E: '' });
  });
});
