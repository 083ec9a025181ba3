// Codecs and data types the fixtures lack (LERC, larger ZSTD, every dtype, floating-point
// predictor), made here with GDAL from a real fixture and compared against GDAL's read.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, openRaster } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { fixturesDir } from '../../../vitest.shared.js';
import { gdalInfo, gdalReadPixels } from '../../../test-support/gdal.js';

const source = path.join(fixturesDir, 'rasters/rio-tiler/cog_int16.tif');
const registry = createRegistry().use(geotiffReader());
let directory: string;

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'pyramids-codecs-'));
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

const cases: { name: string; type: string; options: string[]; expectedType: string }[] = [
  {
    name: 'lerc-float32',
    type: 'Float32',
    options: ['COMPRESS=LERC', 'MAX_Z_ERROR=0'],
    expectedType: 'float32',
  },
  {
    name: 'lerc-deflate-uint16',
    type: 'UInt16',
    options: ['COMPRESS=LERC_DEFLATE'],
    expectedType: 'uint16',
  },
  {
    name: 'zstd-pred2-int32',
    type: 'Int32',
    options: ['COMPRESS=ZSTD', 'PREDICTOR=2'],
    expectedType: 'int32',
  },
  {
    name: 'deflate-pred3-float64',
    type: 'Float64',
    options: ['COMPRESS=DEFLATE', 'PREDICTOR=3'],
    expectedType: 'float64',
  },
  {
    name: 'lzw-pred3-float32',
    type: 'Float32',
    options: ['COMPRESS=LZW', 'PREDICTOR=3'],
    expectedType: 'float32',
  },
  {
    name: 'packbits-uint32',
    type: 'UInt32',
    options: ['COMPRESS=PACKBITS'],
    expectedType: 'uint32',
  },
  { name: 'none-byte-strips', type: 'Byte', options: ['TILED=NO'], expectedType: 'uint8' },
  {
    name: 'deflate-int16-bigtiff',
    type: 'Int16',
    options: ['COMPRESS=DEFLATE', 'BIGTIFF=YES'],
    expectedType: 'int16',
  },
];

describe('geotiff reader: codecs and data types made by GDAL', () => {
  for (const testCase of cases) {
    it(testCase.name, async () => {
      const file = path.join(directory, `${testCase.name}.tif`);
      execFileSync('gdal_translate', [
        '-q',
        '-ot',
        testCase.type,
        '-srcwin',
        '500',
        '500',
        '700',
        '600',
        ...(testCase.options.includes('TILED=NO')
          ? []
          : ['-co', 'TILED=YES', '-co', 'BLOCKXSIZE=256', '-co', 'BLOCKYSIZE=256']),
        ...testCase.options.flatMap((option) => ['-co', option]),
        source,
        file,
      ]);
      expect(gdalInfo(file).bands[0]!.type).toBe(testCase.type);
      const dataset = await openRaster(file, { registry });
      expect(dataset.bands[0]!.dataType).toBe(testCase.expectedType);
      const reference = gdalReadPixels(file);
      const ours = await dataset.read({});
      expect(Array.from(ours.data[0]!)).toEqual(Array.from(reference.data[0]!));
    });
  }
});
