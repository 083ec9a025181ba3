// Test support: the I/O seam between GDAL's command-line tools and our logic.
// Rasters are written from raw arrays (ENVI + gdal_translate) and read back
// through `gdal_translate -of ENVI` + `gdalinfo -json`; everything else is ours.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DataType, TypedArray } from '../raster/data-type.js';
import type { GeoTransform } from '../grid/geotransform.js';
import type { Grid } from '../grid/grid.js';
import type {
  BandInfo,
  OverviewLevel,
  RasterSource,
  ReadRequest,
} from '../raster/raster-source.js';

const ENVI_TYPES: Record<
  string,
  { code: number; dataType: DataType; array: new (buffer: ArrayBuffer) => TypedArray }
> = {
  Byte: { code: 1, dataType: 'uint8', array: Uint8Array },
  Int16: { code: 2, dataType: 'int16', array: Int16Array },
  Int32: { code: 3, dataType: 'int32', array: Int32Array },
  Float32: { code: 4, dataType: 'float32', array: Float32Array },
  Float64: { code: 5, dataType: 'float64', array: Float64Array },
  UInt16: { code: 12, dataType: 'uint16', array: Uint16Array },
  UInt32: { code: 13, dataType: 'uint32', array: Uint32Array },
};

function gdalTypeOf(dataType: DataType): string {
  const entry = Object.entries(ENVI_TYPES).find(([, value]) => value.dataType === dataType);
  if (!entry) throw new Error(`no GDAL type for ${dataType}`);
  return entry[0];
}

/** Runs a GDAL tool quietly; returns stdout. */
export function runGdal(tool: string, args: string[]): string {
  return execFileSync(tool, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** A raster to write with GDAL from arrays. */
export interface SyntheticRaster {
  width: number;
  height: number;
  dataType: DataType;
  /** One array per band, row-major. */
  bands: TypedArray[];
  crs: string;
  transform: GeoTransform;
  nodata?: number;
}

/**
 * Writes `raster` to `target` with gdal_translate (`-of` and `-co` from `options`),
 * going through a raw ENVI file. Returns `target`.
 */
export function writeRasterWithGdal(
  target: string,
  raster: SyntheticRaster,
  options: { format?: string; creationOptions?: string[] } = {},
): string {
  const base = `${target}.raw`;
  const bytes = raster.bands.map((band) =>
    Buffer.from(band.buffer, band.byteOffset, band.byteLength),
  );
  writeFileSync(`${base}.bin`, Buffer.concat(bytes));
  const code = ENVI_TYPES[gdalTypeOf(raster.dataType)]!.code;
  writeFileSync(
    `${base}.hdr`,
    `ENVI\nsamples = ${raster.width}\nlines = ${raster.height}\nbands = ${raster.bands.length}\nheader offset = 0\n` +
      `file type = ENVI Standard\ndata type = ${code}\ninterleave = bsq\nbyte order = 0\n`,
  );
  const t = raster.transform;
  const args = [
    '-q',
    '-of',
    options.format ?? 'GTiff',
    '-a_srs',
    raster.crs,
    '-a_ullr',
    String(t[0]),
    String(t[3]),
    String(t[0] + t[1] * raster.width),
    String(t[3] + t[5] * raster.height),
    ...(raster.nodata === undefined ? [] : ['-a_nodata', String(raster.nodata)]),
    ...(options.creationOptions ?? []).flatMap((option) => ['-co', option]),
    `${base}.bin`,
    target,
  ];
  runGdal('gdal_translate', args);
  return target;
}

interface GdalInfo {
  size: [number, number];
  geoTransform?: GeoTransform;
  coordinateSystem?: { wkt: string };
  bands: {
    band: number;
    type: string;
    block?: [number, number];
    noDataValue?: number | string;
    overviews?: { size: [number, number] }[];
    description?: string;
    scale?: number;
    offset?: number;
  }[];
}

/** `gdalinfo -json` of a file. */
export function gdalInfo(file: string): GdalInfo {
  return JSON.parse(runGdal('gdalinfo', ['-json', file])) as GdalInfo;
}

/** `EPSG:n` from gdalinfo's WKT (the last top-level ID). */
export function crsOfInfo(info: GdalInfo): string | null {
  const wkt = info.coordinateSystem?.wkt;
  if (!wkt) return null;
  const match = /ID\["EPSG",(\d+)\]\]\s*$/.exec(wkt);
  return match ? `EPSG:${match[1]}` : wkt;
}

/** All bands of one level of a raster, decoded by GDAL. */
export function readWithGdal(
  file: string,
  options: { overview?: number; scratch: string },
): { width: number; height: number; dataType: DataType; bands: TypedArray[] } {
  const output = path.join(
    options.scratch,
    `read-${path.basename(file)}-${options.overview ?? 'full'}-${process.hrtime.bigint()}.bin`,
  );
  runGdal('gdal_translate', [
    '-q',
    '-of',
    'ENVI',
    ...(options.overview === undefined ? [] : ['-ovr', String(options.overview)]),
    file,
    output,
  ]);
  const info = gdalInfo(output);
  const type = ENVI_TYPES[info.bands[0]!.type];
  if (!type) throw new Error(`unsupported type ${info.bands[0]!.type}`);
  const buffer = readFileSync(output);
  const [width, height] = info.size;
  const bandBytes = buffer.byteLength / info.bands.length;
  const bands = info.bands.map((_, index) => {
    const copy = new ArrayBuffer(bandBytes);
    new Uint8Array(copy).set(buffer.subarray(index * bandBytes, (index + 1) * bandBytes));
    return new type.array(copy);
  });
  return { width, height, dataType: type.dataType, bands };
}

/** The grid, levels and bands of a raster as gdalinfo reports them. */
export function describeWithGdal(file: string): {
  grid: Grid;
  levels: OverviewLevel[];
  bands: BandInfo[];
  blockSize?: { width: number; height: number };
} {
  const info = gdalInfo(file);
  const transform = info.geoTransform ?? [0, 1, 0, 0, 0, 1];
  const grid: Grid = { crs: crsOfInfo(info), transform, width: info.size[0], height: info.size[1] };
  const levels: OverviewLevel[] = [{ width: grid.width, height: grid.height, transform }];
  for (const overview of info.bands[0]!.overviews ?? []) {
    const [width, height] = overview.size;
    levels.push({
      width,
      height,
      transform: [
        transform[0],
        (transform[1] * grid.width) / width,
        transform[2],
        transform[3],
        transform[4],
        (transform[5] * grid.height) / height,
      ],
    });
  }
  const bands: BandInfo[] = info.bands.map((band) => {
    const result: BandInfo = { dataType: ENVI_TYPES[band.type]?.dataType ?? 'other' };
    if (band.noDataValue !== undefined)
      result.nodata = Number(band.noDataValue === 'nan' ? Number.NaN : band.noDataValue);
    if (band.scale !== undefined) result.scale = band.scale;
    if (band.offset !== undefined) result.offset = band.offset;
    return result;
  });
  const block = info.bands[0]!.block;
  return {
    grid,
    levels,
    bands,
    ...(block ? { blockSize: { width: block[0], height: block[1] } } : {}),
  };
}

/**
 * A RasterSource over a raster decoded up front by GDAL (every level), for
 * testing warp and cube logic before a JS reader exists. Counts its reads.
 */
export function gdalRasterSource(
  file: string,
  scratch: string,
): RasterSource & { reads: ReadRequest[] } {
  const { grid, levels, bands, blockSize } = describeWithGdal(file);
  const decoded = levels.map((_, level) =>
    readWithGdal(file, { scratch, ...(level === 0 ? {} : { overview: level - 1 }) }),
  );
  const reads: ReadRequest[] = [];
  return {
    href: file,
    grid,
    levels,
    bands,
    blockSize,
    reads,
    async read(request: ReadRequest): Promise<TypedArray[]> {
      request.signal?.throwIfAborted();
      reads.push(request);
      const level = decoded[request.level ?? 0]!;
      const { x, y, width, height } = request.window;
      if (x < 0 || y < 0 || x + width > level.width || y + height > level.height)
        throw new RangeError(`window outside level: ${JSON.stringify(request.window)}`);
      return (request.bands ?? bands.map((_, index) => index)).map((band) => {
        const source = level.bands[band]!;
        const output = new (source.constructor as new (length: number) => TypedArray)(
          width * height,
        );
        for (let row = 0; row < height; row++) {
          const start = (y + row) * level.width + x;
          (output as Uint8Array).set(
            (source as Uint8Array).subarray(start, start + width),
            row * width,
          );
        }
        return output;
      });
    },
  };
}

/** A smooth field with texture and a nodata hole: realistic enough to expose resampling differences. */
export function syntheticBand(
  width: number,
  height: number,
  seed: number,
  options: { nodata?: number; hole?: [number, number, number, number] } = {},
): Uint16Array {
  const values = new Uint16Array(width * height);
  let state = (seed * 2654435761) >>> 0;
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      state = (state * 1664525 + 1013904223) >>> 0;
      const noise = state % 200;
      values[row * width + col] = Math.round(
        3000 +
          1500 * Math.sin((col + seed * 7) / 13) +
          1000 * Math.cos((row - seed * 3) / 19) +
          noise,
      );
    }
  }
  if (options.hole && options.nodata !== undefined) {
    const [x0, y0, x1, y1] = options.hole;
    for (let row = y0; row < y1; row++)
      for (let col = x0; col < x1; col++) values[row * width + col] = options.nodata;
  }
  return values;
}

/** gdalwarp's arguments for exactly `grid`'s extent and size: `-te … -ts …` (north-up grids). */
export function gdalGridArgs(grid: Grid): string[] {
  const t = grid.transform;
  return [
    '-te',
    String(t[0]),
    String(t[3] + t[5] * grid.height),
    String(t[0] + t[1] * grid.width),
    String(t[3]),
    '-ts',
    String(grid.width),
    String(grid.height),
  ];
}

/**
 * gdalwarp -r near of band 1 of `file` onto `grid` (0 where no data), as a flat array: what a
 * class or mask band looks like on a cube's grid, by GDAL.
 */
export function warpNearWithGdal(file: string, grid: Grid, scratch: string): Float64Array {
  const output = path.join(scratch, `near-${process.hrtime.bigint()}.tif`);
  runGdal('gdalwarp', [
    '-q',
    '-r',
    'near',
    '-t_srs',
    grid.crs!,
    '-dstnodata',
    '0',
    ...gdalGridArgs(grid),
    file,
    output,
  ]);
  return Float64Array.from(readWithGdal(output, { scratch }).bands[0]!);
}
