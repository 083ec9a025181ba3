// Per-band information of a GeoTIFF as GDAL reports it: the data type from the sample
// format, nodata from GDAL_NODATA, and scale, offset, name and unit from GDAL_METADATA.
import type { GeoTIFFImage } from 'geotiff';
import {
  parseGdalMetadata,
  ReadError,
  UnsupportedAssetError,
  type BandInfo,
  type DataType,
} from '@pyramids/core';
import { tagValue } from './tiff-tag-value.js';

/** The bands of a GeoTIFF and its dataset-level GDAL metadata. */
export interface GeoTiffBands {
  bands: BandInfo[];
  /** The nodata value shared by every band (GDAL_NODATA), if any. */
  nodata?: number;
  /** Dataset-level items of the GDAL_METADATA tag. */
  datasetMetadata: Record<string, string>;
}

/**
 * Reads the bands of the full-resolution image; `shown` names the file (redacted) in
 * errors. Complex-valued data is refused: geotiff.js cannot hold it in a band array.
 */
export async function readGeoTiffBands(image: GeoTIFFImage, shown: string): Promise<GeoTiffBands> {
  const samples = image.getSamplesPerPixel();
  const formats = (await tagValue<ArrayLike<number>>(image, 'SampleFormat')) ?? [];
  const bits = (await tagValue<ArrayLike<number>>(image, 'BitsPerSample')) ?? [1];
  const gdalMetadata = parseGdalMetadata(await tagValue<string>(image, 'GDAL_METADATA'));
  const nodata = parseNodata(await tagValue<string>(image, 'GDAL_NODATA'));
  const bands: BandInfo[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const dataType = dataTypeOf(
      formats[sample] ?? formats[0] ?? 1,
      bits[sample] ?? bits[0] ?? 8,
      shown,
    );
    const band: BandInfo = { dataType };
    if (nodata !== undefined) band.nodata = nodata;
    const items = gdalMetadata.bands.get(sample) ?? {};
    if (items['scale'] !== undefined && Number.isFinite(Number(items['scale'])))
      band.scale = Number(items['scale']);
    if (items['offset'] !== undefined && Number.isFinite(Number(items['offset'])))
      band.offset = Number(items['offset']);
    if (items['description']) band.name = items['description'];
    if (items['unittype']) band.unit = items['unittype'];
    bands.push(band);
  }
  const complex = bands.find((band) => band.dataType.startsWith('c'));
  if (complex) {
    throw new UnsupportedAssetError(
      `${shown} holds complex-valued data (${complex.dataType}), which @pyramids/readers-geotiff does not read; ` +
        'use @pyramids/readers-gdal',
      { plugin: 'geotiff', details: { dataType: complex.dataType } },
    );
  }
  const result: GeoTiffBands = { bands, datasetMetadata: gdalMetadata.dataset };
  if (nodata !== undefined) result.nodata = nodata;
  return result;
}

function dataTypeOf(format: number, bits: number, where: string): DataType {
  if (format === 5 || format === 6) {
    return (
      ({ 5: { 32: 'cint16', 64: 'cint32' }, 6: { 64: 'cfloat32', 128: 'cfloat64' } } as const)[
        format
      ][bits as 32 | 64 | 128] ?? 'other'
    );
  }
  if (format === 3) {
    if (bits === 16) return 'float16';
    if (bits === 32) return 'float32';
    if (bits === 64) return 'float64';
  } else if (format === 2) {
    if (bits === 8) return 'int8';
    if (bits === 16) return 'int16';
    if (bits === 32) return 'int32';
    if (bits === 64) return 'int64';
  } else {
    if (bits <= 8) return 'uint8';
    if (bits === 16) return 'uint16';
    if (bits === 32) return 'uint32';
    if (bits === 64) return 'uint64';
  }
  throw new ReadError(
    `${where}: unsupported sample format ${format} with ${bits} bits per sample`,
    { plugin: 'geotiff' },
  );
}

function parseNodata(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.replace(/\0/g, '').trim().toLowerCase();
  if (trimmed === '') return undefined;
  if (trimmed === 'nan') return Number.NaN;
  if (trimmed === 'inf') return Number.POSITIVE_INFINITY;
  if (trimmed === '-inf') return Number.NEGATIVE_INFINITY;
  const value = Number(trimmed);
  return Number.isNaN(value) ? undefined : value;
}
