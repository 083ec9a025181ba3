import { INTEGER_RANGES, OptionError, type DataType } from '@pyramids/core';

/** Parses `a,b,c,d` into four numbers; OptionError naming the flag otherwise. */
export function parseBbox(text: string, flag = '--bbox'): [number, number, number, number] {
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.length !== 4 || values.some((value) => !Number.isFinite(value))) {
    throw new OptionError(
      `${flag} needs four comma-separated numbers minx,miny,maxx,maxy; got '${text}'`,
    );
  }
  return values as [number, number, number, number];
}

/** Parses `1,2,3` into positive integers. */
export function parseIntegerList(text: string, flag: string): number[] {
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.length === 0 || values.some((value) => !Number.isInteger(value) || value < 1)) {
    throw new OptionError(
      `${flag} needs comma-separated positive integers, e.g. 1,2,3; got '${text}'`,
    );
  }
  return values;
}

/** Parses a positive number. */
export function parsePositive(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new OptionError(`${flag} needs a positive number; got '${text}'`);
  return value;
}

/** True when a SOURCE argument names an Items file rather than a raster. */
export function looksLikeItems(source: string): boolean {
  return (
    /\.(json|geojson|ndjson|jsonl|parquet|geoparquet)$/i.test(source.split('?')[0]!) ||
    source === '-'
  );
}

/** Parses `w,s,e,n` in degrees: longitudes in -180..180, latitudes in -90..90, south ≤ north (west > east crosses the antimeridian). */
export function parseLonLatBbox(text: string, flag = '--bbox'): [number, number, number, number] {
  const bbox = parseBbox(text, flag);
  const [west, south, east, north] = bbox;
  if (
    [west, east].some((value) => value < -180 || value > 180) ||
    [south, north].some((value) => value < -90 || value > 90) ||
    south > north
  ) {
    throw new OptionError(
      `${flag} is west,south,east,north in degrees: longitudes in -180..180, latitudes in -90..90, south ≤ north; got '${text}'`,
    );
  }
  return bbox;
}

/** Output data types a raster can be written in. */
const OUTPUT_TYPES: readonly DataType[] = [
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'float32',
  'float64',
];

/** Parses `--dtype`: one of the types a GeoTIFF can hold. */
export function parseDataType(text: string, flag = '--dtype'): DataType {
  const type = text.trim().toLowerCase() as DataType;
  if (!OUTPUT_TYPES.includes(type))
    throw new OptionError(`${flag} must be one of ${OUTPUT_TYPES.join(', ')}; got '${text}'`);
  return type;
}

/**
 * Parses `--nodata`: a number or `nan`, and when the data type is an integer type, an
 * integer inside its range (a nodata the pixels cannot hold would never match).
 */
export function parseNodataValue(
  text: string,
  dataType: DataType | undefined,
  flag = '--nodata',
): number {
  const trimmed = text.trim();
  const value =
    trimmed.toLowerCase() === 'nan' ? Number.NaN : trimmed === '' ? Number.NaN : Number(trimmed);
  if (Number.isNaN(value) && trimmed.toLowerCase() !== 'nan')
    throw new OptionError(`${flag} needs a number or 'nan'; got '${text}'`);
  const range = dataType ? INTEGER_RANGES[dataType] : undefined;
  if (range && !(Number.isInteger(value) && value >= range[0] && value <= range[1])) {
    throw new OptionError(
      `${flag} ${text} does not fit ${dataType} (integers ${range[0]}..${range[1]}); pick a value in range or another --dtype`,
    );
  }
  if (!range && !Number.isNaN(value) && !Number.isFinite(value))
    throw new OptionError(`${flag} needs a finite number or 'nan'; got '${text}'`);
  return value;
}
