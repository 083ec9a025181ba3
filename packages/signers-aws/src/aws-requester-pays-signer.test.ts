import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { headersFor, httpRequest, SignerError } from '@pyramids/core';
import { awsRequesterPaysSigner } from '@pyramids/signers-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../vitest.shared.js';
import { startSigV4Server, type SigV4Server } from '../../../test-support/sigv4-test-server.js';

const run = promisify(execFile);
const ACCESS_KEY = 'AKIDPYRAMIDSTEST0001';
const SECRET = 'sentinel-aws-secret/Xk29+Qz';
const tiff = new Uint8Array(readFileSync(path.join(fixturesDir, 'rasters/rasterio/byte.tif')));
const KEY = 'collection02/level-2/LC09 B4+x.TIF';

let server: SigV4Server;
beforeAll(async () => {
  server = await startSigV4Server({
    keys: { [ACCESS_KEY]: SECRET },
    region: 'us-west-2',
    objects: { [`usgs-landsat/${KEY}`]: tiff },
    requesterPays: ['usgs-landsat'],
  });
});
afterAll(() => server.close());

function signer(secret = SECRET) {
  return awsRequesterPaysSigner({
    region: 'us-west-2',
    endpoint: server.url,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: secret },
    env: {},
  });
}

describe('SigV4 against an independent verifier', () => {
  it('our signed GET and ranged GET pass the verifier and read the object', async () => {
    const aws = signer();
    const href = await aws.signHref!(`s3://usgs-landsat/${KEY}`);
    expect(href).toBe(`${server.url}/usgs-landsat/collection02/level-2/LC09%20B4%2Bx.TIF`);
    const whole = await httpRequest(href, { headers: (url) => headersFor(aws, url), retries: 0 });
    expect(whole.status).toBe(200);
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(tiff);
    const ranged = await httpRequest(href, {
      headers: async (url) => ({ ...(await headersFor(aws, url)), Range: 'bytes=0-3' }),
      retries: 0,
    });
    expect(ranged.status).toBe(206);
    expect([...new Uint8Array(await ranged.arrayBuffer())]).toEqual([0x49, 0x49, 0x2a, 0x00]);
    const last = server.requests.at(-1)!;
    expect(last.failure).toBeUndefined();
    expect(last.signedHeaders).toContain('x-amz-request-payer');
    expect(last.headers['x-amz-request-payer']).toBe('requester');
  });

  it('a wrong secret is rejected by the verifier (403 SignatureDoesNotMatch) and explained', async () => {
    const aws = signer('not-the-secret');
    const href = await aws.signHref!(`s3://usgs-landsat/${KEY}`);
    const response = await httpRequest(href, {
      headers: (url) => headersFor(aws, url),
      retries: 0,
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('SignatureDoesNotMatch');
    expect(server.requests.at(-1)!.failure).toBe('SignatureDoesNotMatch');
    const explained = aws.describeFailure!(href, response);
    expect(SignerError.isInstance(explained)).toBe(true);
    expect(explained!.message).toMatch(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });

  it('a tampered signed request is rejected', async () => {
    const aws = signer();
    const href = await aws.signHref!(`s3://usgs-landsat/${KEY}`);
    const headers = await headersFor(aws, href);
    const response = await httpRequest(`${href}?versionId=1`, { headers, retries: 0 });
    expect(response.status).toBe(403);
  });

  it('GDAL /vsis3/ reads through the verifier with the env from gdalEnv(), and fails with a wrong secret', async () => {
    const aws = signer();
    const env = await aws.gdalEnv!(`s3://usgs-landsat/${KEY}`);
    expect(env).toMatchObject({
      AWS_REQUEST_PAYER: 'requester',
      AWS_ACCESS_KEY_ID: ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_REGION: 'us-west-2',
      GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR',
      CPL_VSIL_CURL_USE_HEAD: 'NO',
      AWS_S3_ENDPOINT: server.host,
      AWS_HTTPS: 'NO',
      AWS_VIRTUAL_HOSTING: 'FALSE',
    });
    const gdalEnvironment = {
      PATH: process.env['PATH'],
      HOME: '/nonexistent',
      CPL_AWS_AUTODETECT_EC2: 'NO',
      AWS_CONFIG_FILE: '/nonexistent',
      ...env,
    };
    const before = server.requests.length;
    const { stdout } = await run('gdalinfo', ['-json', `/vsis3/usgs-landsat/${KEY}`], {
      env: gdalEnvironment,
    });
    const info = JSON.parse(stdout) as { size: number[]; bands: unknown[] };
    expect(info.size).toEqual([20, 20]);
    const gdalRequests = server.requests.slice(before);
    expect(gdalRequests.length).toBeGreaterThan(0);
    expect(
      gdalRequests.every(
        (request) => request.failure === undefined && request.accessKeyId === ACCESS_KEY,
      ),
    ).toBe(true);
    expect(
      gdalRequests.every((request) => request.headers['x-amz-request-payer'] === 'requester'),
    ).toBe(true);

    const wrong = await run('gdalinfo', [`/vsis3/usgs-landsat/${KEY}`], {
      env: { ...gdalEnvironment, AWS_SECRET_ACCESS_KEY: 'wrong-secret' },
    }).then(
      () => 'opened',
      (error: { code?: number }) => `failed ${error.code}`,
    );
    expect(wrong).toBe('failed 1');
    expect(server.requests.at(-1)!.failure).toBe('SignatureDoesNotMatch');
  });

  it('GDAL without AWS_REQUEST_PAYER is refused by the requester-pays bucket', async () => {
    const env = await signer().gdalEnv!(`s3://usgs-landsat/${KEY}`);
    const { AWS_REQUEST_PAYER: _payer, ...withoutPayer } = env;
    const result = await run('gdalinfo', [`/vsis3/usgs-landsat/${KEY}`], {
      env: {
        PATH: process.env['PATH'],
        HOME: '/nonexistent',
        CPL_AWS_AUTODETECT_EC2: 'NO',
        ...withoutPayer,
      },
    }).then(
      () => 'opened',
      () => 'refused',
    );
    expect(result).toBe('refused');
  });
});
