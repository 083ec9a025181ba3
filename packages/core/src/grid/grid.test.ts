import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  affineToGeotransform,
  createTransformer,
  ensureCrs,
  geotransformToAffine,
  gridFromBounds,
  GridError,
  invertGeotransform,
  normalizeCrs,
  pixelToWorld,
  snapBounds,
  transformBounds,
  worldToPixel,
} from '@pyramids/core';

/** GDAL's transform of one point, as the reference. */
function gdalTransform(from: string, to: string, x: number, y: number): [number, number] {
  const output = execFileSync('gdaltransform', ['-s_srs', from, '-t_srs', to, '-output_xy'], {
    input: `${x} ${y}\n`,
    encoding: 'utf8',
  });
  const [outX, outY] = output.trim().split(/\s+/).map(Number);
  return [outX!, outY!];
}

describe('geotransforms', () => {
  it('converts proj:transform (6 or 9 numbers) to GDAL order and back', () => {
    expect(affineToGeotransform([10, 0, 399960, 0, -10, 4500000])).toEqual([
      399960, 10, 0, 4500000, 0, -10,
    ]);
    expect(affineToGeotransform([30, 0, 1, 0, -30, 2, 0, 0, 1])).toEqual([1, 30, 0, 2, 0, -30]);
    expect(geotransformToAffine([399960, 10, 0, 4500000, 0, -10])).toEqual([
      10, 0, 399960, 0, -10, 4500000,
    ]);
    expect(() => affineToGeotransform([1, 2, 3])).toThrowError(GridError);
  });

  it('maps pixels to world and back, rotated grids included', () => {
    const rotated: [number, number, number, number, number, number] = [
      100, 17.32, 5, 200, 10, -8.66,
    ];
    const [x, y] = pixelToWorld(rotated, 3.5, 7.25);
    const [col, row] = worldToPixel(rotated, x, y);
    expect(col).toBeCloseTo(3.5, 9);
    expect(row).toBeCloseTo(7.25, 9);
    expect(() => invertGeotransform([0, 0, 0, 0, 0, 0])).toThrowError(GridError);
  });
});

describe('grids', () => {
  it('snaps bounds outward to the resolution so grids co-register', () => {
    expect(snapBounds([399961, 4490001.5, 400049.9, 4499999], 10)).toEqual([
      399960, 4490000, 400050, 4500000,
    ]);
    expect(snapBounds([399960, 4490000, 400050, 4500000], 10)).toEqual([
      399960, 4490000, 400050, 4500000,
    ]);
  });

  it('refuses absurd grids unless the limit is raised', () => {
    expect(() => gridFromBounds('EPSG:32633', [0, 0, 1e6, 1e6], 0.05)).toThrowError(
      /exceeds the limit of 250,000,000.*raise maxPixels/,
    );
    expect(gridFromBounds('EPSG:32633', [0, 0, 1000, 500], 10)).toMatchObject({
      width: 100,
      height: 50,
      transform: [0, 10, 0, 500, 0, -10],
    });
  });
});

describe('CRS', () => {
  it('normalises codes, URNs and PROJJSON ids', () => {
    expect(normalizeCrs('epsg:32633')).toBe('EPSG:32633');
    expect(normalizeCrs(4326)).toBe('EPSG:4326');
    expect(normalizeCrs('urn:ogc:def:crs:EPSG::3857')).toBe('EPSG:3857');
    expect(normalizeCrs('http://www.opengis.net/def/crs/OGC/1.3/CRS84')).toBe('EPSG:4326');
    expect(normalizeCrs({ type: 'ProjectedCRS', id: { authority: 'EPSG', code: 32618 } })).toBe(
      'EPSG:32618',
    );
  });

  it('transforms like GDAL for UTM, a definitions-package code (NZTM 2193) and polar stereographic (3031)', () => {
    for (const [crs, x, y] of [
      ['EPSG:32633', 500000, 5000000],
      ['EPSG:2193', 1600000, 5400000],
      ['EPSG:3031', -1000000, 2000000],
    ] as const) {
      const [lon, lat] = createTransformer(crs, 'EPSG:4326')(x, y);
      const [gdalLon, gdalLat] = gdalTransform(crs, 'EPSG:4326', x, y);
      expect(lon).toBeCloseTo(gdalLon, 6);
      expect(lat).toBeCloseTo(gdalLat, 6);
    }
  });

  it('accepts WKT2 and PROJJSON, taking the root EPSG id as the code', () => {
    const wkt2 = execFileSync('gdalsrsinfo', ['-o', 'wkt2', 'EPSG:32633'], {
      encoding: 'utf8',
    }).trim();
    expect(normalizeCrs(wkt2)).toBe('EPSG:32633');
    const withoutId = wkt2.replace(/,\s*ID\["EPSG",32633\]\]\s*$/, ']');
    expect(normalizeCrs(withoutId)).toBe(withoutId);
    const [lon] = createTransformer(withoutId, 'EPSG:4326')(500000, 5000000);
    expect(lon).toBeCloseTo(15, 9);
    const projjson = JSON.parse(
      execFileSync('gdalsrsinfo', ['-o', 'projjson', 'EPSG:2193'], { encoding: 'utf8' }),
    ) as Record<string, unknown>;
    expect(normalizeCrs(projjson)).toBe('EPSG:2193');
    delete projjson['id'];
    const text = normalizeCrs(projjson)!;
    const [x, y] = createTransformer(text, 'EPSG:4326')(1600000, 5400000);
    const [codeX, codeY] = createTransformer('EPSG:2193', 'EPSG:4326')(1600000, 5400000);
    expect(x).toBeCloseTo(codeX, 6);
    expect(y).toBeCloseTo(codeY, 6);
  });

  it('densifies edges when transforming bounds', () => {
    const bounds = transformBounds([300000, 4000000, 800000, 4500000], 'EPSG:32633', 'EPSG:4326');
    const corners = transformBounds(
      [300000, 4000000, 800000, 4500000],
      'EPSG:32633',
      'EPSG:4326',
      1,
    );
    expect(bounds[3]).toBeGreaterThan(corners[3]);
  });

  it('an unknown code is a GridError that says what to do', () => {
    expect(() => ensureCrs('EPSG:999999')).toThrowError(
      /unknown CRS EPSG:999999.*WKT2 or PROJJSON/,
    );
  });
});
