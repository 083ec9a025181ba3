// A pure-JS GeoTIFF writer: tiled, DEFLATE with predictor, GeoKeys and the GDAL
// metadata tags, classic TIFF or BigTIFF, internal overviews. The file is written
// to a temporary name in the target folder and renamed when complete. Node's fs is
// imported lazily, so `encodeGeoTiff` (to bytes in memory) also runs in a browser.
import { throwIfAborted } from '../errors/abort.js';
import type { Grid } from '../grid/grid.js';
import { type DataType, type WritableArray } from '../raster/data-type.js';
import type { BandInfo } from '../raster/raster-source.js';
import { nodeBuiltin } from '../platform/node-builtin.js';
import { type GeoKeyDirectory } from './geo-key-directory.js';
import {
  downsampleBand,
  overviewFactors,
  overviewSize,
  type OverviewResampling,
} from './overviews.js';
import { directorySize, encodeDirectory, encodeHeader, type TiffField } from './tiff-directory.js';
import { TAG, fail, imageFields, descriptionFields } from './geotiff-fields.js';
import { toWriteError, errorReason, describeFileError, randomSuffix } from './write-file-errors.js';
import { encodeTile, estimateSize } from './geotiff-tiles.js';
import { CLASSIC_TIFF_LIMIT, validate, type Level, type Plan } from './geotiff-plan.js';

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
