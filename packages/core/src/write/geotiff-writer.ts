// A pure-JS GeoTIFF writer: tiled, DEFLATE with predictor, GeoKeys and the GDAL
// metadata tags, classic TIFF or BigTIFF, internal overviews. The file is written
// to a temporary name in the target folder and renamed when complete. Node's fs is
// imported lazily, so `encodeGeoTiff` (to bytes in memory) also runs in a browser.
import { zlibSync } from 'fflate';
import { WriteError } from '../errors/write-error.js';
import { isAbortError, throwIfAborted } from '../errors/abort.js';
import { PyramidsError } from '../errors/pyramids-error.js';
import type { Grid } from '../grid/grid.js';
import {
  dataTypeOf,
  bytesPerSample,
  INTEGER_RANGES,
  type DataType,
  type WritableArray,
} from '../raster/data-type.js';
import type { BandInfo } from '../raster/raster-source.js';
import { nodeBuiltin } from '../platform/node-builtin.js';
import {
  encodeGeoKeyDirectory,
  geoKeysForCrs,
  geoKeyValue,
  RASTER_TYPE_PIXEL_IS_POINT,
  type GeoKeyDirectory,
} from './geo-key-directory.js';
import { formatGdalNumber, gdalMetadataXml } from './gdal-metadata.js';
import {
  downsampleBand,
  overviewFactors,
  overviewSize,
  type OverviewResampling,
} from './overviews.js';
import { encodeLzw } from './encode-lzw.js';
import { applyFloatingPointPredictor, applyHorizontalPredictor } from './predictor.js';
import {
  directorySize,
  encodeDirectory,
  encodeHeader,
  FieldType,
  type TiffField,
} from './tiff-directory.js';

/** Band info to write; `dataType` may be left out, as the typed array decides it. */
export type WritableBand = Omit<BandInfo, 'dataType'> & { dataType?: DataType };

/** What {@link writeGeoTiff} writes: a grid, per-band info and one typed array per band. */
export interface WritableRaster {
  /** Grid of the data; `crs` `EPSG:n` (or WKT with a top-level EPSG id) becomes GeoKeys. */
  grid: Grid;
  /** One entry per band (a `BandInfo` fits): nodata, scale, offset, unit, name (written as the band description). */
  bands: WritableBand[];
  /** One row-major typed array of `width × height` samples per band, all of one data type. */
  data: WritableArray[];
  /** Raw GeoKeys to write instead of those derived from `grid.crs` (a lossless round trip of a non-EPSG CRS). */
  geoKeys?: GeoKeyDirectory;
  /**
   * Ground control points, for a raster georeferenced by GCPs only (then `grid.transform`
   * must be the identity): written as tie points, as GDAL writes them.
   */
  gcps?: readonly { pixel: number; line: number; x: number; y: number; z?: number }[];
  /**
   * Dataset metadata items, written to GDAL_METADATA; `AREA_OR_POINT: 'Point'` instead
   * marks the raster PixelIsPoint in the GeoKeys derived from `grid.crs`, as GDAL does.
   */
  metadata?: Record<string, string>;
}

/** Options of {@link writeGeoTiff} and {@link encodeGeoTiff}. */
export interface WriteGeoTiffOptions {
  /** Tile width and height in pixels, a multiple of 16 (default 256). */
  tileSize?: number;
  /** Tile compression (default `deflate`); `lzw` as libtiff writes it. */
  compression?: 'deflate' | 'lzw' | 'none';
  /** DEFLATE level 1–9 (default 6, as GDAL). */
  compressionLevel?: number;
  /** Predictor with compression: horizontal (2) for integers, floating point (3) for floats (default true). */
  predictor?: boolean;
  /** Internal overviews: `true` halves until the coarsest level fits in one tile; or a list of factors (default none). */
  overviews?: boolean | number[];
  /** Overview resampling (default `average` for floats, `nearest` for integers). */
  overviewResampling?: OverviewResampling;
  /** Force BigTIFF (`true`) or classic TIFF (`false`); by default BigTIFF only when the file could exceed 4 GiB. */
  bigTiff?: boolean;
  /** Cancels the write; the temporary file is removed and the abort rethrown. */
  signal?: AbortSignal;
}

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

const WRITABLE_TYPES = new Set<DataType>([
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
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface Level {
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

export function fail(path: string, reason: string, details: Record<string, unknown> = {}): never {
  throw new WriteError(`cannot write GeoTIFF ${path}: ${reason}`, {
    details: { path, ...details },
  });
}

function sameNumber(a: number, b: number): boolean {
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

/** Checks the raster and options; returns the plan. Throws WriteError before any file is touched. */
function validate(path: string, raster: WritableRaster, options: WriteGeoTiffOptions): Plan {
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

/** The GeoKeys to write: the raw ones given, those of an EPSG CRS, or none without a CRS. */
function resolveGeoKeys(
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

function sampleFormat(dataType: DataType): number {
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

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let start = 0; start < bytes.length; start += size)
    bytes.subarray(start, start + size).reverse();
}

/**
 * The bytes of one full (padded) tile of one band, little-endian with the predictor
 * applied, ready to compress. May change `tile` in place.
 */
export function predictTile(plan: Plan, tile: WritableArray): Uint8Array {
  if (plan.predictor === 2) applyHorizontalPredictor(tile, plan.tileSize);
  let bytes = new Uint8Array(tile.buffer, tile.byteOffset, tile.byteLength);
  const sampleSize = tile.BYTES_PER_ELEMENT;
  if (!LITTLE_ENDIAN_HOST && sampleSize > 1) swapBytes(bytes, sampleSize);
  if (plan.predictor === 3) bytes = applyFloatingPointPredictor(bytes, plan.tileSize, sampleSize);
  return bytes;
}

/** One tile of one band, padded to the full tile, predicted and compressed. */
function encodeTile(
  plan: Plan,
  data: WritableArray,
  width: number,
  height: number,
  tileX: number,
  tileY: number,
): Uint8Array {
  const size = plan.tileSize;
  const Constructor = data.constructor as new (length: number) => WritableArray;
  const tile = new Constructor(size * size);
  const x0 = tileX * size;
  const y0 = tileY * size;
  const columns = Math.min(size, width - x0);
  const rows = Math.min(size, height - y0);
  for (let row = 0; row < rows; row++) {
    const start = (y0 + row) * width + x0;
    (tile as Float64Array).set((data as Float64Array).subarray(start, start + columns), row * size);
  }
  const bytes = predictTile(plan, tile);
  if (plan.compression === 'lzw') return encodeLzw(bytes);
  return plan.compression === 'deflate'
    ? zlibSync(bytes, { level: plan.compressionLevel as 6 })
    : bytes;
}

/** Upper bound of `raw` bytes in `tiles` tiles once compressed (DEFLATE's stored blocks, LZW's 12-bit codes). */
export function compressedBound(plan: Plan, raw: number, tiles: number): number {
  if (plan.compression === 'deflate') return raw + Math.ceil(raw / 1000) + tiles * 32;
  if (plan.compression === 'lzw') return Math.ceil(raw * 1.55) + tiles * 16;
  return raw;
}

/** Upper bound of the file size, to choose BigTIFF before writing. */
function estimateSize(plan: Plan, levels: readonly Level[]): number {
  let size = 16;
  for (const level of levels) {
    const tiles = level.tilesAcross * level.tilesDown * level.data.length;
    const raw = tiles * plan.tileSize * plan.tileSize * bytesPerSample(plan.dataType);
    // DEFLATE's worst case (stored blocks) adds a few bytes per 16 KiB and per stream.
    size += compressedBound(plan, raw, tiles);
    size += directorySize(level.fields, true);
  }
  return size;
}

/** Where encoded bytes go: writes at absolute positions. */
interface ByteSink {
  write(bytes: Uint8Array, position: number): Promise<void> | void;
}

/** A raster checked and described, ready to encode. */
interface Prepared {
  label: string;
  plan: Plan;
  raster: WritableRaster;
  extraFields: TiffField[];
  factors: number[];
  resampling: OverviewResampling;
  bigTiff: boolean | undefined;
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

/** Checks the raster and options and builds the tags. Throws WriteError; touches no file. */
function prepare(label: string, raster: WritableRaster, options: WriteGeoTiffOptions): Prepared {
  const plan = validate(label, raster, options);
  const extraFields = descriptionFields(label, raster);
  const { width, height } = raster.grid;
  return {
    label,
    plan,
    raster,
    extraFields,
    factors: overviewFactors(width, height, plan.tileSize, options.overviews),
    resampling:
      options.overviewResampling ?? (plan.dataType.startsWith('float') ? 'average' : 'nearest'),
    bigTiff: options.bigTiff,
  };
}

/**
 * Encodes a prepared raster into `sink`, laid out as a cloud-optimised GeoTIFF:
 * header, every directory, then tile data from the coarsest overview to the
 * full-resolution image. Returns the file size.
 */
async function encodeTo(
  sink: ByteSink,
  prepared: Prepared,
  signal: AbortSignal | undefined,
): Promise<number> {
  const { plan, raster, extraFields } = prepared;
  const { width, height } = raster.grid;
  const bandCount = raster.data.length;
  const sizes: [number, number][] = [
    [width, height],
    ...prepared.factors.map((factor) => overviewSize(width, height, factor)),
  ];
  const levelData = sizes.map(([levelWidth, levelHeight], index) =>
    index === 0
      ? raster.data
      : raster.data.map((band) =>
          downsampleBand(
            band,
            width,
            height,
            levelWidth,
            levelHeight,
            prepared.resampling,
            plan.nodata,
          ),
        ),
  );
  const buildLevels = (bigTiff: boolean): Level[] =>
    sizes.map(([levelWidth, levelHeight], index) => ({
      width: levelWidth,
      height: levelHeight,
      data: levelData[index]!,
      fields: [
        ...imageFields(plan, levelWidth, levelHeight, bandCount, index > 0, bigTiff),
        ...(index > 0 ? [] : extraFields),
      ],
      tilesAcross: Math.ceil(levelWidth / plan.tileSize),
      tilesDown: Math.ceil(levelHeight / plan.tileSize),
      offsets: [],
      byteCounts: [],
    }));
  const bigTiff = prepared.bigTiff ?? estimateSize(plan, buildLevels(true)) > CLASSIC_TIFF_LIMIT;
  const levels = buildLevels(bigTiff);

  const directoryPositions: number[] = [];
  let position = bigTiff ? 16 : 8;
  for (const level of levels) {
    directoryPositions.push(position);
    position += directorySize(level.fields, bigTiff);
  }
  for (const level of [...levels].reverse()) {
    for (let band = 0; band < bandCount; band++) {
      for (let tileY = 0; tileY < level.tilesDown; tileY++) {
        for (let tileX = 0; tileX < level.tilesAcross; tileX++) {
          throwIfAborted(signal);
          const bytes = encodeTile(
            plan,
            level.data[band]!,
            level.width,
            level.height,
            tileX,
            tileY,
          );
          await sink.write(bytes, position);
          level.offsets.push(position);
          level.byteCounts.push(bytes.length);
          position += bytes.length;
        }
      }
    }
  }
  if (!bigTiff && position > CLASSIC_TIFF_LIMIT) {
    fail(
      prepared.label,
      'the file grew past 4 GiB, which classic TIFF cannot address; write it with bigTiff: true',
    );
  }

  const directories = levels.map((level, index) => {
    const fields = level.fields.map((field) =>
      field.tag === TAG.TileOffsets
        ? { ...field, values: level.offsets }
        : field.tag === TAG.TileByteCounts
          ? { ...field, values: level.byteCounts }
          : field,
    );
    return encodeDirectory(
      fields,
      directoryPositions[index]!,
      directoryPositions[index + 1] ?? 0,
      bigTiff,
    );
  });
  const front = new Uint8Array(directoryPositions.at(-1)! + directories.at(-1)!.length);
  front.set(encodeHeader(directoryPositions[0]!, bigTiff), 0);
  directories.forEach((directory, index) => front.set(directory, directoryPositions[index]!));
  await sink.write(front, 0);
  return position;
}

/** A WriteError for a failure while encoding or writing (an abort or a WriteError passes as is). */
export function toWriteError(label: string, error: unknown, reason: string): unknown {
  if (isAbortError(error) || WriteError.isInstance(error)) return error;
  return new WriteError(`cannot write GeoTIFF ${label}: ${reason}; nothing was written`, {
    cause: error,
    details: { path: label },
  });
}

export function errorReason(error: unknown): string {
  return PyramidsError.isInstance(error)
    ? error.message
    : ((error as Error).message ?? String(error));
}

export function describeFileError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const reasons: Record<string, string> = {
    ENOENT: 'the folder does not exist',
    ENOTDIR: 'a part of the path is not a folder',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    EISDIR: 'the path is a folder',
    EFBIG: 'the file is too large for this file system',
  };
  const message = errorReason(error);
  return code && reasons[code] ? `${reasons[code]} (${message})` : message;
}

export function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Writes a raster as a tiled GeoTIFF (little-endian; BigTIFF when it could exceed
 * 4 GiB), laid out as a cloud-optimised GeoTIFF, that GDAL reads with the same data
 * type, pixels, CRS, geotransform, nodata, band descriptions, scale/offset and
 * metadata. Bands are stored planar (one tile set per band). The file appears at
 * `path` only when complete: it is written to a temporary file in the same folder
 * and renamed; on any failure that file is removed and a WriteError thrown (an
 * abort is rethrown as is). Node only; see {@link encodeGeoTiff} for bytes in memory.
 */
export async function writeGeoTiff(
  path: string,
  raster: WritableRaster,
  options: WriteGeoTiffOptions = {},
): Promise<void> {
  throwIfAborted(options.signal);
  const prepared = prepare(path, raster, options);
  const { open, rm } = nodeBuiltin('node:fs/promises', 'writing a GeoTIFF file');
  const nodePath = nodeBuiltin('node:path', 'writing a GeoTIFF file');
  const { replaceWithTemporary } = await import('./atomic-output.js');
  const temporary = nodePath.join(
    nodePath.dirname(path),
    `.${nodePath.basename(path)}.${randomSuffix()}.tmp`,
  );
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  let created = false;
  try {
    handle = await open(temporary, 'wx');
    created = true;
    const file = handle;
    await encodeTo(
      {
        write: async (bytes, position) => void (await file.write(bytes, 0, bytes.length, position)),
      },
      prepared,
      options.signal,
    );
    await handle.datasync();
    await handle.close();
    handle = undefined;
    await replaceWithTemporary(temporary, path);
    created = false;
  } catch (error) {
    if (handle) await handle.close().catch(() => undefined);
    if (created) await rm(temporary, { force: true }).catch(() => undefined);
    throw toWriteError(path, error, describeFileError(error));
  }
}

/**
 * Encodes a raster as GeoTIFF bytes in memory, exactly the bytes {@link writeGeoTiff}
 * writes to a file. Needs no Node API, so it also runs in a browser. Throws
 * WriteError (an abort is rethrown as is).
 */
export async function encodeGeoTiff(
  raster: WritableRaster,
  options: WriteGeoTiffOptions = {},
): Promise<Uint8Array> {
  throwIfAborted(options.signal);
  const label = '(in memory)';
  const prepared = prepare(label, raster, options);
  const chunks: { bytes: Uint8Array; position: number }[] = [];
  try {
    const size = await encodeTo(
      { write: (bytes, position) => void chunks.push({ bytes, position }) },
      prepared,
      options.signal,
    );
    const output = new Uint8Array(size);
    for (const { bytes, position } of chunks) output.set(bytes, position);
    return output;
  } catch (error) {
    throw toWriteError(label, error, errorReason(error));
  }
}
