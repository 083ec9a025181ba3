// `pyramids cube --workers N`: chunk tasks on worker threads give the same cube as this
// thread (GeoTIFF pixels, Zarr chunk bytes), as do `--warp-threads N`' resample threads; sign with signers rebuilt in each thread from
// the environment, and report a failing chunk as a typed error.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StacItem } from '@pyramids/core';
import { createCubeScene } from '../../../core/src/test-support/cube-scene.js';
import { readWithGdal } from '../../../core/src/test-support/gdal-raster.js';
import { startRangeServer, type RangeServer } from '../../../../test-support/range-server.js';
import { runCli } from '../run-cli-for-tests.js';

let scratch: string;
let server: RangeServer;
let items: StacItem[];
let itemsFile: string;

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-cube-workers-'));
  const scene = createCubeScene(scratch);
  server = await startRangeServer(scratch);
  items = scene.items(server.url);
  itemsFile = path.join(scratch, 'items.json');
  writeFileSync(itemsFile, JSON.stringify({ type: 'FeatureCollection', features: items }));
});
afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});
afterEach(() => {
  server.intercept = undefined;
  delete process.env['PYRAMIDS_BEARER_TOKEN'];
  delete process.env['PYRAMIDS_BEARER_HOSTS'];
});

/** All bands' pixels of a raster as GDAL reads them, as one buffer. */
function pixels(file: string): Buffer {
  const read = readWithGdal(file, { scratch });
  return Buffer.concat(
    read.bands.map((band) => Buffer.from(band.buffer, band.byteOffset, band.byteLength)),
  );
}

const cubeArgs = (output: string, extra: string[] = []) => [
  'cube',
  itemsFile,
  '--asset',
  'B04',
  '--asset',
  'B05',
  '--groupby',
  'solar_day',
  '--crs',
  'EPSG:32632',
  '--resolution',
  '10',
  '--bounds',
  '699000,5318000,703000,5321500',
  '--chunk-size',
  '128',
  '--resampling',
  'bilinear',
  '-o',
  output,
  '--quiet',
  ...extra,
];

/** Every file of a Zarr store, by path relative to it. */
function storeFiles(store: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(store, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      files.set(path.relative(store, file), readFileSync(file));
    }
  return files;
}

describe('pyramids cube --workers', () => {
  it('writes the same GeoTIFF pixels and the same Zarr chunks on 2 worker threads as in this thread', async () => {
    const here = path.join(scratch, 'here.tif');
    const threads = path.join(scratch, 'threads.tif');
    expect((await runCli(cubeArgs(here))).code).toBe(0);
    const result = await runCli(cubeArgs(threads, ['--workers', '2']));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const expected = pixels(here);
    expect(expected.some((byte) => byte !== 0)).toBe(true);
    expect(pixels(threads).equals(expected)).toBe(true);

    expect((await runCli(cubeArgs(path.join(scratch, 'here.zarr')))).code).toBe(0);
    expect(
      (await runCli(cubeArgs(path.join(scratch, 'threads.zarr'), ['--workers', '2']))).code,
    ).toBe(0);
    const zarrHere = storeFiles(path.join(scratch, 'here.zarr'));
    const zarrThreads = storeFiles(path.join(scratch, 'threads.zarr'));
    expect([...zarrThreads.keys()].sort()).toEqual([...zarrHere.keys()].sort());
    for (const [key, bytes] of zarrHere)
      expect(zarrThreads.get(key)!.equals(bytes), key).toBe(true);
  });

  it('--warp-threads resamples on threads of its own and writes the same pixels', async () => {
    const here = path.join(scratch, 'here-warp.tif');
    expect((await runCli(cubeArgs(here))).code).toBe(0);
    for (const threads of ['2', 'all']) {
      const output = path.join(scratch, `warp-threads-${threads}.tif`);
      const result = await runCli(cubeArgs(output, ['--warp-threads', threads]));
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(pixels(output).equals(pixels(here)), threads).toBe(true);
    }
    const bad = await runCli(cubeArgs(path.join(scratch, 'y.tif'), ['--warp-threads', '-1']));
    expect(bad.stderr).toMatch(/OptionError: --warp-threads must be a whole number/);
  });

  it('signs every read in the worker threads with a signer rebuilt from the environment', async () => {
    const token = 'WORKER-THREAD-TOKEN-7c2e';
    process.env['PYRAMIDS_BEARER_TOKEN'] = token;
    process.env['PYRAMIDS_BEARER_HOSTS'] = new URL(server.url).host;
    server.intercept = (request, response) => {
      if (request.headers.authorization === `Bearer ${token}`) return false;
      response.writeHead(401).end('who are you?');
      return true;
    };
    server.requests.length = 0;
    const output = path.join(scratch, 'signed.tif');
    const result = await runCli(cubeArgs(output, ['--workers', '2', '--signer', 'bearer']));
    expect(result.stderr).not.toContain(token);
    expect(result.code).toBe(0);
    expect(server.requests.length).toBeGreaterThan(0);
    expect(pixels(output).equals(pixels(path.join(scratch, 'here.tif')))).toBe(true);
  });

  it('fails with a typed one-line error when a chunk fails in a worker thread, and refuses a bad --workers', async () => {
    server.intercept = (request, response) => {
      if (!request.url?.includes('B05')) return false;
      response.writeHead(404).end('gone');
      return true;
    };
    const output = path.join(scratch, 'failed.tif');
    const failed = await runCli(cubeArgs(output, ['--workers', '2']));
    expect(failed.code).not.toBe(0);
    expect(failed.stderr.trim().split('\n')[0]).toMatch(
      /^pyramids: ReadError: a chunk failed in a worker thread: \w+Error: .*404/,
    );
    expect(readdirSync(scratch).filter((name) => name.startsWith('failed'))).toEqual([]);
    const bad = await runCli(cubeArgs(path.join(scratch, 'x.tif'), ['--workers', 'many']));
    expect(bad.stderr).toMatch(/OptionError: --workers must be a whole number/);
  });
});
