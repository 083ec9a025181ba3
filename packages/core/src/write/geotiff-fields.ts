// The TIFF tags of a GeoTIFF image: tag numbers, georeferencing (GeoKeys), image structure and band descriptions.
import type { WritableRaster } from './geotiff-writer.js';
import type { Plan } from './geotiff-plan.js';
import { WriteError } from '../errors/write-error.js';
import type { Grid } from '../grid/grid.js';
import { bytesPerSample, type DataType } from '../raster/data-type.js';
import {
  encodeGeoKeyDirectory,
  geoKeysForCrs,
  geoKeyValue,
  RASTER_TYPE_PIXEL_IS_POINT,
  type GeoKeyDirectory,
} from './geo-key-directory.js';
import { formatGdalNumber, gdalMetadataXml } from './gdal-metadata.js';
import { FieldType, type TiffField } from './tiff-directory.js';

export const TAG = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  PhotometricInterpretation: 262,
  SamplesPerPixel: 277,
  PlanarConfiguration: 284,
  Predictor: 317,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  ExtraSamples: 338,
  SampleFormat: 339,
  ModelPixelScale: 33550,
  ModelTiepoint: 33922,
  ModelTransformation: 34264,
  GeoKeyDirectory: 34735,
  GeoDoubleParams: 34736,
  GeoAsciiParams: 34737,
  GdalMetadata: 42112,
  GdalNodata: 42113,
} as const;

export function fail(path: string, reason: string, details: Record<string, unknown> = {}): never {
  throw new WriteError(`cannot write GeoTIFF ${path}: ${reason}`, {
    details: { path, ...details },
  });
}

export function sameNumber(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** Checks the grid's size and geotransform. */
export function checkGrid(path: string, grid: Grid): void {
  if (
    !grid ||
    !Number.isInteger(grid.width) ||
    !Number.isInteger(grid.height) ||
    grid.width < 1 ||
    grid.height < 1
  ) {
    fail(path, `grid size must be positive integers; got ${grid?.width} × ${grid?.height}`);
  }
  if (
    !Array.isArray(grid.transform) ||
    grid.transform.length !== 6 ||
    !grid.transform.every(Number.isFinite)
  ) {
    fail(
      path,
      `grid.transform must be 6 finite numbers (a GDAL geotransform); got ${JSON.stringify(grid.transform)}`,
    );
  }
}

/** The GeoKeys to write: the raw ones given, those of an EPSG CRS, or none without a CRS. */
export function resolveGeoKeys(
  path: string,
  raster: Omit<WritableRaster, 'data'>,
): GeoKeyDirectory | undefined {
  if (raster.geoKeys) return raster.geoKeys;
  const crs = raster.grid.crs;
  if (crs === null || crs === undefined || crs === '') return undefined;
  let geoKeys: GeoKeyDirectory | undefined;
  try {
    geoKeys = geoKeysForCrs(crs);
  } catch (error) {
    throw new WriteError(`cannot write GeoTIFF ${path}: ${(error as Error).message}`, {
      cause: error,
      details: { path, crs },
    });
  }
  if (!geoKeys) {
    const shown = crs.length > 80 ? `${crs.slice(0, 77)}...` : crs;
    fail(
      path,
      `CRS ${shown} has no EPSG code, so it cannot be written as GeoKeys; pass an EPSG code or the source's geoKeys`,
      { crs },
    );
  }
  // AREA_OR_POINT=Point in the metadata means PixelIsPoint, as in GDAL.
  if (raster.metadata?.['AREA_OR_POINT']?.toLowerCase() === 'point') {
    return {
      ...geoKeys,
      keys: geoKeys.keys.map((key) =>
        key.id === 1025 ? { ...key, value: RASTER_TYPE_PIXEL_IS_POINT } : key,
      ),
    };
  }
  return geoKeys;
}

/** Georeferencing tags: ModelPixelScale + ModelTiepoint when north-up, else ModelTransformation; GeoKeys. */
export function geoFields(path: string, raster: Omit<WritableRaster, 'data'>): TiffField[] {
  const fields: TiffField[] = [];
  const geoKeys = resolveGeoKeys(path, raster);
  const gt = raster.grid.transform;
  const isDefault =
    gt[0] === 0 && gt[1] === 1 && gt[2] === 0 && gt[3] === 0 && gt[4] === 0 && gt[5] === 1;
  if (raster.gcps && raster.gcps.length > 0) {
    if (!isDefault)
      fail(path, 'a raster cannot have both GCPs and a geotransform; pass one of them', {});
    fields.push({
      tag: TAG.ModelTiepoint,
      type: FieldType.DOUBLE,
      values: raster.gcps.flatMap((gcp) => [gcp.pixel, gcp.line, 0, gcp.x, gcp.y, gcp.z ?? 0]),
    });
  } else if (!isDefault || geoKeys) {
    // With PixelIsPoint the tie point is the centre of the first pixel; GDAL shifts it
    // back by half a pixel on reading, so the geotransform round-trips.
    const pixelIsPoint =
      geoKeys !== undefined && geoKeyValue(geoKeys, 1025) === RASTER_TYPE_PIXEL_IS_POINT;
    const originX = pixelIsPoint ? gt[0] + 0.5 * gt[1] + 0.5 * gt[2] : gt[0];
    const originY = pixelIsPoint ? gt[3] + 0.5 * gt[4] + 0.5 * gt[5] : gt[3];
    if (gt[2] === 0 && gt[4] === 0 && gt[5] < 0) {
      fields.push({ tag: TAG.ModelPixelScale, type: FieldType.DOUBLE, values: [gt[1], -gt[5], 0] });
      fields.push({
        tag: TAG.ModelTiepoint,
        type: FieldType.DOUBLE,
        values: [0, 0, 0, originX, originY, 0],
      });
    } else {
      fields.push({
        tag: TAG.ModelTransformation,
        type: FieldType.DOUBLE,
        values: [gt[1], gt[2], 0, originX, gt[4], gt[5], 0, originY, 0, 0, 0, 0, 0, 0, 0, 1],
      });
    }
  }
  if (geoKeys && geoKeys.keys.length > 0) {
    let encoded;
    try {
      encoded = encodeGeoKeyDirectory(geoKeys);
    } catch (error) {
      throw new WriteError(
        `cannot write GeoTIFF ${path}: invalid geoKeys: ${(error as Error).message}`,
        { cause: error, details: { path } },
      );
    }
    fields.push({ tag: TAG.GeoKeyDirectory, type: FieldType.SHORT, values: encoded.directory });
    if (encoded.doubles.length > 0)
      fields.push({ tag: TAG.GeoDoubleParams, type: FieldType.DOUBLE, values: encoded.doubles });
    if (encoded.ascii !== '')
      fields.push({ tag: TAG.GeoAsciiParams, type: FieldType.ASCII, values: encoded.ascii });
  }
  return fields;
}

export function sampleFormat(dataType: DataType): number {
  if (dataType.startsWith('float')) return 3;
  return dataType.startsWith('int') ? 2 : 1;
}

/** The fields every level has; offsets and byte counts hold zeros of the right length until the layout is known. */
export function imageFields(
  plan: Plan,
  width: number,
  height: number,
  bandCount: number,
  isOverview: boolean,
  bigTiff: boolean,
): TiffField[] {
  const tilesAcross = Math.ceil(width / plan.tileSize);
  const tilesDown = Math.ceil(height / plan.tileSize);
  const tileCount = tilesAcross * tilesDown * bandCount;
  const bits = bytesPerSample(plan.dataType) * 8;
  const fields: TiffField[] = [
    { tag: TAG.ImageWidth, type: FieldType.LONG, values: [width] },
    { tag: TAG.ImageLength, type: FieldType.LONG, values: [height] },
    {
      tag: TAG.BitsPerSample,
      type: FieldType.SHORT,
      values: new Array<number>(bandCount).fill(bits),
    },
    {
      tag: TAG.Compression,
      type: FieldType.SHORT,
      values: [plan.compression === 'deflate' ? 8 : plan.compression === 'lzw' ? 5 : 1],
    },
    { tag: TAG.PhotometricInterpretation, type: FieldType.SHORT, values: [1] }, // min-is-black
    { tag: TAG.SamplesPerPixel, type: FieldType.SHORT, values: [bandCount] },
    // Bands stored separately (planar), so a reader fetches only the bands it needs.
    { tag: TAG.PlanarConfiguration, type: FieldType.SHORT, values: [bandCount > 1 ? 2 : 1] },
    { tag: TAG.TileWidth, type: FieldType.LONG, values: [plan.tileSize] },
    { tag: TAG.TileLength, type: FieldType.LONG, values: [plan.tileSize] },
    {
      tag: TAG.TileOffsets,
      type: bigTiff ? FieldType.LONG8 : FieldType.LONG,
      values: new Array<number>(tileCount).fill(0),
    },
    {
      tag: TAG.TileByteCounts,
      type: bigTiff ? FieldType.LONG8 : FieldType.LONG,
      values: new Array<number>(tileCount).fill(0),
    },
    {
      tag: TAG.SampleFormat,
      type: FieldType.SHORT,
      values: new Array<number>(bandCount).fill(sampleFormat(plan.dataType)),
    },
  ];
  if (isOverview) fields.push({ tag: TAG.NewSubfileType, type: FieldType.LONG, values: [1] }); // reduced-resolution image
  if (plan.predictor !== 1)
    fields.push({ tag: TAG.Predictor, type: FieldType.SHORT, values: [plan.predictor] });
  if (bandCount > 1)
    fields.push({
      tag: TAG.ExtraSamples,
      type: FieldType.SHORT,
      values: new Array<number>(bandCount - 1).fill(0),
    });
  if (plan.nodata !== undefined)
    fields.push({
      tag: TAG.GdalNodata,
      type: FieldType.ASCII,
      values: formatGdalNumber(plan.nodata),
    });
  return fields;
}

/** The full-resolution image's georeferencing and GDAL_METADATA tags. Throws WriteError. */
export function descriptionFields(
  label: string,
  raster: Omit<WritableRaster, 'data'>,
): TiffField[] {
  // AREA_OR_POINT lives in GTRasterTypeGeoKey, not in GDAL_METADATA (as GDAL writes it).
  const metadata = Object.fromEntries(
    Object.entries(raster.metadata ?? {}).filter(([key]) => key !== 'AREA_OR_POINT'),
  );
  const metadataXml = gdalMetadataXml(raster.bands, metadata);
  const extraFields = geoFields(label, raster);
  if (metadataXml !== undefined) {
    extraFields.push({ tag: TAG.GdalMetadata, type: FieldType.ASCII, values: metadataXml });
  }
  return extraFields;
}
