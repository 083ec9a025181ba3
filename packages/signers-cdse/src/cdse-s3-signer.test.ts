import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  headersFor,
  httpRequest,
  signItemsWith,
  SignerError,
  type ItemCollection,
} from '@pyramids/core';
import { cdseS3Signer } from '@pyramids/signers-cdse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../vitest.shared.js';
import { startSigV4Server, type SigV4Server } from '../../../test-support/sigv4-test-server.js';

const run = promisify(execFile);
const ACCESS = 'CDSEACCESSKEY01';
const SECRET = 'sentinel-cdse-s3-secret';
const search = JSON.parse(
  readFileSync(path.join(fixturesDir, 'stac/items/cdse/search_sentinel-2-l2a_4items.json'), 'utf8'),
) as ItemCollection;
const b04 = search.features[0]!.assets['B04_10m']!.href; // s3://eodata/Sentinel-2/MSI/L2A_N0500/…/T32TNT_20200705T101559_B04_10m.jp2
const jp2 = new Uint8Array(
  readFileSync(path.join(fixturesDir, 'rasters/sentinel2-jp2/T29UNU_20221005T115411_AOT_60m.jp2')),
);

let server: SigV4Server;
beforeAll(async () => {
  server = await startSigV4Server({
    keys: { [ACCESS]: SECRET },
    region: 'default',
    objects: { [b04.replace('s3://', '')]: jp2 },
  });
});
afterAll(() => server.close());

const signer = (secretKey = SECRET) =>
  cdseS3Signer({
    endpoint: server.url,
    env: { CDSE_S3_ACCESS_KEY: ACCESS, CDSE_S3_SECRET_KEY: secretKey },
  });

describe('cdseS3Signer', () => {
  it('maps s3://eodata hrefs of a CDSE search result to path-style endpoint URLs', async () => {
    const signed = await signItemsWith(cdseS3Signer({ env: {} }), search);
    expect(signed.features[0]!.assets['B04_10m']!.href).toBe(
      b04.replace('s3://eodata/', 'https://eodata.dataspace.copernicus.eu/eodata/'),
    );
    const cdse = cdseS3Signer({ env: {} });
    expect(cdse.matches('s3://eodata/Sentinel-2/x.jp2')).toBe(true);
    expect(cdse.matches('https://eodata.dataspace.copernicus.eu/eodata/Sentinel-2/x.jp2')).toBe(
      true,
    );
    expect(cdse.matches('s3://other-bucket/x')).toBe(false);
    expect(
      await cdseS3Signer({ env: { CDSE_S3_ACCESS_KEY: 'a', CDSE_S3_SECRET_KEY: 'b' } }).headers!(
        'https://eodata.dataspace.copernicus.eu/eodata/x?X-Amz-Signature=1',
      ),
    ).toEqual({});
    expect(cdse.matches('https://zipper.dataspace.copernicus.eu/odata/v1/x')).toBe(false);
  });

  it('signs reads that the independent SigV4 verifier accepts (region "default"), and a wrong secret is refused', async () => {
    const cdse = signer();
    const href = await cdse.signHref!(b04);
    const response = await httpRequest(href, {
      headers: async (url) => ({ ...(await headersFor(cdse, url)), Range: 'bytes=0-11' }),
      retries: 0,
    });
    expect(response.status).toBe(206);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(jp2.subarray(0, 12));
    expect(server.requests.at(-1)!.failure).toBeUndefined();

    const wrong = signer('not-the-secret');
    const refused = await httpRequest(href, {
      headers: (url) => headersFor(wrong, url),
      retries: 0,
    });
    expect(refused.status).toBe(403);
    expect(server.requests.at(-1)!.failure).toBe('SignatureDoesNotMatch');
    const explained = wrong.describeFailure!(href, refused)!;
    expect(explained.message).toMatch(/set CDSE_S3_ACCESS_KEY and CDSE_S3_SECRET_KEY/);
  });

  it('gives GDAL /vsis3/ an env that the verifier accepts', async () => {
    const env = await signer().gdalEnv!(b04);
    expect(env).toMatchObject({
      AWS_S3_ENDPOINT: server.host,
      AWS_HTTPS: 'NO',
      AWS_VIRTUAL_HOSTING: 'FALSE',
      AWS_REGION: 'default',
      AWS_ACCESS_KEY_ID: ACCESS,
    });
    const before = server.requests.length;
    const { stdout } = await run('gdalinfo', ['-json', b04.replace('s3://', '/vsis3/')], {
      env: {
        PATH: process.env['PATH'],
        HOME: '/nonexistent',
        CPL_AWS_AUTODETECT_EC2: 'NO',
        ...env,
      },
    });
    expect((JSON.parse(stdout) as { driverShortName: string }).driverShortName).toMatch(/JP2/);
    const seen = server.requests.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((request) => request.failure === undefined)).toBe(true);
  });

  it('names the variables when the keys are missing', async () => {
    const error = await cdseS3Signer({ env: {} }).headers!(
      'https://eodata.dataspace.copernicus.eu/eodata/x',
    ).then(
      () => undefined,
      (caught: unknown) => caught as SignerError,
    );
    expect(SignerError.isInstance(error)).toBe(true);
    expect(error!.message).toMatch(/set CDSE_S3_ACCESS_KEY and CDSE_S3_SECRET_KEY/);
  });
});
