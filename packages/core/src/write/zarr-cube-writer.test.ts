// The Zarr store cube.write streams, opened with zarrita (an independent Zarr v3
// reader) and compared with the pixels the sources give.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as zarr from 'zarrita';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../test-support/write-large-cube.mjs', import.meta.url));
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-zarr-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A read-only zarrita store over a directory. */
function directoryStore(root: string) {
  return {
    get: async (key: string) =>
      readFile(path.join(root, ...key.split('/'))).then(
        (bytes) => new Uint8Array(bytes),
        () => undefined,
      ),
  };
}

/** The pixel value the synthetic sources give (as in write-large-cube.mjs). */
const syntheticValue = (time: number, band: number, x: number, y: number) =>
  (time * 7 + band * 3 + x + 2 * y) & 0xffff;

describe('zarrWriter', { timeout: 120_000 }, () => {
  it('streams a cube into a Zarr v3 store that zarrita opens: dims, coordinates, CRS, transform and every pixel', async () => {
    const target = path.join(scratch, 'cube.zarr');
    // 700 px with 256 px chunks: edge chunks are partial and padded.
    await run(process.execPath, [script, target, '700', '2', '3', '256'], { encoding: 'utf8' });
    expect(readdirSync(scratch)).toEqual(['cube.zarr']); // no temporary store left
    const root = zarr.root(directoryStore(target));
    const group = await zarr.open(root, { kind: 'group' });
    expect(group.attrs['PYRAMIDS_DIMS']).toBe('time,band,y,x');

    const data = await zarr.open(root.resolve('band_data'), { kind: 'array' });
    expect(data.shape).toEqual([2, 3, 700, 700]);
    expect(data.dtype).toBe('uint16');
    expect(data.chunks).toEqual([1, 3, 256, 256]);
    expect(data.attrs['grid_mapping']).toBe('spatial_ref');
    expect(data.attrs['long_name']).toEqual(['b0', 'b1', 'b2']);
    const metadata = JSON.parse(
      await readFile(path.join(target, 'band_data', 'zarr.json'), 'utf8'),
    ) as { dimension_names: string[]; codecs: { name: string }[] };
    expect(metadata.dimension_names).toEqual(['time', 'band', 'y', 'x']);
    expect(metadata.codecs.map((codec) => codec.name)).toEqual(['bytes', 'gzip']);

    const whole = await zarr.get(data);
    const pixels = whole.data as Uint16Array;
    let mismatches = 0;
    for (let time = 0; time < 2; time++)
      for (let band = 0; band < 3; band++)
        for (let y = 0; y < 700; y++)
          for (let x = 0; x < 700; x++)
            if (
              pixels[((time * 3 + band) * 700 + y) * 700 + x] !== syntheticValue(time, band, x, y)
            )
              mismatches++;
    expect(mismatches).toBe(0);

    const x = await zarr.get(await zarr.open(root.resolve('x'), { kind: 'array' }));
    const y = await zarr.get(await zarr.open(root.resolve('y'), { kind: 'array' }));
    expect(Array.from((x.data as Float64Array).slice(0, 2))).toEqual([500005, 500015]);
    expect(Array.from((y.data as Float64Array).slice(0, 2))).toEqual([4599995, 4599985]);
    const time = await zarr.open(root.resolve('time'), { kind: 'array' });
    expect(time.attrs['units']).toBe('seconds since 1970-01-01T00:00:00');
    expect(Array.from((await zarr.get(time)).data as BigInt64Array, Number)).toEqual([
      Date.parse('2024-05-01T00:00:00Z') / 1000,
      Date.parse('2024-05-02T00:00:00Z') / 1000,
    ]);
    const band = await zarr.open(root.resolve('band'), { kind: 'array' });
    expect(band.attrs['band_names']).toEqual(['b0', 'b1', 'b2']);

    const spatialRef = await zarr.open(root.resolve('spatial_ref'), { kind: 'array' });
    expect(spatialRef.shape).toEqual([]);
    expect(spatialRef.attrs['GeoTransform']).toBe('500000 10 0 4600000 0 -10');
    expect(String(spatialRef.attrs['crs_wkt'])).toMatch(/UTM zone 33N/);
  });
});
