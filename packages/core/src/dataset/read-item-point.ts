// Values of an asset at lon/lat points, one 1 × 1 read per point, as `gdallocationinfo -wgs84`.
import { GridError } from '../errors/grid-error.js';
import { OptionError } from '../errors/option-error.js';
import { createTransformer } from '../grid/crs.js';
import { worldToPixel } from '../grid/geotransform.js';
import type { StacItem } from '../stac/stac-types.js';
import type { Dataset } from './dataset.js';
import { loadAsset, type LoadAssetOptions } from './load-asset.js';

/** Options of {@link readItemPoint}. */
export interface ReadItemPointOptions extends LoadAssetOptions {
  /** 1-based band numbers (default: every band). */
  bands?: number[];
}

/** The values of one point. */
export interface PointValues {
  lon: number;
  lat: number;
  /** The point in the raster's CRS. */
  x: number;
  y: number;
  /** The pixel that holds it (0-based), or undefined when the point is outside the raster. */
  column?: number;
  row?: number;
  /** One value per band read; null outside the raster. */
  values: number[] | null;
  /** True per band when the value is the band's nodata; null outside the raster. */
  nodata: boolean[] | null;
}

function checkPoint(point: readonly [number, number], index: number): void {
  const [lon, lat] = point;
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || lat < -90 || lat > 90) {
    throw new OptionError(
      `point ${index + 1}: [${lon}, ${lat}] is not a [longitude, latitude] in degrees (latitude within ±90)`,
    );
  }
}

/**
 * Reads asset `key` of `item` at lon/lat points (EPSG:4326, `[lon, lat]`): the full-resolution
 * pixel holding each point, as `gdallocationinfo -wgs84` does, one small read per point. A point
 * outside the raster gives `values: null`.
 * @throws OptionError for a malformed point; GridError when the raster has no CRS; the errors of `loadAsset`.
 */
export async function readItemPoint(
  item: StacItem,
  key: string,
  points: ReadonlyArray<readonly [number, number]>,
  options: ReadItemPointOptions,
): Promise<PointValues[]> {
  points.forEach(checkPoint);
  const { bands: bandNumbers, ...loadOptions } = options;
  const dataset = await loadAsset(item, key, loadOptions);
  try {
    return await readPoints(dataset, item, key, points, bandNumbers, options.signal);
  } finally {
    await dataset.close();
  }
}

async function readPoints(
  dataset: Dataset,
  item: StacItem,
  key: string,
  points: ReadonlyArray<readonly [number, number]>,
  bandNumbers: number[] | undefined,
  signal: AbortSignal | undefined,
): Promise<PointValues[]> {
  if (!dataset.crs)
    throw new GridError(
      `asset '${key}' of item ${item.id} has no CRS; lon/lat points cannot be placed on it`,
    );
  const toRaster = createTransformer('EPSG:4326', dataset.crs);
  const bands = bandNumbers ?? dataset.bands.map((_, index) => index + 1);
  const results: PointValues[] = [];
  for (const [lon, lat] of points) {
    const [x, y] = toRaster(lon, lat);
    const [columnFloat, rowFloat] = worldToPixel(dataset.transform, x, y);
    const column = Math.floor(columnFloat);
    const row = Math.floor(rowFloat);
    if (!(column >= 0 && row >= 0 && column < dataset.width && row < dataset.height)) {
      results.push({ lon, lat, x, y, values: null, nodata: null });
      continue;
    }
    const read = await dataset.read({
      window: { x: column, y: row, width: 1, height: 1 },
      bands,
      signal,
    });
    const values = read.data.map((array) => Number(array[0]));
    const nodata = values.map((value, index) => {
      const declared = dataset.bands[bands[index]! - 1]?.nodata;
      return (
        declared !== undefined &&
        (value === declared || (Number.isNaN(declared) && Number.isNaN(value)))
      );
    });
    results.push({ lon, lat, x, y, column, row, values, nodata });
  }
  return results;
}
