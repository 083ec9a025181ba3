// `pyramids cube` over the formats the GDAL reader serves (JPEG 2000, NetCDF, GRIB, Zarr), each
// onto a coarser grid with a point and an area method, compared with gdalwarp of the same file
// onto the grid the cube wrote. Zarr has no fixture: made by GDAL. HDF5 is not here: GDAL's HDF5
// image driver reports no georeferencing for the files it writes (pixel space only), so there is
// nothing to warp; `read-command.test.ts` checks its pixels.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../../vitest.shared.js';
import { gdalInfo, gdalReadPixels } from '../../../../test-support/gdal.js';
import { runCli } from '../run-cli-for-tests.js';
import { bboxPolygon } from '../../../../test-support/bbox-polygon.js';

const rastersDir = path.join(fixturesDir, 'rasters');
let directory: string;

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'pyramids-cube-formats-'));
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

interface Scene {
  label: string;
  /** The file (made on first use for the generated formats). */
  file: () => string;
  crs: string;
  resolution: number;
  bounds: [number, number, number, number];
  /** WGS84 bbox of the Item (only used to select it). */
  bbox: [number, number, number, number];
}

const scenes: Scene[] = [
  {
    label: 'JPEG 2000 (Sentinel-2 AOT, 60 m)',
    file: () => path.join(rastersDir, 'sentinel2-jp2/T29UNU_20221005T115411_AOT_60m.jp2'),
    crs: 'EPSG:32629',
    resolution: 120,
    bounds: [500000, 5800020, 560000, 5860020],
    bbox: [-9, 52.2, -7.3, 53.3],
  },
  {
    label: 'NetCDF (rioxarray tmmx, EPSG:4326)',
    file: () => path.join(rastersDir, 'rioxarray/tmmx_20190121.nc'),
    crs: 'EPSG:4326',
    resolution: 0.125,
    bounds: [-120, 35, -110, 45],
    bbox: [-124.8, 25, -67, 49.5],
  },
  {
    label: 'GRIB2 (GFS 10°, sphere) onto EPSG:4326',
    file: () => path.join(rastersDir, 'rio-tiler/gfs.t06z.pgrb2.10p0.f010.grib2'),
    crs: 'EPSG:4326',
    resolution: 20,
    // Up to 180°E: gdalwarp's average wraps the last column's footprint into the first.
    bounds: [-180, -80, 180, 80],
    bbox: [-180, -90, 180, 90],
  },
  {
    label: 'Zarr (gdal_translate of rio-tiler/cog_int16.tif)',
    file: () => {
      const target = path.join(directory, 'source.zarr');
      if (!existsSync(target))
        execFileSync('gdal_translate', [
          '-q',
          '-of',
          'Zarr',
          path.join(rastersDir, 'rio-tiler/cog_int16.tif'),
          target,
        ]);
      return target;
    },
    crs: 'EPSG:32621',
    resolution: 400,
    bounds: [400000, 8100000, 500000, 8200000],
    bbox: [-60, -18, -57, -15],
  },
];

/** gdalwarp of `source` onto the grid of `written` (a file the cube wrote): its first band. */
function gdalwarpOnto(
  source: string,
  written: string,
  crs: string,
  method: string,
): ArrayLike<number> {
  const info = gdalInfo(written);
  const [width, height] = info.size;
  const [x0, dx, , y0, , dy] = info.geoTransform!;
  const output = path.join(directory, `gdalwarp-${process.hrtime.bigint()}.tif`);
  execFileSync(
    'gdalwarp',
    [
      '-q',
      '-t_srs',
      crs,
      '-te',
      String(x0),
      String(y0 + dy * height),
      String(x0 + dx * width),
      String(y0),
      '-ts',
      String(width),
      String(height),
      '-r',
      method,
      source,
      output,
    ],
    { stdio: 'pipe' },
  );
  return gdalReadPixels(output, { bands: [1] }).data[0]!;
}

describe(
  'pyramids cube over every GDAL reader format, against gdalwarp',
  { timeout: 120_000 },
  () => {
    for (const scene of scenes) {
      for (const [resampling, method, tolerance] of [
        ['nearest', 'near', 0],
        ['average', 'average', 1e-6],
      ] as const) {
        it(`${scene.label}, ${resampling}`, async () => {
          const source = scene.file();
          const itemsFile = path.join(directory, `items-${process.hrtime.bigint()}.json`);
          writeFileSync(
            itemsFile,
            JSON.stringify({
              type: 'FeatureCollection',
              features: [
                {
                  type: 'Feature',
                  stac_version: '1.1.0',
                  id: 'scene',
                  bbox: scene.bbox,
                  geometry: bboxPolygon(scene.bbox),
                  properties: { datetime: '2024-01-01T00:00:00Z' },
                  links: [],
                  assets: { data: { href: source } },
                },
              ],
            }),
          );
          const output = path.join(directory, `cube-${process.hrtime.bigint()}.tif`);
          const result = await runCli([
            'cube',
            itemsFile,
            '--asset',
            'data',
            '--crs',
            scene.crs,
            '--resolution',
            String(scene.resolution),
            '--bounds',
            scene.bounds.join(','),
            '--resampling',
            resampling,
            '-o',
            output,
          ]);
          expect(result.code, result.stderr).toBe(0);
          const ours = gdalReadPixels(output, { bands: [1] }).data[0]!;
          const theirs = gdalwarpOnto(source, output, scene.crs, method);
          expect(ours.length).toBe(theirs.length);
          let differing = 0;
          let valid = 0;
          for (let index = 0; index < ours.length; index++) {
            const a = ours[index]!;
            const b = theirs[index]!;
            if (!Number.isNaN(b)) valid++;
            if (
              Number.isNaN(a) !== Number.isNaN(b) ||
              Math.abs(a - b) > tolerance * Math.max(1, Math.abs(b))
            )
              differing++;
          }
          expect(valid).toBeGreaterThan(ours.length / 2);
          expect(differing, `${differing} of ${ours.length} pixels differ`).toBe(0);
        });
      }
    }
  },
);
