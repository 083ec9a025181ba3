import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGeoParquet } from '@pyramids/parquet';
import { fixturesDir } from '../../../vitest.shared.js';

describe('a Blob as a stac-geoparquet source (a File picked in a browser page)', () => {
  it('reads the same Items as the file path', async () => {
    const file = path.join(fixturesDir, 'geoparquet/stac-geoparquet-py/naip.parquet');
    const fromPath = await readGeoParquet(file);
    const fromBlob = await readGeoParquet(new Blob([readFileSync(file)]));
    expect(fromPath).toHaveLength(5);
    expect(fromBlob).toEqual(fromPath);
  });
});
