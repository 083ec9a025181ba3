// Our record assembly must give the same rows as hyparquet's own, on files written
// by others and by us (nested structs, lists of structs, lists in structs, nulls).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { describe, expect, it } from 'vitest';
import { toGeoParquetBuffer } from '@pyramids/parquet';
import { fixturesDir } from '../../../vitest.shared.js';
import { assembleRows, canAssemble } from './assemble-rows.js';
import { cleanValue } from './from-geo-parquet.js';
import { fixtureItemFiles } from './test-fixtures.js';

const parsers = {
  geometryFromBytes: (bytes: Uint8Array) => bytes,
  geographyFromBytes: (bytes: Uint8Array) => bytes,
};

async function compareWithHyparquet(
  bytes: Uint8Array,
  range?: { rowStart: number; rowEnd: number },
) {
  const file = bytes.slice().buffer;
  const metadata = parquetMetadata(file);
  expect(canAssemble(metadata)).toBe(true);
  const rowStart = range?.rowStart ?? 0;
  const rowEnd = range?.rowEnd ?? Number(metadata.num_rows);
  const ours = await assembleRows(file, metadata, { rowStart, rowEnd, parsers });
  const theirs = await parquetReadObjects({
    file,
    metadata,
    rowStart,
    rowEnd,
    compressors,
    utf8: false,
    geoparquet: false,
    parsers,
  });
  // Ours leaves nulls and all-null structs out where hyparquet's has them: the same once cleaned for a reader.
  expect(ours.map(cleanValue)).toEqual(theirs.map(cleanValue));
}

describe('assembleRows', () => {
  it.each([
    'rustac/extended-item.parquet',
    'rustac/100-sentinel-2-items.parquet',
    'rustac/sentinel-1-global-mosaics.parquet',
    'rustac/opr-one.parquet',
    'stac-geoparquet-py/sentinel-2-l2a-1.0.0.parquet',
    'stac-geoparquet-py/sentinel-2-l2a-1.1.0.parquet',
    'stac-geoparquet-py/naip.parquet',
  ])('reads %s as hyparquet does', async (file) => {
    await compareWithHyparquet(await readFile(path.join(fixturesDir, 'geoparquet', file)));
  });

  it('reads a row range spanning row groups of our heterogeneous files as hyparquet does', async () => {
    const items = fixtureItemFiles(path.join(fixturesDir, 'stac/items'))
      .filter(
        (entry) =>
          entry.file.startsWith('planetary-computer/') || entry.file.startsWith('usgs-landsat/'),
      )
      .flatMap((entry) => entry.items);
    const bytes = await toGeoParquetBuffer(items, { rowGroupSize: 7 });
    await compareWithHyparquet(bytes, { rowStart: 5, rowEnd: 20 });
  }, 60_000);
});
