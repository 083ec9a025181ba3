// Every file written here is read back by GDAL (gdalinfo, and gdal_translate to a
// raw format whose bytes are compared with what was written) and by geotiff.js.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fromFile } from 'geotiff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WriteError,
  encodeGeoTiff,
  geoKeyDirectoryFromParsed,
  geoKeyDirectoryFromTags,
  writeGeoTiff,
  type BandInfo,
  type DataType,
  type GeoKeyDirectory,
  type GeoTransform,
  type Grid,
  type WritableArray,
  type WriteGeoTiffOptions,
} from '@pyramids/core';

// GDAL runs in a child process per check; on a busy machine that takes seconds.
const TIMEOUT = 60_000;

let directory: string;
let counter = 0;

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'pyramids-writer-'));
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function outputPath(name: string): string {
  counter += 1;
  return path.join(directory, `${counter}-${name}`);
}

interface GdalBand {
  band: number;
  type: string;
  description?: string;
  noDataValue?: number | string;
  scale?: number;
  offset?: number;
  unit?: string;
  metadata: Record<string, Record<string, string>>;
  overviews?: { size: [number, number] }[];
  block: [number, number];
}

interface GdalInfo {
  size: [number, number];
  geoTransform?: number[];
  coordinateSystem?: { wkt: string };
  metadata: Record<string, Record<string, string>>;
  bands: GdalBand[];
}

const run = promisify(execFile);

async function gdalinfo(file: string): Promise<GdalInfo> {
  const { stdout } = await run('gdalinfo', ['-json', file], { encoding: 'utf8' });
  return JSON.parse(stdout) as GdalInfo;
}

const CONSTRUCTORS: Record<string, new (buffer: ArrayBuffer) => WritableArray> = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
};

/**
 * The pixels as GDAL reads them: gdal_translate to band-sequential raw (ENVI; ISCE
 * for 64-bit integers, which GDAL 3.6's ENVI driver cannot hold) and split per band.
 */
async function gdalPixels(
  file: string,
  dataType: DataType,
  bandCount: number,
  extraArguments: string[] = [],
): Promise<WritableArray[]> {
  counter += 1;
  const id = counter;
  let raw: Buffer;
  if (dataType === 'int64' || dataType === 'uint64') {
    const target = path.join(directory, `raw-${id}.x`);
    // ISCE has no UInt64: read it as Int64 (the test values stay below 2^63).
    const cast = dataType === 'uint64' ? ['-ot', 'Int64'] : [];
    await run('gdal_translate', [
      '-q',
      ...extraArguments,
      ...cast,
      '-of',
      'ISCE',
      '-co',
      'SCHEME=BSQ',
      file,
      target,
    ]);
    expect(readFileSync(`${target}.xml`, 'utf8')).toMatch(
      /<property name="BYTE_ORDER">\s*<value>l<\/value>/,
    );
    raw = readFileSync(target);
  } else {
    const target = path.join(directory, `raw-${id}.img`);
    await run('gdal_translate', ['-q', ...extraArguments, '-of', 'ENVI', file, target]);
    const header = readFileSync(path.join(directory, `raw-${id}.hdr`), 'utf8');
    expect(header).toContain('interleave = bsq');
    expect(header).toContain('byte order = 0');
    raw = readFileSync(target);
  }
  const Constructor = CONSTRUCTORS[dataType]!;
  const all = new Constructor(new Uint8Array(raw).buffer);
  const perBand = all.length / bandCount;
  return Array.from({ length: bandCount }, (_, band) =>
    all.slice(band * perBand, (band + 1) * perBand),
  );
}

/** Index of the first sample whose bytes differ, or -1 (so NaN equals NaN and -0 differs from 0). */
function firstDifference(actual: WritableArray, expected: WritableArray): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  const size = expected.BYTES_PER_ELEMENT;
  const a = new Uint8Array(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength);
  for (let index = 0; index < a.length; index++)
    if (a[index] !== b[index]) return Math.floor(index / size);
  return -1;
}

function expectSamePixels(actual: WritableArray[], expected: WritableArray[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((band, index) => {
    const difference = firstDifference(band, expected[index]!);
    expect(
      difference,
      `band ${index + 1} differs at sample ${difference}: ${band[difference]} ≠ ${expected[index]![difference]}`,
    ).toBe(-1);
  });
}

/** A deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
};

/** Smooth values with noise, spanning the type's range, extremes included. */
function makeBand(dataType: DataType, width: number, height: number, seed: number): WritableArray {
  const next = random(seed);
  const length = width * height;
  if (dataType === 'int64' || dataType === 'uint64') {
    const array = dataType === 'int64' ? new BigInt64Array(length) : new BigUint64Array(length);
    for (let index = 0; index < length; index++) {
      const high = BigInt(Math.floor(next() * 2 ** 31));
      const low = BigInt(Math.floor(next() * 2 ** 32));
      const value = (high << 32n) | low;
      array[index] = dataType === 'int64' && index % 3 === 0 ? -value : value;
    }
    array[0] = dataType === 'int64' ? -(2n ** 63n) : 0n;
    array[1] = 2n ** 63n - 1n;
    return array;
  }
  const Constructor = CONSTRUCTORS[dataType] as unknown as new (
    length: number,
  ) => Exclude<WritableArray, BigInt64Array | BigUint64Array>;
  const array = new Constructor(length);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const smooth = Math.sin(col / 7 + seed) * Math.cos(row / 5);
      const noise = next() - 0.5;
      if (dataType === 'float32' || dataType === 'float64') {
        array[row * width + col] = smooth * 1000 + noise * (dataType === 'float64' ? 1e-9 : 1e-3);
      } else {
        const [min, max] = RANGES[dataType]!;
        array[row * width + col] = Math.round(
          min + (max - min) * (0.5 + 0.45 * smooth + 0.05 * noise * 2),
        );
      }
    }
  }
  if (dataType === 'float32' || dataType === 'float64') {
    array[0] = -0;
    array[1] = Number.POSITIVE_INFINITY;
    array[2] = Number.NEGATIVE_INFINITY;
    array[3] = dataType === 'float32' ? 3.4028234663852886e38 : Number.MAX_VALUE;
    array[4] = dataType === 'float32' ? 1.401298464324817e-45 : Number.MIN_VALUE;
  } else {
    const [min, max] = RANGES[dataType]!;
    array[0] = min;
    array[1] = max;
  }
  return array;
}

const GDAL_TYPES: Record<string, string[]> = {
  int8: ['Int8', 'Byte'], // GDAL < 3.7 reads signed bytes as Byte with PIXELTYPE=SIGNEDBYTE
  uint8: ['Byte'],
  int16: ['Int16'],
  uint16: ['UInt16'],
  int32: ['Int32'],
  uint32: ['UInt32'],
  int64: ['Int64'],
  uint64: ['UInt64'],
  float32: ['Float32'],
  float64: ['Float64'],
};

const UTM_TRANSFORM: GeoTransform = [500000, 10, 0, 5300000, 0, -10];

function utmGrid(
  width: number,
  height: number,
  transform: GeoTransform = UTM_TRANSFORM,
  crs: string | null = 'EPSG:32633',
): Grid {
  return { crs, transform, width, height };
}

function expectTransform(info: GdalInfo, expected: readonly number[]): void {
  expect(info.geoTransform).toBeDefined();
  info.geoTransform!.forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 9));
}

async function geotiffJsPixels(file: string): Promise<WritableArray[]> {
  const tiff = await fromFile(file);
  try {
    const image = await tiff.getImage();
    return (await image.readRasters()) as unknown as WritableArray[];
  } finally {
    await tiff.close();
  }
}

const DATA_TYPES: DataType[] = [
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
];

describe.concurrent('writeGeoTiff: data types', { timeout: TIMEOUT }, () => {
  for (const dataType of DATA_TYPES) {
    for (const bandCount of [1, 3]) {
      it(`${dataType}, ${bandCount} band(s): GDAL reads type, size, CRS, transform and every pixel back`, async () => {
        // 70 × 45 with 32-pixel tiles: partial tiles on the right and bottom edges.
        const width = 70;
        const height = 45;
        const data = Array.from({ length: bandCount }, (_, band) =>
          makeBand(dataType, width, height, band + 1),
        );
        const bands: BandInfo[] = data.map(() => ({ dataType }));
        const file = outputPath(`${dataType}-${bandCount}.tif`);
        await writeGeoTiff(file, { grid: utmGrid(width, height), bands, data }, { tileSize: 32 });

        const info = await gdalinfo(file);
        expect(info.size).toEqual([width, height]);
        expect(info.bands).toHaveLength(bandCount);
        for (const band of info.bands) {
          expect(GDAL_TYPES[dataType]).toContain(band.type);
          expect(band.block).toEqual([32, 32]);
        }
        if (info.bands[0]!.type === 'Byte' && dataType === 'int8') {
          expect(info.bands[0]!.metadata['IMAGE_STRUCTURE']?.['PIXELTYPE']).toBe('SIGNEDBYTE');
        }
        expect(info.coordinateSystem?.wkt).toMatch(/ID\["EPSG",32633\]\]$/);
        expectTransform(info, UTM_TRANSFORM);
        expect(info.metadata['IMAGE_STRUCTURE']).toMatchObject({ COMPRESSION: 'DEFLATE' });
        expect(info.metadata['']?.['AREA_OR_POINT']).toBe('Area');
        expectSamePixels(await gdalPixels(file, dataType, bandCount), data);
        if (!dataType.endsWith('64') || dataType === 'float64')
          expectSamePixels(await geotiffJsPixels(file), data);
      });
    }
  }

  it('writes uncompressed tiles without a predictor, and DEFLATE without one, that GDAL reads the same', async () => {
    const data = [makeBand('int16', 50, 40, 7), makeBand('int16', 50, 40, 8)];
    const bands: BandInfo[] = [{ dataType: 'int16' }, { dataType: 'int16' }];
    for (const options of [
      { compression: 'none' },
      { predictor: false },
    ] satisfies WriteGeoTiffOptions[]) {
      const file = outputPath('plain.tif');
      await writeGeoTiff(
        file,
        { grid: utmGrid(50, 40), bands, data },
        { ...options, tileSize: 16 },
      );
      const info = await gdalinfo(file);
      if (options.compression === 'none')
        expect(info.metadata['IMAGE_STRUCTURE']?.['COMPRESSION']).toBeUndefined();
      else expect(info.metadata['IMAGE_STRUCTURE']?.['COMPRESSION']).toBe('DEFLATE');
      expect(info.metadata['IMAGE_STRUCTURE']?.['PREDICTOR']).toBeUndefined();
      expectSamePixels(await gdalPixels(file, 'int16', 2), data);
    }
  });

  it('records the predictor GDAL reads: 2 for integers, 3 for floats', async () => {
    for (const [dataType, predictor] of [
      ['uint16', '2'],
      ['float32', '3'],
      ['float64', '3'],
    ] as const) {
      const file = outputPath(`predictor-${dataType}.tif`);
      await writeGeoTiff(
        file,
        { grid: utmGrid(20, 20), bands: [{ dataType }], data: [makeBand(dataType, 20, 20, 3)] },
        { tileSize: 16 },
      );
      expect((await gdalinfo(file)).metadata['IMAGE_STRUCTURE']?.['PREDICTOR']).toBe(predictor);
    }
  });

  it('writes BigTIFF when asked, which GDAL reads the same', async () => {
    const data = [makeBand('float32', 40, 30, 9)];
    const file = outputPath('big.tif');
    await writeGeoTiff(
      file,
      { grid: utmGrid(40, 30), bands: [{ dataType: 'float32', nodata: -9999 }], data },
      { bigTiff: true, tileSize: 16 },
    );
    const head = readFileSync(file).subarray(0, 4);
    expect([...head]).toEqual([0x49, 0x49, 0x2b, 0x00]);
    const info = await gdalinfo(file);
    expect(info.bands[0]!.noDataValue).toBe(-9999);
    expectTransform(info, UTM_TRANSFORM);
    expectSamePixels(await gdalPixels(file, 'float32', 1), data);
  });
});

describe.concurrent('writeGeoTiff: georeferencing', { timeout: TIMEOUT }, () => {
  it('writes a rotated grid with ModelTransformation', async () => {
    const transform: GeoTransform = [500000, 8.66, 5, 5300000, 5, -8.66];
    const data = [makeBand('uint8', 33, 17, 1)];
    const file = outputPath('rotated.tif');
    await writeGeoTiff(
      file,
      { grid: utmGrid(33, 17, transform), bands: [{ dataType: 'uint8' }], data },
      { tileSize: 16 },
    );
    const info = await gdalinfo(file);
    expectTransform(info, transform);
    expect(info.coordinateSystem?.wkt).toMatch(/ID\["EPSG",32633\]\]$/);
    expectSamePixels(await gdalPixels(file, 'uint8', 1), data);
  });

  it('writes a south-up grid (positive pixel height)', async () => {
    const transform: GeoTransform = [-180, 1, 0, -90, 0, 1];
    const data = [makeBand('float32', 360, 18, 2)];
    const file = outputPath('south-up.tif');
    await writeGeoTiff(
      file,
      {
        grid: { crs: 'EPSG:4326', transform, width: 360, height: 18 },
        bands: [{ dataType: 'float32' }],
        data,
      },
      { tileSize: 64 },
    );
    const info = await gdalinfo(file);
    expectTransform(info, transform);
    expectSamePixels(await gdalPixels(file, 'float32', 1), data);
  });

  it('writes a geographic EPSG CRS with GeographicTypeGeoKey', async () => {
    const transform: GeoTransform = [10, 0.001, 0, 50, 0, -0.001];
    const file = outputPath('geographic.tif');
    await writeGeoTiff(file, {
      grid: { crs: 'EPSG:4326', transform, width: 20, height: 20 },
      bands: [{ dataType: 'uint8' }],
      data: [makeBand('uint8', 20, 20, 1)],
    });
    const info = await gdalinfo(file);
    expect(info.coordinateSystem?.wkt).toMatch(/^GEOGCRS\["WGS 84"/);
    expect(info.coordinateSystem?.wkt).toMatch(/ID\["EPSG",4326\]\]$/);
    expectTransform(info, transform);
  });

  it('writes projected CRSs in other units (US survey feet) and other datums', async () => {
    for (const code of [2263, 3857, 3035, 4269]) {
      const file = outputPath(`epsg-${code}.tif`);
      await writeGeoTiff(file, {
        grid: { crs: `EPSG:${code}`, transform: [1000, 2, 0, 2000, 0, -2], width: 16, height: 16 },
        bands: [{ dataType: 'uint8' }],
        data: [makeBand('uint8', 16, 16, 1)],
      });
      expect((await gdalinfo(file)).coordinateSystem?.wkt).toMatch(
        new RegExp(`ID\\["EPSG",${code}\\]\\]$`),
      );
    }
  });

  it('takes the EPSG code of a WKT CRS', async () => {
    const wkt = execFileSync('gdalsrsinfo', ['-o', 'wkt1', 'EPSG:32633'], {
      encoding: 'utf8',
    }).trim();
    const file = outputPath('wkt.tif');
    await writeGeoTiff(file, {
      grid: utmGrid(16, 16, UTM_TRANSFORM, wkt),
      bands: [{ dataType: 'uint8' }],
      data: [makeBand('uint8', 16, 16, 1)],
    });
    expect((await gdalinfo(file)).coordinateSystem?.wkt).toMatch(/ID\["EPSG",32633\]\]$/);
  });

  it('writes no CRS and no geotransform for a plain image', async () => {
    const file = outputPath('plain-image.tif');
    await writeGeoTiff(file, {
      grid: { crs: null, transform: [0, 1, 0, 0, 0, 1], width: 16, height: 16 },
      bands: [{ dataType: 'uint8' }],
      data: [makeBand('uint8', 16, 16, 1)],
    });
    const info = await gdalinfo(file);
    expect(info.coordinateSystem).toBeUndefined();
    expect(info.geoTransform).toBeUndefined();
  });

  it('writes a geotransform without CRS when only the CRS is unknown', async () => {
    const file = outputPath('no-crs.tif');
    await writeGeoTiff(file, {
      grid: utmGrid(16, 16, UTM_TRANSFORM, null),
      bands: [{ dataType: 'uint8' }],
      data: [makeBand('uint8', 16, 16, 1)],
    });
    const info = await gdalinfo(file);
    expect(info.coordinateSystem).toBeUndefined();
    expectTransform(info, UTM_TRANSFORM);
  });

  it('round-trips the raw GeoKeys of a CRS without an EPSG code, and PixelIsPoint', async () => {
    // A user-defined transverse Mercator, as GDAL writes it, with PixelIsPoint.
    const source = outputPath('custom-source.tif');
    const proj =
      '+proj=tmerc +lat_0=0 +lon_0=13.5 +k=0.9996 +x_0=300000 +y_0=-5000000 +ellps=GRS80 +units=m +no_defs';
    execFileSync('gdal_create', [
      '-q',
      '-of',
      'GTiff',
      '-outsize',
      '16',
      '16',
      '-ot',
      'Byte',
      '-burn',
      '3',
      '-a_srs',
      proj,
      '-a_ullr',
      '300000',
      '5000',
      '300160',
      '4840',
      '-mo',
      'AREA_OR_POINT=Point',
      source,
    ]);
    const sourceInfo = await gdalinfo(source);
    expect(sourceInfo.metadata['']?.['AREA_OR_POINT']).toBe('Point');
    expect(sourceInfo.coordinateSystem?.wkt).not.toMatch(/ID\["EPSG",\d+\]\]$/);

    const tiff = await fromFile(source);
    const image = await tiff.getImage();
    const fileDirectory = image.fileDirectory as unknown as { getValue(name: string): unknown };
    const fromTags = geoKeyDirectoryFromTags(
      fileDirectory.getValue('GeoKeyDirectory') as ArrayLike<number>,
      fileDirectory.getValue('GeoDoubleParams') as ArrayLike<number> | undefined,
      fileDirectory.getValue('GeoAsciiParams') as string | undefined,
    );
    const fromParsed = geoKeyDirectoryFromParsed(image.getGeoKeys() as Record<string, unknown>);
    await tiff.close();
    expect(fromTags.keys.find((key) => key.id === 1025)?.value).toBe(2);

    for (const [name, geoKeys] of [
      ['tags', fromTags],
      ['parsed', fromParsed],
    ] as [string, GeoKeyDirectory][]) {
      const file = outputPath(`custom-${name}.tif`);
      const data = [new Uint8Array(256).fill(3)];
      await writeGeoTiff(file, {
        grid: {
          crs: null,
          transform: sourceInfo.geoTransform as GeoTransform,
          width: 16,
          height: 16,
        },
        bands: [{ dataType: 'uint8' }],
        data,
        geoKeys,
      });
      const info = await gdalinfo(file);
      expect(info.coordinateSystem?.wkt, name).toBe(sourceInfo.coordinateSystem?.wkt);
      expect(info.metadata['']?.['AREA_OR_POINT'], name).toBe('Point');
      expectTransform(info, sourceInfo.geoTransform!);
    }
  });
  it('writes AREA_OR_POINT=Point from the metadata as PixelIsPoint, keeping the geotransform', async () => {
    const file = outputPath('point.tif');
    await writeGeoTiff(file, {
      grid: utmGrid(16, 16),
      bands: [{ dataType: 'uint8' }],
      data: [makeBand('uint8', 16, 16, 1)],
      metadata: { AREA_OR_POINT: 'Point', OTHER: 'x' },
    });
    const info = await gdalinfo(file);
    expect(info.metadata['']).toEqual({ AREA_OR_POINT: 'Point', OTHER: 'x' });
    expectTransform(info, UTM_TRANSFORM);
  });
});

describe.concurrent(
  'writeGeoTiff: nodata, descriptions, scale/offset, metadata',
  { timeout: TIMEOUT },
  () => {
    it('writes NaN nodata that GDAL reports as NaN', async () => {
      const data = [makeBand('float32', 20, 20, 1)];
      data[0]![50] = Number.NaN;
      const file = outputPath('nan.tif');
      await writeGeoTiff(
        file,
        { grid: utmGrid(20, 20), bands: [{ dataType: 'float32', nodata: Number.NaN }], data },
        { tileSize: 16 },
      );
      expect((await gdalinfo(file)).bands[0]!.noDataValue).toBe('NaN');
      expectSamePixels(await gdalPixels(file, 'float32', 1), data);
    });

    it('writes integer nodata, descriptions, scale/offset, units and dataset metadata as GDAL reports them', async () => {
      const names = ['B04 red', 'B03 & <green>', 'B02 "blue"'];
      const bands: BandInfo[] = names.map((name, index) => ({
        dataType: 'uint16',
        nodata: 0,
        name,
        scale: 0.0001,
        offset: index === 0 ? -0.1 : 0,
        unit: index === 2 ? 'm' : undefined,
      }));
      const data = [0, 1, 2].map((seed) => makeBand('uint16', 30, 20, seed));
      const metadata = {
        PRODUCT: 'sample',
        NOTE: 'a < b & c > "d"',
        ACQUIRED: '2024-06-05T10:06:59Z',
      };
      const file = outputPath('described.tif');
      await writeGeoTiff(file, { grid: utmGrid(30, 20), bands, data, metadata }, { tileSize: 16 });
      const info = await gdalinfo(file);
      expect(info.bands.map((band) => band.description)).toEqual(names);
      expect(info.bands.map((band) => band.noDataValue)).toEqual([0, 0, 0]);
      expect(info.bands.map((band) => band.scale)).toEqual([0.0001, 0.0001, 0.0001]);
      expect(info.bands.map((band) => band.offset)).toEqual([-0.1, 0, 0]);
      expect(info.bands[2]!.unit).toBe('m');
      expect(info.bands[0]!.unit).toBeUndefined();
      expect(info.metadata['']).toMatchObject(metadata);
      expectSamePixels(await gdalPixels(file, 'uint16', 3), data);
    });

    it('writes no scale/offset items when they are 1 and 0', async () => {
      const file = outputPath('unscaled.tif');
      await writeGeoTiff(file, {
        grid: utmGrid(16, 16),
        bands: [{ dataType: 'uint8', scale: 1, offset: 0, nodata: 255 }],
        data: [makeBand('uint8', 16, 16, 1)],
      });
      const info = await gdalinfo(file);
      expect(info.bands[0]!.scale).toBeUndefined();
      expect(info.bands[0]!.offset).toBeUndefined();
      expect(info.bands[0]!.noDataValue).toBe(255);
    });
  },
);

describe.concurrent('writeGeoTiff: overviews', { timeout: TIMEOUT }, () => {
  it('writes internal overviews, nearest for integers, that GDAL lists and reads', async () => {
    const width = 100;
    const height = 70;
    const data = [makeBand('uint16', width, height, 4), makeBand('uint16', width, height, 5)];
    const file = outputPath('overviews-int.tif');
    await writeGeoTiff(
      file,
      {
        grid: utmGrid(width, height),
        bands: [{ dataType: 'uint16' }, { dataType: 'uint16' }],
        data,
      },
      { tileSize: 16, overviews: true },
    );
    const info = await gdalinfo(file);
    // Halved until the coarsest level fits in one 16 × 16 tile.
    expect(info.bands[0]!.overviews?.map((overview) => overview.size)).toEqual([
      [50, 35],
      [25, 18],
      [13, 9],
    ]);
    const [first] = await gdalPixels(file, 'uint16', 2, ['-oo', 'OVERVIEW_LEVEL=0']);
    // Nearest: the source pixel under each overview pixel's centre, i.e. (2i+1, 2j+1).
    const expected = new Uint16Array(50 * 35);
    for (let row = 0; row < 35; row++)
      for (let col = 0; col < 50; col++)
        expected[row * 50 + col] = data[0]![(2 * row + 1) * width + 2 * col + 1] as number;
    expectSamePixels([first!], [expected]);
    expectSamePixels(await gdalPixels(file, 'uint16', 2), data);
  });

  it('averages float overviews, skipping nodata', async () => {
    const data = [new Float32Array(32 * 32).map((_, index) => index)];
    data[0]![0] = -9999; // nodata: the first 2 × 2 block averages the other three pixels
    const file = outputPath('overviews-float.tif');
    await writeGeoTiff(
      file,
      { grid: utmGrid(32, 32), bands: [{ dataType: 'float32', nodata: -9999 }], data },
      { tileSize: 16, overviews: [2, 4] },
    );
    expect((await gdalinfo(file)).bands[0]!.overviews?.map((overview) => overview.size)).toEqual([
      [16, 16],
      [8, 8],
    ]);
    const [level] = await gdalPixels(file, 'float32', 1, ['-oo', 'OVERVIEW_LEVEL=0']);
    expect(level![0]).toBeCloseTo((1 + 32 + 33) / 3, 5);
    expect(level![1]).toBeCloseTo((2 + 3 + 34 + 35) / 4, 5);
    expect(level![16 * 16 - 1]).toBeCloseTo((990 + 991 + 1022 + 1023) / 4, 5);
  });
});

describe.concurrent('encodeGeoTiff', { timeout: TIMEOUT }, () => {
  it('gives in memory the same bytes writeGeoTiff writes, BigTIFF with overviews included', async () => {
    const data = [makeBand('float32', 60, 50, 1), makeBand('float32', 60, 50, 2)];
    const raster = {
      grid: utmGrid(60, 50),
      bands: [
        { name: 'a', nodata: -1 },
        { name: 'b', nodata: -1 },
      ],
      data,
    };
    const options: WriteGeoTiffOptions = { tileSize: 16, overviews: true, bigTiff: true };
    const file = outputPath('encoded.tif');
    await writeGeoTiff(file, raster, options);
    const bytes = await encodeGeoTiff(raster, options);
    expect(Buffer.from(bytes).equals(readFileSync(file))).toBe(true);
    const info = await gdalinfo(file);
    expect(info.bands[0]!.overviews?.map((overview) => overview.size)).toEqual([
      [30, 25],
      [15, 13],
    ]);
    expect(info.bands.map((band) => band.description)).toEqual(['a', 'b']);
    expectSamePixels(await gdalPixels(file, 'float32', 2), data);
  });

  it('throws WriteError for bad input', async () => {
    const error = await encodeGeoTiff({
      grid: utmGrid(4, 4),
      bands: [{}],
      data: [new Uint8Array(3)],
    }).catch((caught: unknown) => caught);
    expect(WriteError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      'cannot write GeoTIFF (in memory): band 1 has 3 values; the 4 × 4 grid needs 16',
    );
  });
});

describe('writeGeoTiff: failures', { timeout: TIMEOUT }, () => {
  function listing(folder: string): string[] {
    return readdirSync(folder).sort();
  }

  it('throws WriteError for data of the wrong length and creates no file', async () => {
    const folder = path.join(directory, 'wrong-length');
    mkdirSync(folder);
    const file = path.join(folder, 'out.tif');
    const error = await writeGeoTiff(file, {
      grid: utmGrid(10, 10),
      bands: [{ dataType: 'uint8' }],
      data: [new Uint8Array(99)],
    }).catch((caught: unknown) => caught);
    expect(WriteError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      `cannot write GeoTIFF ${file}: band 1 has 99 values; the 10 × 10 grid needs 100`,
    );
    expect(listing(folder)).toEqual([]);
  });

  it('throws WriteError for bad inputs before touching the disk', async () => {
    const folder = path.join(directory, 'bad-inputs');
    mkdirSync(folder);
    const file = path.join(folder, 'out.tif');
    const cases: [Parameters<typeof writeGeoTiff>[1], WriteGeoTiffOptions, RegExp][] = [
      [
        {
          grid: utmGrid(4, 4),
          bands: [{ nodata: 0 }, { nodata: 1 }],
          data: [new Uint8Array(16), new Uint8Array(16)],
        },
        {},
        /different nodata values \(0, 1\)/,
      ],
      [
        { grid: utmGrid(4, 4), bands: [{}, {}], data: [new Uint8Array(16), new Int16Array(16)] },
        {},
        /bands differ in data type \(uint8 and int16\)/,
      ],
      [
        { grid: utmGrid(4, 4), bands: [{ dataType: 'int16' }], data: [new Uint8Array(16)] },
        {},
        /declared int16 but its data is a Uint8Array/,
      ],
      [
        { grid: utmGrid(4, 4), bands: [{ nodata: Number.NaN }], data: [new Uint8Array(16)] },
        {},
        /nodata nan cannot be stored in uint8/,
      ],
      [
        { grid: utmGrid(4, 4), bands: [{ nodata: -9999 }], data: [new Uint16Array(16)] },
        {},
        /nodata -9999 is outside the uint16 range 0\.\.65535/,
      ],
      [
        { grid: utmGrid(4, 4), bands: [{}], data: [new Uint8Array(16)] },
        { tileSize: 20 },
        /tileSize must be a multiple of 16/,
      ],
      [
        {
          grid: utmGrid(4, 4, UTM_TRANSFORM, '+proj=tmerc +lon_0=13'),
          bands: [{}],
          data: [new Uint8Array(16)],
        },
        {},
        /has no EPSG code/,
      ],
      [
        {
          grid: utmGrid(4, 4, UTM_TRANSFORM, 'EPSG:999999'),
          bands: [{}],
          data: [new Uint8Array(16)],
        },
        {},
        /unknown CRS EPSG:999999/,
      ],
      [{ grid: utmGrid(4, 4), bands: [], data: [] }, {}, /no band data/],
      [
        {
          grid: utmGrid(4, 4),
          bands: [{}],
          data: [new Uint8Array(16)],
          geoKeys: { keys: [{ id: 3072, type: 'short', value: 70000 }] },
        },
        {},
        /invalid geoKeys: GeoKey 3072 is SHORT but its value 70000 is not one integer in 0\.\.65535/,
      ],
      [
        { grid: utmGrid(4, 4), bands: [{}], data: [new Uint8Array(16)] },
        { overviews: [1] },
        /overview factors must be integers of at least 2/,
      ],
    ];
    for (const [raster, options, message] of cases) {
      const error = await writeGeoTiff(file, raster, options).catch((caught: unknown) => caught);
      expect(WriteError.isInstance(error), String(message)).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
    expect(listing(folder)).toEqual([]);
  });

  it('reads a GeoKey directory from raw tags and refuses a malformed one', () => {
    const directory = geoKeyDirectoryFromTags(
      [1, 1, 0, 3, 1024, 0, 1, 1, 1026, 34737, 6, 0, 3077, 34736, 1, 0],
      [0.3048],
      'a|b c|',
    );
    expect(directory).toEqual({
      version: [1, 1, 0],
      keys: [
        { id: 1024, type: 'short', value: 1 },
        { id: 1026, type: 'ascii', value: 'a|b c' },
        { id: 3077, type: 'double', value: 0.3048 },
      ],
    });
    expect(() => geoKeyDirectoryFromTags([1, 1, 0, 2, 1024, 0, 1, 1])).toThrow(
      /declares 2 keys but holds only 1/,
    );
    expect(() => geoKeyDirectoryFromTags([1, 1, 0, 1, 3077, 34736, 1, 5], [1])).toThrow(
      /past the end of GeoDoubleParams/,
    );
  });

  it('throws WriteError naming the cause when the folder does not exist or is a file', async () => {
    const blocker = path.join(directory, 'a-file');
    writeFileSync(blocker, 'not a folder');
    for (const [file, reason] of [
      [path.join(directory, 'missing', 'out.tif'), 'the folder does not exist'],
      [path.join(blocker, 'out.tif'), 'a part of the path is not a folder'],
    ] as const) {
      const error = await writeGeoTiff(file, {
        grid: utmGrid(4, 4),
        bands: [{}],
        data: [new Uint8Array(16)],
      }).catch((caught: unknown) => caught);
      expect(WriteError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain(`cannot write GeoTIFF ${file}: ${reason}`);
    }
  });

  it('removes the temporary file when the final rename fails and leaves what was there', async () => {
    const folder = path.join(directory, 'rename-fails');
    const target = path.join(folder, 'out.tif');
    mkdirSync(path.join(target, 'inside'), { recursive: true });
    const error = await writeGeoTiff(
      target,
      { grid: utmGrid(40, 40), bands: [{}], data: [makeBand('uint8', 40, 40, 1)] },
      { tileSize: 16 },
    ).catch((caught: unknown) => caught);
    expect(WriteError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/nothing was written$/);
    expect(listing(folder)).toEqual(['out.tif']);
    expect(listing(target)).toEqual(['inside']);
  });

  it('removes the temporary file when the data fails mid-write', async () => {
    const folder = path.join(directory, 'mid-write');
    mkdirSync(folder);
    const file = path.join(folder, 'out.tif');
    const band = makeBand('uint16', 64, 64, 1);
    const promise = writeGeoTiff(
      file,
      { grid: utmGrid(64, 64), bands: [{}], data: [band] },
      { tileSize: 16 },
    );
    // Validation is done; detaching the buffer now makes the first tile read fail after the file was opened.
    structuredClone(band.buffer, { transfer: [band.buffer as ArrayBuffer] });
    const error = await promise.catch((caught: unknown) => caught);
    expect(WriteError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/detached/);
    expect(listing(folder)).toEqual([]);
  });

  it('rethrows an abort unwrapped and leaves no file', async () => {
    const folder = path.join(directory, 'aborted');
    mkdirSync(folder);
    const controller = new AbortController();
    controller.abort();
    const error = await writeGeoTiff(
      path.join(folder, 'out.tif'),
      { grid: utmGrid(4, 4), bands: [{}], data: [new Uint8Array(16)] },
      { signal: controller.signal },
    ).catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('AbortError');
    expect(WriteError.isInstance(error)).toBe(false);
    expect(listing(folder)).toEqual([]);
  });

  it('replaces an existing file only once the new one is complete', async () => {
    const file = outputPath('replace.tif');
    writeFileSync(file, 'old');
    await writeGeoTiff(file, {
      grid: utmGrid(16, 16),
      bands: [{}],
      data: [makeBand('uint8', 16, 16, 1)],
    });
    expect((await gdalinfo(file)).size).toEqual([16, 16]);
  });
});
