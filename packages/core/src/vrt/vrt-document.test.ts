import { describe, expect, it } from 'vitest';
import { ReadError } from '../errors/read-error.js';
import { parseVrtXml, writeVrtXml, type VrtDocument } from './vrt-document.js';

const document: VrtDocument = {
  width: 220,
  height: 80,
  crs: 'EPSG:32618',
  transform: [101985, 300.0379266750948, 0, 2826915, 0, -300.041782729805],
  bands: [
    {
      dataType: 'uint16',
      nodata: 0,
      scale: 0.0001,
      offset: -0.1,
      description: 'red & <nir>',
      sources: [
        {
          kind: 'ComplexSource',
          filename: '/vsicurl?header.X=1&url=https%3A%2F%2Fh%2Fa.tif',
          relativeToVRT: false,
          band: 1,
          properties: { width: 120, height: 80, dataType: 'uint16' },
          srcRect: { x: 0, y: 0, width: 120, height: 80 },
          dstRect: { x: 0, y: 0, width: 120, height: 80 },
          nodata: 0,
        },
        {
          kind: 'SimpleSource',
          filename: 'b.tif',
          relativeToVRT: true,
          band: 2,
          srcRect: { x: 0, y: 0, width: 100, height: 80 },
          dstRect: { x: 120, y: 0, width: 100, height: 80 },
        },
      ],
    },
    { dataType: 'float32', nodata: Number.NaN, sources: [] },
  ],
};

describe('VRT XML', () => {
  it('round-trips a document through XML', () => {
    const xml = writeVrtXml(document);
    expect(xml).toContain('<VRTDataset rasterXSize="220" rasterYSize="80">');
    expect(xml).toContain('AUTHORITY[&quot;EPSG&quot;,&quot;32618&quot;]]</SRS>');
    expect(xml).toContain('<NoDataValue>nan</NoDataValue>');
    expect(xml).toContain('header.X=1&amp;url=');
    const parsed = parseVrtXml(xml);
    expect(parsed.crs).toBe('EPSG:32618');
    expect(parsed.transform).toEqual(document.transform);
    expect(parsed.bands[0]).toEqual({
      ...document.bands[0],
      sources: document.bands[0]!.sources.map(({ properties: _properties, ...rest }) => rest),
    });
    expect(Number.isNaN(parsed.bands[1]!.nodata)).toBe(true);
  });

  it('refuses documents only GDAL can read, and malformed ones, with ReadErrors', () => {
    expect(() =>
      parseVrtXml(
        '<VRTDataset subClass="VRTWarpedDataset" rasterXSize="1" rasterYSize="1"></VRTDataset>',
      ),
    ).toThrow(/only GDAL reads/);
    expect(() =>
      parseVrtXml(
        '<VRTDataset rasterXSize="1" rasterYSize="1"><VRTRasterBand dataType="Byte" band="1" subClass="VRTDerivedRasterBand"/></VRTDataset>',
      ),
    ).toThrow(/VRTDerivedRasterBand/);
    expect(() => parseVrtXml('<Other/>')).toThrow(ReadError);
    expect(() => parseVrtXml('<VRTDataset rasterXSize="0" rasterYSize="1"/>')).toThrow(
      /rasterXSize/,
    );
    expect(() =>
      parseVrtXml(
        '<VRTDataset rasterXSize="2" rasterYSize="2"><GeoTransform>1,2,3</GeoTransform><VRTRasterBand dataType="Byte" band="1"/></VRTDataset>',
      ),
    ).toThrow(/6 numbers/);
  });
});
