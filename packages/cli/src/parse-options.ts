import { OptionError } from '@pyramids/core';

/** Parses `a,b,c,d` into four numbers; OptionError naming the flag otherwise. */
export function parseBbox(text: string, flag = '--bbox'): [number, number, number, number] {
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.length !== 4 || values.some((value) => !Number.isFinite(value))) {
    throw new OptionError(`${flag} needs four comma-separated numbers minx,miny,maxx,maxy; got '${text}'`);
  }
  return values as [number, number, number, number];
}

/** Parses `1,2,3` into positive integers. */
export function parseIntegerList(text: string, flag: string): number[] {
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.length === 0 || values.some((value) => !Number.isInteger(value) || value < 1)) {
    throw new OptionError(`${flag} needs comma-separated positive integers, e.g. 1,2,3; got '${text}'`);
  }
  return values;
}

/** Parses a positive number. */
export function parsePositive(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new OptionError(`${flag} needs a positive number; got '${text}'`);
  return value;
}

/** True when a SOURCE argument names an Items file rather than a raster. */
export function looksLikeItems(source: string): boolean {
  return /\.(json|geojson|ndjson|jsonl|parquet|geoparquet)$/i.test(source.split('?')[0]!) || source === '-';
}
