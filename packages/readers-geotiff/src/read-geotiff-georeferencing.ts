// Where a GeoTIFF sits on Earth, read as GDAL reads it: the geotransform (or GCPs), the
// CRS from the GeoKeys, and the raw GeoKeys so a write can reproduce any CRS exactly.
import type { GeoTIFFImage } from 'geotiff';
import { normalizeCrs, type GeoTransform } from '@pyramids/core';
import { tagValue } from './tiff-tag-value.js';

const IDENTITY: GeoTransform = [0, 1, 0, 0, 0, 1];

/** Raw GeoTIFF georeferencing tags, kept so a write can reproduce any CRS exactly. */
export interface RawGeoKeys {
  /** GeoKeyDirectoryTag (34735) shorts. */
  directory: number[];
  /** GeoDoubleParamsTag (34736). */
  doubleParams?: number[];
  /** GeoAsciiParamsTag (34737). */
  asciiParams?: string;
}

/** A ground control point as GDAL reports it. */
export interface GroundControlPoint {
  pixel: number;
  line: number;
  x: number;
  y: number;
  z: number;
}

/** The georeferencing of a GeoTIFF's full-resolution image. */
export interface GeoTiffGeoreferencing {
  /** Pixel → CRS affine transform; the identity when the file has none (or only GCPs). */
  transform: GeoTransform;
  /** The grid's CRS; null when the file has none or is georeferenced by GCPs only. */
  crs: string | null;
  /** Ground control points, when the file is georeferenced by them. */
  gcps?: GroundControlPoint[];
  /** CRS of the GCPs (null when unknown); set with `gcps`. */
  gcpCrs?: string | null;
  /** The GeoKey tags as stored. */
  rawGeoKeys?: RawGeoKeys;
}

/** Reads the transform, CRS, GCPs and raw GeoKeys of the full-resolution image. */
export async function readGeoTiffGeoreferencing(
  image: GeoTIFFImage,
): Promise<GeoTiffGeoreferencing> {
  const keys = image.getGeoKeys() as Record<string, number> | null;
  const pixelIsPoint = keys?.['GTRasterTypeGeoKey'] === 2;
  const { transform, gcps } = await readTransform(image, pixelIsPoint);
  const crs = await readCrs(image);
  const georeferencing: GeoTiffGeoreferencing = { transform, crs: gcps ? null : crs };
  if (gcps) {
    georeferencing.gcps = gcps;
    georeferencing.gcpCrs = crs;
  }
  const rawGeoKeys = await readRawGeoKeys(image);
  if (rawGeoKeys) georeferencing.rawGeoKeys = rawGeoKeys;
  return georeferencing;
}

/** Geotransform and GCPs of the full-resolution image, as GDAL derives them. */
async function readTransform(
  image: GeoTIFFImage,
  pixelIsPoint: boolean,
): Promise<{ transform: GeoTransform; gcps?: GroundControlPoint[] }> {
  const matrix = await tagValue<number[]>(image, 'ModelTransformation');
  const scale = await tagValue<number[]>(image, 'ModelPixelScale');
  const tiepoints = await tagValue<number[]>(image, 'ModelTiepoint');
  let transform: GeoTransform | undefined;
  if (matrix && matrix.length >= 16) {
    transform = [matrix[3]!, matrix[0]!, matrix[1]!, matrix[7]!, matrix[4]!, matrix[5]!];
  } else if (scale && tiepoints && tiepoints.length >= 6) {
    const [i, j, , x, y] = tiepoints as [number, number, number, number, number];
    transform = [x - i * scale[0]!, scale[0]!, 0, y + j * scale[1]!, 0, -scale[1]!];
  } else if (tiepoints && tiepoints.length >= 6) {
    const gcps: GroundControlPoint[] = [];
    for (let index = 0; index + 5 < tiepoints.length; index += 6) {
      gcps.push({
        pixel: tiepoints[index]!,
        line: tiepoints[index + 1]!,
        x: tiepoints[index + 3]!,
        y: tiepoints[index + 4]!,
        z: tiepoints[index + 5]!,
      });
    }
    return { transform: IDENTITY, gcps };
  }
  if (!transform) return { transform: IDENTITY };
  if (pixelIsPoint) {
    // GDAL's default (GTIFF_POINT_GEO_IGNORE=FALSE): the tiepoint names a pixel centre.
    transform = [
      transform[0] - 0.5 * transform[1] - 0.5 * transform[2],
      transform[1],
      transform[2],
      transform[3] - 0.5 * transform[4] - 0.5 * transform[5],
      transform[4],
      transform[5],
    ];
  }
  return { transform };
}

/** CRS of the file: an EPSG code when the GeoKeys name one, else a proj4 string built from the keys. */
async function readCrs(image: GeoTIFFImage): Promise<string | null> {
  const keys = image.getGeoKeys() as Record<string, number | string | number[] | undefined> | null;
  if (!keys) return null;
  const projected = keys['ProjectedCSTypeGeoKey'];
  if (typeof projected === 'number' && projected > 0 && projected < 32767)
    return `EPSG:${projected}`;
  const modelType = keys['GTModelTypeGeoKey'];
  const geographic = keys['GeographicTypeGeoKey'];
  if (modelType !== 1 && typeof geographic === 'number' && geographic > 0 && geographic < 32767)
    return `EPSG:${geographic}`;
  // GDAL stores a CRS GeoKeys cannot express as an ESRI WKT in the citation: the full definition.
  const citation = [
    keys['PCSCitationGeoKey'],
    keys['GTCitationGeoKey'],
    keys['GeogCitationGeoKey'],
  ].find(
    (value): value is string => typeof value === 'string' && value.includes('ESRI PE String = '),
  );
  const esriWkt = citation?.split('ESRI PE String = ')[1]?.split('|')[0]?.trim();
  if (esriWkt) return normalizeCrs(esriWkt);
  try {
    const { toProj4 } = await import('geotiff-geokeys-to-proj4');
    const converted = toProj4(keys as never) as { proj4?: string };
    return converted.proj4 ? normalizeCrs(converted.proj4) : null;
  } catch {
    return null;
  }
}

async function readRawGeoKeys(image: GeoTIFFImage): Promise<RawGeoKeys | undefined> {
  const directory = await tagValue<ArrayLike<number>>(image, 'GeoKeyDirectory');
  if (!directory) return undefined;
  const raw: RawGeoKeys = { directory: Array.from(directory) };
  const doubles = await tagValue<ArrayLike<number>>(image, 'GeoDoubleParams');
  if (doubles) raw.doubleParams = Array.from(doubles);
  const ascii = await tagValue<string>(image, 'GeoAsciiParams');
  if (ascii) raw.asciiParams = ascii;
  return raw;
}
