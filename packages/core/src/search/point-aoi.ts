// The area of interest around a point, as `DatasetCollection.fromPoint` needs it: the
// local UTM zone, the centre snapped to the pixel size, a square of exactly edgeSize ×
// edgeSize pixels, and the lon/lat bbox to search with.
import { OptionError } from '../errors/option-error.js';
import { createTransformer, utmZoneEpsg } from '../grid/crs.js';
import { gridFromBounds, type Bounds, type Grid } from '../grid/grid.js';
import type { DatetimeComponent } from './format-datetime.js';
import type { SearchOptions } from './item-search.js';

/** The catalog `DatasetCollection.fromPoint` searches by default: the Planetary Computer STAC API. */
export const PLANETARY_COMPUTER_STAC_URL = 'https://planetarycomputer.microsoft.com/api/stac/v1';

/** Options of {@link pointAoi}. */
export interface PointAoiOptions {
  /** Latitude of the centre, degrees (WGS84). */
  lat: number;
  /** Longitude of the centre, degrees (WGS84); wrapped into ±180. */
  lon: number;
  /** Side of the square: pixels (`units: 'px'`) or metres (`units: 'm'`). */
  edgeSize: number;
  /** Pixel size in metres. */
  resolution: number;
  /** What `edgeSize` counts: pixels (default) or metres (must be a whole number of pixels). */
  units?: 'px' | 'm';
}

/** The AOI around a point. */
export interface PointAoi {
  /** The local WGS84 UTM zone, `EPSG:326nn` or `EPSG:327nn`. */
  crs: string;
  /** Its EPSG code. */
  epsg: number;
  /** The centre in the UTM CRS, snapped to a multiple of the resolution. */
  center: [number, number];
  /** Pixels along each side. */
  size: number;
  /** `[minX, minY, maxX, maxY]` in the UTM CRS: exactly `size × resolution` metres square. */
  bounds: Bounds;
  /** The target grid: `size × size` pixels of `resolution` metres on `bounds`. */
  grid: Grid;
  /** `[west, south, east, north]` in degrees: the AOI's four corners reprojected, for the search. */
  bbox: [number, number, number, number];
}

/** Rounds to the nearest integer, ties to the even one (Python's `round`, numpy's `rint`). */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The square AOI of `edgeSize` pixels around a point: the point's UTM zone (6° zones, the
 * equator counts as north, no Norway/Svalbard exception), its projected centre snapped to
 * the resolution with round-half-to-even, bounds of exactly `size × size` pixels centred
 * there, and the lon/lat bbox of the AOI's reprojected corners.
 * @throws OptionError for a point off the globe or a size that is not a positive whole number of pixels.
 */
export function pointAoi(options: PointAoiOptions): PointAoi {
  const { lat, lon, edgeSize, resolution, units = 'px' } = options;
  if (!Number.isFinite(lat) || lat < -90 || lat > 90 || !Number.isFinite(lon)) {
    throw new OptionError(
      `point: latitude must be within ±90 and longitude a number; got lat=${lat}, lon=${lon}`,
    );
  }
  if (!(resolution > 0) || !Number.isFinite(resolution))
    throw new OptionError(`resolution must be a positive number of metres; got ${resolution}`);
  if (units !== 'px' && units !== 'm')
    throw new OptionError(`units must be 'px' or 'm'; got ${JSON.stringify(units)}`);
  const pixels = units === 'px' ? edgeSize : edgeSize / resolution;
  const size = Math.round(pixels);
  if (!(size >= 1) || Math.abs(pixels - size) > 1e-9 * Math.max(1, pixels)) {
    throw new OptionError(
      units === 'px'
        ? `edgeSize must be a positive whole number of pixels; got ${edgeSize}`
        : `edgeSize of ${edgeSize} m is not a whole number of ${resolution} m pixels; use a multiple of the resolution`,
    );
  }
  const wrappedLon = ((((lon + 180) % 360) + 360) % 360) - 180;
  const epsg = utmZoneEpsg(wrappedLon, lat);
  const crs = `EPSG:${epsg}`;
  const [x, y] = createTransformer('EPSG:4326', crs)(wrappedLon, lat);
  const center: [number, number] = [
    roundHalfEven(x / resolution) * resolution,
    roundHalfEven(y / resolution) * resolution,
  ];
  const half = (size * resolution) / 2;
  const bounds: Bounds = [center[0] - half, center[1] - half, center[0] + half, center[1] + half];
  const grid = gridFromBounds(crs, bounds, resolution, { snap: false });
  const toLonLat = createTransformer(crs, 'EPSG:4326');
  const corners = [
    toLonLat(bounds[0], bounds[1]),
    toLonLat(bounds[0], bounds[3]),
    toLonLat(bounds[2], bounds[1]),
    toLonLat(bounds[2], bounds[3]),
  ];
  const lons = corners.map(([cornerLon]) => cornerLon);
  const lats = corners.map(([, cornerLat]) => cornerLat);
  const bbox: [number, number, number, number] = [
    Math.min(...lons),
    Math.min(...lats),
    Math.max(...lons),
    Math.max(...lats),
  ];
  return { crs, epsg, center, size, bounds, grid, bbox };
}

/** What a point search looks for besides the AOI. */
export interface PointSearchOptions {
  /** Collection id, e.g. `sentinel-2-l2a`. */
  collection: string;
  /** First day or instant (`2023-06-01`, a `Date`); a day counts from its start, in UTC. */
  startDate?: DatetimeComponent;
  /** Last day or instant (`2023-06-30`, a `Date`); a day counts to its last second, in UTC. */
  endDate?: DatetimeComponent;
  /** Query extension object, e.g. `{ 'eo:cloud_cover': { lt: 20 } }`. */
  query?: Record<string, unknown>;
}

/**
 * The item search parameters of a point search: the collection, the AOI's lon/lat bbox,
 * and `[startDate, endDate]` expanded as pystac-client expands dates (`2023-06-30` ends at
 * 23:59:59 UTC); an open end when one is missing.
 */
export function pointSearchOptions(aoi: PointAoi, options: PointSearchOptions): SearchOptions {
  const hasDates = options.startDate != null || options.endDate != null;
  return {
    collections: [options.collection],
    bbox: aoi.bbox,
    ...(hasDates
      ? { datetime: [options.startDate ?? null, options.endDate ?? null] as const }
      : {}),
    query: options.query,
  };
}
