// Test support: a RasterSource whose grid, CRS, bands and pixels come from the
// real fixture rasters through GDAL's command-line tools (the I/O seam), so
// toStacItem's logic runs on real metadata without depending on a JS reader.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataType, TypedArray } from '../raster/data-type.js';
import { dataTypeFromGdalName } from '../vrt/vrt-document.js';
import type { BandInfo, OverviewLevel, RasterSource } from '../raster/raster-source.js';
import type { GeoTransform } from '../grid/geotransform.js';

/** What `gdalinfo -json` says about a raster (the fields the tests use). */
export interface GdalInfo {
  size: [number, number];
  geoTransform?: GeoTransform;
  coordinateSystem?: { wkt?: string };
  stac?: Record<string, unknown>;
  wgs84Extent?: { type: string; coordinates: [number, number][][] };
  metadata?: Record<string, Record<string, string>>;
  bands: {
    band: number;
    type: string;
    noDataValue?: number | string;
    scale?: number;
    offset?: number;
    description?: string;
    overviews?: { size: [number, number] }[];
  }[];
}

/** Runs `gdalinfo -json` on a file. */
export function gdalinfo(file: string, extra: string[] = []): GdalInfo {
  return JSON.parse(
    execFileSync('gdalinfo', ['-json', ...extra, file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  ) as GdalInfo;
}

/** Runs `gdalinfo -json` on many files, a few at a time. */
export async function gdalinfoAll(files: string[], parallel = 4): Promise<Map<string, GdalInfo>> {
  const run = promisify(execFile);
  const result = new Map<string, GdalInfo>();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < files.length) {
        const file = files[next++]!;
        const { stdout } = await run('gdalinfo', ['-json', file], {
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        });
        result.set(file, JSON.parse(stdout) as GdalInfo);
      }
    }),
  );
  return result;
}

/** The CRS a reader would report: `EPSG:n` where GDAL knows the code, else GDAL's WKT2, else null. */
export function gdalCrs(info: GdalInfo): string | null {
  const epsg = info.stac?.['proj:epsg'];
  if (typeof epsg === 'number') return `EPSG:${epsg}`;
  return info.coordinateSystem?.wkt ?? null;
}

function parseNodata(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return Number(value);
}

const ARRAYS: Partial<
  Record<
    DataType,
    {
      new (buffer: ArrayBuffer, offset: number, length: number): TypedArray;
      BYTES_PER_ELEMENT: number;
    }
  >
> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/**
 * A RasterSource for a fixture file: metadata from `gdalinfo -json`, pixels of
 * level 0 from `gdal_translate -of ENVI` (read once, on first use), overview
 * levels (the file's own sizes) decimated by nearest neighbour.
 */
export function gdalRasterSource(
  file: string,
  options: { crs?: string | null; href?: string; info?: GdalInfo } = {},
): RasterSource & { info: GdalInfo } {
  const info = options.info ?? gdalinfo(file);
  const [width, height] = info.size;
  const transform: GeoTransform = info.geoTransform ?? [0, 1, 0, 0, 0, 1];
  const bands: BandInfo[] = info.bands.map((band) => {
    const result: BandInfo = { dataType: dataTypeFromGdalName(band.type) };
    const nodata = parseNodata(band.noDataValue);
    if (nodata !== undefined) result.nodata = nodata;
    if (band.scale !== undefined) result.scale = band.scale;
    if (band.offset !== undefined) result.offset = band.offset;
    if (band.description) result.name = band.description;
    return result;
  });
  const levels: OverviewLevel[] = [{ width, height, transform }];
  for (const overview of info.bands[0]?.overviews ?? []) {
    const [levelWidth, levelHeight] = overview.size;
    const sx = width / levelWidth;
    const sy = height / levelHeight;
    levels.push({
      width: levelWidth,
      height: levelHeight,
      transform: [
        transform[0],
        transform[1] * sx,
        transform[2] * sy,
        transform[3],
        transform[4] * sx,
        transform[5] * sy,
      ],
    });
  }
  let pixels: TypedArray[] | undefined;
  const load = (): TypedArray[] => {
    if (pixels) return pixels;
    const directory = mkdtempSync(path.join(tmpdir(), 'pyramids-gdal-source-'));
    try {
      const output = path.join(directory, 'raster.envi');
      execFileSync('gdal_translate', ['-q', '-of', 'ENVI', '-co', 'INTERLEAVE=BSQ', file, output], {
        stdio: 'ignore',
      });
      const bytes = readFileSync(output);
      const buffer = bytes.buffer.slice(
        bytes.byteOffset,
        bytes.byteOffset + bytes.byteLength,
      ) as ArrayBuffer;
      pixels = bands.map((band, index) => {
        const Constructor = ARRAYS[band.dataType];
        if (!Constructor) throw new Error(`test source cannot hold ${band.dataType} pixels`);
        return new Constructor(
          buffer,
          index * width * height * Constructor.BYTES_PER_ELEMENT,
          width * height,
        );
      });
      return pixels;
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  };
  return {
    href: options.href ?? file,
    grid: {
      crs: options.crs === undefined ? gdalCrs(info) : options.crs,
      transform,
      width,
      height,
    },
    levels,
    bands,
    info,
    async read(request) {
      request.signal?.throwIfAborted();
      const level = levels[request.level ?? 0]!;
      const all = load();
      const { x, y, width: windowWidth, height: windowHeight } = request.window;
      const scaleX = width / level.width;
      const scaleY = height / level.height;
      return (request.bands ?? bands.map((_, index) => index)).map((band) => {
        const source = all[band]!;
        const Constructor = source.constructor as new (length: number) => TypedArray;
        const out = new Constructor(windowWidth * windowHeight);
        if (level.width === width && level.height === height) {
          // Full resolution: copy whole rows.
          for (let row = 0; row < windowHeight; row++) {
            const start = (y + row) * width + x;
            (out as Float64Array).set(
              (source as Float64Array).subarray(start, start + windowWidth),
              row * windowWidth,
            );
          }
          return out;
        }
        for (let row = 0; row < windowHeight; row++) {
          const sourceRow = Math.min(height - 1, Math.floor((y + row + 0.5) * scaleY));
          for (let col = 0; col < windowWidth; col++) {
            const sourceCol = Math.min(width - 1, Math.floor((x + col + 0.5) * scaleX));
            out[row * windowWidth + col] = source[sourceRow * width + sourceCol]!;
          }
        }
        return out;
      });
    },
  };
}
