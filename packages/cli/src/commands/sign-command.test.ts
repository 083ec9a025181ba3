import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.js';

let server: Server;
let sasUrl: string;
let stdout: string;
let stderr: string;

beforeEach(async () => {
  server = createServer((request, response) => {
    if (request.url === '/api/sas/v1/token/sentinel2l2a01/sentinel2-l2') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          'msft:expiry': '2099-01-01T00:00:00Z',
          token: 'st=2024&se=2099&sp=rl&sig=c2VudGluZWw%3D',
        }),
      );
    } else {
      response
        .writeHead(401, { 'content-type': 'application/json' })
        .end('{"message":"Access denied due to invalid subscription key."}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sasUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sas/v1/token`;
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation(
    (chunk) => ((stdout += String(chunk)), true),
  );
  vi.spyOn(process.stderr, 'write').mockImplementation(
    (chunk) => ((stderr += String(chunk)), true),
  );
});
afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await new Promise((resolve) => server.close(resolve));
});

const HREF =
  'https://sentinel2l2a01.blob.core.windows.net/sentinel2-l2/48/X/VR/2023/05/24/T48XVR_20230524T084609_PVI.tif';

describe('pyramids sign', () => {
  it('prints a Planetary Computer href with its SAS token', async () => {
    vi.stubEnv('PC_SDK_SAS_URL', sasUrl);
    expect(await main(['node', 'pyramids', 'sign', HREF, '--signer', 'planetary-computer'])).toBe(
      0,
    );
    expect(stdout).toBe(`${HREF}?st=2024&se=2099&sp=rl&sig=c2VudGluZWw%3D\n`);
    expect(stderr).toBe('');
  });

  it('prints the HTTPS URL of an s3:// href for the AWS and CDSE S3 signers', async () => {
    vi.stubEnv('AWS_REGION', 'us-west-2');
    expect(
      await main([
        'node',
        'pyramids',
        'sign',
        's3://usgs-landsat/collection02/B4.TIF',
        '--signer',
        'aws-requester-pays',
      ]),
    ).toBe(0);
    expect(
      await main([
        'node',
        'pyramids',
        'sign',
        's3://eodata/Sentinel-2/MSI/x.jp2',
        '--signer',
        'cdse-s3',
      ]),
    ).toBe(0);
    expect(stdout).toBe(
      'https://usgs-landsat.s3.us-west-2.amazonaws.com/collection02/B4.TIF\nhttps://eodata.dataspace.copernicus.eu/eodata/Sentinel-2/MSI/x.jp2\n',
    );
  });

  it('says so when the signer signs with headers or does not handle the href', async () => {
    vi.stubEnv('PYRAMIDS_BEARER_TOKEN', 'sentinel-cli-bearer');
    expect(
      await main([
        'node',
        'pyramids',
        'sign',
        'https://api.example.com/a.tif',
        '--signer',
        'bearer',
      ]),
    ).toBe(0);
    expect(stdout).toBe('https://api.example.com/a.tif\n');
    expect(stderr).toMatch(/signer 'bearer' signs with request headers/);
    expect(
      await main([
        'node',
        'pyramids',
        'sign',
        'https://example.com/a.tif?sig=secret',
        '--signer',
        'planetary-computer',
      ]),
    ).toBe(0);
    expect(stderr).toMatch(
      /does not handle https:\/\/example\.com\/a\.tif\?<redacted>; printed unchanged/,
    );
    expect(stderr).not.toContain('sentinel-cli-bearer');
  });

  it('fails with the variable to set and without leaking the key', async () => {
    vi.stubEnv('PC_SDK_SAS_URL', `${sasUrl}/wrong`);
    vi.stubEnv('PC_SDK_SUBSCRIPTION_KEY', 'sentinel-cli-pc-key');
    expect(await main(['node', 'pyramids', 'sign', HREF, '--signer', 'planetary-computer'])).toBe(
      1,
    );
    expect(stderr).toMatch(
      /^pyramids: SignerError: planetary-computer: the SAS token endpoint answered HTTP 401 .*check PC_SDK_SUBSCRIPTION_KEY/,
    );
    expect(stderr).not.toContain('sentinel-cli-pc-key');
    expect(stdout).toBe('');
  });

  it('refuses an unknown signer and a missing --signer', async () => {
    expect(await main(['node', 'pyramids', 'sign', HREF, '--signer', 'azure'])).toBe(1);
    expect(stderr).toMatch(
      /unknown signer 'azure'; choose one of anonymous, bearer, aws-requester-pays, .*, or load one with --plugin/,
    );
    expect(await main(['node', 'pyramids', 'sign', HREF])).toBe(1);
    expect(stderr).toMatch(/pyramids sign needs --signer NAME/);
  });
});
