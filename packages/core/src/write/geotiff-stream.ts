// A GeoTIFF written chunk by chunk: each tile is compressed and written as soon as
// the chunks that cover it have arrived, so memory holds only tiles still partly
// covered, never the whole raster. Directory sizes depend only on tag counts, so
// they are reserved at the front and filled in at the end. Without overviews tiles
// go straight to the file in the order they complete; with overviews every level
// is spilled to a scratch file and copied into the COG order GDAL writes
// (coarsest overview first, full resolution last) when the last chunk is in.
// Kept in one file: one writer whose closures share the open file, the tile buffers and the offsets.
import { throwIfAborted } from '../errors/abort.js';
import type { Grid } from '../grid/grid.js';
import type { PixelWindow } from '../raster/raster-source.js';
import {
  allocateArray,
  bytesPerSample,
  dataTypeOf,
  type DataType,
  type WritableArray,
} from '../raster/data-type.js';
import type { GeoKeyDirectory } from './geo-key-directory.js';
import { deflateTile } from './deflate-tile.js';
import { encodeLzw } from './encode-lzw.js';
import { checkGrid, descriptionFields, fail, imageFields, TAG } from './geotiff-fields.js';
import { compressedBound, predictTile } from './geotiff-tiles.js';
import { describeFileError, randomSuffix, toWriteError } from './write-file-errors.js';
import { CLASSIC_TIFF_LIMIT, planFor } from './geotiff-plan.js';
import type { WritableBand, WriteGeoTiffOptions } from './geotiff-writer.js';
import { overviewFactors, overviewSize, type OverviewResampling } from './overviews.js';
import { directorySize, encodeDirectory, encodeHeader, type TiffField } from './tiff-directory.js';
import { nodeBuiltin } from '../platform/node-builtin.js';
import { replaceWithTemporary } from './atomic-output.js';

/** What a streamed GeoTIFF holds, known before any pixel: the grid and every band (with its data type). */
export interface GeoTiffStreamDescription {
  grid: Grid;
  /** One entry per band of the file, all of one data type. */
  bands: (WritableBand & { dataType: DataType })[];
  /** Dataset metadata items (GDAL_METADATA); `AREA_OR_POINT: 'Point'` marks PixelIsPoint. */
  metadata?: Record<string, string>;
  /** Raw GeoKeys to write instead of those derived from `grid.crs`. */
  geoKeys?: GeoKeyDirectory;
}

/** Pixels of one window for consecutive bands of the file. */
export interface GeoTiffStreamChunk {
  /** Where the pixels sit in the grid. */
  window: PixelWindow;
  /** File band (0-based) of `data[0]`; `data[i]` is band `firstBand + i`. */
  firstBand: number;
  /** Row-major `window.width × window.height` samples per band. */
  data: readonly WritableArray[];
}

/** A GeoTIFF being written: add chunks, then close (or abort). */
export interface GeoTiffStream {
  /** Adds the pixels of one chunk; tiles it completes are compressed and written before it resolves. */
  write(chunk: GeoTiffStreamChunk): Promise<void>;
  /** Writes the directories and moves the file into place; throws WriteError when some tile never got its pixels. */
  close(): Promise<void>;
  /** Removes everything written so far. */
  abort(): Promise<void>;
}

interface StreamLevel {
  width: number;
  height: number;
  tilesAcross: number;
  tilesDown: number;
  fields: TiffField[];
  /** Per tile (band-major, then rows, then columns): where its bytes are and how many. */
  offsets: number[];
  byteCounts: number[];
  /** Source rows and columns each output row and column takes (full resolution: itself). */
  rowRange: (row: number) => [number, number];
  columnRange: (column: number) => [number, number];
  /** Source pixels an overview tile needs before it is complete. */
  expected: (tileX: number, tileY: number) => number;
}

/** A tile some chunks have covered: samples so far, or running sums for an averaged overview. */
interface PendingTile {
  tile: WritableArray;
  sums?: Float64Array;
  counts?: Uint32Array;
  seen: number;
  expected: number;
}

/** Plain source ranges for nearest: the pixel under each output pixel's centre (as `downsampleBand`). */
function nearestRange(size: number, outSize: number): (index: number) => [number, number] {
  const scale = size / outSize;
  return (index) => {
    const source = Math.min(size - 1, Math.floor((index + 0.5) * scale));
    return [source, source + 1];
  };
}

/** Block of source pixels averaged into each output pixel (as `downsampleBand`). */
function averageRange(size: number, outSize: number): (index: number) => [number, number] {
  const scale = size / outSize;
  return (index) => {
    const start = Math.floor(index * scale);
    return [start, Math.max(start + 1, Math.min(size, Math.floor((index + 1) * scale)))];
  };
}

/** Output indices whose source range meets [start, end), for ranges that grow with the index. */
function outputSpan(
  range: (index: number) => [number, number],
  outSize: number,
  scale: number,
  start: number,
  end: number,
): [number, number] {
  let first = Math.max(0, Math.floor(start / scale) - 1);
  while (first < outSize && range(first)[1] <= start) first++;
  let last = first;
  while (last < outSize && range(last)[0] < end) last++;
  return [first, last];
}

function copySample(
  target: WritableArray,
  targetIndex: number,
  source: WritableArray,
  sourceIndex: number,
): void {
  (target as Float64Array)[targetIndex] = (source as Float64Array)[sourceIndex]!;
}

/**
 * Opens a GeoTIFF at `path` to be written chunk by chunk, with the layout, tags and
 * pixels {@link writeGeoTiff} gives for the same raster (tiled, planar, DEFLATE with
 * predictor by default, BigTIFF when it could exceed 4 GiB, internal overviews when
 * asked). Chunks may come in any order and need not align with tiles; memory holds
 * only tiles partly covered. The file appears at `path` only once `close` succeeds;
 * a failure or abort removes every temporary file. Node only.
 *
 * @throws WriteError for a bad description or options (before any file is created),
 * a chunk outside the grid or of the wrong type, or a file-system failure.
 */
export async function openGeoTiffStream(
  path: string,
  description: GeoTiffStreamDescription,
  options: WriteGeoTiffOptions = {},
): Promise<GeoTiffStream> {
  throwIfAborted(options.signal);
  const { grid, bands } = description;
  checkGrid(path, grid);
  if (!Array.isArray(bands) || bands.length === 0)
    fail(path, 'no bands: describe at least one band');
  if (bands.length > 65535) fail(path, `${bands.length} bands; a GeoTIFF holds at most 65535`);
  const dataType = bands[0]!.dataType;
  const other = bands.find((band) => band.dataType !== dataType);
  if (other)
    fail(
      path,
      `bands differ in data type (${dataType} and ${other.dataType}); a GeoTIFF holds one data type for all bands`,
    );
  const plan = planFor(path, bands, dataType, options);
  const extraFields = descriptionFields(path, description);
  const { width, height } = grid;
  const bandCount = bands.length;
  const isBig = dataType === 'int64' || dataType === 'uint64';
  const resampling: OverviewResampling = isBig
    ? 'nearest'
    : (options.overviewResampling ?? (dataType.startsWith('float') ? 'average' : 'nearest'));
  const factors = overviewFactors(width, height, plan.tileSize, options.overviews);
  const sizes: [number, number][] = [
    [width, height],
    ...factors.map((factor) => overviewSize(width, height, factor)),
  ];

  const tileCount = (levelWidth: number, levelHeight: number) =>
    Math.ceil(levelWidth / plan.tileSize) * Math.ceil(levelHeight / plan.tileSize) * bandCount;
  // Upper bound of the file: raw tiles plus DEFLATE's worst-case overhead plus directories.
  const estimate = sizes.reduce((total, [levelWidth, levelHeight], index) => {
    const tiles = tileCount(levelWidth, levelHeight);
    const raw = tiles * plan.tileSize * plan.tileSize * bytesPerSample(dataType);
    const fields = [
      ...imageFields(plan, levelWidth, levelHeight, bandCount, index > 0, true),
      ...(index > 0 ? [] : extraFields),
    ];
    return total + compressedBound(plan, raw, tiles) + directorySize(fields, true);
  }, 16);
  const bigTiff = options.bigTiff ?? estimate > CLASSIC_TIFF_LIMIT;

  const levels: StreamLevel[] = sizes.map(([levelWidth, levelHeight], index) => {
    const rowRange =
      index === 0
        ? (row: number): [number, number] => [row, row + 1]
        : resampling === 'average'
          ? averageRange(height, levelHeight)
          : nearestRange(height, levelHeight);
    const columnRange =
      index === 0
        ? (column: number): [number, number] => [column, column + 1]
        : resampling === 'average'
          ? averageRange(width, levelWidth)
          : nearestRange(width, levelWidth);
    const span = (range: (index: number) => [number, number], start: number, end: number) => {
      let total = 0;
      for (let at = start; at < end; at++) total += range(at)[1] - range(at)[0];
      return total;
    };
    return {
      width: levelWidth,
      height: levelHeight,
      tilesAcross: Math.ceil(levelWidth / plan.tileSize),
      tilesDown: Math.ceil(levelHeight / plan.tileSize),
      fields: [
        ...imageFields(plan, levelWidth, levelHeight, bandCount, index > 0, bigTiff),
        ...(index > 0 ? [] : extraFields),
      ],
      offsets: new Array<number>(tileCount(levelWidth, levelHeight)).fill(-1),
      byteCounts: new Array<number>(tileCount(levelWidth, levelHeight)).fill(0),
      rowRange,
      columnRange,
      expected: (tileX, tileY) => {
        const x0 = tileX * plan.tileSize;
        const y0 = tileY * plan.tileSize;
        return (
          span(columnRange, x0, Math.min(levelWidth, x0 + plan.tileSize)) *
          span(rowRange, y0, Math.min(levelHeight, y0 + plan.tileSize))
        );
      },
    };
  });
  const directoryPositions: number[] = [];
  let frontSize = bigTiff ? 16 : 8;
  for (const level of levels) {
    directoryPositions.push(frontSize);
    frontSize += directorySize(level.fields, bigTiff);
  }

  const { open, rm } = nodeBuiltin('node:fs/promises', 'writing a GeoTIFF file');
  const nodePath = nodeBuiltin('node:path', 'writing a GeoTIFF file');
  const stem = nodePath.join(
    nodePath.dirname(path),
    `.${nodePath.basename(path)}.${randomSuffix()}`,
  );
  const temporary = `${stem}.tmp`;
  const scratchPath = `${stem}.tiles.tmp`;
  type Handle = Awaited<ReturnType<typeof open>>;
  let file: Handle | undefined;
  let scratch: Handle | undefined;
  const release = async () => {
    await Promise.allSettled([file?.close(), scratch?.close()]);
    file = scratch = undefined;
    await Promise.allSettled([rm(temporary, { force: true }), rm(scratchPath, { force: true })]);
  };
  try {
    file = await open(temporary, 'wx');
    if (factors.length > 0) scratch = await open(scratchPath, 'wx+');
  } catch (error) {
    await release();
    throw toWriteError(path, error, describeFileError(error));
  }
  // Where the next tile goes: after the reserved front in the file, or in the scratch file.
  let position = scratch ? 0 : frontSize;
  const pending = new Map<number, PendingTile>();
  let failed: unknown;
  let finished = false;

  const newTile = (): WritableArray => {
    const size = plan.tileSize * plan.tileSize;
    if (dataType === 'int64') return new BigInt64Array(size);
    if (dataType === 'uint64') return new BigUint64Array(size);
    return allocateArray(dataType, size);
  };
  const isFloat = dataType.startsWith('float');
  const empty = plan.nodata ?? (isFloat ? Number.NaN : 0);

  /** Finishes an averaged overview tile: mean of the valid samples, rounded for integers. */
  const finishAverage = (entry: PendingTile) => {
    const target = entry.tile as Float64Array;
    for (let index = 0; index < target.length; index++) {
      const count = entry.counts![index]!;
      const sum = entry.sums![index]!;
      target[index] = count === 0 ? empty : isFloat ? sum / count : Math.round(sum / count);
    }
  };

  /** Compresses finished tiles in parallel (thread pool), then writes them in order. */
  const store = async (finishedTiles: { level: number; index: number; tile: WritableArray }[]) => {
    const encoded = await Promise.all(
      finishedTiles.map(({ tile }) => {
        const bytes = predictTile(plan, tile);
        if (plan.compression === 'lzw') return Promise.resolve(encodeLzw(bytes));
        return plan.compression === 'deflate'
          ? deflateTile(bytes, plan.compressionLevel)
          : Promise.resolve(bytes);
      }),
    );
    const target = scratch ?? file!;
    for (let at = 0; at < finishedTiles.length; at++) {
      const { level, index } = finishedTiles[at]!;
      const bytes = encoded[at]!;
      await target.write(bytes, 0, bytes.length, position);
      levels[level]!.offsets[index] = position;
      levels[level]!.byteCounts[index] = bytes.length;
      position += bytes.length;
    }
    if (!bigTiff && !scratch && position > CLASSIC_TIFF_LIMIT) {
      fail(
        path,
        'the file grew past 4 GiB, which classic TIFF cannot address; write it with bigTiff: true',
      );
    }
  };

  const checkChunk = (chunk: GeoTiffStreamChunk) => {
    const { window, firstBand, data } = chunk;
    if (
      !window ||
      !Number.isInteger(window.x) ||
      !Number.isInteger(window.y) ||
      !Number.isInteger(window.width) ||
      !Number.isInteger(window.height) ||
      window.x < 0 ||
      window.y < 0 ||
      window.width < 1 ||
      window.height < 1 ||
      window.x + window.width > width ||
      window.y + window.height > height
    ) {
      fail(
        path,
        `chunk window ${JSON.stringify(window)} is not inside the ${width} × ${height} grid`,
      );
    }
    if (
      !Number.isInteger(firstBand) ||
      firstBand < 0 ||
      !Array.isArray(data) ||
      firstBand + data.length > bandCount
    ) {
      fail(
        path,
        `chunk bands ${firstBand}..${firstBand + (data?.length ?? 0) - 1} are not among the file's ${bandCount} bands`,
      );
    }
    data.forEach((array: WritableArray, index) => {
      if (!ArrayBuffer.isView(array) || dataTypeOf(array as WritableArray) !== dataType) {
        fail(path, `chunk band ${firstBand + index + 1} is not a ${dataType} array`);
      }
      if (array.length !== window.width * window.height) {
        fail(
          path,
          `chunk band ${firstBand + index + 1} has ${array.length} values; its ${window.width} × ${window.height} window needs ${window.width * window.height}`,
        );
      }
    });
  };

  /** Adds the chunk's pixels to every tile of `levelIndex` they reach; returns the tiles it completes. */
  const addToLevel = (
    levelIndex: number,
    chunk: GeoTiffStreamChunk,
    done: { level: number; index: number; tile: WritableArray }[],
  ) => {
    const level = levels[levelIndex]!;
    const { window } = chunk;
    const size = plan.tileSize;
    const averaging = levelIndex > 0 && resampling === 'average';
    const [rowFirst, rowEnd] =
      levelIndex === 0
        ? [window.y, window.y + window.height]
        : outputSpan(
            level.rowRange,
            level.height,
            height / level.height,
            window.y,
            window.y + window.height,
          );
    const [columnFirst, columnEnd] =
      levelIndex === 0
        ? [window.x, window.x + window.width]
        : outputSpan(
            level.columnRange,
            level.width,
            width / level.width,
            window.x,
            window.x + window.width,
          );
    if (rowFirst >= rowEnd || columnFirst >= columnEnd) return;
    const tilesPerBand = level.tilesAcross * level.tilesDown;
    for (
      let tileY = Math.floor(rowFirst / size);
      tileY <= Math.floor((rowEnd - 1) / size);
      tileY++
    ) {
      for (
        let tileX = Math.floor(columnFirst / size);
        tileX <= Math.floor((columnEnd - 1) / size);
        tileX++
      ) {
        const rowStart = Math.max(rowFirst, tileY * size);
        const rowStop = Math.min(rowEnd, (tileY + 1) * size);
        const columnStart = Math.max(columnFirst, tileX * size);
        const columnStop = Math.min(columnEnd, (tileX + 1) * size);
        chunk.data.forEach((values, offset) => {
          const index =
            (chunk.firstBand + offset) * tilesPerBand + tileY * level.tilesAcross + tileX;
          const key = levelIndex * 2 ** 40 + index;
          if (level.offsets[index] !== -1)
            fail(
              path,
              `chunk ${JSON.stringify(window)} covers pixels of band ${chunk.firstBand + offset + 1} that were already written`,
            );
          let entry = pending.get(key);
          if (!entry) {
            entry = { tile: newTile(), seen: 0, expected: level.expected(tileX, tileY) };
            if (averaging) {
              entry.sums = new Float64Array(size * size);
              entry.counts = new Uint32Array(size * size);
            }
            pending.set(key, entry);
          }
          for (let row = rowStart; row < rowStop; row++) {
            const [sourceRowStart, sourceRowEnd] = level.rowRange(row);
            const fromRow = Math.max(sourceRowStart, window.y);
            const toRow = Math.min(sourceRowEnd, window.y + window.height);
            const tileRow = (row - tileY * size) * size;
            if (levelIndex === 0) {
              const start = (row - window.y) * window.width + (columnStart - window.x);
              (entry.tile as Float64Array).set(
                (values as Float64Array).subarray(start, start + columnStop - columnStart),
                tileRow + columnStart - tileX * size,
              );
              entry.seen += columnStop - columnStart;
              continue;
            }
            for (let column = columnStart; column < columnStop; column++) {
              const [sourceColumnStart, sourceColumnEnd] = level.columnRange(column);
              const fromColumn = Math.max(sourceColumnStart, window.x);
              const toColumn = Math.min(sourceColumnEnd, window.x + window.width);
              if (fromRow >= toRow || fromColumn >= toColumn) continue;
              const target = tileRow + column - tileX * size;
              entry.seen += (toRow - fromRow) * (toColumn - fromColumn);
              if (!averaging) {
                copySample(
                  entry.tile,
                  target,
                  values,
                  (fromRow - window.y) * window.width + (fromColumn - window.x),
                );
                continue;
              }
              const numeric = values as Float64Array;
              let sum = 0;
              let count = 0;
              for (let sourceRow = fromRow; sourceRow < toRow; sourceRow++) {
                for (let sourceColumn = fromColumn; sourceColumn < toColumn; sourceColumn++) {
                  const value =
                    numeric[(sourceRow - window.y) * window.width + (sourceColumn - window.x)]!;
                  if (Number.isNaN(value) || value === plan.nodata) continue;
                  sum += value;
                  count++;
                }
              }
              entry.sums![target] += sum;
              entry.counts![target] += count;
            }
          }
          if (entry.seen > entry.expected)
            fail(
              path,
              `chunk ${JSON.stringify(window)} covers pixels of band ${chunk.firstBand + offset + 1} that were already given`,
            );
          if (entry.seen === entry.expected) {
            if (averaging) finishAverage(entry);
            pending.delete(key);
            done.push({ level: levelIndex, index, tile: entry.tile });
          }
        });
      }
    }
  };

  /** Copies the scratch file's tiles into the file in COG order: coarsest overview first, each level band by band, row by row. */
  const assemble = async () => {
    let at = frontSize;
    for (const level of [...levels].reverse()) {
      for (let index = 0; index < level.offsets.length; index++) {
        throwIfAborted(options.signal);
        const length = level.byteCounts[index]!;
        const buffer = new Uint8Array(length);
        await scratch!.read(buffer, 0, length, level.offsets[index]!);
        await file!.write(buffer, 0, length, at);
        level.offsets[index] = at;
        at += length;
      }
    }
    if (!bigTiff && at > CLASSIC_TIFF_LIMIT) {
      fail(
        path,
        'the file grew past 4 GiB, which classic TIFF cannot address; write it with bigTiff: true',
      );
    }
  };

  const writeFront = async () => {
    const directories = levels.map((level, index) =>
      encodeDirectory(
        level.fields.map((field) =>
          field.tag === TAG.TileOffsets
            ? { ...field, values: level.offsets }
            : field.tag === TAG.TileByteCounts
              ? { ...field, values: level.byteCounts }
              : field,
        ),
        directoryPositions[index]!,
        directoryPositions[index + 1] ?? 0,
        bigTiff,
      ),
    );
    const front = new Uint8Array(frontSize);
    front.set(encodeHeader(directoryPositions[0]!, bigTiff), 0);
    directories.forEach((directory, index) => front.set(directory, directoryPositions[index]!));
    await file!.write(front, 0, front.length, 0);
  };

  const guard = async <T>(step: () => Promise<T>): Promise<T> => {
    if (failed !== undefined) throw failed;
    if (finished) fail(path, 'the stream is already closed');
    try {
      throwIfAborted(options.signal);
      return await step();
    } catch (error) {
      failed = toWriteError(path, error, describeFileError(error));
      await release();
      throw failed;
    }
  };

  return {
    write: (chunk) =>
      guard(async () => {
        checkChunk(chunk);
        const done: { level: number; index: number; tile: WritableArray }[] = [];
        for (let levelIndex = 0; levelIndex < levels.length; levelIndex++)
          addToLevel(levelIndex, chunk, done);
        if (done.length > 0) await store(done);
      }),
    close: () =>
      guard(async () => {
        const missing = levels.reduce(
          (total, level) => total + level.offsets.filter((offset) => offset === -1).length,
          0,
        );
        if (missing > 0)
          fail(
            path,
            `${missing} tile(s) never got all their pixels; write chunks that cover the whole ${width} × ${height} grid for every band`,
          );
        if (scratch) await assemble();
        await writeFront();
        await file!.datasync();
        await file!.close();
        file = undefined;
        await scratch?.close();
        scratch = undefined;
        await rm(scratchPath, { force: true });
        // Never renamed over a device, a directory or a FIFO (atomic-output.ts).
        await replaceWithTemporary(temporary, path);
        finished = true;
      }),
    abort: async () => {
      finished = true;
      await release();
    },
  };
}
