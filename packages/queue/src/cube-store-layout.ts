// The Zarr v3 layout of a cube, as xarray, rioxarray and zarrita read it: one group with
// an array `data` (dims time, band, y, x; one chunk per cube chunk task, all bands in
// it), coordinate arrays `time`, `band`, `y`, `x`, and a 0-d `spatial_ref` carrying the
// CRS WKT and GDAL geotransform (CF grid mapping). The planner writes the metadata and
// coordinates once; workers write `data` chunks, each independently.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { allocateArray, crsWkt, OptionError, type ChunkResult, type ChunkTask, type DatasetCollection, type DataType, type TypedArray } from '@pyramids/core';

const gzipAsync = promisify(gzip);

/** Zarr v3 data types the cube store writes (the cube's arrays are plain number arrays). */
const ZARR_TYPES = new Set<DataType>(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64']);

/** What a worker needs to encode a chunk; plain data, sent with every job. */
export interface ChunkEncoding {
  dataType: DataType;
  /** Chunk shape of `data`: [1, bands, chunk height, chunk width]. */
  chunkShape: [number, number, number, number];
  /** Per band, the value that pads edge chunks (the band's nodata). */
  nodata: number[];
}

/** A cube's store: its encoding plus the metadata and coordinate files the planner writes. */
export interface CubeStoreLayout {
  encoding: ChunkEncoding;
  shape: [number, number, number, number];
  /** `zarr.json` documents and coordinate chunks, keyed by store key. */
  files: Map<string, Uint8Array>;
}

const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

function fillValue(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

function arrayMetadata(shape: number[], dataType: string, dimensions: string[], options: { chunkShape?: number[]; fill?: number | string; codecs?: unknown[]; attributes?: Record<string, unknown> } = {}) {
  return {
    zarr_format: 3,
    node_type: 'array',
    shape,
    data_type: dataType,
    chunk_grid: { name: 'regular', configuration: { chunk_shape: options.chunkShape ?? shape } },
    chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
    fill_value: options.fill ?? (dataType === 'string' ? '' : 0),
    codecs: options.codecs ?? [{ name: 'bytes', configuration: { endian: 'little' } }],
    dimension_names: dimensions,
    attributes: options.attributes ?? {},
  };
}

/** numcodecs' vlen-utf8 layout: item count, then per item a byte length and its UTF-8 bytes (all little-endian). */
function encodeStrings(values: string[]): Uint8Array {
  const encoded = values.map((value) => new TextEncoder().encode(value));
  const bytes = new Uint8Array(4 + encoded.reduce((sum, item) => sum + 4 + item.length, 0));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, values.length, true);
  let offset = 4;
  for (const item of encoded) {
    view.setUint32(offset, item.length, true);
    bytes.set(item, offset + 4);
    offset += 4 + item.length;
  }
  return bytes;
}

function littleEndianBytes(array: TypedArray | BigInt64Array): Uint8Array {
  // Typed arrays are in the platform's order; every platform Node runs on here is little-endian.
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Seconds since 1970 of every label, or undefined when one is not a date (then labels are stored as text). */
function timesOf(labels: string[]): BigInt64Array | undefined {
  const seconds = labels.map((label) => Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(label) ? `${label}T00:00:00Z` : label));
  if (seconds.some((value) => Number.isNaN(value))) return undefined;
  return BigInt64Array.from(seconds.map((value) => BigInt(Math.round(value / 1000))));
}

/** The store layout of `cube`, its chunks being the cube's chunk tasks. */
export function cubeStoreLayout(cube: DatasetCollection, tasks: ChunkTask[] = cube.tasks()): CubeStoreLayout {
  const dataType = cube.dataType;
  if (!ZARR_TYPES.has(dataType)) {
    throw new OptionError(`a cube of ${dataType} cannot be written as Zarr here; pass dtype (e.g. 'float64' or 'int32') to fromStac`);
  }
  const [times, bands, height, width] = cube.shape;
  const first = tasks[0];
  if (!first) throw new OptionError('the cube has no chunks to write (no time steps)');
  const chunkShape: [number, number, number, number] = [1, bands, first.window.height, first.window.width];
  const nodata = cube.bands.map((band) => band.nodata);
  const { coords, grid } = cube;
  const files = new Map<string, Uint8Array>();
  const t = grid.transform;
  const wkt = grid.crs ? crsWkt(grid.crs) ?? grid.crs : undefined;

  files.set('zarr.json', json({ zarr_format: 3, node_type: 'group', attributes: { title: 'pyramids cube', Conventions: 'CF-1.8' } }));
  files.set(
    'data/zarr.json',
    json(
      arrayMetadata([times, bands, height, width], dataType, ['time', 'band', 'y', 'x'], {
        chunkShape,
        fill: fillValue(nodata[0]!),
        codecs: [
          { name: 'bytes', configuration: { endian: 'little' } },
          { name: 'gzip', configuration: { level: 1 } },
        ],
        attributes: {
          grid_mapping: 'spatial_ref',
          nodata: nodata.map(fillValue),
          scale_factor_per_band: cube.bands.map((band) => band.scale),
          add_offset_per_band: cube.bands.map((band) => band.offset),
          resampling: cube.resampling,
          fuse_method: cube.method,
        },
      }),
    ),
  );
  files.set('x/zarr.json', json(arrayMetadata([width], 'float64', ['x'], { attributes: { standard_name: 'projection_x_coordinate', axis: 'X' } })));
  files.set('x/c/0', littleEndianBytes(coords.x));
  files.set('y/zarr.json', json(arrayMetadata([height], 'float64', ['y'], { attributes: { standard_name: 'projection_y_coordinate', axis: 'Y' } })));
  files.set('y/c/0', littleEndianBytes(coords.y));
  files.set('band/zarr.json', json(arrayMetadata([bands], 'string', ['band'], { codecs: [{ name: 'vlen-utf8' }] })));
  files.set('band/c/0', encodeStrings(coords.band));
  const seconds = timesOf(coords.time);
  if (seconds) {
    files.set(
      'time/zarr.json',
      json(arrayMetadata([times], 'int64', ['time'], { attributes: { units: 'seconds since 1970-01-01T00:00:00', calendar: 'proleptic_gregorian', standard_name: 'time', labels: coords.time } })),
    );
    files.set('time/c/0', littleEndianBytes(seconds));
  } else {
    files.set('time/zarr.json', json(arrayMetadata([times], 'string', ['time'], { codecs: [{ name: 'vlen-utf8' }] })));
    files.set('time/c/0', encodeStrings(coords.time));
  }
  files.set(
    'spatial_ref/zarr.json',
    json(
      arrayMetadata([], 'int32', [], {
        attributes: {
          ...(wkt ? { crs_wkt: wkt, spatial_ref: wkt } : {}),
          ...(grid.crs ? { crs: grid.crs } : {}),
          GeoTransform: t.join(' '),
        },
      }),
    ),
  );
  files.set('spatial_ref/c', new Uint8Array(4));
  return { encoding: { dataType, chunkShape, nodata }, shape: [times, bands, height, width], files };
}

/** The store key of a task's chunk of `data`. */
export function chunkKeyOf(task: Pick<ChunkTask, 'time' | 'window'>, encoding: ChunkEncoding): string {
  const [, , chunkHeight, chunkWidth] = encoding.chunkShape;
  if (task.window.x % chunkWidth !== 0 || task.window.y % chunkHeight !== 0) {
    throw new OptionError(`chunk at (${task.window.x}, ${task.window.y}) is not on the ${chunkWidth} × ${chunkHeight} chunk grid; plan the whole cube, not a window`);
  }
  return `data/c/${task.time}/0/${task.window.y / chunkHeight}/${task.window.x / chunkWidth}`;
}

/** One chunk's bytes as the store holds them: bands padded to the chunk shape with their nodata, little-endian, gzip. */
export async function encodeChunk(result: ChunkResult, encoding: ChunkEncoding): Promise<Uint8Array> {
  const [, bands, chunkHeight, chunkWidth] = encoding.chunkShape;
  const plane = chunkHeight * chunkWidth;
  const chunk = allocateArray(encoding.dataType, bands * plane);
  const { width, height } = result.window;
  for (let band = 0; band < bands; band++) {
    const values = result.data[band]!;
    if (width === chunkWidth && height === chunkHeight) {
      (chunk as Float64Array).set(values as Float64Array, band * plane);
      continue;
    }
    chunk.fill(encoding.nodata[band]!, band * plane, (band + 1) * plane);
    for (let row = 0; row < height; row++) {
      (chunk as Float64Array).set((values as Float64Array).subarray(row * width, (row + 1) * width), band * plane + row * chunkWidth);
    }
  }
  return new Uint8Array(await gzipAsync(littleEndianBytes(chunk), { level: 1 }));
}
