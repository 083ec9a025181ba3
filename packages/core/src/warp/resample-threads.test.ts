// The resampling kernels on worker threads (the built dist/resample-thread.js, as a user
// gets it): a reprojected cube read with them equals the one read in this thread, and a
// failing or terminated pool ends in a ReadError, not a hang.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetCollection } from '../cube/dataset-collection.js';
import { ReadError } from '../errors/read-error.js';
import { createRegistry } from '../plugins/registry.js';
import type { StacItem } from '../stac/stac-types.js';
import { createCubeScene } from '../test-support/cube-scene.js';
import { gdalTestReader } from '../test-support/gdal-test-reader.js';
import type { ResampleRequest } from './resample-request.js';
import { createResampleThreads, type ResampleThreads } from './resample-threads.js';

let scratch: string;
let items: StacItem[];
let threads: ResampleThreads;
const registry = createRegistry().use(gdalTestReader(() => scratch));

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-resample-threads-'));
  items = createCubeScene(scratch).items(scratch);
  threads = createResampleThreads({ size: 2 });
});
afterAll(async () => {
  await threads.terminate();
  rmSync(scratch, { recursive: true, force: true });
});

describe('createResampleThreads', { timeout: 60_000 }, () => {
  for (const resampling of ['bilinear', 'cubic', 'average'] as const)
    it(`a cube over two UTM zones, ${resampling}, equals the one resampled in this thread`, async () => {
      // 32N and 33N tiles onto one 32N grid: every 33N pixel is reprojected; a 64 px chunk
      // size makes many requests, spread over both threads.
      const cube = await DatasetCollection.fromStac(items, {
        registry,
        asset: 'B04',
        crs: 'EPSG:32632',
        resolution: 10,
        resampling,
        chunkSize: 64,
      });
      const here = await cube.read();
      const there = await cube.read({ resampler: threads.resample });
      expect(there.shape).toEqual(here.shape);
      expect(Array.from(there.data)).toEqual(Array.from(here.data));
      const valid = Array.from(here.data).filter((value) => value !== 0);
      expect(valid.length).toBeGreaterThan(here.data.length / 8);
    });

  it('a request that fails in a thread rejects with a ReadError naming the failure', async () => {
    const request: ResampleRequest = {
      target: { crs: 'EPSG:32632', transform: [0, 10, 0, 0, 0, -10], width: 4, height: 4 },
      source: { crs: 'not a CRS', transform: [0, 10, 0, 0, 0, -10] },
      resampling: 'bilinear',
      sourceWindow: { x: 0, y: 0, width: 4, height: 4 },
      targetWindow: { x: 0, y: 0, width: 4, height: 4 },
      parts: [
        {
          targetWindow: { x: 0, y: 0, width: 4, height: 4 },
          sourceWindow: { x: 0, y: 0, width: 4, height: 4 },
          scale: [1, 1],
        },
      ],
      bands: [new Uint16Array(16)],
      nodata: [undefined],
    };
    const failure = await threads.resample(request).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ReadError);
    expect((failure as Error).message).toMatch(/a resample failed: .*not a CRS/);
    // One that cannot even be sent (a function is not clonable) rejects too, and the
    // threads go on answering.
    const unsendable = { ...request, nodata: [(() => 0) as never] };
    await expect(threads.resample(unsendable)).rejects.toThrow(
      /could not send a resample to its thread/,
    );
    await expect(threads.resample(request)).rejects.toThrow(/a resample failed: .*not a CRS/);
  });

  it('after terminate, a request rejects at once', async () => {
    const pool = createResampleThreads({ size: 1 });
    await pool.terminate();
    await expect(pool.resample({} as ResampleRequest)).rejects.toThrow(
      /resample threads were terminated/,
    );
  });
});
