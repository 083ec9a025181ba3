// GDAL as the reference implementation in tests: what gdalinfo reports and what
// gdal_translate decodes. Only used by tests; needs Debian's gdal-bin.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface GdalInfoBand {
  band: number;
  type: string;
  noDataValue?: number | string;
  description?: string;
  scale?: number;
  offset?: number;
  /** With `gdalinfo -checksum`: GDAL's checksum of the band's pixels. */
  checksum?: number;
}

export interface GdalInfo {
  size: [number, number];
  geoTransform?: [number, number, number, number, number, number];
  coordinateSystem?: { wkt: string };
  bands: GdalInfoBand[];
  metadata: Record<string, Record<string, string>>;
  gcps?: { gcpList: { pixel: number; line: number; x: number; y: number; z: number }[] };
}

/** `gdalinfo -json` of a file or GDAL path. */
export function gdalInfo(file: string, extra: string[] = []): GdalInfo {
  return JSON.parse(
    execFileSync('gdalinfo', ['-json', ...extra, file], { encoding: 'utf8', maxBuffer: 64 << 20 }),
  ) as GdalInfo;
}

/** The EPSG code GDAL finds for a file's CRS (from the WKT's last AUTHORITY/ID), if any. */
export function gdalEpsg(info: GdalInfo): number | undefined {
  const wkt = info.coordinateSystem?.wkt;
  if (!wkt) return undefined;
  const match =
    /ID\["EPSG",(\d+)\]\]\s*$/.exec(wkt) ?? /AUTHORITY\["EPSG","(\d+)"\]\]\s*$/.exec(wkt);
  return match ? Number(match[1]) : undefined;
}

const GDAL_TYPES: Record<
  string,
  { array: new (buffer: ArrayBuffer) => ArrayLike<number>; size: number }
> = {
  Byte: { array: Uint8Array, size: 1 },
  Int8: { array: Int8Array, size: 1 },
  UInt16: { array: Uint16Array, size: 2 },
  Int16: { array: Int16Array, size: 2 },
  UInt32: { array: Uint32Array, size: 4 },
  Int32: { array: Int32Array, size: 4 },
  Float32: { array: Float32Array, size: 4 },
  Float64: { array: Float64Array, size: 8 },
};

/**
 * Decodes pixels with gdal_translate (to raw band-sequential little-endian) and
 * returns one array per band. `window` is [x, y, width, height] in pixels.
 */
export function gdalReadPixels(
  file: string,
  options: {
    window?: [number, number, number, number];
    bands?: number[];
    overview?: number;
    config?: Record<string, string>;
  } = {},
): { type: string; width: number; height: number; data: ArrayLike<number>[] } {
  const directory = mkdtempSync(path.join(tmpdir(), 'pyramids-gdal-'));
  try {
    const output = path.join(directory, 'out.raw');
    const args = ['-q', '-of', 'ENVI', '-co', 'INTERLEAVE=BSQ'];
    if (options.window) args.push('-srcwin', ...options.window.map(String));
    for (const band of options.bands ?? []) args.push('-b', String(band));
    if (options.overview !== undefined) args.push('-ovr', String(options.overview - 1));
    // ENVI cannot store a rotated geotransform; pixels are all we want, so replace it.
    const { geoTransform } = gdalInfo(file);
    if (geoTransform && (geoTransform[2] !== 0 || geoTransform[4] !== 0))
      args.push('-a_ullr', '0', '0', '1', '-1');
    const config = Object.entries(options.config ?? {}).flatMap(([key, value]) => [
      '--config',
      key,
      value,
    ]);
    execFileSync('gdal_translate', [...config, ...args, file, output], { stdio: 'pipe' });
    const info = gdalInfo(output);
    const [width, height] = info.size;
    const type = info.bands[0]!.type;
    const layout = GDAL_TYPES[type];
    if (!layout) throw new Error(`test support cannot decode GDAL type ${type}`);
    const bytes = readFileSync(output);
    const bandBytes = width * height * layout.size;
    const data = info.bands.map((_, index) => {
      const slice = bytes.buffer.slice(
        bytes.byteOffset + index * bandBytes,
        bytes.byteOffset + (index + 1) * bandBytes,
      );
      return new layout.array(slice);
    });
    return { type, width, height, data };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
