// gdal-async's binding loads in one thread per process. So every GDAL call of a process
// goes through one copy of this reader and its ConfigScope, which is what makes the
// process-wide GDAL options it sets safe to scope per asset.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { GdalUnavailableError } from '@pyramids/readers-gdal';
import { importGdal, loadGdal } from './load-gdal.js';

describe('gdal-async and threads', () => {
  it('cannot load in a worker thread while this thread holds it, and says so plainly', async () => {
    const gdal = await loadGdal();
    expect(gdal.version).toMatch(/^\d+\.\d+/);
    const gdalPath = createRequire(import.meta.url).resolve('gdal-async');
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       try { require(workerData.gdalPath); parentPort.postMessage('loaded'); } catch (error) { parentPort.postMessage(error.message); }`,
      { eval: true, workerData: { gdalPath } },
    );
    const message = await new Promise<string>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(message).toMatch(/did not self-register/);
    const error = await importGdal(() => Promise.reject(new Error(message))).catch((caught: unknown) => caught);
    expect(GdalUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('loads in one thread only');
  });
});
