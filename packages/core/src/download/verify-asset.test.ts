import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StacAssetError, type StacItem } from '@pyramids/core';
import { encodeMultihash, verifyAsset } from '@pyramids/core/node';
import { fixturesDir } from '../../../../vitest.shared.js';
import { startRangeServer, type RangeServer } from '../../../../test-support/range-server.js';

const rasters = path.join(fixturesDir, 'rasters/rio-tiler');
const COG = 'cog_int16.tif';
const NETCDF = 'dataset_2d.nc';

/** sha2-256 of a file by coreutils, as a multihash (code 0x12). */
function sha256Multihash(file: string): string {
  const hex = execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]!;
  return encodeMultihash(0x12, Buffer.from(hex, 'hex'));
}

function itemWith(assets: StacItem['assets']): StacItem {
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    id: 'verify-test',
    geometry: null,
    properties: { datetime: '2024-01-01T00:00:00Z' },
    links: [],
    assets,
  } as StacItem;
}

let server: RangeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('verifyAsset', () => {
  it('passes a COG whose size, media type, header and checksum agree, reading only a header unless asked', async () => {
    server = await startRangeServer(rasters);
    const file = path.join(rasters, COG);
    const item = itemWith({
      data: {
        href: `${server.url}/${COG}`,
        type: 'image/tiff; application=geotiff; profile=cloud-optimized',
        'file:size': statSync(file).size,
        'file:checksum': sha256Multihash(file),
      },
    });
    const result = await verifyAsset(item, 'data');
    expect(result.ok).toBe(true);
    expect(Object.fromEntries(result.checks.map((check) => [check.check, check.status]))).toEqual({
      reachable: 'ok',
      'file:size': 'ok',
      'media-type': 'skipped',
      header: 'ok',
      'file:checksum': 'skipped',
    });
    // A HEAD and one 16-byte range: the pixels were not downloaded.
    expect(
      server.requests.map((request) => `${request.method} ${request.headers.range ?? ''}`),
    ).toEqual(['HEAD ', 'GET bytes=0-15']);

    const full = await verifyAsset(item, 'data', { checksum: true });
    expect(full.checks.find((check) => check.check === 'file:checksum')).toMatchObject({
      status: 'ok',
      message: 'sha2-256 matches',
    });
  });

  it('reports a wrong file:size, media type and checksum, each once to warn', async () => {
    server = await startRangeServer(rasters);
    const file = path.join(rasters, COG);
    const size = statSync(file).size;
    const other = sha256Multihash(path.join(rasters, NETCDF));
    const item = itemWith({
      data: {
        href: `${server.url}/${NETCDF}`,
        type: 'image/tiff',
        'file:size': size,
        'file:checksum': other.replace(/.$/, (last) => (last === '0' ? '1' : '0')),
      },
    });
    const warnings: string[] = [];
    const result = await verifyAsset(item, 'data', {
      checksum: true,
      warn: (message) => warnings.push(message),
    });
    expect(result.ok).toBe(false);
    const netcdfSize = statSync(path.join(rasters, NETCDF)).size;
    expect(result.problems).toEqual([
      `asset 'data' of item verify-test (${server.url}/${NETCDF}): size ${netcdfSize} bytes differs from file:size ${size}`,
      `asset 'data' of item verify-test (${server.url}/${NETCDF}): starts like a HDF5 file, not like TIFF as image/tiff says`,
      expect.stringMatching(/sha2-256 [0-9a-f]{64} differs from file:checksum/),
    ]);
    expect(warnings).toEqual(result.problems);
  });

  it("accepts a netCDF-4 file (an HDF5 header) as application/x-netcdf and compares the server's Content-Type", async () => {
    server = await startRangeServer(rasters);
    // This server names the type of .nc files, as object stores configured for it do.
    server.intercept = (request, response) => {
      if (request.method !== 'HEAD') return false;
      response
        .writeHead(200, {
          'content-type': 'application/x-netcdf',
          'content-length': String(statSync(path.join(rasters, NETCDF)).size),
        })
        .end();
      return true;
    };
    const good = await verifyAsset(
      itemWith({ data: { href: `${server.url}/${NETCDF}`, type: 'application/x-netcdf' } }),
      'data',
    );
    expect(good.ok).toBe(true);
    expect(good.checks.find((check) => check.check === 'media-type')?.status).toBe('ok');
    const wrong = await verifyAsset(
      itemWith({ data: { href: `${server.url}/${NETCDF}`, type: 'image/jp2' } }),
      'data',
    );
    expect(wrong.problems.join('\n')).toMatch(
      /Content-Type application\/x-netcdf, the Item declares image\/jp2/,
    );
  });

  it('reports an unreachable file as a failed check, and a missing asset as a StacAssetError', async () => {
    server = await startRangeServer(rasters);
    const item = itemWith({ data: { href: `${server.url}/missing.tif`, type: 'image/tiff' } });
    const result = await verifyAsset(item, 'data');
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      `asset 'data' of item verify-test (${server.url}/missing.tif): cannot be reached: HTTP 404; the file does not exist at that href`,
    ]);
    await expect(verifyAsset(item, 'B99')).rejects.toSatisfy(
      (error: unknown) =>
        StacAssetError.isInstance(error) && /available: data/.test((error as Error).message),
    );
  });

  it('checks a local file and an unsupported checksum algorithm', async () => {
    const file = path.join(rasters, COG);
    // 0x1b is keccak-256: a valid multihash that node:crypto cannot compute.
    const keccak = `1b20${'ab'.repeat(32)}`;
    const result = await verifyAsset(
      itemWith({
        data: {
          href: file,
          type: 'image/tiff',
          'file:size': statSync(file).size,
          'file:checksum': keccak,
        },
      }),
      'data',
    );
    expect(result.checks.map((check) => [check.check, check.status])).toEqual([
      ['reachable', 'ok'],
      ['file:size', 'ok'],
      ['media-type', 'skipped'],
      ['header', 'ok'],
      ['file:checksum', 'mismatch'],
    ]);
    expect(result.problems[0]).toMatch(/uses 0x1b, which pyramids cannot compute/);
  });
});
