// Test support: a small real scene for cube tests, made with GDAL — two dates,
// 10 m (B04) and 20 m (B05) assets, overlapping tiles with nodata holes, tiles in
// UTM 32N and 33N — and the STAC Items describing it, with hrefs under `base`.
import path from 'node:path';
import { transformBounds } from '../grid/crs.js';
import { gridBounds, type Grid } from '../grid/grid.js';
import type { StacItem } from '../stac/stac-types.js';
import type { GeoTransform } from '../grid/geotransform.js';
import { crsOfInfo, gdalInfo, syntheticBand, writeRasterWithGdal } from './gdal-raster.js';

/** One tile of the scene. */
export interface SceneTile {
  id: string;
  crs: string;
  /** Top-left corner in the tile's CRS. */
  origin: [number, number];
  datetime: string;
  tileCode: string;
  seed: number;
}

export const SCENE_TILES: SceneTile[] = [
  {
    id: 'A-20240501',
    crs: 'EPSG:32632',
    origin: [699000, 5321000],
    datetime: '2024-05-01T10:25:00Z',
    tileCode: '32TPT',
    seed: 1,
  },
  {
    id: 'B-20240501',
    crs: 'EPSG:32632',
    origin: [700500, 5320500],
    datetime: '2024-05-01T10:25:05Z',
    tileCode: '32TQT',
    seed: 2,
  },
  {
    id: 'C-20240501',
    crs: 'EPSG:32633',
    origin: [254000, 5321000],
    datetime: '2024-05-01T10:25:10Z',
    tileCode: '33TUN',
    seed: 3,
  },
  {
    id: 'A-20240506',
    crs: 'EPSG:32632',
    origin: [699000, 5321000],
    datetime: '2024-05-06T10:25:00Z',
    tileCode: '32TPT',
    seed: 4,
  },
];

/** The 10 m tile size in pixels (B05 is half of it at 20 m). */
export const SCENE_SIZE = 200;
export const SCENE_NODATA = 0;
/** raster:bands scale and offset of every asset (as Sentinel-2 L2A since baseline 04.00). */
export const SCENE_SCALE = 0.0001;
export const SCENE_OFFSET = -0.1;

function assetGrid(tile: SceneTile, resolution: number): Grid {
  const size = (SCENE_SIZE * 10) / resolution;
  return {
    crs: tile.crs,
    transform: [tile.origin[0], resolution, 0, tile.origin[1], 0, -resolution],
    width: size,
    height: size,
  };
}

/**
 * Writes every tile's B04 (10 m) and B05 (20 m) as COGs into `directory` and
 * returns `{ files, items(base) }`; `items(base)` builds Items whose hrefs are
 * `${base}/${file}` (a local directory or a server URL).
 */
export function createCubeScene(directory: string): {
  files: Record<string, string>;
  items: (base: string) => StacItem[];
} {
  const files: Record<string, string> = {};
  for (const tile of SCENE_TILES) {
    for (const [asset, resolution] of [
      ['B04', 10],
      ['B05', 20],
    ] as const) {
      const grid = assetGrid(tile, resolution);
      const hole: [number, number, number, number] =
        asset === 'B04' ? [20 + tile.seed * 10, 30, 70 + tile.seed * 10, 80] : [10, 50, 35, 70];
      const name = `${tile.id}_${asset}.tif`;
      files[`${tile.id}/${asset}`] = writeRasterWithGdal(
        path.join(directory, name),
        {
          width: grid.width,
          height: grid.height,
          dataType: 'uint16',
          bands: [
            syntheticBand(grid.width, grid.height, tile.seed * 10 + resolution, {
              nodata: SCENE_NODATA,
              hole,
            }),
          ],
          crs: tile.crs,
          transform: grid.transform,
          nodata: SCENE_NODATA,
        },
        {
          format: 'COG',
          creationOptions: ['BLOCKSIZE=64', 'COMPRESS=DEFLATE', 'OVERVIEW_RESAMPLING=AVERAGE'],
        },
      );
    }
  }
  const items = (base: string): StacItem[] =>
    SCENE_TILES.map((tile) => {
      const grid10 = assetGrid(tile, 10);
      const bbox = transformBounds(gridBounds(grid10), tile.crs, 'EPSG:4326');
      const asset = (key: string, resolution: number) => {
        const grid = assetGrid(tile, resolution);
        return {
          href: `${base}/${tile.id}_${key}.tif`,
          type: 'image/tiff; application=geotiff; profile=cloud-optimized',
          roles: ['data'],
          'proj:transform': [resolution, 0, grid.transform[0], 0, -resolution, grid.transform[3]],
          'proj:shape': [grid.height, grid.width],
          'raster:bands': [
            {
              data_type: 'uint16',
              nodata: SCENE_NODATA,
              scale: SCENE_SCALE,
              offset: SCENE_OFFSET,
              spatial_resolution: resolution,
            },
          ],
        };
      };
      return {
        type: 'Feature',
        stac_version: '1.0.0',
        stac_extensions: [
          'https://stac-extensions.github.io/projection/v1.1.0/schema.json',
          'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
        ],
        id: tile.id,
        collection: 'scene',
        bbox,
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [bbox[0], bbox[1]],
              [bbox[2], bbox[1]],
              [bbox[2], bbox[3]],
              [bbox[0], bbox[3]],
              [bbox[0], bbox[1]],
            ],
          ],
        },
        properties: {
          datetime: tile.datetime,
          'proj:epsg': Number(tile.crs.slice(5)),
          'grid:code': tile.tileCode,
          platform: 'synthetic',
        },
        links: [],
        assets: { B04: asset('B04', 10), B05: asset('B05', 20) },
      } as unknown as StacItem;
    });
  return { files, items };
}

/**
 * Writes a mask band (classes or bits, uint16, nodata 0) on the 20 m grid of the item's
 * B05 file into `directory`, `value(row, col)` per pixel; returns the file name.
 */
export function writeSceneMask(
  directory: string,
  item: StacItem,
  name: string,
  value: (row: number, col: number) => number,
): string {
  const b05 = item.assets['B05']!.href;
  const info = gdalInfo(/^https?:/.test(b05) ? path.join(directory, path.basename(b05)) : b05);
  const [width, height] = info.size;
  const values = new Uint16Array(width * height);
  for (let row = 0; row < height; row++)
    for (let col = 0; col < width; col++) values[row * width + col] = value(row, col);
  const file = `${item.id}-${name}.tif`;
  writeRasterWithGdal(path.join(directory, file), {
    width,
    height,
    dataType: 'uint16',
    bands: [values],
    crs: crsOfInfo(info)!,
    transform: info.geoTransform as GeoTransform,
    nodata: 0,
  });
  return file;
}
