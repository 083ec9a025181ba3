import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readExtensionMetadata, toItems, StacAssetError, type StacItem } from '@pyramids/core';
import { fixturesDir } from '../../../../vitest.shared.js';

function fixtureItems(relative: string): StacItem[] {
  return toItems(JSON.parse(readFileSync(path.join(fixturesDir, 'stac/items', relative), 'utf8')));
}

describe('readExtensionMetadata', () => {
  it('reads Earth Search v1 asset-level proj and raster:bands', () => {
    const [item] = fixtureItems('earth-search-v1/sentinel-2-c1-l2a_item-collection_10.json');
    const metadata = readExtensionMetadata(item!, 'red');
    expect(metadata.crs).toBe('EPSG:32613');
    expect(metadata.crsSource).toBe('proj:epsg');
    expect(metadata.transform).toEqual([399960, 10, 0, 4500000, 0, -10]);
    expect(metadata.shape).toEqual([10980, 10980]);
    expect(metadata.grid).toEqual({
      crs: 'EPSG:32613',
      transform: [399960, 10, 0, 4500000, 0, -10],
      width: 10980,
      height: 10980,
    });
    expect(metadata.bands).toEqual([
      { dataType: 'uint16', nodata: 0, scale: 0.0001, offset: -0.1, name: 'B04' },
    ]);
    expect(metadata.bandNames).toEqual(['B04']);
  });

  it('prefers proj:code and reads STAC 1.1 bands (CDSE)', () => {
    const [item] = fixtureItems(
      'cdse/sentinel-2-l2a_S2A_MSIL2A_20200301T090901_N0500_R050_T35UPU.json',
    );
    const metadata = readExtensionMetadata(item!, 'B01_20m');
    expect(metadata.crs).toBe('EPSG:32635');
    expect(metadata.crsSource).toBe('proj:code');
    expect(metadata.transform).toEqual([600000, 20, 0, 5900040, 0, -20]);
    expect(metadata.bandNames).toEqual(['B01']);
  });

  it('reads the STAC 1.1 band fields written on the asset itself (CDSE)', () => {
    const [item] = fixtureItems(
      'cdse/sentinel-2-l2a_S2A_MSIL2A_20200301T090901_N0500_R050_T35UPU.json',
    );
    expect(readExtensionMetadata(item!, 'B04_10m').bands).toEqual([
      { dataType: 'uint16', nodata: 0, scale: 0.0001, offset: -0.1, name: 'B04' },
    ]);
    // TCI shares only nodata and data type across its bands.
    const tci = readExtensionMetadata(item!, 'TCI_10m');
    expect(tci.bands.length).toBeGreaterThan(0);
    for (const band of tci.bands) expect(band).toMatchObject({ dataType: 'uint8', nodata: 0 });
    expect(tci.bands.every((band) => band.scale === undefined)).toBe(true);
    // No band list at all: the asset-level fields describe its band.
    expect(readExtensionMetadata(item!, 'thumbnail').bands).toEqual([{ dataType: 'uint8' }]);
    expect(readExtensionMetadata(item!, 'safe_manifest').bands).toEqual([]);
  });

  it('lets band-level values win over asset-level ones', () => {
    const [item] = fixtureItems(
      'cdse/sentinel-2-l2a_S2A_MSIL2A_20200301T090901_N0500_R050_T35UPU.json',
    );
    const asset = item!.assets['B04_10m']!;
    const bands = asset['bands'] as Record<string, unknown>[];
    const edited: StacItem = {
      ...item!,
      assets: {
        ...item!.assets,
        B04_10m: { ...asset, bands: [{ ...bands[0], nodata: 65535, 'raster:scale': 0.5 }] },
      },
    };
    expect(readExtensionMetadata(edited, 'B04_10m').bands).toEqual([
      { dataType: 'uint16', nodata: 65535, scale: 0.5, offset: -0.1, name: 'B04' },
    ]);
  });

  it('reads only proj:epsg when that is all there is (DEA)', () => {
    const [item] = fixtureItems('dea/only_crs_proj.json');
    const metadata = readExtensionMetadata(item!);
    expect(metadata.crs).toMatch(/^EPSG:\d+$/);
    expect(metadata.grid).toBeUndefined();
  });

  it('names the missing asset and the available keys', () => {
    const [item] = fixtureItems('earth-search-v1/sentinel-2-c1-l2a_item-collection_10.json');
    expect(() => readExtensionMetadata(item!, 'B99')).toThrowError(StacAssetError);
    expect(() => readExtensionMetadata(item!, 'B99')).toThrowError(
      /asset 'B99' not found on item S2A_T13TDE_20240422T174753_L2A; available: red, green, blue/,
    );
  });
});

describe('readExtensionMetadata refuses hostile proj:* fields', () => {
  const [base] = fixtureItems('earth-search-v1/sentinel-2-c1-l2a_item-collection_10.json');
  const withRed = (fields: Record<string, unknown>): StacItem => {
    const item = structuredClone(base!);
    item.assets['red'] = { ...item.assets['red']!, ...fields };
    return item;
  };
  it.each([
    ['proj:epsg', Number.NaN],
    ['proj:epsg', -1],
    ['proj:epsg', 32633.5],
    ['proj:epsg', 'abc'],
    ['proj:epsg', 1e12],
    ['proj:code', 'EPSG:NaN'],
    ['proj:code', 'EPSG:-1'],
    ['proj:code', 'EPSG:32633.5'],
    ['proj:code', 42],
    ['proj:wkt2', 'not wkt'],
    ['proj:projjson', [1, 2]],
    ['proj:shape', [4294967295, 10]],
    ['proj:shape', [0, 0]],
    ['proj:shape', [1e9, 1e9, 3]],
    ['proj:transform', [0, 0, 399960, 0, 0, 4500000]],
    ['proj:transform', [1e308, 0, 0, 0, -1e308, 0]],
    ['proj:bbox', [0, 0, 'x', 1]],
  ])('%s = %j gives a one-line StacAssetError naming the field', (field, value) => {
    const error = (() => {
      try {
        // Fields of lower preference are read only when the ones above are absent.
        readExtensionMetadata(
          withRed({ 'proj:code': null, 'proj:epsg': null, [field]: value }),
          'red',
        );
        return undefined;
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(StacAssetError.isInstance(error)).toBe(true);
    expect(error!.message).toContain(field);
    expect(error!.message).not.toContain('\n');
    expect(error!.message).not.toContain('undefined');
  });

  it('keeps accepting a numeric string EPSG code and other authorities', () => {
    expect(readExtensionMetadata(withRed({ 'proj:epsg': '32633' }), 'red').crs).toBe('EPSG:32633');
    expect(
      readExtensionMetadata(withRed({ 'proj:code': 'IAU_2015:30100', 'proj:epsg': null }), 'red')
        .crs,
    ).toBe('IAU_2015:30100');
  });
});
