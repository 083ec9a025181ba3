// How a raster will be laid out as a GeoTIFF: checked input, tiles, levels, BigTIFF or classic.
import type { WritableRaster, WriteGeoTiffOptions, WritableBand } from './geotiff-writer.js';
import {
  dataTypeOf,
  INTEGER_RANGES,
  type DataType,
  type WritableArray,
} from '../raster/data-type.js';
import { formatGdalNumber } from './gdal-metadata.js';
import { type TiffField } from './tiff-directory.js';
import { fail, sameNumber, checkGrid } from './geotiff-fields.js';

export const WRITABLE_TYPES = new Set<DataType>([
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
]);

export const CLASSIC_TIFF_LIMIT = 2 ** 32 - 1;

export interface Level {
  width: number;
  height: number;
  data: WritableArray[];
  fields: TiffField[];
  tilesAcross: number;
  tilesDown: number;
  offsets: number[];
  byteCounts: number[];
}

/** How tiles are laid out and encoded. */
export interface Plan {
  dataType: DataType;
  tileSize: number;
  compression: 'deflate' | 'lzw' | 'none';
  compressionLevel: number;
  predictor: 1 | 2 | 3;
  nodata: number | undefined;
}

/** Checks the raster and options; returns the plan. Throws WriteError before any file is touched. */
export function validate(path: string, raster: WritableRaster, options: WriteGeoTiffOptions): Plan {
  const { grid, bands, data } = raster;
  checkGrid(path, grid);
  if (!Array.isArray(data) || data.length === 0)
    fail(path, 'no band data: pass one typed array per band in `data`');
  if (data.length > 65535) fail(path, `${data.length} bands; a GeoTIFF holds at most 65535`);
  if (!Array.isArray(bands) || bands.length !== data.length) {
    fail(
      path,
      `${data.length} data arrays but ${bands?.length ?? 0} band descriptions; pass one of each per band`,
    );
  }
  const expected = grid.width * grid.height;
  const dataType = dataTypeOf(data[0]!);
  data.forEach((array, index) => {
    if (!ArrayBuffer.isView(array)) fail(path, `data[${index}] is not a typed array`);
    if (array.length !== expected) {
      fail(
        path,
        `band ${index + 1} has ${array.length} values; the ${grid.width} × ${grid.height} grid needs ${expected}`,
        {
          band: index + 1,
        },
      );
    }
    const arrayType = dataTypeOf(array);
    if (arrayType !== dataType)
      fail(
        path,
        `bands differ in data type (${dataType} and ${arrayType}); a GeoTIFF holds one data type for all bands`,
      );
    const declared = bands[index]!.dataType;
    if (
      declared !== undefined &&
      declared !== arrayType &&
      !(declared === 'float16' && arrayType === 'float32')
    ) {
      fail(
        path,
        `band ${index + 1} is declared ${declared} but its data is a ${array.constructor.name} (${arrayType})`,
      );
    }
  });
  return planFor(path, bands, dataType, options);
}

/** Checks data type, nodata and options (not the pixels); returns the plan. Throws WriteError. */
export function planFor(
  path: string,
  bands: readonly WritableBand[],
  dataType: DataType,
  options: WriteGeoTiffOptions,
): Plan {
  if (!WRITABLE_TYPES.has(dataType)) fail(path, `data type ${dataType} cannot be written`);

  const defined = bands
    .map((band) => band.nodata)
    .filter((value): value is number => value !== undefined && value !== null);
  const nodata = defined[0];
  if (nodata !== undefined) {
    if (defined.some((value) => !sameNumber(value, nodata))) {
      fail(
        path,
        `bands have different nodata values (${defined.map(formatGdalNumber).join(', ')}); a GeoTIFF holds one nodata value for all bands`,
      );
    }
    if (!dataType.startsWith('float') && !Number.isInteger(nodata)) {
      fail(
        path,
        `nodata ${formatGdalNumber(nodata)} cannot be stored in ${dataType} pixels; use an integer nodata value`,
      );
    }
    const range = INTEGER_RANGES[dataType];
    if (range && (nodata < range[0] || nodata > range[1])) {
      fail(
        path,
        `nodata ${nodata} is outside the ${dataType} range ${range[0]}..${range[1]}; GDAL would ignore it`,
      );
    }
  }

  const tileSize = options.tileSize ?? 256;
  if (!Number.isInteger(tileSize) || tileSize < 16 || tileSize % 16 !== 0 || tileSize > 65536) {
    fail(path, `tileSize must be a multiple of 16 between 16 and 65536; got ${tileSize}`);
  }
  const compression = options.compression ?? 'deflate';
  if (compression !== 'deflate' && compression !== 'lzw' && compression !== 'none')
    fail(
      path,
      `compression must be 'deflate', 'lzw' or 'none'; got ${JSON.stringify(compression)}`,
    );
  const compressionLevel = options.compressionLevel ?? 6;
  if (!Number.isInteger(compressionLevel) || compressionLevel < 1 || compressionLevel > 9) {
    fail(path, `compressionLevel must be an integer from 1 to 9; got ${compressionLevel}`);
  }
  if (
    Array.isArray(options.overviews) &&
    !options.overviews.every((factor) => Number.isInteger(factor) && factor >= 2)
  ) {
    fail(
      path,
      `overview factors must be integers of at least 2; got ${JSON.stringify(options.overviews)}`,
    );
  }
  if (
    options.overviewResampling !== undefined &&
    options.overviewResampling !== 'nearest' &&
    options.overviewResampling !== 'average'
  ) {
    fail(
      path,
      `overviewResampling must be 'nearest' or 'average'; got ${JSON.stringify(options.overviewResampling)}`,
    );
  }
  const usePredictor = compression !== 'none' && (options.predictor ?? true);
  const predictor = !usePredictor ? 1 : dataType.startsWith('float') ? 3 : 2;
  return { dataType, tileSize, compression, compressionLevel, predictor, nodata };
}
