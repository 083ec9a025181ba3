// `pyramids vrt --signer bearer --env-file`: the VRT carries no credential, and
// GDAL itself (gdalinfo, an independent reader) opens it under the written
// config against a loopback server that refuses requests without the token.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRangeServer, type RangeServer } from '../../../../test-support/range-server.js';
import { fixturesDir } from '../../../../vitest.shared.js';
import { runCli } from '../run-cli-for-tests.js';

const FOLDER = path.join(fixturesDir, 'rasters/rasterio');
const TOKEN = 'vrt-token-never-in-the-file-83a1';

let dir: string;
let server: RangeServer;

// Asynchronous: gdalinfo reads from the loopback server running in this process.
const run = promisify(execFile);

/** gdalinfo's checksums of every band, with extra environment. */
async function checksums(file: string, env: Record<string, string> = {}): Promise<number[]> {
  const { stdout } = await run('gdalinfo', ['-json', '-checksum', file], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return (JSON.parse(stdout) as { bands: { checksum: number }[] }).bands.map(
    (band) => band.checksum,
  );
}

/** NAME=value lines of an env file. */
function parseEnvFile(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pyramids-vrt-credentials-'));
  server = await startRangeServer(FOLDER);
  server.intercept = (request, response) => {
    if (request.headers.authorization === `Bearer ${TOKEN}`) return false;
    response.writeHead(401, { 'content-type': 'text/plain' }).end('token required');
    return true;
  };
  const item = {
    type: 'Feature',
    stac_version: '1.0.0',
    id: 'remote',
    geometry: null,
    properties: { datetime: '2020-01-01T00:00:00Z' },
    links: [],
    // No projection fields: building the VRT reads the header over HTTP, signed.
    assets: { data: { href: `${server.url}/cogeo.tif`, type: 'image/tiff; application=geotiff' } },
  };
  writeFileSync(
    path.join(dir, 'items.json'),
    JSON.stringify({ type: 'FeatureCollection', features: [item] }),
  );
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('pyramids vrt with a signer', () => {
  it('writes no token into the VRT; GDAL opens it with the --env-file config and not without', async () => {
    const output = path.join(dir, 'signed.vrt');
    const envFile = path.join(dir, 'gdal.env');
    const saved = {
      token: process.env['PYRAMIDS_BEARER_TOKEN'],
      hosts: process.env['PYRAMIDS_BEARER_HOSTS'],
    };
    process.env['PYRAMIDS_BEARER_TOKEN'] = TOKEN;
    process.env['PYRAMIDS_BEARER_HOSTS'] = new URL(server.url).host;
    let result;
    try {
      result = await runCli([
        'vrt',
        path.join(dir, 'items.json'),
        '--asset',
        'data',
        '--signer',
        'bearer',
        '-o',
        output,
        '--env-file',
        envFile,
      ]);
    } finally {
      for (const [name, value] of [
        ['PYRAMIDS_BEARER_TOKEN', saved.token],
        ['PYRAMIDS_BEARER_HOSTS', saved.hosts],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('GDAL opens it with the config GDAL_HTTP_HEADERS');
    expect(result.stdout).not.toContain(TOKEN);
    const xml = readFileSync(output, 'utf8');
    expect(xml).not.toContain(TOKEN);
    expect(xml).toContain(`/vsicurl/${server.url}/cogeo.tif`);
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const config = parseEnvFile(envFile);
    expect(config).toEqual({ GDAL_HTTP_HEADERS: `Authorization: Bearer ${TOKEN}` });

    const reference = await checksums(path.join(FOLDER, 'cogeo.tif'));
    expect(await checksums(output, config)).toEqual(reference);
    // Without the config GDAL is refused by the server.
    const refused = await run('gdalinfo', ['-checksum', output], { encoding: 'utf8' }).catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/401|failed|error/i);
    expect(refused.stdout).not.toContain(`Checksum=${reference[0]}`);
  });
});
