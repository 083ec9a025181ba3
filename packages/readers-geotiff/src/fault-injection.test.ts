import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, DatasetCollection, type CubeOptions, type StacItem } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { createCubeScene } from '../../core/src/test-support/cube-scene.js';
import { startRangeServer, type RangeServer } from '../../../test-support/range-server.js';
import { createFaultInjector, type Fault } from '../../../test-support/fault-injector.js';

let scratch: string;
let server: RangeServer;
let items: StacItem[];

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-faults-'));
  const scene = createCubeScene(scratch);
  server = await startRangeServer(scratch);
  items = scene.items(server.url).filter((item) => item.properties['proj:epsg'] === 32632);
});
afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Small blocks so that one build makes many requests; retries without waiting, so the test is quick. */
const registry = () =>
  createRegistry().use(geotiffReader({ blockSize: 8192, retries: 12, backoff: 1 }));
const options = (): CubeOptions => ({
  registry: registry(),
  asset: 'B04',
  crs: 'EPSG:32632',
  resolution: 20,
  bounds: [699800, 5319600, 700800, 5320200],
});

async function build(): Promise<Uint8Array> {
  const cube = await DatasetCollection.fromStac(items, options());
  const { data } = await cube.read();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

describe('cube builds through a server that fails', () => {
  it(
    'gives 100 builds in a row byte-identical to the fault-free build',
    { timeout: 120_000 },
    async () => {
      server.intercept = undefined;
      const reference = await build();
      expect(reference.some((value) => value !== 0)).toBe(true);
      const totals: Record<Fault, number> = {
        '503': 0,
        '429': 0,
        reset: 0,
        truncate: 0,
        latency: 0,
      };
      for (let run = 0; run < 100; run++) {
        const injector = createFaultInjector({ seed: run + 1, rate: 0.2, latencyMs: 5 });
        server.intercept = injector.intercept;
        const bytes = await build();
        expect(Buffer.from(bytes).equals(Buffer.from(reference)), `build ${run} differs`).toBe(
          true,
        );
        for (const fault of Object.keys(totals) as Fault[])
          totals[fault] += injector.injected[fault];
      }
      server.intercept = undefined;
      // Every kind of fault was met, many times: the builds above really went through them.
      for (const count of Object.values(totals)) expect(count).toBeGreaterThan(10);
    },
  );
});
