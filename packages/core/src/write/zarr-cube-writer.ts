// The heavy half of the Zarr writer plugin: a Zarr v3 store laid out the way
// xarray and rioxarray read a cube. One array `band_data` with dims
// (time, band, y, x) chunked [1, bands, chunk height, chunk width], so every cube
// chunk is one Zarr chunk, compressed (gzip on node:zlib's thread pool) and
// written while the next chunks are read; coordinate arrays `time`, `band`, `y`,
// `x`; and a scalar `spatial_ref` with `crs_wkt` and `GeoTransform`, named by
// `grid_mapping`, as rioxarray writes it. The store is built under a temporary
// name next to the target and renamed when complete.
import { WriteError } from '../errors/write-error.js';
import { crsWkt, isGeographic } from '../grid/crs.js';
import { xCoordinates, yCoordinates } from '../grid/grid.js';
import { allocateArray, type DataType, type TypedArray } from '../raster/data-type.js';
import type { CubeWriteChunk, CubeWriteDescription, WriterImplementation, WriterOptions } from '../plugins/plugin-types.js';
import { isAbortError, throwIfAborted } from '../errors/abort.js';
import { describeFileError, randomSuffix } from './geotiff-writer.js';
import { nodeBuiltin } from '../platform/node-builtin.js';

/** Options of the Zarr writer. */
export interface ZarrWriteOptions extends WriterOptions {
  /** Chunk compression: `gzip` (default) or `none`. */
  compression?: 'gzip' | 'none';
  /** gzip level 1–9 (default 5). */
  compressionLevel?: number;
  /** Chunk writes in flight at once (default 4). */
  concurrency?: number;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Zarr v3 data type names (the cube's names, except for the 64-bit floats and ints, are the same). */
const ZARR_TYPES: Partial<Record<DataType, string>> = {
  int8: 'int8',
  uint8: 'uint8',
  int16: 'int16',
  uint16: 'uint16',
  int32: 'int32',
  uint32: 'uint32',
  float32: 'float32',
  float64: 'float64',
};

/** A fill value as Zarr v3 JSON spells it (NaN and infinities as strings). */
function fillValue(value: number | undefined): number | string {
  if (value === undefined) return 0;
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

function fail(target: string, reason: string): never {
  throw new WriteError(`cannot write Zarr ${target}: ${reason}`, { details: { path: target } });
}

/** Seconds since 1970 of every label, when every label is a date; else undefined. */
function timeSeconds(labels: readonly string[]): BigInt64Array | undefined {
  const values = labels.map((label) => (/^\d{4}-\d{2}-\d{2}/.test(label) ? Date.parse(label.length === 10 ? `${label}T00:00:00Z` : label) : Number.NaN));
  if (values.some((value) => Number.isNaN(value))) return undefined;
  return BigInt64Array.from(values, (value) => BigInt(Math.round(value / 1000)));
}

async function writeStore(
  target: string,
  description: CubeWriteDescription,
  chunks: AsyncIterable<CubeWriteChunk>,
  options: ZarrWriteOptions = {},
): Promise<string[]> {
  const { grid, dataType, bands } = description;
  const zarrType = ZARR_TYPES[dataType];
  if (!zarrType) fail(target, `data type ${dataType} has no Zarr v3 equivalent here; pass dtype (e.g. float32)`);
  const compression = options.compression ?? 'gzip';
  if (compression !== 'gzip' && compression !== 'none') fail(target, `compression must be 'gzip' or 'none'; got ${JSON.stringify(compression)}`);
  const level = options.compressionLevel ?? 5;
  if (!Number.isInteger(level) || level < 1 || level > 9) fail(target, `compressionLevel must be an integer from 1 to 9; got ${level}`);
  const concurrency = options.concurrency ?? 4;
  if (!LITTLE_ENDIAN_HOST) fail(target, 'this writer needs a little-endian machine');
  throwIfAborted(options.signal);

  const [fs, nodePath, zlib] = [nodeBuiltin('node:fs/promises', 'writing a Zarr store'), nodeBuiltin('node:path', 'writing a Zarr store'), nodeBuiltin('node:zlib', 'writing a Zarr store')];
  const cleanTarget = target.replace(/[\\/]+$/, '');
  const temporary = nodePath.join(nodePath.dirname(cleanTarget), `.${nodePath.basename(cleanTarget)}.${randomSuffix()}.tmp`);
  const [chunkWidth, chunkHeight] = description.chunkSize;
  const bandCount = bands.length;
  const times = description.time.length;
  const codecs = (extra: boolean) => [
    { name: 'bytes', configuration: { endian: 'little' } },
    ...(extra && compression === 'gzip' ? [{ name: 'gzip', configuration: { level } }] : []),
  ];
  const gzip = (bytes: Uint8Array) =>
    new Promise<Uint8Array>((resolve, reject) => zlib.gzip(bytes, { level }, (error, result) => (error ? reject(error) : resolve(result))));

  /** Writes one array's metadata and, for a small array, its single chunk. */
  const writeArray = async (name: string, shape: number[], type: string, attributes: Record<string, unknown>, dimensions: string[], data?: TypedArray | BigInt64Array, fill: number | string = 0) => {
    const directory = nodePath.join(temporary, name);
    await fs.mkdir(directory, { recursive: true });
    const metadata = {
      zarr_format: 3,
      node_type: 'array',
      shape,
      data_type: type,
      chunk_grid: { name: 'regular', configuration: { chunk_shape: name === 'band_data' ? [1, bandCount, chunkHeight, chunkWidth] : shape } },
      chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
      fill_value: fill,
      codecs: codecs(name === 'band_data'),
      attributes,
      dimension_names: dimensions,
    };
    await fs.writeFile(nodePath.join(directory, 'zarr.json'), JSON.stringify(metadata, null, 2));
    if (data) {
      // One chunk holds the whole array: key c/0 (c for a scalar).
      const key = shape.length === 0 ? ['c'] : ['c', ...shape.map(() => '0')];
      await fs.mkdir(nodePath.join(directory, ...key.slice(0, -1)), { recursive: true });
      await fs.writeFile(nodePath.join(directory, ...key), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  };

  const written = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const writeChunk = async (chunk: CubeWriteChunk) => {
    const { window } = chunk;
    if (window.x % chunkWidth !== 0 || window.y % chunkHeight !== 0 || window.width > chunkWidth || window.height > chunkHeight) {
      fail(target, `chunk ${JSON.stringify(window)} is not one cell of the ${chunkWidth} × ${chunkHeight} chunk grid`);
    }
    const key = [chunk.time, 0, window.y / chunkHeight, window.x / chunkWidth].map(String);
    if (written.has(key.join('/'))) fail(target, `chunk ${JSON.stringify(window)} of time step ${chunk.time} came twice`);
    written.add(key.join('/'));
    // The chunk padded to the full chunk shape (Zarr chunks are all one size), bands in order.
    const plane = chunkWidth * chunkHeight;
    const padded = allocateArray(dataType, bandCount * plane);
    const padding = bands[0]?.nodata;
    if (padding !== undefined) (padded as Float64Array).fill(padding);
    chunk.data.forEach((values, band) => {
      for (let row = 0; row < window.height; row++) {
        (padded as Float64Array).set((values as Float64Array).subarray(row * window.width, (row + 1) * window.width), band * plane + row * chunkWidth);
      }
    });
    const raw = new Uint8Array(padded.buffer, padded.byteOffset, padded.byteLength);
    const bytes = compression === 'gzip' ? await gzip(raw) : raw;
    const file = nodePath.join(temporary, 'band_data', 'c', ...key);
    await fs.mkdir(nodePath.dirname(file), { recursive: true });
    await fs.writeFile(file, bytes);
  };

  try {
    await fs.mkdir(temporary);
    const wkt = grid.crs ? crsWkt(grid.crs) : undefined;
    const t = grid.transform;
    const geographic = grid.crs ? isGeographic(grid.crs) : false;
    const names = bands.map((band, index) => band.name ?? `band_${index + 1}`);
    const nodata = bands[0]?.nodata;
    const sameNodata = bands.every((band) => Object.is(band.nodata, nodata) || band.nodata === nodata);
    const scale = bands[0]?.scale ?? 1;
    const offset = bands[0]?.offset ?? 0;
    const sameScaling = bands.every((band) => (band.scale ?? 1) === scale && (band.offset ?? 0) === offset);
    await fs.writeFile(
      nodePath.join(temporary, 'zarr.json'),
      JSON.stringify({ zarr_format: 3, node_type: 'group', attributes: { Conventions: 'CF-1.9', ...description.metadata } }, null, 2),
    );
    await writeArray(
      'band_data',
      [times, bandCount, grid.height, grid.width],
      zarrType,
      {
        grid_mapping: 'spatial_ref',
        coordinates: 'spatial_ref',
        long_name: names,
        ...(sameNodata && nodata !== undefined ? { _FillValue: fillValue(nodata) } : {}),
        ...(sameScaling && (scale !== 1 || offset !== 0) ? { scale_factor: scale, add_offset: offset } : {}),
      },
      ['time', 'band', 'y', 'x'],
      undefined,
      fillValue(nodata),
    );
    const seconds = timeSeconds(description.time);
    if (seconds) {
      await writeArray('time', [times], 'int64', { units: 'seconds since 1970-01-01T00:00:00', calendar: 'proleptic_gregorian', standard_name: 'time' }, ['time'], seconds);
    } else {
      await writeArray('time', [times], 'int32', { long_name: 'time step', labels: [...description.time] }, ['time'], Int32Array.from(description.time, (_, index) => index));
    }
    await writeArray('band', [bandCount], 'int32', { long_name: 'band', band_names: names }, ['band'], Int32Array.from(names, (_, index) => index + 1));
    await writeArray('y', [grid.height], 'float64', geographic ? { standard_name: 'latitude', units: 'degrees_north' } : { standard_name: 'projection_y_coordinate', units: 'metre' }, ['y'], yCoordinates(grid));
    await writeArray('x', [grid.width], 'float64', geographic ? { standard_name: 'longitude', units: 'degrees_east' } : { standard_name: 'projection_x_coordinate', units: 'metre' }, ['x'], xCoordinates(grid));
    await writeArray(
      'spatial_ref',
      [],
      'int32',
      { ...(wkt ? { crs_wkt: wkt, spatial_ref: wkt } : {}), GeoTransform: t.map((value) => String(value)).join(' ') },
      [],
      new Int32Array([0]),
    );

    for await (const chunk of chunks) {
      throwIfAborted(options.signal);
      if (failure !== undefined) throw failure;
      const pending: Promise<void> = writeChunk(chunk).then(
        () => void inFlight.delete(pending),
        (error: unknown) => {
          inFlight.delete(pending);
          failure ??= error;
        },
      );
      inFlight.add(pending);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    const expected = times * Math.ceil(grid.height / chunkHeight) * Math.ceil(grid.width / chunkWidth);
    if (written.size !== expected) fail(target, `${expected - written.size} of ${expected} chunks never came`);
    const exists = await fs.stat(cleanTarget).then(() => true, () => false);
    if (exists) await fs.rm(cleanTarget, { recursive: true, force: true });
    await fs.rename(temporary, cleanTarget);
    return [cleanTarget];
  } catch (error) {
    await Promise.allSettled(inFlight);
    await fs.rm(temporary, { recursive: true, force: true }).catch(() => undefined);
    if (isAbortError(error) || WriteError.isInstance(error)) throw error;
    throw new WriteError(`cannot write Zarr ${target}: ${describeFileError(error)}; nothing was written`, { cause: error, details: { path: target } });
  }
}

/** Writes cube chunks into a Zarr v3 store as they arrive; see {@link zarrWriter}. */
export const zarrCubeWriter: WriterImplementation = { write: writeStore };
