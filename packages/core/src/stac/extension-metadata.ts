// Raster metadata from the projection, raster, eo and STAC 1.1 band fields of an
// Item, with no I/O. Asset-level fields override item-level ones; band-level
// fields override the asset-level ones STAC 1.1 shares across bands.
import { StacAssetError } from '../errors/stac-asset-error.js';
import { affineToGeotransform, type GeoTransform } from '../grid/geotransform.js';
import type { Grid } from '../grid/grid.js';
import { normalizeCrs } from '../grid/crs.js';
import type { DataType } from '../raster/data-type.js';
import { assetField, getAsset } from './accessors.js';
import type { StacItem } from './stac-types.js';

/** Per-band metadata read from `raster:bands` or STAC 1.1 `bands`. */
export interface BandMetadata {
  dataType?: DataType;
  nodata?: number;
  scale?: number;
  offset?: number;
  unit?: string;
  name?: string;
}

/** What an Item says about one asset's raster, without opening it. */
export interface ExtensionMetadata {
  item: string;
  asset?: string;
  href?: string;
  mediaType?: string;
  /** Normalised CRS (`EPSG:n`, WKT or PROJJSON text), or null when the Item has none. */
  crs: string | null;
  /** Which field the CRS came from. */
  crsSource: 'proj:code' | 'proj:epsg' | 'proj:wkt2' | 'proj:projjson' | null;
  /** GDAL-order geotransform from `proj:transform`. */
  transform?: GeoTransform;
  /** `proj:shape` as [rows, cols]. */
  shape?: [number, number];
  /** `proj:bbox` in the asset's CRS. */
  projBbox?: number[];
  /** The grid, when CRS, transform and shape are all known. */
  grid?: Grid;
  bands: BandMetadata[];
  /** Band names, only when every band has one. */
  bandNames?: string[];
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** Parses a STAC nodata value: a number, or the strings `nan`, `inf`, `-inf`. */
export function parseNodata(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const lower = value.trim().toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Number.POSITIVE_INFINITY;
  if (lower === '-inf' || lower === '-infinity') return Number.NEGATIVE_INFINITY;
  const parsed = Number(lower);
  return lower !== '' && Number.isFinite(parsed) ? parsed : undefined;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

const DATA_TYPES = new Set<DataType>([
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'float16',
  'float32',
  'float64',
  'cint16',
  'cint32',
  'cfloat32',
  'cfloat64',
  'other',
]);

function readBand(band: Record<string, unknown>): BandMetadata {
  const result: BandMetadata = {};
  const dataType = band['data_type'] ?? band['raster:data_type'];
  if (typeof dataType === 'string' && DATA_TYPES.has(dataType as DataType))
    result.dataType = dataType as DataType;
  const nodata = parseNodata(band['nodata'] ?? band['raster:nodata']);
  if (nodata !== undefined) result.nodata = nodata;
  const scale = numberOrUndefined(band['scale'] ?? band['raster:scale']);
  if (scale !== undefined) result.scale = scale;
  const offset = numberOrUndefined(band['offset'] ?? band['raster:offset']);
  if (offset !== undefined) result.offset = offset;
  const unit = stringOrUndefined(band['unit'] ?? band['raster:unit']);
  if (unit !== undefined) result.unit = unit;
  const name =
    stringOrUndefined(band['name']) ??
    stringOrUndefined(band['common_name']) ??
    stringOrUndefined(band['eo:common_name']);
  if (name !== undefined) result.name = name;
  return result;
}

/**
 * The band fields STAC 1.1 allows on the asset (or the Item) when every band
 * shares them: `nodata`, `data_type`, `unit`, `raster:scale`, `raster:offset`.
 * Names stay per band.
 */
function readSharedBandFields(lookup: (field: string) => unknown): BandMetadata {
  const fields: Record<string, unknown> = {};
  for (const field of ['nodata', 'data_type', 'unit', 'raster:scale', 'raster:offset']) {
    const value = lookup(field);
    if (present(value)) fields[field] = value;
  }
  const shared = readBand(fields);
  delete shared.name;
  return shared;
}

function bandList(value: unknown): Record<string, unknown>[] | undefined {
  return Array.isArray(value)
    ? value.map((band) =>
        band && typeof band === 'object' ? (band as Record<string, unknown>) : {},
      )
    : undefined;
}

/** Largest EPSG code (the registry's codes stay below a million). */
const MAX_EPSG = 999_999;
/** Largest width or height GDAL can hold (a C int). */
const MAX_DIMENSION = 2 ** 31 - 1;

/** A `proj:epsg` value as a code: a positive integer (a numeric string is accepted), else undefined. */
function epsgOf(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number > 0 && number <= MAX_EPSG
    ? number
    : undefined;
}

/**
 * The CRS of an asset (or Item) and the field it came from, in the order of preference.
 * Each field is checked for its type and range (a code that is NaN, negative or fractional,
 * an empty WKT), so no `EPSG:NaN` ever reaches a VRT or a printout.
 */
function readCrs(
  lookup: (field: string) => unknown,
  where: string,
): Pick<ExtensionMetadata, 'crs' | 'crsSource'> {
  const invalid = (field: string, value: unknown, expected: string) =>
    new StacAssetError(
      `${where}: ${field} must be ${expected}; got ${JSON.stringify(value) ?? String(value)}`,
      { details: { field } },
    );
  const code = lookup('proj:code');
  if (present(code)) {
    const match =
      typeof code === 'string'
        ? /^([A-Za-z][A-Za-z0-9_.-]*):([A-Za-z0-9_.-]+)$/.exec(code.trim())
        : null;
    if (!match || (match[1]!.toUpperCase() === 'EPSG' && epsgOf(match[2]) === undefined)) {
      throw invalid('proj:code', code, "an 'AUTHORITY:CODE' string such as 'EPSG:32633'");
    }
    return { crs: normalizeCrs(code as string), crsSource: 'proj:code' };
  }
  const epsg = lookup('proj:epsg');
  if (present(epsg)) {
    const number = epsgOf(epsg);
    if (number === undefined)
      throw invalid('proj:epsg', epsg, `an EPSG code: a positive integer up to ${MAX_EPSG}`);
    return { crs: normalizeCrs(number), crsSource: 'proj:epsg' };
  }
  const wkt2 = lookup('proj:wkt2');
  if (present(wkt2)) {
    if (typeof wkt2 !== 'string' || !/^\s*[A-Z][A-Z0-9_]*\[/.test(wkt2))
      throw invalid('proj:wkt2', wkt2, 'a WKT2 string');
    return { crs: normalizeCrs(wkt2), crsSource: 'proj:wkt2' };
  }
  const projjson = lookup('proj:projjson');
  if (present(projjson)) {
    if (typeof projjson !== 'object' || Array.isArray(projjson))
      throw invalid('proj:projjson', projjson, 'a PROJJSON object');
    return { crs: normalizeCrs(projjson as object), crsSource: 'proj:projjson' };
  }
  return { crs: null, crsSource: null };
}

/**
 * Reads raster metadata of `item` (and of asset `assetKey` when given) from its
 * STAC extension fields, with zero I/O. Asset-level `proj:*` fields override
 * item-level ones. Per band, values of the band (`raster:bands`, `bands`) win
 * over the ones STAC 1.1 puts on the asset for all its bands (`nodata`,
 * `data_type`, `unit`, `raster:scale`, `raster:offset`); an asset with such
 * fields and no band list is described as one band. Throws StacAssetError when the asset does not exist or a
 * field is malformed.
 */
export function readExtensionMetadata(item: StacItem, assetKey?: string): ExtensionMetadata {
  const asset = assetKey === undefined ? undefined : getAsset(item, assetKey);
  const lookup = (field: string): unknown =>
    assetKey === undefined ? item.properties[field] : assetField(item, assetKey, field);
  const where =
    assetKey === undefined ? `item ${item.id}` : `asset '${assetKey}' of item ${item.id}`;

  const result: ExtensionMetadata = { item: item.id, ...readCrs(lookup, where), bands: [] };
  if (assetKey !== undefined) result.asset = assetKey;
  if (asset && typeof asset.href === 'string') result.href = asset.href;
  if (asset && typeof asset.type === 'string') result.mediaType = asset.type;

  const transform = lookup('proj:transform');
  if (present(transform)) {
    try {
      result.transform = affineToGeotransform(transform as number[]);
    } catch (error) {
      throw new StacAssetError(`${where}: ${(error as Error).message}`, { cause: error });
    }
    // A pixel of zero area (or infinite, from overflow) has no grid: NaN sizes would follow.
    const [, a, b, , d, e] = result.transform;
    const area = a * e - b * d;
    if (!Number.isFinite(area) || area === 0) {
      throw new StacAssetError(
        `${where}: proj:transform describes pixels of zero or infinite size; got ${JSON.stringify(transform)}`,
      );
    }
  }
  const shape = lookup('proj:shape');
  if (present(shape)) {
    if (
      !Array.isArray(shape) ||
      shape.length !== 2 ||
      !shape.every((value) => Number.isInteger(value) && value > 0 && value <= MAX_DIMENSION)
    ) {
      throw new StacAssetError(
        `${where}: proj:shape must be [rows, cols] of positive integers up to ${MAX_DIMENSION}; got ${JSON.stringify(shape)}`,
      );
    }
    result.shape = [shape[0], shape[1]];
  }
  const projBbox = lookup('proj:bbox');
  if (present(projBbox)) {
    if (
      !Array.isArray(projBbox) ||
      (projBbox.length !== 4 && projBbox.length !== 6) ||
      !projBbox.every((value) => typeof value === 'number' && Number.isFinite(value))
    ) {
      throw new StacAssetError(
        `${where}: proj:bbox must be 4 or 6 finite numbers; got ${JSON.stringify(projBbox)}`,
      );
    }
    result.projBbox = projBbox as number[];
  }
  if (result.transform && result.shape) {
    result.grid = {
      crs: result.crs,
      transform: result.transform,
      height: result.shape[0],
      width: result.shape[1],
    };
  }

  // Band fields: raster:bands (STAC 1.0) or bands (STAC 1.1), plus eo:bands for names.
  const rasterBands = bandList(
    asset?.['raster:bands'] ??
      (assetKey === undefined ? item.properties['raster:bands'] : undefined),
  );
  const bands = bandList(
    asset?.['bands'] ?? (assetKey === undefined ? item.properties['bands'] : undefined),
  );
  const eoBands = bandList(
    asset?.['eo:bands'] ?? (assetKey === undefined ? item.properties['eo:bands'] : undefined),
  );
  // STAC 1.1 moves the fields all bands share onto the asset itself; the bands' own values win.
  const shared = readSharedBandFields(lookup);
  const count = Math.max(
    rasterBands?.length ?? 0,
    bands?.length ?? 0,
    eoBands?.length ?? 0,
    Object.keys(shared).length > 0 ? 1 : 0,
  );
  for (let index = 0; index < count; index++) {
    const merged = {
      ...shared,
      ...readBand(eoBands?.[index] ?? {}),
      ...readBand(bands?.[index] ?? {}),
      ...readBand(rasterBands?.[index] ?? {}),
    };
    // Names come from eo:bands or bands, never from raster:bands.
    const name = readBand(bands?.[index] ?? {}).name ?? readBand(eoBands?.[index] ?? {}).name;
    if (name === undefined) delete merged.name;
    else merged.name = name;
    result.bands.push(merged);
  }
  if (result.bands.length > 0 && result.bands.every((band) => band.name !== undefined)) {
    result.bandNames = result.bands.map((band) => band.name!);
  }
  return result;
}
