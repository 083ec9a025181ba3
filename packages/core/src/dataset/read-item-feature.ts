// Pixels of an asset inside a GeoJSON (multi)polygon: the window of its bounds, read once,
// and a mask of the pixels whose centres lie inside (the rule of `gdal_rasterize`).
import { OptionError } from '../errors/option-error.js';
import { GridError } from '../errors/grid-error.js';
import { createTransformer } from '../grid/crs.js';
import { pixelToWorld } from '../grid/geotransform.js';
import type { Bounds } from '../grid/grid.js';
import type { Geometry, StacItem } from '../stac/stac-types.js';
import type { DatasetReadResult } from './dataset.js';
import { loadAsset, type LoadAssetOptions } from './load-asset.js';

/** Options of {@link readItemFeature}. */
export interface ReadItemFeatureOptions extends LoadAssetOptions {
  /** 1-based band numbers (default: every band). */
  bands?: number[];
}

/** The window read, with a mask of the pixels inside the feature. */
export interface FeatureRead extends DatasetReadResult {
  /** 1 where the pixel centre is inside the feature, 0 outside; row-major like `data`. */
  mask: Uint8Array;
}

type Ring = Array<[number, number]>;

/** The polygons of a Polygon / MultiPolygon geometry or Feature, as rings of [lon, lat]. */
function polygonsOf(feature: Geometry | { type: 'Feature'; geometry: Geometry | null }): Ring[][] {
  const geometry =
    (feature as { type?: string }).type === 'Feature'
      ? (feature as { geometry: Geometry | null }).geometry
      : (feature as Geometry);
  const type = (geometry as { type?: string } | null)?.type;
  const coordinates = (geometry as { coordinates?: unknown } | null)?.coordinates;
  if (type === 'Polygon' && Array.isArray(coordinates)) return [coordinates as Ring[]];
  if (type === 'MultiPolygon' && Array.isArray(coordinates)) return coordinates as Ring[][];
  throw new OptionError(
    `readItemFeature needs a Polygon or MultiPolygon (or a Feature of one), not ${type ?? 'no geometry'}`,
  );
}

/** Even-odd test of a point against every ring of a polygon (holes included). */
function insidePolygon(x: number, y: number, rings: Ring[]): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let index = 0, previous = ring.length - 1; index < ring.length; previous = index++) {
      const [xi, yi] = ring[index]!;
      const [xj, yj] = ring[previous]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/**
 * Reads asset `key` of `item` inside a GeoJSON Polygon or MultiPolygon in lon/lat: the
 * full-resolution window of the feature's bounds, and a mask of the pixels whose centres are
 * inside (as `gdal_rasterize` burns them). Pixels outside the feature are set to the band's
 * nodata when it has one. Vertices are transformed to the raster's CRS one by one, so very
 * long edges are straight in the raster's CRS, not along lon/lat.
 * @throws OptionError for another geometry; GridError when the feature misses the raster or it has no CRS.
 */
export async function readItemFeature(
  item: StacItem,
  key: string,
  feature: Geometry | { type: 'Feature'; geometry: Geometry | null },
  options: ReadItemFeatureOptions,
): Promise<FeatureRead> {
  const lonLatPolygons = polygonsOf(feature);
  const { bands, ...loadOptions } = options;
  const dataset = await loadAsset(item, key, loadOptions);
  try {
    if (!dataset.crs)
      throw new GridError(
        `asset '${key}' of item ${item.id} has no CRS; a lon/lat feature cannot be placed on it`,
      );
    const toRaster = createTransformer('EPSG:4326', dataset.crs);
    const polygons = lonLatPolygons.map((rings) =>
      rings.map((ring) => ring.map(([lon, lat]) => toRaster(lon, lat))),
    );
    const xs = polygons.flat(2).map((point) => point[0]);
    const ys = polygons.flat(2).map((point) => point[1]);
    const bounds: Bounds = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    const read = await dataset.read({
      bbox: bounds,
      bands,
      signal: options.signal,
    });
    const { width, height } = read.window;
    const mask = new Uint8Array(width * height);
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) {
        const [x, y] = pixelToWorld(read.grid.transform, column + 0.5, row + 0.5);
        if (polygons.some((rings) => insidePolygon(x, y, rings))) mask[row * width + column] = 1;
      }
    }
    read.data.forEach((values, index) => {
      const nodata = read.bands[index]?.nodata;
      if (nodata === undefined) return;
      for (let pixel = 0; pixel < mask.length; pixel++)
        if (mask[pixel] === 0) (values as Float64Array)[pixel] = nodata;
    });
    return { ...read, mask };
  } finally {
    await dataset.close();
  }
}
