// CRS handling through proj4. Codes beyond proj4's built-ins come from the
// epsg-index definitions package, loaded one code at a time on first use.
import proj4 from 'proj4';
import { GridError } from '../errors/grid-error.js';
import { epsgDefinition, loadEpsgDefinition, type EpsgDefinition } from './epsg-definitions.js';
import type { Bounds } from './grid.js';

const registered = new Set<string>();
const kinds = new Map<string, string>();

/**
 * Normalises a CRS given as `EPSG:32633`, `epsg:32633`, a number, an OGC URN/URL,
 * WKT (1 or 2), PROJJSON (object or text) or a proj4 string. Codes come back as
 * `EPSG:n`; PROJJSON with an id comes back as its code; anything else unchanged.
 */
export function normalizeCrs(input: string | number | object | null | undefined): string | null {
  if (input === null || input === undefined || input === '') return null;
  if (typeof input === 'number') return `EPSG:${input}`;
  if (typeof input === 'object') {
    const id = (input as { id?: { authority?: string; code?: number | string } }).id;
    if (id?.authority && id.code !== undefined) return `${id.authority.toUpperCase()}:${id.code}`;
    return JSON.stringify(input);
  }
  const text = input.trim();
  const code = /^([a-z]+):(\d+)$/i.exec(text);
  if (code) return `${code[1]!.toUpperCase()}:${code[2]}`;
  const urn =
    /^urn:ogc:def:crs:([a-z]+):[^:]*:(\d+)$/i.exec(text) ??
    /opengis\.net\/def\/crs\/([a-z]+)\/[^/]+\/(\d+)$/i.exec(text);
  if (urn) return `${urn[1]!.toUpperCase()}:${urn[2]}`;
  if (/^crs84$/i.test(text) || /OGC[:/]1\.3[:/]CRS84$/i.test(text)) return 'EPSG:4326';
  // WKT whose root carries an EPSG id names that code: compare it as the code.
  const rootId = /,\s*(?:ID\["EPSG",\s*(\d+)\]|AUTHORITY\["EPSG",\s*"(\d+)"\])\s*\]\s*$/.exec(text);
  if (rootId && /^[A-Z]+\[/.test(text)) return `EPSG:${rootId[1] ?? rootId[2]}`;
  if (text.startsWith('{')) {
    try {
      return normalizeCrs(JSON.parse(text) as object);
    } catch {
      return text;
    }
  }
  return text;
}

/** The EPSG code of a CRS string (`EPSG:n`), or undefined. */
export function epsgCode(crs: string | null): number | undefined {
  const match = crs ? /^EPSG:(\d+)$/.exec(crs) : null;
  return match ? Number(match[1]) : undefined;
}

function loadEpsg(code: number): EpsgDefinition | undefined {
  return epsgDefinition(code);
}

/**
 * Loads what proj4 needs for `crs` (an EPSG code's definition, by a lazy ESM import)
 * and registers it; the synchronous CRS functions then work for it in any runtime.
 * Async entry points (opening a raster, building a cube) call it; call it yourself
 * before using an EPSG code outside them in a browser. Returns the proj4 key.
 */
export async function loadCrs(crs: string): Promise<string> {
  const code = epsgCode(crs);
  if (code !== undefined && !registered.has(crs) && !proj4.defs(crs) && !utmDefinition(code))
    await loadEpsgDefinition(code);
  return ensureCrs(crs);
}

function utmDefinition(code: number): string | undefined {
  if (code >= 32601 && code <= 32660)
    return `+proj=utm +zone=${code - 32600} +datum=WGS84 +units=m +no_defs`;
  if (code >= 32701 && code <= 32760)
    return `+proj=utm +zone=${code - 32700} +south +datum=WGS84 +units=m +no_defs`;
  return undefined;
}

/**
 * proj4 ships no datum grids, and a `+nadgrids` it has not been given turns every
 * point into NaN (NAD27 and friends), even when marked optional. Dropping the
 * grid falls back to the datum's ellipsoid, off by up to ~100 m, instead of failing.
 */
function optionalGrids(definition: string | undefined): string | undefined {
  return definition?.replace(/\s*\+nadgrids=\S+/, '');
}

/**
 * Makes sure proj4 knows `crs`, registering it from the definitions package when
 * needed. Returns the proj4 key to use. GridError when the CRS cannot be resolved.
 */
export function ensureCrs(crs: string): string {
  if (registered.has(crs)) return crs;
  const code = epsgCode(crs);
  try {
    if (code !== undefined) {
      if (!proj4.defs(crs)) {
        const definition = optionalGrids(utmDefinition(code) ?? loadEpsg(code)?.proj4);
        if (!definition) {
          throw new GridError(
            `unknown CRS ${crs}: it is not in the EPSG definitions known to pyramids (in a browser, await loadCrs('${crs}') first); pass it as WKT2 or PROJJSON instead`,
          );
        }
        proj4.defs(crs, definition);
      }
    } else if (!proj4.defs(crs)) {
      // PROJJSON arrives as text; proj4 takes it as an object.
      proj4.defs(crs, crs.startsWith('{') ? (JSON.parse(crs) as never) : crs);
    }
    // Building a converter validates the definition once, here, with a clear error.
    proj4(crs, 'EPSG:4326');
  } catch (error) {
    if (GridError.isInstance(error)) throw error;
    const shown = crs.length > 80 ? `${crs.slice(0, 77)}...` : crs;
    throw new GridError(`cannot use CRS ${shown}: ${(error as Error).message ?? String(error)}`, {
      cause: error,
    });
  }
  registered.add(crs);
  return crs;
}

/** True when the CRS is geographic (degrees). */
export function isGeographic(crs: string): boolean {
  ensureCrs(crs);
  const definition = proj4.defs(crs) as { projName?: string } | undefined;
  return definition?.projName === 'longlat';
}

/** Human name of an EPSG CRS where known (e.g. `WGS 84 / UTM zone 33N`). */
export function crsName(crs: string): string | undefined {
  const code = epsgCode(crs);
  if (code === undefined) return undefined;
  if (!kinds.has(crs)) kinds.set(crs, loadEpsg(code)?.name ?? '');
  return kinds.get(crs) || undefined;
}

/** WKT (GDAL WKT1 flavour) of an EPSG CRS, where the definitions package has it. */
export function crsWkt(crs: string): string | undefined {
  const code = epsgCode(crs);
  if (code === undefined)
    return crs.startsWith('PROJCS') || crs.startsWith('GEOGCS') || /^[A-Z]+CRS\[/.test(crs)
      ? crs
      : undefined;
  return loadEpsg(code)?.wkt;
}

/** A point transformer from one CRS to another. */
export function createTransformer(
  from: string,
  to: string,
): (x: number, y: number) => [number, number] {
  if (from === to) return (x, y) => [x, y];
  const converter = proj4(ensureCrs(from), ensureCrs(to)) as proj4.Converter;
  return (x, y) => {
    const [outX, outY] = converter.forward([x, y]) as [number, number];
    return [outX, outY];
  };
}

/**
 * Transforms bounds by densifying each edge (21 points by default), so curved
 * edges in the target CRS are covered. Points that fail to project are skipped.
 */
export function transformBounds(bounds: Bounds, from: string, to: string, densify = 21): Bounds {
  if (from === to) return [...bounds] as Bounds;
  const transform = createTransformer(from, to);
  const [minX, minY, maxX, maxY] = bounds;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let step = 0; step <= densify; step++) {
    const t = step / densify;
    const x = minX + (maxX - minX) * t;
    const y = minY + (maxY - minY) * t;
    for (const [px, py] of [
      [x, minY],
      [x, maxY],
      [minX, y],
      [maxX, y],
    ] as const) {
      const [tx, ty] = transform(px, py);
      if (Number.isFinite(tx) && Number.isFinite(ty)) {
        xs.push(tx);
        ys.push(ty);
      }
    }
  }
  if (xs.length === 0)
    throw new GridError(
      `bounds ${JSON.stringify(bounds)} cannot be transformed from ${from} to ${to}`,
    );
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/**
 * EPSG code of the local WGS84 UTM zone of a point: 6° zones, the equator counts
 * as north, no Norway/Svalbard exceptions, longitudes wrapped into ±180.
 */
export function utmZoneEpsg(lon: number, lat: number): number {
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || lat < -90 || lat > 90) {
    throw new GridError(`cannot pick a UTM zone for lon=${lon}, lat=${lat}`);
  }
  const wrapped = ((((lon + 180) % 360) + 360) % 360) - 180;
  const zone = Math.min(60, Math.floor((wrapped + 180) / 6) + 1);
  return (lat >= 0 ? 32600 : 32700) + zone;
}
