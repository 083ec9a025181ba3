import { GridError } from '../errors/grid-error.js';

/**
 * GDAL-order affine geotransform:
 * `[originX, pixelWidth, rowRotation, originY, columnRotation, pixelHeight]`.
 * x = gt[0] + col * gt[1] + row * gt[2]; y = gt[3] + col * gt[4] + row * gt[5].
 */
export type GeoTransform = [number, number, number, number, number, number];

/**
 * STAC `proj:transform` (rasterio/affine order, 6 or 9 numbers) → GDAL geotransform.
 * Throws GridError for fewer than 6 numbers.
 */
export function affineToGeotransform(affine: readonly number[]): GeoTransform {
  if (
    !Array.isArray(affine) ||
    affine.length < 6 ||
    affine.slice(0, 6).some((value) => typeof value !== 'number' || !Number.isFinite(value))
  ) {
    throw new GridError(
      `proj:transform needs at least 6 finite numbers [a, b, c, d, e, f]; got ${JSON.stringify(affine)}`,
    );
  }
  const [a, b, c, d, e, f] = affine as [number, number, number, number, number, number];
  return [c, a, b, f, d, e];
}

/** GDAL geotransform → STAC `proj:transform` (6 numbers, affine order). */
export function geotransformToAffine(
  geotransform: readonly number[],
): [number, number, number, number, number, number] {
  if (geotransform.length < 6) {
    throw new GridError(`a geotransform needs 6 numbers; got ${JSON.stringify(geotransform)}`);
  }
  const [c, a, b, f, d, e] = geotransform as GeoTransform;
  return [a, b, c, d, e, f];
}

/** Pixel (col,row) → world (x,y). Fractional pixels allowed: (0,0) is the top-left corner. */
export function pixelToWorld(gt: GeoTransform, col: number, row: number): [number, number] {
  return [gt[0] + col * gt[1] + row * gt[2], gt[3] + col * gt[4] + row * gt[5]];
}

/** World (x,y) → fractional pixel (col,row) through the inverse geotransform. */
export function worldToPixel(gt: GeoTransform, x: number, y: number): [number, number] {
  const inverse = invertGeotransform(gt);
  return [
    inverse[0] + x * inverse[1] + y * inverse[2],
    inverse[3] + x * inverse[4] + y * inverse[5],
  ];
}

/** Inverse of a geotransform; GridError when it is singular. */
export function invertGeotransform(gt: GeoTransform): GeoTransform {
  if (gt[2] === 0 && gt[4] === 0) {
    if (gt[1] === 0 || gt[5] === 0)
      throw new GridError(`geotransform ${JSON.stringify(gt)} has a zero pixel size`);
    return [-gt[0] / gt[1], 1 / gt[1], 0, -gt[3] / gt[5], 0, 1 / gt[5]];
  }
  const determinant = gt[1] * gt[5] - gt[2] * gt[4];
  if (Math.abs(determinant) < 1e-15)
    throw new GridError(`geotransform ${JSON.stringify(gt)} cannot be inverted`);
  const inverseDeterminant = 1 / determinant;
  return [
    (gt[2] * gt[3] - gt[0] * gt[5]) * inverseDeterminant,
    gt[5] * inverseDeterminant,
    -gt[2] * inverseDeterminant,
    (-gt[1] * gt[3] + gt[0] * gt[4]) * inverseDeterminant,
    -gt[4] * inverseDeterminant,
    gt[1] * inverseDeterminant,
  ];
}

/** True when the transform has no rotation terms. */
export function isNorthUp(gt: GeoTransform): boolean {
  return gt[2] === 0 && gt[4] === 0;
}
