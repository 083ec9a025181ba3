// An hour-long cube against loopback token endpoints that issue 60 s tokens
// on a fake clock: every byte-range read is signed when it is sent, so no read
// ever carries an expired token. The signers are registered with
// `registry.use` only (no `signer` option), so the registry's signers sign.
// CDSE sends its OAuth token as a header; the Planetary Computer signer puts a
// SAS query on the href, which the GeoTIFF reader re-signs per request.
// A revoked token (401/403) is dropped and the read retried once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRegistry, DatasetCollection, transformBounds, type StacItem } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { cdseSigner } from '@pyramids/signers-cdse';
import { planetaryComputerSigner } from '@pyramids/signers-planetary-computer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { syntheticBand, writeRasterWithGdal } from '../../core/src/test-support/gdal-raster.js';
import {
  startExpiringTokenServer,
  type ExpiringTokenServer,
} from '../../../test-support/expiring-token-server.js';
import { bboxPolygon } from '../../../test-support/bbox-polygon.js';

const GRID = {
  crs: 'EPSG:32632',
  origin: [699000, 5321000] as [number, number],
  size: 64,
  resolution: 10,
};
const TOKEN_LIFETIME = 60_000;
const HOUR = 3_600_000;
const START = Date.parse('2026-01-01T00:00:00Z');
const BLOB_HOST = 'pyramidsexpiry.blob.core.windows.net';

let scratch: string;
let server: ExpiringTokenServer;

/** `count` daily Items, each its own copy of the scene, with full metadata so that building the cube opens no file. */
function itemsAt(count: number, hrefOf: (index: number) => string): StacItem[] {
  const { crs, origin, size, resolution } = GRID;
  const bbox = transformBounds(
    [origin[0], origin[1] - size * resolution, origin[0] + size * resolution, origin[1]],
    crs,
    'EPSG:4326',
  );
  return Array.from({ length: count }, (_, index) => ({
    type: 'Feature',
    stac_version: '1.0.0',
    stac_extensions: [],
    id: `scene-${index}`,
    bbox,
    geometry: bboxPolygon(bbox),
    properties: {
      datetime: new Date(Date.UTC(2024, 0, 1 + index, 10, 25)).toISOString(),
      'proj:code': crs,
    },
    links: [],
    assets: {
      data: {
        href: hrefOf(index),
        type: 'image/tiff; application=geotiff; profile=cloud-optimized',
        roles: ['data'],
        'proj:transform': [resolution, 0, origin[0], 0, -resolution, origin[1]],
        'proj:shape': [size, size],
        'raster:bands': [{ data_type: 'uint16', nodata: 0 }],
      },
    },
  })) as unknown as StacItem[];
}

/** Routes the Azure blob host to the loopback server (the I/O seam). */
const blobFetch: typeof fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return fetch(url.replace(`https://${BLOB_HOST}/`, `${server.url}/blob/`), init);
};

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-signing-expiry-'));
  const { crs, origin, size, resolution } = GRID;
  writeRasterWithGdal(
    path.join(scratch, 'scene.tif'),
    {
      width: size,
      height: size,
      dataType: 'uint16',
      bands: [syntheticBand(size, size, 5, { nodata: 0 })],
      crs,
      transform: [origin[0], resolution, 0, origin[1], 0, -resolution],
      nodata: 0,
    },
    { format: 'COG', creationOptions: ['BLOCKSIZE=32', 'COMPRESS=DEFLATE'] },
  );
  server = await startExpiringTokenServer({
    file: path.join(scratch, 'scene.tif'),
    start: START,
    tokenLifetime: TOKEN_LIFETIME,
  });
});

afterAll(async () => {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

beforeEach(() => server.reset());

// Reads run 4 at a time, so a request may arrive 3 × 7 s after it was signed: well inside the 30 s window.
const STEPS = 300;
const CONCURRENCY = 4;

describe('an hour-long cube with 60 s tokens on a fake clock', () => {
  it('CDSE (registered with registry.use, OAuth header): never sends an expired token', async () => {
    const registry = createRegistry()
      .use(geotiffReader({ blockSize: 4096 }))
      .use(
        cdseSigner({
          username: 'user',
          password: 'secret',
          tokenUrl: `${server.url}/oidc/token`,
          hosts: [new URL(server.url).host],
          now: () => server.clock,
          env: {},
        }),
      );
    // Each time step is one file of header + tiles; 300 steps of two requests at 7 s each run past an hour.
    server.stepPerRead = 7_000;
    const cube = await DatasetCollection.fromStac(
      itemsAt(STEPS, (index) => `${server.url}/cdse/scene-${index}.tif`),
      { registry, asset: 'data', concurrency: CONCURRENCY },
    );
    const result = await cube.read();

    expect(server.expiredSent).toEqual([]);
    expect(server.missingSent).toEqual([]);
    expect(server.clock - START).toBeGreaterThanOrEqual(HOUR);
    // Tokens were reused within their life (30 s refresh window), and renewed as the hour went by.
    expect(server.issued.size).toBeGreaterThanOrEqual((server.clock - START) / TOKEN_LIFETIME);
    expect(server.issued.size).toBeLessThan(server.dataReads);
    expect(result.data.length).toBe(STEPS * GRID.size * GRID.size);
    expect(Array.from(result.data).some((value) => value !== 0)).toBe(true);
  });

  it('Planetary Computer (SAS query): every request is re-signed, none with an expired token', async () => {
    const registry = createRegistry()
      .use(geotiffReader({ blockSize: 4096 }))
      .use(
        planetaryComputerSigner({ sasUrl: `${server.url}/sas`, now: () => server.clock, env: {} }),
      );
    server.stepPerRead = 7_000;
    const cube = await DatasetCollection.fromStac(
      itemsAt(STEPS, (index) => `https://${BLOB_HOST}/container/scene-${index}.tif`),
      { registry, asset: 'data', fetch: blobFetch, concurrency: CONCURRENCY },
    );
    await cube.read();

    expect(server.expiredSent).toEqual([]);
    expect(server.missingSent).toEqual([]);
    expect(server.clock - START).toBeGreaterThanOrEqual(HOUR);
    expect(server.issued.size).toBeGreaterThanOrEqual((server.clock - START) / TOKEN_LIFETIME);
  });

  it('a revoked token is dropped and the read retried once with a fresh one', async () => {
    const registry = createRegistry()
      .use(geotiffReader({ blockSize: 4096 }))
      .use(
        cdseSigner({
          username: 'user',
          password: 'secret',
          tokenUrl: `${server.url}/oidc/token`,
          hosts: [new URL(server.url).host],
          now: () => server.clock,
          env: {},
        }),
      );
    server.stepPerRead = 0;
    const cube = await DatasetCollection.fromStac(
      itemsAt(2, (index) => `${server.url}/cdse/scene-${index}.tif`),
      { registry, asset: 'data' },
    );
    // The first token is revoked by the server while still valid.
    const first = await cube.readWindow({ x: 0, y: 0, width: 8, height: 8 });
    expect(server.issued.size).toBe(1);
    server.revoked.add([...server.issued.keys()][0]!);
    const second = await DatasetCollection.fromStac(
      itemsAt(2, (index) => `${server.url}/cdse/again-${index}.tif`),
      { registry, asset: 'data' },
    );
    const result = await second.read();
    expect(server.issued.size).toBe(2);
    expect(result.data.length).toBe(2 * GRID.size * GRID.size);
    expect(first.data.length).toBe(2 * 64);
  });
});
