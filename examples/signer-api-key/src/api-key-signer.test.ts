// The example signer from the API (registry.use) and from the CLI (--plugin),
// against a loopback server that refuses any read without the key. GDAL's own
// checksum of what the CLI writes from the local file is the reference for what it wrote from the server.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRegistry, openRaster, ReadError, SignerError } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../packages/cli/src/run-cli-for-tests.js';
import { startRangeServer, type RangeServer } from '../../../test-support/range-server.js';
import { fixturesDir } from '../../../vitest.shared.js';
import { apiKeySigner } from './api-key-signer.js';

const KEY = 'example-key-5c1e';
const FIXTURE = path.join(fixturesDir, 'rasters', 'rasterio');
const here = path.dirname(fileURLToPath(import.meta.url));

let server: RangeServer;
let scratch: string;

/** GDAL's checksum of band 1. */
function gdalChecksum(file: string): number {
  const info = JSON.parse(
    execFileSync('gdalinfo', ['-json', '-checksum', file], { encoding: 'utf8' }),
  ) as { bands: { checksum: number }[] };
  return info.bands[0]!.checksum;
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-api-key-'));
  server = await startRangeServer(FIXTURE);
  server.intercept = (request, response) => {
    if (request.headers['x-api-key'] === KEY) return false;
    response.writeHead(401, { 'content-type': 'text/plain' }).end('missing or wrong API key');
    return true;
  };
});

afterAll(async () => {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('apiKeySigner', () => {
  it('signs reads of its host when registered with registry.use, and nothing else', async () => {
    const host = new URL(server.url).host;
    const signer = apiKeySigner({ hosts: [host], key: KEY });
    expect(await signer.headers!(`${server.url}/cogeo.tif`)).toEqual({ 'X-API-Key': KEY });
    expect(await signer.headers!('https://elsewhere.example.com/cogeo.tif')).toEqual({});

    const registry = createRegistry().use(geotiffReader()).use(signer);
    const remote = await openRaster(`${server.url}/cogeo.tif`, { registry });
    const local = await openRaster(path.join(FIXTURE, 'cogeo.tif'), {
      registry: createRegistry().use(geotiffReader()),
    });
    const window = { x: 0, y: 0, width: 64, height: 64 };
    expect(Array.from((await remote.read({ window })).data[0]!)).toEqual(
      Array.from((await local.read({ window })).data[0]!),
    );
    const sent = server.requests.filter((request) => request.url === '/cogeo.tif');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((request) => request.headers['x-api-key'] === KEY)).toBe(true);

    // Without the signer the server refuses; with a wrong key the signer explains the refusal.
    await expect(
      openRaster(`${server.url}/cogeo.tif`, { registry: createRegistry().use(geotiffReader()) }),
    ).rejects.toSatisfy(ReadError.isInstance);
    const wrong = createRegistry()
      .use(geotiffReader())
      .use(apiKeySigner({ hosts: [host], key: 'wrong' }));
    await expect(openRaster(`${server.url}/cogeo.tif`, { registry: wrong })).rejects.toThrow(
      /api-key: .* refused the API key \(HTTP 401\); check API_KEY/,
    );
  });

  it('rebuilds from its description with the key from the environment, and names the missing variable', async () => {
    const description = apiKeySigner({ hosts: ['data.example.com'], header: 'X-Key', key: KEY })
      .describe!();
    expect(JSON.stringify(description)).not.toContain(KEY);
    const rebuilt = apiKeySigner().fromDescription!(description, {
      env: { API_KEY: 'from-worker' },
    });
    expect(await rebuilt.headers!('https://data.example.com/a.tif')).toEqual({
      'X-Key': 'from-worker',
    });
    await expect(
      apiKeySigner({ hosts: ['data.example.com'], env: {} }).headers!(
        'https://data.example.com/a.tif',
      ),
    ).rejects.toSatisfy(SignerError.isInstance);
  });

  it('works from the CLI through --plugin, and --signer takes its id', async () => {
    const host = new URL(server.url).host;
    const saved = { hosts: process.env['API_KEY_HOSTS'], key: process.env['API_KEY'] };
    process.env['API_KEY_HOSTS'] = host;
    process.env['API_KEY'] = KEY;
    try {
      const plugin = path.join(here, 'index.ts');
      const output = path.join(scratch, 'read.tif');
      // Registered by --plugin, the signer signs the hosts it matches without --signer.
      const read = await runCli([
        '--plugin',
        plugin,
        'read',
        `${server.url}/cogeo.tif`,
        '-o',
        output,
      ]);
      expect(read.stderr).toContain('wrote');
      expect(read.code).toBe(0);
      // What the CLI writes from the local file is the reference (GDAL reads both).
      const localOutput = path.join(scratch, 'local.tif');
      expect(
        (await runCli(['read', path.join(FIXTURE, 'cogeo.tif'), '-o', localOutput])).code,
      ).toBe(0);
      expect(gdalChecksum(output)).toBe(gdalChecksum(localOutput));

      const chosen = path.join(scratch, 'chosen.tif');
      const byId = await runCli([
        '--plugin',
        plugin,
        'read',
        `${server.url}/cogeo.tif`,
        '--signer',
        'api-key',
        '-o',
        chosen,
      ]);
      expect(byId.code).toBe(0);
      expect(gdalChecksum(chosen)).toBe(gdalChecksum(localOutput));

      // Without the plugin the id is unknown, and the error lists the ids there are.
      const unknown = await runCli([
        'read',
        `${server.url}/cogeo.tif`,
        '--signer',
        'api-key',
        '-o',
        chosen,
      ]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(
        /unknown signer 'api-key'; choose one of anonymous, bearer, .*, or load one with --plugin/,
      );
    } finally {
      for (const [name, value] of [
        ['API_KEY_HOSTS', saved.hosts],
        ['API_KEY', saved.key],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
