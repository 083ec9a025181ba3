// GeoTIFF GeoKeys: a lossless in-memory form, its parse from raw tags or from
// geotiff.js's parsed keys, the keys for an EPSG CRS, and the encoding into the
// GeoKeyDirectory / GeoDoubleParams / GeoAsciiParams tags.
import proj4 from 'proj4';
import { crsName, ensureCrs, epsgCode, isGeographic, normalizeCrs } from '../grid/crs.js';
import { geoKeysForWkt } from './geo-keys-for-wkt.js';

/** Where a GeoKey's value lives: inline in the directory, in GeoDoubleParams or in GeoAsciiParams. */
export type GeoKeyType = 'short' | 'double' | 'ascii';

/** One GeoKey of a GeoKey directory. */
export interface GeoKeyEntry {
  /** Numeric key id, e.g. 3072 for ProjectedCSTypeGeoKey. */
  id: number;
  /** How the value is stored in the file. */
  type: GeoKeyType;
  /** A number (or several, e.g. GeogTOWGS84GeoKey) for SHORT and DOUBLE keys; text for ASCII keys. */
  value: number | readonly number[] | string;
}

/**
 * A GeoTIFF GeoKey directory, kept losslessly: every key with its storage type, so
 * a raster read from a file whose CRS has no EPSG code can be written back with the
 * same keys. Fill it with {@link geoKeyDirectoryFromTags} (raw GeoKeyDirectory,
 * GeoDoubleParams and GeoAsciiParams tags) or {@link geoKeyDirectoryFromParsed}
 * (geotiff.js's `image.getGeoKeys()`).
 */
export interface GeoKeyDirectory {
  /** `[KeyDirectoryVersion, KeyRevision, MinorRevision]`; default `[1, 1, 0]` (GeoTIFF 1.0). */
  version?: readonly [number, number, number];
  /** The keys, in any order (they are sorted by id when written). */
  keys: readonly GeoKeyEntry[];
}

const TAG_GEO_DOUBLE_PARAMS = 34736;
const TAG_GEO_ASCII_PARAMS = 34737;

/** GeoKey ids by name, as libgeotiff and geotiff.js spell them. */
export const GEO_KEY_IDS: Readonly<Record<string, number>> = {
  GTModelTypeGeoKey: 1024,
  GTRasterTypeGeoKey: 1025,
  GTCitationGeoKey: 1026,
  GeographicTypeGeoKey: 2048,
  GeogCitationGeoKey: 2049,
  GeogGeodeticDatumGeoKey: 2050,
  GeogPrimeMeridianGeoKey: 2051,
  GeogLinearUnitsGeoKey: 2052,
  GeogLinearUnitSizeGeoKey: 2053,
  GeogAngularUnitsGeoKey: 2054,
  GeogAngularUnitSizeGeoKey: 2055,
  GeogEllipsoidGeoKey: 2056,
  GeogSemiMajorAxisGeoKey: 2057,
  GeogSemiMinorAxisGeoKey: 2058,
  GeogInvFlatteningGeoKey: 2059,
  GeogAzimuthUnitsGeoKey: 2060,
  GeogPrimeMeridianLongGeoKey: 2061,
  GeogTOWGS84GeoKey: 2062,
  ProjectedCSTypeGeoKey: 3072,
  PCSCitationGeoKey: 3073,
  ProjectionGeoKey: 3074,
  ProjCoordTransGeoKey: 3075,
  ProjLinearUnitsGeoKey: 3076,
  ProjLinearUnitSizeGeoKey: 3077,
  ProjStdParallel1GeoKey: 3078,
  ProjStdParallel2GeoKey: 3079,
  ProjNatOriginLongGeoKey: 3080,
  ProjNatOriginLatGeoKey: 3081,
  ProjFalseEastingGeoKey: 3082,
  ProjFalseNorthingGeoKey: 3083,
  ProjFalseOriginLongGeoKey: 3084,
  ProjFalseOriginLatGeoKey: 3085,
  ProjFalseOriginEastingGeoKey: 3086,
  ProjFalseOriginNorthingGeoKey: 3087,
  ProjCenterLongGeoKey: 3088,
  ProjCenterLatGeoKey: 3089,
  ProjCenterEastingGeoKey: 3090,
  ProjCenterNorthingGeoKey: 3091,
  ProjScaleAtNatOriginGeoKey: 3092,
  ProjScaleAtCenterGeoKey: 3093,
  ProjAzimuthAngleGeoKey: 3094,
  ProjStraightVertPoleLongGeoKey: 3095,
  ProjRectifiedGridAngleGeoKey: 3096,
  VerticalCSTypeGeoKey: 4096,
  VerticalCitationGeoKey: 4097,
  VerticalDatumGeoKey: 4098,
  VerticalUnitsGeoKey: 4099,
  CoordinateEpochGeoKey: 5120,
};

/** Keys the GeoTIFF spec stores as DOUBLE; every other numeric key is SHORT. */
const DOUBLE_KEYS = new Set([
  2053, 2055, 2057, 2058, 2059, 2061, 2062, 3077, 3078, 3079, 3080, 3081, 3082, 3083, 3084, 3085,
  3086, 3087, 3088, 3089, 3090, 3091, 3092, 3093, 3094, 3095, 3096, 5120,
]);

/** GTModelTypeGeoKey values. */
const MODEL_TYPE_PROJECTED = 1;
const MODEL_TYPE_GEOGRAPHIC = 2;
/** GTRasterTypeGeoKey values. */
export const RASTER_TYPE_PIXEL_IS_AREA = 1;
export const RASTER_TYPE_PIXEL_IS_POINT = 2;

/** EPSG unit codes of proj4 `+units=` names. */
const LINEAR_UNIT_CODES: Record<string, number> = { m: 9001, ft: 9002, 'us-ft': 9003, km: 9036 };
const ANGULAR_UNIT_DEGREE = 9102;

/**
 * Reads a GeoKey directory from the raw tags, losslessly: the GeoKeyDirectory
 * SHORTs, and the GeoDoubleParams and GeoAsciiParams values when present.
 * Throws a TypeError when the directory is malformed.
 */
export function geoKeyDirectoryFromTags(
  directory: ArrayLike<number>,
  doubleParams?: ArrayLike<number> | null,
  asciiParams?: string | null,
): GeoKeyDirectory {
  if (directory.length < 4)
    throw new TypeError(`GeoKeyDirectory has ${directory.length} values; it needs at least 4`);
  const count = directory[3]!;
  if (directory.length < 4 + count * 4) {
    throw new TypeError(
      `GeoKeyDirectory declares ${count} keys but holds only ${Math.floor((directory.length - 4) / 4)}`,
    );
  }
  const keys: GeoKeyEntry[] = [];
  for (let index = 0; index < count; index++) {
    const [id, location, valueCount, offset] = [0, 1, 2, 3].map(
      (field) => directory[4 + index * 4 + field]!,
    ) as [number, number, number, number];
    if (location === 0) {
      keys.push({ id, type: 'short', value: offset });
    } else if (location === TAG_GEO_DOUBLE_PARAMS) {
      if (!doubleParams || offset + valueCount > doubleParams.length) {
        throw new TypeError(`GeoKey ${id} points past the end of GeoDoubleParams`);
      }
      const values = Array.from(
        { length: valueCount },
        (_, position) => doubleParams[offset + position]!,
      );
      keys.push({ id, type: 'double', value: values.length === 1 ? values[0]! : values });
    } else if (location === TAG_GEO_ASCII_PARAMS) {
      if (typeof asciiParams !== 'string' || offset + valueCount > asciiParams.length + 1) {
        throw new TypeError(`GeoKey ${id} points past the end of GeoAsciiParams`);
      }
      // The count includes the '|' terminator.
      keys.push({
        id,
        type: 'ascii',
        value: asciiParams.slice(offset, offset + valueCount).replace(/\|$/, ''),
      });
    } else {
      throw new TypeError(
        `GeoKey ${id} is stored in tag ${location}, which GeoTIFF does not define for GeoKeys`,
      );
    }
  }
  return { version: [directory[0]!, directory[1]!, directory[2]!], keys };
}

/**
 * Builds a GeoKey directory from geotiff.js's `image.getGeoKeys()` (key name →
 * value). Types follow the GeoTIFF spec: strings are ASCII, the spec's DOUBLE keys
 * and arrays are DOUBLE, other numbers SHORT. Unknown names are skipped; prefer
 * {@link geoKeyDirectoryFromTags} when the raw tags are at hand, which keeps
 * every key.
 */
export function geoKeyDirectoryFromParsed(parsed: Record<string, unknown>): GeoKeyDirectory {
  const keys: GeoKeyEntry[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    const id = GEO_KEY_IDS[name] ?? (/^\d+$/.test(name) ? Number(name) : undefined);
    if (id === undefined || value === null || value === undefined) continue;
    if (typeof value === 'string') keys.push({ id, type: 'ascii', value });
    else if (typeof value === 'number') keys.push({ id, type: inferNumericType(id, value), value });
    else if (typeof value === 'object' && typeof (value as ArrayLike<number>).length === 'number') {
      keys.push({ id, type: 'double', value: Array.from(value as ArrayLike<number>) });
    }
  }
  return { keys };
}

function inferNumericType(id: number, value: number): GeoKeyType {
  if (DOUBLE_KEYS.has(id)) return 'double';
  return Number.isInteger(value) && value >= 0 && value <= 0xffff ? 'short' : 'double';
}

/** The first value of key `id` in a directory, if present. */
export function geoKeyValue(
  directory: GeoKeyDirectory,
  id: number,
): GeoKeyEntry['value'] | undefined {
  return directory.keys.find((key) => key.id === id)?.value;
}

/** The EPSG code carried at the top level of a WKT1 (`AUTHORITY`) or WKT2 (`ID`) string, if any. */
export function epsgFromWkt(wkt: string): number | undefined {
  const match = /(?:AUTHORITY|ID)\[\s*"EPSG"\s*,\s*"?(\d+)"?\s*(?:,[^\]]*)?\]\s*\]\s*$/i.exec(
    wkt.trim(),
  );
  return match ? Number(match[1]) : undefined;
}

/**
 * GeoKeys for an `EPSG:n` CRS, as GDAL writes them: model type, PixelIsArea, the
 * projected (3072) or geographic (2048) code, a citation and the units.
 * Throws (GridError) when proj4 and the definitions package do not know the code.
 */
export function geoKeysForEpsg(code: number, citation?: string): GeoKeyDirectory {
  const crs = `EPSG:${code}`;
  ensureCrs(crs);
  const keys: GeoKeyEntry[] = [];
  if (isGeographic(crs)) {
    keys.push({ id: 1024, type: 'short', value: MODEL_TYPE_GEOGRAPHIC });
    keys.push({ id: 1025, type: 'short', value: RASTER_TYPE_PIXEL_IS_AREA });
    keys.push({ id: 2048, type: 'short', value: code });
    if (citation) keys.push({ id: 2049, type: 'ascii', value: citation });
    keys.push({ id: 2054, type: 'short', value: ANGULAR_UNIT_DEGREE });
  } else {
    keys.push({ id: 1024, type: 'short', value: MODEL_TYPE_PROJECTED });
    keys.push({ id: 1025, type: 'short', value: RASTER_TYPE_PIXEL_IS_AREA });
    if (citation) keys.push({ id: 1026, type: 'ascii', value: citation });
    keys.push({ id: 3072, type: 'short', value: code });
    const units = (proj4.defs(crs) as { units?: string } | undefined)?.units;
    const unitCode = units === undefined ? undefined : LINEAR_UNIT_CODES[units];
    if (unitCode !== undefined) keys.push({ id: 3076, type: 'short', value: unitCode });
  }
  return { keys };
}

/**
 * The EPSG code a CRS string stands for: `EPSG:n` (or anything `normalizeCrs`
 * turns into it), or WKT whose top-level authority is EPSG. Undefined otherwise.
 */
export function epsgForCrs(crs: string): number | undefined {
  const normalized = normalizeCrs(crs);
  return epsgCode(normalized) ?? (normalized === null ? undefined : epsgFromWkt(normalized));
}

/**
 * GeoKeys for a CRS: the EPSG code with its name as citation when it has one
 * (see {@link epsgForCrs}); otherwise, for WKT (1 or 2), user-defined keys as
 * GDAL writes them (datum, ellipsoid, prime meridian, projection parameters;
 * see `geoKeysForWkt` in geo-keys-for-wkt.ts). Undefined for other forms (proj4 strings,
 * PROJJSON without a code). Throws a TypeError for WKT that GeoKeys cannot
 * express.
 */
export function geoKeysForCrs(crs: string): GeoKeyDirectory | undefined {
  const code = epsgForCrs(crs);
  if (code !== undefined) return geoKeysForEpsg(code, crsName(`EPSG:${code}`));
  const normalized = normalizeCrs(crs);
  return normalized !== null && /^[A-Z_]+\s*\[/i.test(normalized.trim())
    ? geoKeysForWkt(normalized)
    : undefined;
}

/** The three GeoTIFF tags a GeoKey directory is stored in. */
export interface EncodedGeoKeys {
  /** GeoKeyDirectoryTag (34735) SHORTs. */
  directory: number[];
  /** GeoDoubleParamsTag (34736) values; empty when no DOUBLE key. */
  doubles: number[];
  /** GeoAsciiParamsTag (34737) text ('|'-terminated parts); empty when no ASCII key. */
  ascii: string;
}

const encoder = new TextEncoder();

function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** Encodes a GeoKey directory into its three tags. Throws a TypeError on a value that does not fit its type. */
export function encodeGeoKeyDirectory(geoKeys: GeoKeyDirectory): EncodedGeoKeys {
  const sorted = [...geoKeys.keys].sort((a, b) => a.id - b.id);
  const version = geoKeys.version ?? [1, 1, 0];
  const directory = [version[0], version[1], version[2], sorted.length];
  const doubles: number[] = [];
  let ascii = '';
  for (const key of sorted) {
    if (!Number.isInteger(key.id) || key.id < 1 || key.id > 0xffff)
      throw new TypeError(`GeoKey id ${key.id} is not a SHORT`);
    if (key.type === 'ascii') {
      if (typeof key.value !== 'string')
        throw new TypeError(`GeoKey ${key.id} is ASCII but its value is not text`);
      // Each value ends with '|'; the count (which includes it) delimits the value, so a
      // value may itself hold '|', as GDAL's citations do.
      // Counts are in bytes: the tag is written as UTF-8 (plain ASCII for EPSG names).
      directory.push(key.id, TAG_GEO_ASCII_PARAMS, utf8Length(key.value) + 1, utf8Length(ascii));
      ascii += `${key.value}|`;
    } else {
      if (typeof key.value === 'string')
        throw new TypeError(`GeoKey ${key.id} is numeric but its value is text`);
      const values = typeof key.value === 'number' ? [key.value] : [...key.value];
      if (key.type === 'short') {
        if (
          values.length !== 1 ||
          !Number.isInteger(values[0]) ||
          values[0]! < 0 ||
          values[0]! > 0xffff
        ) {
          throw new TypeError(
            `GeoKey ${key.id} is SHORT but its value ${JSON.stringify(key.value)} is not one integer in 0..65535`,
          );
        }
        directory.push(key.id, 0, 1, values[0]!);
      } else {
        directory.push(key.id, TAG_GEO_DOUBLE_PARAMS, values.length, doubles.length);
        doubles.push(...values);
      }
    }
  }
  return { directory, doubles, ascii };
}
