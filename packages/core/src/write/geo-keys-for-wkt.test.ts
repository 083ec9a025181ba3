import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WriteError, writeGeoTiff } from '@pyramids/core';
import { fixturesDir } from '../../../../vitest.shared.js';
import { gdalSrsIsSame } from '../../../../test-support/gdal-srs.js';

let directory: string;
let counter = 0;
beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'pyramids-geokeys-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** The CRS of a file or a definition as GDAL writes it in WKT1 or WKT2. */
function gdalWkt(source: string, format: 'wkt1' | 'wkt2'): string {
  return execFileSync('gdalsrsinfo', ['-o', format, source], { encoding: 'utf8' }).trim();
}

/** Writes a small raster on `crs` with our writer; returns the file. */
async function writeWithCrs(
  crs: string,
  transform: [number, number, number, number, number, number],
): Promise<string> {
  counter += 1;
  const file = path.join(directory, `crs-${counter}.tif`);
  await writeGeoTiff(file, {
    grid: { crs, transform, width: 8, height: 8 },
    bands: [{ dataType: 'uint8' }],
    data: [new Uint8Array(64)],
  });
  return file;
}

const GEOGRAPHIC: [number, number, number, number, number, number] = [10, 0.5, 0, 50, 0, -0.5];
const PROJECTED: [number, number, number, number, number, number] = [
  100000, 1000, 0, 200000, 0, -1000,
];

// CRSs with no EPSG code, each as GDAL knows it (what GDAL reads from the source is the reference).
const DEFINITIONS: Record<string, { source: string; transform: typeof GEOGRAPHIC }> = {
  'GRIB2 (GFS, sphere 6371229 m)': {
    source: path.join(fixturesDir, 'rasters/rio-tiler/gfs.t06z.pgrb2.10p0.f010.grib2'),
    transform: GEOGRAPHIC,
  },
  'GRIB1 (ERA, sphere)': {
    source: path.join(fixturesDir, 'rasters/xarray/example.grib'),
    transform: GEOGRAPHIC,
  },
  'NetCDF (MODIS sinusoidal on a sphere)': {
    source: path.join(fixturesDir, 'rasters/rioxarray/MODIS_ARRAY.nc'),
    transform: PROJECTED,
  },
  'geographic on a sphere': { source: '+proj=longlat +R=6370997 +no_defs', transform: GEOGRAPHIC },
  'custom Transverse Mercator with TOWGS84': {
    source:
      '+proj=tmerc +lat_0=10 +lon_0=33 +k=0.9996 +x_0=500000 +y_0=100 +ellps=intl +towgs84=-87,-98,-121,0,0,0,0 +units=m +no_defs',
    transform: PROJECTED,
  },
  'Transverse Mercator in US feet': {
    source:
      '+proj=tmerc +lat_0=31 +lon_0=-110.1666667 +k=0.9999 +x_0=213360 +y_0=0 +ellps=GRS80 +units=us-ft +no_defs',
    transform: PROJECTED,
  },
  'polar stereographic, variant B (true scale at 70°N)': {
    source:
      '+proj=stere +lat_0=90 +lat_ts=70 +lon_0=-45 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs',
    transform: PROJECTED,
  },
  'polar stereographic, variant A (scale at the south pole)': {
    source:
      '+proj=stere +lat_0=-90 +lon_0=0 +k=0.994 +x_0=2000000 +y_0=2000000 +datum=WGS84 +units=m +no_defs',
    transform: PROJECTED,
  },
  'Lambert conformal conic, two parallels': {
    source:
      '+proj=lcc +lat_0=40 +lon_0=-97 +lat_1=33 +lat_2=45 +x_0=0 +y_0=0 +datum=NAD83 +units=m +no_defs',
    transform: PROJECTED,
  },
  'Albers equal area': {
    source:
      '+proj=aea +lat_0=23 +lon_0=-96 +lat_1=29.5 +lat_2=45.5 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs',
    transform: PROJECTED,
  },
  'Lambert azimuthal equal area on a sphere': {
    source: '+proj=laea +lat_0=45 +lon_0=-100 +x_0=0 +y_0=0 +R=6370997 +units=m +no_defs',
    transform: PROJECTED,
  },
  'Mercator, scale at the equator': {
    source: '+proj=merc +lon_0=10 +k=0.98 +x_0=100 +y_0=0 +datum=WGS84 +units=m +no_defs',
    transform: PROJECTED,
  },
  'Lambert conformal conic, one parallel': {
    source:
      '+proj=lcc +lat_1=45 +lat_0=45 +lon_0=10 +k_0=0.99 +x_0=600000 +y_0=200000 +ellps=GRS80 +units=m +no_defs',
    transform: PROJECTED,
  },
  'oblique stereographic with a seven-parameter shift': {
    source:
      '+proj=sterea +lat_0=52.15616055555555 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 +y_0=463000 +ellps=bessel +towgs84=565.417,50.3319,465.552,-0.398957,0.343988,-1.8774,4.0725 +units=m +no_defs',
    transform: PROJECTED,
  },
  stereographic: {
    source: '+proj=stere +lat_0=40 +lon_0=10 +k=0.99 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs',
    transform: PROJECTED,
  },
  equirectangular: {
    source: '+proj=eqc +lat_ts=30 +lat_0=0 +lon_0=20 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs',
    transform: PROJECTED,
  },
  'Mercator, one parallel of true scale': {
    source: '+proj=merc +lat_ts=41 +lon_0=100 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs',
    transform: PROJECTED,
  },
};

describe(
  'writeGeoTiff: any CRS GeoTIFF can express, read back by GDAL as IsSame',
  { timeout: 60_000 },
  () => {
    for (const [name, { source, transform }] of Object.entries(DEFINITIONS)) {
      for (const format of ['wkt1', 'wkt2'] as const) {
        it(`${name}, given as ${format.toUpperCase()}`, async () => {
          const wkt = gdalWkt(source, format);
          expect(wkt).not.toMatch(/ID\["EPSG",\d+\]\]\s*$|AUTHORITY\["EPSG","\d+"\]\]\s*$/); // really no EPSG code
          const file = await writeWithCrs(wkt, transform);
          const reference = source.startsWith('+') ? { definition: source } : { file: source };
          const comparison = gdalSrsIsSame({ file }, reference);
          expect(
            comparison.same,
            `GDAL read back:\n${comparison.a}\nexpected:\n${comparison.b}`,
          ).toBe(true);
        });
      }
    }

    it('a CRS GeoTIFF cannot express is a WriteError saying what to do, and no file is left', async () => {
      const wkt = gdalWkt('+proj=robin +lon_0=0 +datum=WGS84 +units=m +no_defs', 'wkt1');
      const file = path.join(directory, 'robinson.tif');
      await expect(
        writeGeoTiff(file, {
          grid: { crs: wkt, transform: PROJECTED, width: 8, height: 8 },
          bands: [{ dataType: 'uint8' }],
          data: [new Uint8Array(64)],
        }),
      ).rejects.toSatisfy(
        (error: unknown) =>
          WriteError.isInstance(error) &&
          /Robinson.*GeoKeys cannot express; reproject/s.test((error as Error).message),
      );
      expect(() => execFileSync('gdalinfo', [file], { stdio: 'ignore' })).toThrow();
    });
  },
);
