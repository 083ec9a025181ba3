// The cube's target grid, by the first rule that applies: `like` (a raster's grid),
// `crs` + `resolution` (+ `bounds`, else the Items' extent; `utm` picks the zone of
// the Items' centre), else the Items' common native grid (rotated grids re-gridded
// north-up). `anchor` says where pixel edges fall, as odc-stac's.
import { openRaster } from '../dataset/load-asset.js';
import { GridError } from '../errors/grid-error.js';
import { OptionError } from '../errors/option-error.js';
import {
  createTransformer,
  isGeographic,
  loadCrs,
  normalizeCrs,
  transformBounds,
  utmZoneEpsg,
} from '../grid/crs.js';
import {
  checkGridSize,
  DEFAULT_MAX_PIXELS,
  gridFromBounds,
  gridResolution,
  type Bounds,
  type Grid,
} from '../grid/grid.js';
import type { StacItem } from '../stac/stac-types.js';
import type { CubeOptions } from './cube-options.js';
import type { ItemAssetLookup } from './item-asset-lookup.js';

/**
 * Where pixel edges fall on a grid pyramids chooses, as odc-stac's `anchor`: `edge`
 * (on multiples of the resolution), `center` (pixel centres on multiples), `floating`
 * (the top-left corner as given, whole pixels cover the rest), or `[fx, fy]`: edges at (k + fx) × resolution
 * in x and (k + fy) × resolution in y, fractions of a pixel in [0, 1).
 */
export type GridAnchor = 'edge' | 'center' | 'floating' | [number, number];

/** `anchor` checked: undefined (the default rule), a keyword or a pixel fraction pair. */
export function parseAnchor(value: unknown): GridAnchor | undefined {
  if (value === undefined) return undefined;
  if (value === 'edge' || value === 'center' || value === 'floating') return value;
  if (value === 'centre') return 'center';
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((part) => typeof part === 'number' && part >= 0 && part < 1)
  )
    return [value[0], value[1]];
  throw new OptionError(
    `anchor must be edge, center, floating or [fx, fy] with fractions of a pixel in [0, 1); got ${JSON.stringify(value)}`,
  );
}

/** Snaps bounds outward so pixel edges fall at (k + anchor) × resolution. */
function snapToAnchor(bounds: Bounds, [resX, resY]: [number, number], anchor: GridAnchor): Bounds {
  if (anchor === 'floating') {
    // The top-left corner stays where it is; whole pixels cover the rest.
    const columns = Math.max(1, Math.ceil((bounds[2] - bounds[0]) / resX - 1e-9));
    const rows = Math.max(1, Math.ceil((bounds[3] - bounds[1]) / resY - 1e-9));
    return [bounds[0], bounds[3] - rows * resY, bounds[0] + columns * resX, bounds[3]];
  }
  const [fx, fy] = anchor === 'edge' ? [0, 0] : anchor === 'center' ? [0.5, 0.5] : anchor;
  // A tolerance keeps 399960.0000000001 / 10 from growing a whole extra pixel.
  const floor = (value: number, step: number, shift: number) =>
    (Math.floor(value / step - shift + 1e-9) + shift) * step;
  const ceil = (value: number, step: number, shift: number) =>
    (Math.ceil(value / step - shift - 1e-9) + shift) * step;
  return [
    floor(bounds[0], resX, fx),
    floor(bounds[1], resY, fy),
    ceil(bounds[2], resX, fx),
    ceil(bounds[3], resY, fy),
  ];
}

/** A north-up grid over `bounds` at `resolution`, snapped by `anchor` (default: edges on multiples). */
function anchoredGrid(
  crs: string,
  bounds: Bounds,
  resolution: number | [number, number],
  anchor: GridAnchor | undefined,
  maxPixels: number,
): Grid {
  if (anchor === undefined || anchor === 'edge')
    return gridFromBounds(crs, bounds, resolution, { maxPixels });
  const res: [number, number] =
    typeof resolution === 'number' ? [resolution, resolution] : resolution;
  if (!(res[0] > 0) || !(res[1] > 0))
    throw new GridError(`resolution must be positive; got ${JSON.stringify(resolution)}`);
  return gridFromBounds(crs, snapToAnchor(bounds, res, anchor), res, { snap: false, maxPixels });
}

/** Snaps bounds outward onto the pixel lattice of `lattice` (same origin and resolution). */
function gridOnLattice(lattice: Grid, bounds: Bounds, maxPixels: number): Grid {
  const [resX, resY] = [Math.abs(lattice.transform[1]), Math.abs(lattice.transform[5])];
  const originX = lattice.transform[0];
  const originY = lattice.transform[3];
  const minX = originX + Math.floor((bounds[0] - originX) / resX + 1e-9) * resX;
  const maxX = originX + Math.ceil((bounds[2] - originX) / resX - 1e-9) * resX;
  const maxY = originY - Math.floor((originY - bounds[3]) / resY + 1e-9) * resY;
  const minY = originY - Math.ceil((originY - bounds[1]) / resY - 1e-9) * resY;
  const grid: Grid = {
    crs: lattice.crs,
    transform: [minX, resX, 0, maxY, 0, -resY],
    width: Math.max(1, Math.round((maxX - minX) / resX)),
    height: Math.max(1, Math.round((maxY - minY) / resY)),
  };
  checkGridSize(grid, maxPixels);
  return grid;
}

function union(boxes: Bounds[]): Bounds | undefined {
  if (boxes.length === 0) return undefined;
  return [
    Math.min(...boxes.map((box) => box[0])),
    Math.min(...boxes.map((box) => box[1])),
    Math.max(...boxes.map((box) => box[2])),
    Math.max(...boxes.map((box) => box[3])),
  ];
}

/** A grid in words, for error messages. */
export function describeGrid(grid: Grid): string {
  const [resX, resY] = gridResolution(grid);
  return `${grid.crs ?? 'no CRS'} ${grid.width} × ${grid.height} at ${resX} × ${resY}, origin (${grid.transform[0]}, ${grid.transform[3]})`;
}

/**
 * The target grid for `items` (the first of `assets` decides footprints and native
 * grids). Reads a header only where the Items lack projection metadata.
 * @throws GridError when the Items are in several CRSs and no target is given, or their extent is unknown.
 */
export async function chooseTargetGrid(
  items: StacItem[],
  assets: string[],
  options: CubeOptions & { anchor?: GridAnchor },
  lookup: ItemAssetLookup,
): Promise<Grid> {
  const grid = await chooseGrid(items, assets[0]!, options, lookup);
  if (grid.crs && !isGeographic(grid.crs)) createTransformer(grid.crs, 'EPSG:4326'); // validates the CRS early
  return grid;
}

async function chooseGrid(
  items: StacItem[],
  asset: string,
  options: CubeOptions & { anchor?: GridAnchor },
  lookup: ItemAssetLookup,
): Promise<Grid> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const anchor = options.anchor;
  if (options.like !== undefined) {
    const like = options.like;
    let chosen: Grid;
    if (typeof like === 'string') {
      const opened = await openRaster(like, {
        registry: options.registry,
        fetch: options.fetch,
        signal: options.signal,
      });
      chosen = opened.grid;
      await opened.close();
    } else chosen = 'source' in like ? like.grid : like;
    checkGridSize(chosen, maxPixels);
    return { ...chosen, transform: [...chosen.transform] as Grid['transform'] };
  }
  const bboxIn = (crs: string): Bounds | undefined => {
    if (!options.bbox || options.bbox[0] > options.bbox[2]) return undefined;
    try {
      return transformBounds(options.bbox, 'EPSG:4326', crs);
    } catch {
      return undefined;
    }
  };
  const itemsExtent = async (crs: string): Promise<Bounds> => {
    const boxes = (
      await Promise.all(items.map((item) => lookup.footprintIn(item, asset, crs)))
    ).filter((box): box is Bounds => box !== undefined);
    let extent = union(boxes);
    const limit = bboxIn(crs);
    if (extent && limit)
      extent = [
        Math.max(extent[0], limit[0]),
        Math.max(extent[1], limit[1]),
        Math.min(extent[2], limit[2]),
        Math.min(extent[3], limit[3]),
      ];
    if (!extent || !(extent[2] > extent[0]) || !(extent[3] > extent[1])) {
      throw new GridError(`cannot work out the items' extent in ${crs}; pass bounds`);
    }
    return extent;
  };
  if (options.crs !== undefined) {
    let crs = normalizeCrs(options.crs);
    if (typeof crs === 'string' && crs.toLowerCase() === 'utm') {
      const extent = await itemsExtent('EPSG:4326');
      const centreLon = extent[0] + (extent[2] - extent[0]) / 2;
      crs = `EPSG:${utmZoneEpsg(centreLon, (extent[1] + extent[3]) / 2)}`;
    }
    if (!crs) throw new OptionError(`crs ${JSON.stringify(options.crs)} is empty`);
    await loadCrs(crs); // an unknown CRS fails here, with its own message
    const bounds = options.bounds ?? (await itemsExtent(crs));
    return anchoredGrid(crs, bounds, options.resolution!, anchor, maxPixels);
  }
  const crsList = [
    ...new Set(
      await Promise.all(
        items.map(async (item) => (await lookup.nativeGrid(item, asset)).crs ?? 'none'),
      ),
    ),
  ];
  if (crsList.length > 1) {
    throw new GridError(
      `the items are in ${crsList.length} CRSs (${crsList.slice(0, 4).join(', ')}${crsList.length > 4 ? ', …' : ''}); ` +
        "pass crs and resolution (e.g. crs: 'utm', resolution: 10) to choose one target grid",
      { details: { crs: crsList } },
    );
  }
  const first = await lookup.nativeGrid(items[0]!, asset);
  if (!first.crs)
    throw new GridError(
      `asset '${asset}' of item ${items[0]!.id} has no CRS; pass like, or crs and resolution`,
    );
  const extent = await itemsExtent(first.crs);
  // A rotated native grid is re-gridded north-up at its resolution; so is any grid given an anchor.
  if (first.transform[2] !== 0 || first.transform[4] !== 0 || anchor !== undefined)
    return anchoredGrid(first.crs, extent, gridResolution(first), anchor, maxPixels);
  return gridOnLattice(first, extent, maxPixels);
}
