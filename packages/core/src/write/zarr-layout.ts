// The Zarr v3 layout of a cube, as xarray and rioxarray read it, with no I/O: one array
// `band_data` with dims (time, band, y, x) chunked [1, bands, chunk height, chunk width],
// so every cube chunk is one Zarr chunk; coordinate arrays `time`, `band`, `y`, `x`; and a
// scalar `spatial_ref` with `crs_wkt` and `GeoTransform`, named by `grid_mapping`, as
// rioxarray writes it. The Zarr writer plugin and @pyramids/queue's workers both write
// exactly these bytes, so a store built in one process equals one built by many.
import { crsWkt, isGeographic } from '../grid/crs.js';
import { xCoordinates, yCoordinates } from '../grid/grid.js';
import type { CubeWriteChunk, CubeWriteDescription } from '../plugins/plugin-types.js';
import { allocateArray, type DataType, type TypedArray } from '../raster/data-type.js';
import type { PixelWindow } from '../raster/raster-source.js';

/** How `band_data` chunks are compressed. */
export interface ZarrCompression {
  compression: 'gzip' | 'none';
  /** gzip level 1–9. */
  level: number;
}

/** What encoding one chunk needs: plain data, so it can travel with a queued job. */
export interface ZarrChunkEncoding extends ZarrCompression {
  dataType: DataType;
  /** [1, bands, chunk height, chunk width]. */
  chunkShape: [number, number, number, number];
  /** Fill of the padding of edge chunks (the first band's nodata, the array's fill value). */
  padding: number | undefined;
}

/** A cube's store: metadata and coordinate files, and how its chunks are keyed and encoded. */
export interface ZarrStoreLayout {
  /** Store key (`band_data/zarr.json`, `x/c/0`, …) → bytes, everything but `band_data`'s chunks. */
  files: Map<string, Uint8Array>;
  encoding: ZarrChunkEncoding;
}

/** Zarr v3 data type names the cube writes (the 64-bit integers, held as float64, and complex types have none here). */
export const ZARR_DATA_TYPES: Partial<Record<DataType, string>> = {
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

/** Seconds since 1970 of every label, when every label is a date; else undefined. */
function timeSeconds(labels: readonly string[]): BigInt64Array | undefined {
  const values = labels.map((label) =>
    /^\d{4}-\d{2}-\d{2}/.test(label)
      ? Date.parse(label.length === 10 ? `${label}T00:00:00Z` : label)
      : Number.NaN,
  );
  if (values.some((value) => Number.isNaN(value))) return undefined;
  return BigInt64Array.from(values, (value) => BigInt(Math.round(value / 1000)));
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value, null, 2));
const bytesOf = (data: TypedArray | BigInt64Array) =>
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/**
 * The store layout of a cube described as writers see it. The data type must have a
 * Zarr equivalent ({@link ZARR_DATA_TYPES}); callers check and say what to do.
 */
export function zarrStoreLayout(
  description: CubeWriteDescription,
  compression: ZarrCompression,
): ZarrStoreLayout {
  const { grid, dataType, bands } = description;
  const [chunkWidth, chunkHeight] = description.chunkSize;
  const bandCount = bands.length;
  const times = description.time.length;
  const files = new Map<string, Uint8Array>();
  const array = (
    name: string,
    shape: number[],
    type: string,
    attributes: Record<string, unknown>,
    dimensions: string[],
    data?: TypedArray | BigInt64Array,
    fill: number | string = 0,
  ) => {
    const isData = name === 'band_data';
    files.set(
      `${name}/zarr.json`,
      json({
        zarr_format: 3,
        node_type: 'array',
        shape,
        data_type: type,
        chunk_grid: {
          name: 'regular',
          configuration: { chunk_shape: isData ? [1, bandCount, chunkHeight, chunkWidth] : shape },
        },
        chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
        fill_value: fill,
        codecs: [
          { name: 'bytes', configuration: { endian: 'little' } },
          ...(isData && compression.compression === 'gzip'
            ? [{ name: 'gzip', configuration: { level: compression.level } }]
            : []),
        ],
        attributes,
        dimension_names: dimensions,
      }),
    );
    // One chunk holds a whole coordinate array: key c/0 (c for a scalar).
    if (data)
      files.set(
        `${name}/${shape.length === 0 ? 'c' : ['c', ...shape.map(() => '0')].join('/')}`,
        bytesOf(data),
      );
  };
  const wkt = grid.crs ? crsWkt(grid.crs) : undefined;
  const geographic = grid.crs ? isGeographic(grid.crs) : false;
  const names = bands.map((band, index) => band.name ?? `band_${index + 1}`);
  const nodata = bands[0]?.nodata;
  const sameNodata = bands.every(
    (band) => Object.is(band.nodata, nodata) || band.nodata === nodata,
  );
  const scale = bands[0]?.scale ?? 1;
  const offset = bands[0]?.offset ?? 0;
  const sameScaling = bands.every(
    (band) => (band.scale ?? 1) === scale && (band.offset ?? 0) === offset,
  );
  files.set(
    'zarr.json',
    json({
      zarr_format: 3,
      node_type: 'group',
      attributes: { Conventions: 'CF-1.9', ...description.metadata },
    }),
  );
  array(
    'band_data',
    [times, bandCount, grid.height, grid.width],
    ZARR_DATA_TYPES[dataType] ?? dataType,
    {
      grid_mapping: 'spatial_ref',
      coordinates: 'spatial_ref',
      long_name: names,
      ...(sameNodata && nodata !== undefined ? { _FillValue: fillValue(nodata) } : {}),
      ...(sameScaling && (scale !== 1 || offset !== 0)
        ? { scale_factor: scale, add_offset: offset }
        : {}),
    },
    ['time', 'band', 'y', 'x'],
    undefined,
    fillValue(nodata),
  );
  const seconds = timeSeconds(description.time);
  if (seconds) {
    array(
      'time',
      [times],
      'int64',
      {
        units: 'seconds since 1970-01-01T00:00:00',
        calendar: 'proleptic_gregorian',
        standard_name: 'time',
      },
      ['time'],
      seconds,
    );
  } else {
    array(
      'time',
      [times],
      'int32',
      { long_name: 'time step', labels: [...description.time] },
      ['time'],
      Int32Array.from(description.time, (_, index) => index),
    );
  }
  array(
    'band',
    [bandCount],
    'int32',
    { long_name: 'band', band_names: names },
    ['band'],
    Int32Array.from(names, (_, index) => index + 1),
  );
  array(
    'y',
    [grid.height],
    'float64',
    geographic
      ? { standard_name: 'latitude', units: 'degrees_north' }
      : { standard_name: 'projection_y_coordinate', units: 'metre' },
    ['y'],
    yCoordinates(grid),
  );
  array(
    'x',
    [grid.width],
    'float64',
    geographic
      ? { standard_name: 'longitude', units: 'degrees_east' }
      : { standard_name: 'projection_x_coordinate', units: 'metre' },
    ['x'],
    xCoordinates(grid),
  );
  array(
    'spatial_ref',
    [],
    'int32',
    {
      ...(wkt ? { crs_wkt: wkt, spatial_ref: wkt } : {}),
      GeoTransform: grid.transform.map((value) => String(value)).join(' '),
    },
    [],
    new Int32Array([0]),
  );
  return {
    files,
    encoding: {
      ...compression,
      dataType,
      chunkShape: [1, bandCount, chunkHeight, chunkWidth],
      padding: nodata,
    },
  };
}

/**
 * The store key of the chunk of time step `time` at `window`, or undefined when the
 * window is not one cell of the chunk grid.
 */
export function zarrChunkKey(
  time: number,
  window: PixelWindow,
  encoding: Pick<ZarrChunkEncoding, 'chunkShape'>,
): string | undefined {
  const [, , chunkHeight, chunkWidth] = encoding.chunkShape;
  if (
    window.x % chunkWidth !== 0 ||
    window.y % chunkHeight !== 0 ||
    window.width > chunkWidth ||
    window.height > chunkHeight
  )
    return undefined;
  return `band_data/c/${time}/0/${window.y / chunkHeight}/${window.x / chunkWidth}`;
}

/** A chunk's bytes before compression: bands in order, padded to the full chunk shape (Zarr chunks are all one size), little-endian. */
export function zarrChunkBytes(chunk: CubeWriteChunk, encoding: ZarrChunkEncoding): Uint8Array {
  const [, bandCount, chunkHeight, chunkWidth] = encoding.chunkShape;
  const { window } = chunk;
  const plane = chunkWidth * chunkHeight;
  const padded = allocateArray(encoding.dataType, bandCount * plane);
  if (encoding.padding !== undefined) (padded as Float64Array).fill(encoding.padding);
  chunk.data.forEach((values, band) => {
    for (let row = 0; row < window.height; row++) {
      (padded as Float64Array).set(
        (values as Float64Array).subarray(row * window.width, (row + 1) * window.width),
        band * plane + row * chunkWidth,
      );
    }
  });
  return bytesOf(padded);
}
