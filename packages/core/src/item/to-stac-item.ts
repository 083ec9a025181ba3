// Describes one raster as a STAC 1.1.0 Item: projection v2.0.0 (grid), raster
// v1.1.0 (`raster:bands`), eo v1.1.0 band names, footprint in EPSG:4326.
// Kept in one file: each part fills one field group of the same Item, in the order of the spec.
import { GridError } from '../errors/grid-error.js';
import { OptionError } from '../errors/option-error.js';
import { createTransformer } from '../grid/crs.js';
import { geotransformToAffine, pixelToWorld } from '../grid/geotransform.js';
import { gridBounds } from '../grid/grid.js';
import { hrefExtension } from '../plugins/normalize-media-type.js';
import type { BandInfo, RasterSource } from '../raster/raster-source.js';
import { redactHref } from '../signers/redact.js';
import type { Geometry, StacAsset, StacItem, StacLink } from '../stac/stac-types.js';
import { computeBandStatistics, validMask } from './band-statistics.js';
import {
  densifyRing,
  footprintFromRings,
  pixelOutline,
  worldFootprint,
  type Footprint,
  type Position,
  type Ring,
} from './footprint.js';
import { simplifyRing, traceMask } from './trace-mask.js';

/** Schema URLs of the extensions toStacItem writes. */
export const STAC_EXTENSION_SCHEMAS = {
  projection: 'https://stac-extensions.github.io/projection/v2.0.0/schema.json',
  raster: 'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
  eo: 'https://stac-extensions.github.io/eo/v1.1.0/schema.json',
} as const;

/** Options of `toStacItem`. */
export interface ToStacItemOptions {
  /** Href of the asset (default: the raster's href, without its query string, which may hold a token). */
  assetHref?: string;
  /** Key of the asset (default `data`). */
  assetKey?: string;
  /** Media type of the asset (default: guessed from the href's extension). */
  assetMediaType?: string;
  /** Roles of the asset (default `["data"]`). */
  assetRoles?: string[];
  /** Title of the asset. */
  assetTitle?: string;
  /** Nominal time, a Date or an ISO 8601 string (default: now, unless a start/end range is given). */
  datetime?: Date | string;
  /** Start of the time range; needs `endDatetime`. */
  startDatetime?: Date | string;
  /** End of the time range; needs `startDatetime`. */
  endDatetime?: Date | string;
  /** Collection id; adds a `collection` link to `collectionHref`. */
  collection?: string;
  /** Href of the collection link (default `../collection.json`, the layout pystac writes). */
  collectionHref?: string;
  /** Extra properties, merged last (they win over computed ones). */
  properties?: Record<string, unknown>;
  /** Extra links. */
  links?: StacLink[];
  /** Write the projection extension (default true). */
  withProj?: boolean;
  /** Write `raster:bands` (default true). */
  withRaster?: boolean;
  /** Write `eo:bands` names (default: when the bands have names). */
  withEo?: boolean;
  /** Compute band statistics (reads every pixel; default false). */
  withStats?: boolean;
  /** Also compute a histogram with this many buckets (at least 3) when `withStats`. */
  histogramBuckets?: number;
  /** Compute statistics on the coarsest overview instead of full resolution. */
  approximateStats?: boolean;
  /** Decimals of footprint coordinates (default 6, about 0.1 m). */
  precision?: number;
  /** `bbox` (default): the raster's outline; `data`: the outline of its valid pixels. */
  footprint?: 'bbox' | 'data';
  /** Points per edge of the outline before reprojection (default 21). */
  densify?: number;
  /** Largest side, in pixels, of the mask traced for `footprint: 'data'` (default 512). */
  footprintResolution?: number;
  /** Douglas–Peucker tolerance for `footprint: 'data'`, in mask pixels (default 1). */
  simplifyTolerance?: number;
  /** Receives warnings (default: `process.emitWarning`). */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

const MEDIA_TYPES: Record<string, string> = {
  '.tif': 'image/tiff; application=geotiff',
  '.tiff': 'image/tiff; application=geotiff',
  '.jp2': 'image/jp2',
  '.nc': 'application/netcdf',
  '.nc4': 'application/netcdf',
  '.grib': 'application/wmo-grib',
  '.grib2': 'application/wmo-grib2',
  '.grb2': 'application/wmo-grib2',
  '.vrt': 'application/xml',
  '.zarr': 'application/vnd+zarr',
  '.h5': 'application/x-hdf5',
  '.hdf': 'application/x-hdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
};

function defaultWarning(message: string): void {
  const emit = (
    globalThis as { process?: { emitWarning?: (message: string, type: string) => void } }
  ).process?.emitWarning;
  if (emit) emit(message, 'PyramidsWarning');
  else console.warn(message);
}

function toIsoUtc(value: Date | string, name: string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new OptionError(
      `${name} ${JSON.stringify(String(value))} is not a valid date; give a Date or an ISO 8601 string`,
    );
  return date.toISOString();
}

/** Datetime fields: `datetime` is null only when both range ends are given. */
function datetimeFields(options: ToStacItemOptions): Record<string, string | null> {
  const hasStart = options.startDatetime !== undefined;
  const hasEnd = options.endDatetime !== undefined;
  if (hasStart !== hasEnd) {
    throw new OptionError(
      'give both startDatetime and endDatetime for a time range, or neither (STAC requires both ends)',
    );
  }
  if (hasStart && hasEnd) {
    const start = toIsoUtc(options.startDatetime!, 'startDatetime');
    const end = toIsoUtc(options.endDatetime!, 'endDatetime');
    if (start > end) throw new OptionError(`startDatetime ${start} is after endDatetime ${end}`);
    return {
      datetime: options.datetime === undefined ? null : toIsoUtc(options.datetime, 'datetime'),
      start_datetime: start,
      end_datetime: end,
    };
  }
  return { datetime: toIsoUtc(options.datetime ?? new Date(), 'datetime') };
}

/** Nodata as STAC spells it: non-finite values as strings. */
function nodataValue(value: number): number | string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return value;
}

/** The CRS as projection extension fields; a warning when it has no STAC spelling. */
function projectionCrs(
  crs: string | null,
  warn: (message: string) => void,
): Record<string, unknown> {
  if (crs === null) return { 'proj:code': null };
  if (/^[A-Za-z][A-Za-z0-9_-]*:[A-Za-z0-9_.-]+$/.test(crs)) return { 'proj:code': crs };
  if (crs.trimStart().startsWith('{')) {
    try {
      return { 'proj:code': null, 'proj:projjson': JSON.parse(crs) as object };
    } catch {
      // fall through to the warning
    }
  } else if (/^[A-Z][A-Z0-9_]*\[/.test(crs.trimStart())) {
    // WKT; WKT1 goes here too, as rio-stac does, since the extension has no other field for it.
    return { 'proj:code': null, 'proj:wkt2': crs.trim() };
  }
  warn(
    'the raster CRS is neither a code, WKT nor PROJJSON, so the Item records proj:code null; reproject or pass a WKT2 CRS to keep it',
  );
  return { 'proj:code': null };
}

function bandFields(band: BandInfo): Record<string, unknown> {
  const fields: Record<string, unknown> = { data_type: band.dataType };
  if (band.nodata !== undefined) fields['nodata'] = nodataValue(band.nodata);
  if (band.scale !== undefined && band.scale !== 1) fields['scale'] = band.scale;
  if (band.offset !== undefined && band.offset !== 0) fields['offset'] = band.offset;
  if (band.unit) fields['unit'] = band.unit;
  return fields;
}

/** Projects pixel-space rings of `level` to lon/lat. */
function ringsToLonLat(
  rings: Ring[],
  transform: RasterSource['grid']['transform'],
  toLonLat: (x: number, y: number) => [number, number],
): Ring[] {
  return rings.map((ring) =>
    ring.map(([col, row]): Position => toLonLat(...pixelToWorld(transform, col, row))),
  );
}

interface FootprintContext {
  source: RasterSource;
  options: ToStacItemOptions;
  warn: (message: string) => void;
  where: string;
}

/** Footprint from the outline; falls back to a lattice of points when edges leave the projection's domain. */
function outlineFootprint(
  context: FootprintContext,
  toLonLat: (x: number, y: number) => [number, number],
  precision: number,
): Footprint {
  const { grid } = context.source;
  const outline = ringsToLonLat(
    [pixelOutline(grid.width, grid.height, context.options.densify ?? 21)],
    grid.transform,
    toLonLat,
  )[0]!;
  if (outline.every(([lon, lat]) => Number.isFinite(lon) && Number.isFinite(lat))) {
    const footprint = footprintFromRings([outline], precision);
    if (footprint) return footprint;
  }
  // Some of the outline is off the Earth (e.g. a geostationary full disk): bound a lattice of points.
  const steps = 32;
  const points: Position[] = [];
  const project = (col: number, row: number): Position | undefined => {
    const [lon, lat] = toLonLat(...pixelToWorld(grid.transform, col, row));
    return Number.isFinite(lon) && Number.isFinite(lat) ? [lon, lat] : undefined;
  };
  const at = (i: number, j: number): [number, number] => [
    (grid.width * i) / steps,
    (grid.height * j) / steps,
  ];
  for (let i = 0; i <= steps; i++) {
    for (let j = 0; j <= steps; j++) {
      const here = project(...at(i, j));
      if (here) points.push(here);
      // Where the lattice steps off the Earth, bisect to the edge of the domain (a limb is steep in latitude).
      for (const [ni, nj] of [
        [i + 1, j],
        [i, j + 1],
      ] as const) {
        if (ni > steps || nj > steps) continue;
        const there = project(...at(ni, nj));
        if (Boolean(here) === Boolean(there)) continue;
        let inside = here ? at(i, j) : at(ni, nj);
        let outside = here ? at(ni, nj) : at(i, j);
        for (let iteration = 0; iteration < 30; iteration++) {
          const middle: [number, number] = [
            (inside[0] + outside[0]) / 2,
            (inside[1] + outside[1]) / 2,
          ];
          if (project(...middle)) inside = middle;
          else outside = middle;
        }
        points.push(project(...inside)!);
      }
    }
  }
  if (points.length === 0) {
    context.warn(
      `${context.where}: no point of the raster could be reprojected to EPSG:4326; the Item's geometry is the whole world`,
    );
    return worldFootprint();
  }
  context.warn(
    `${context.where}: parts of the raster lie outside its projection's domain; the footprint is the bounding box of the points that reproject`,
  );
  const lons = points.map((point) => point[0]);
  const lats = points.map((point) => point[1]);
  const [west, south, east, north] = [
    Math.min(...lons),
    Math.min(...lats),
    Math.max(...lons),
    Math.max(...lats),
  ];
  return (
    footprintFromRings(
      [
        [
          [west, south],
          [east, south],
          [east, north],
          [west, north],
        ],
      ],
      precision,
    ) ?? worldFootprint()
  );
}

/** Footprint of the valid pixels, traced on a coarse level; null when no pixel is valid. */
async function dataFootprint(
  context: FootprintContext,
  toLonLat: (x: number, y: number) => [number, number],
  precision: number,
): Promise<Footprint | null> {
  const { source, options } = context;
  // Integer bands without nodata have no invalid pixel: the outline is the answer, no read needed.
  if (source.bands.every((band) => band.nodata === undefined && !/^float/.test(band.dataType)))
    return outlineFootprint(context, toLonLat, precision);
  const resolution = Math.max(16, options.footprintResolution ?? 512);
  // The finest level that fits the resolution, else the coarsest, decimated.
  let level = source.levels.findIndex((info) => Math.max(info.width, info.height) <= resolution);
  if (level === -1) level = source.levels.length - 1;
  const info = source.levels[level]!;
  const step = Math.max(1, Math.ceil(Math.max(info.width, info.height) / resolution));
  const { mask, width, height, validCount } = await validMask(source, level, step, options.signal);
  if (validCount === 0) return null;
  const tolerance = options.simplifyTolerance ?? 1;
  const maxSegment = Math.max(1, Math.max(width, height) / (options.densify ?? 21));
  const rings = traceMask(mask, width, height).map((ring) =>
    densifyRing(simplifyRing(ring, tolerance), maxSegment).map(([col, row]): Position => [
      Math.min(info.width, col * step),
      Math.min(info.height, row * step),
    ]),
  );
  const lonLatRings = ringsToLonLat(rings, info.transform, toLonLat);
  // Valid pixels off the projection's domain: fall back to the outline's treatment of them.
  if (
    lonLatRings.some((ring) =>
      ring.some(([lon, lat]) => !Number.isFinite(lon) || !Number.isFinite(lat)),
    )
  )
    return outlineFootprint(context, toLonLat, precision);
  return footprintFromRings(lonLatRings, precision) ?? null;
}

/**
 * Describes a raster as a STAC 1.1.0 Item with the projection (v2.0.0) and
 * raster (v1.1.0) extensions, eo band names where known, and a footprint in
 * EPSG:4326 (densified outline, split at the antimeridian per RFC 7946). A
 * raster without a usable CRS gets the whole world and a warning. Reads pixels
 * only for `withStats` or `footprint: 'data'`.
 */
export async function toStacItem(
  input: RasterSource | { source: RasterSource },
  id: string,
  options: ToStacItemOptions = {},
): Promise<StacItem> {
  if (typeof id !== 'string' || id.trim() === '')
    throw new OptionError('toStacItem needs a non-empty Item id');
  const source = 'source' in input && input.source ? input.source : (input as RasterSource);
  const warn = options.onWarning ?? defaultWarning;
  const where = `raster ${redactHref(source.href ?? '')}`;
  const precision = options.precision ?? 6;
  if (!Number.isInteger(precision) || precision < 0 || precision > 15)
    throw new OptionError(`precision must be an integer from 0 to 15; got ${precision}`);
  const footprintMode = options.footprint ?? 'bbox';
  if (footprintMode !== 'bbox' && footprintMode !== 'data')
    throw new OptionError(
      `footprint must be 'bbox' or 'data'; got ${JSON.stringify(footprintMode)}`,
    );
  if (
    options.collection !== undefined &&
    (typeof options.collection !== 'string' || options.collection === '')
  ) {
    throw new OptionError('collection must be a non-empty string');
  }
  const datetimes = datetimeFields(options);
  options.signal?.throwIfAborted();

  const grid = source.grid;
  const context: FootprintContext = { source, options, warn, where };
  let footprint: Footprint | null;
  let toLonLat: ((x: number, y: number) => [number, number]) | undefined;
  if (grid.crs === null) {
    warn(`${where} has no CRS; the Item's geometry is the whole world`);
  } else {
    try {
      toLonLat = createTransformer(grid.crs, 'EPSG:4326');
    } catch (error) {
      if (!GridError.isInstance(error)) throw error;
      warn(
        `${where}: cannot reproject its CRS to EPSG:4326 (${error.message}); the Item's geometry is the whole world`,
      );
    }
  }
  if (!toLonLat) footprint = worldFootprint();
  else if (footprintMode === 'data') {
    footprint = await dataFootprint(context, toLonLat, precision);
    if (!footprint) warn(`${where} has no valid pixel; the Item has a null geometry`);
  } else footprint = outlineFootprint(context, toLonLat, precision);

  const properties: Record<string, unknown> = { ...datetimes };
  const extensions: string[] = [];
  if (options.withProj ?? true) {
    extensions.push(STAC_EXTENSION_SCHEMAS.projection);
    Object.assign(properties, projectionCrs(grid.crs, warn), {
      'proj:bbox': gridBounds(grid),
      'proj:shape': [grid.height, grid.width],
      'proj:transform': geotransformToAffine(grid.transform),
    });
  }

  const href = options.assetHref ?? stripQuery(source.href, warn);
  if (typeof href !== 'string' || href === '')
    throw new OptionError(`${where} has no href; pass assetHref`);
  const asset: StacAsset = { href };
  const mediaType = options.assetMediaType ?? MEDIA_TYPES[hrefExtension(href)];
  if (mediaType) asset.type = mediaType;
  if (options.assetTitle) asset.title = options.assetTitle;
  asset.roles = options.assetRoles ?? ['data'];

  if (options.withRaster ?? true) {
    extensions.push(STAC_EXTENSION_SCHEMAS.raster);
    const bands = source.bands.map(bandFields);
    if (options.withStats) {
      const { statistics, histograms } = await computeBandStatistics(source, {
        level: options.approximateStats ? source.levels.length - 1 : 0,
        buckets: options.histogramBuckets,
        signal: options.signal,
      });
      bands.forEach((band, index) => {
        if (statistics[index]) band['statistics'] = statistics[index];
        if (histograms[index]) band['histogram'] = histograms[index];
      });
    }
    if (bands.length > 0) asset['raster:bands'] = bands;
  }
  const named = source.bands.length > 0 && source.bands.some((band) => band.name);
  if ((options.withEo ?? named) && source.bands.length > 0) {
    extensions.push(STAC_EXTENSION_SCHEMAS.eo);
    asset['eo:bands'] = source.bands.map((band, index) => ({ name: band.name || `b${index + 1}` }));
  }
  Object.assign(properties, options.properties ?? {});

  const links: StacLink[] = [...(options.links ?? [])];
  if (options.collection !== undefined)
    links.push({
      rel: 'collection',
      href: options.collectionHref ?? '../collection.json',
      type: 'application/json',
    });
  const geometry: Geometry | null = footprint ? footprint.geometry : null;
  const item: StacItem = {
    type: 'Feature',
    stac_version: '1.1.0',
    stac_extensions: extensions,
    id,
    geometry,
    ...(footprint ? { bbox: footprint.bbox } : {}),
    properties,
    links,
    assets: { [options.assetKey ?? 'data']: asset },
    collection: options.collection,
  };
  return item;
}

function stripQuery(href: string, warn: (message: string) => void): string {
  const queryStart = href.search(/[?#]/);
  if (queryStart === -1 || !/^[a-z][a-z0-9+.-]*:\/\//i.test(href)) return href;
  warn(
    `the asset href ${redactHref(href)} had a query string, which may hold a token, and it was dropped; pass assetHref to keep it`,
  );
  return href.slice(0, queryStart);
}
