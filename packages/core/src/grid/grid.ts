import { GridError } from '../errors/grid-error.js';
import { pixelToWorld, type GeoTransform } from './geotransform.js';

/** A raster grid: CRS, GDAL geotransform and size in pixels. */
export interface Grid {
  /** `AUTHORITY:CODE` (e.g. `EPSG:32633`), WKT, PROJJSON text or a proj4 string; null when unknown. */
  crs: string | null;
  transform: GeoTransform;
  width: number;
  height: number;
}

/** [minX, minY, maxX, maxY] in some CRS. */
export type Bounds = [number, number, number, number];

/** Default ceiling on pixels per band of a grid: absurd grids are refused early. */
export const DEFAULT_MAX_PIXELS = 250_000_000;

/** Bounds of a grid in its own CRS (all four corners, so rotation is covered). */
export function gridBounds(grid: Grid): Bounds {
  const corners = [
    pixelToWorld(grid.transform, 0, 0),
    pixelToWorld(grid.transform, grid.width, 0),
    pixelToWorld(grid.transform, 0, grid.height),
    pixelToWorld(grid.transform, grid.width, grid.height),
  ];
  const xs = corners.map((corner) => corner[0]);
  const ys = corners.map((corner) => corner[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** The grid of a pixel window of `grid` (`x`, `y` from its top-left corner): same CRS and pixel size. */
export function windowGrid(
  grid: Grid,
  window: { x: number; y: number; width: number; height: number },
): Grid {
  const t = grid.transform;
  return {
    crs: grid.crs,
    transform: [
      t[0] + window.x * t[1] + window.y * t[2],
      t[1],
      t[2],
      t[3] + window.x * t[4] + window.y * t[5],
      t[4],
      t[5],
    ],
    width: window.width,
    height: window.height,
  };
}

/** Pixel size as positive [x, y] resolution (rotation ignored beyond magnitude). */
export function gridResolution(grid: Grid): [number, number] {
  const gt = grid.transform;
  return [Math.hypot(gt[1], gt[4]), Math.hypot(gt[2], gt[5])];
}

/**
 * Snaps bounds outward to multiples of the resolution (floor the minimum, ceil the
 * maximum), so grids built independently on the same resolution co-register.
 */
export function snapBounds(bounds: Bounds, resolution: number | [number, number]): Bounds {
  const [resX, resY] = typeof resolution === 'number' ? [resolution, resolution] : resolution;
  if (!(resX > 0) || !(resY > 0))
    throw new GridError(`resolution must be positive; got ${JSON.stringify(resolution)}`);
  // A tolerance keeps 399960.0000000001 / 10 from growing a whole extra pixel.
  const floor = (value: number, step: number) => Math.floor(value / step + 1e-9) * step;
  const ceil = (value: number, step: number) => Math.ceil(value / step - 1e-9) * step;
  return [
    floor(bounds[0], resX),
    floor(bounds[1], resY),
    ceil(bounds[2], resX),
    ceil(bounds[3], resY),
  ];
}

/**
 * A north-up grid covering `bounds` at `resolution`. With `snap` (default true) the
 * bounds are snapped outward first. Refuses grids over `maxPixels` per band.
 */
export function gridFromBounds(
  crs: string | null,
  bounds: Bounds,
  resolution: number | [number, number],
  options: { snap?: boolean; maxPixels?: number } = {},
): Grid {
  const [resX, resY] = typeof resolution === 'number' ? [resolution, resolution] : resolution;
  if (!(resX > 0) || !(resY > 0))
    throw new GridError(`resolution must be positive; got ${JSON.stringify(resolution)}`);
  if (!(bounds[2] > bounds[0]) || !(bounds[3] > bounds[1])) {
    throw new GridError(
      `bounds ${JSON.stringify(bounds)} are empty: need minX < maxX and minY < maxY`,
    );
  }
  const [minX, minY, maxX, maxY] =
    options.snap === false ? bounds : snapBounds(bounds, [resX, resY]);
  const width = Math.max(1, Math.round((maxX - minX) / resX));
  const height = Math.max(1, Math.round((maxY - minY) / resY));
  const grid: Grid = { crs, transform: [minX, resX, 0, maxY, 0, -resY], width, height };
  checkGridSize(grid, options.maxPixels);
  return grid;
}

/** GridError when the grid has more than `maxPixels` pixels per band. */
export function checkGridSize(grid: Grid, maxPixels = DEFAULT_MAX_PIXELS): void {
  const pixels = grid.width * grid.height;
  if (!Number.isFinite(pixels) || pixels > maxPixels) {
    throw new GridError(
      `grid of ${grid.width} × ${grid.height} = ${pixels.toLocaleString('en')} pixels per band exceeds the limit of ` +
        `${maxPixels.toLocaleString('en')}; use a coarser resolution or smaller bounds, or raise maxPixels`,
      { details: { width: grid.width, height: grid.height, maxPixels } },
    );
  }
}

/** x coordinates of pixel centres (north-up grids). */
export function xCoordinates(grid: Grid): Float64Array {
  const coordinates = new Float64Array(grid.width);
  for (let col = 0; col < grid.width; col++)
    coordinates[col] = grid.transform[0] + (col + 0.5) * grid.transform[1];
  return coordinates;
}

/** y coordinates of pixel centres (north-up grids). */
export function yCoordinates(grid: Grid): Float64Array {
  const coordinates = new Float64Array(grid.height);
  for (let row = 0; row < grid.height; row++)
    coordinates[row] = grid.transform[3] + (row + 0.5) * grid.transform[5];
  return coordinates;
}

/** True when two grids are the same CRS, transform and size. */
export function gridsEqual(a: Grid, b: Grid, tolerance = 1e-9): boolean {
  return (
    a.crs === b.crs &&
    a.width === b.width &&
    a.height === b.height &&
    a.transform.every(
      (value, index) =>
        Math.abs(value - b.transform[index]!) <= tolerance * Math.max(1, Math.abs(value)),
    )
  );
}
