import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createTransformer, crsName, GridError, loadCrs, loadEpsgDefinition } from '@pyramids/core';

describe('EPSG definitions by lazy per-code import', () => {
  it('imports one code’s definition as a JSON module', async () => {
    const definition = await loadEpsgDefinition(2154);
    expect(definition?.name).toBe('RGF93 v1 / Lambert-93');
    expect(definition?.proj4).toContain('+proj=lcc');
    expect(await loadEpsgDefinition(999999)).toBeUndefined();
    expect(await loadEpsgDefinition(-1)).toBeUndefined();
  });

  it('loadCrs registers the code; the transform agrees with GDAL’s gdaltransform', async () => {
    expect(await loadCrs('EPSG:3035')).toBe('EPSG:3035');
    expect(crsName('EPSG:3035')).toContain('LAEA Europe');
    const [x, y] = createTransformer('EPSG:4326', 'EPSG:3035')(10.5, 51.2);
    const gdal = execFileSync('gdaltransform', ['-s_srs', 'EPSG:4326', '-t_srs', 'EPSG:3035'], {
      input: '10.5 51.2\n',
      encoding: 'utf8',
    })
      .trim()
      .split(/\s+/)
      .map(Number);
    expect(x).toBeCloseTo(gdal[0]!, 2);
    expect(y).toBeCloseTo(gdal[1]!, 2);
  });

  it('loadCrs fails with a GridError for a code no definition has', async () => {
    await expect(loadCrs('EPSG:999999')).rejects.toThrow(GridError);
  });
});
