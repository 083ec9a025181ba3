import path from 'node:path';
import { headersFor, httpRequest, signItemsWith, SignerError, type StacItem } from '@pyramids/core';
import { awsAnonymousSigner, awsRequesterPaysSigner } from '@pyramids/signers-aws';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixturesDir } from '../../../vitest.shared.js';
import { startCassetteServer, type CassetteServer } from './testing/cassette-server.js';

const cassette = path.join(
  fixturesDir,
  'stac/api-cassettes/stac-asset/s3_head_exists_and_errors.yaml',
);
const landsat = JSON.parse(
  readFileSync(
    path.join(
      fixturesDir,
      'stac/items/usgs-landsat/LC09_L2SP_092068_20230607_20230609_02_T1_SR.json',
    ),
    'utf8',
  ),
) as StacItem;

let replay: CassetteServer;
beforeAll(async () => {
  replay = await startCassetteServer(cassette);
});
afterAll(() => replay.close());
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('awsAnonymousSigner', () => {
  it('maps s3:// to the pinned regional endpoint and reads a public object unsigned (recorded HEAD)', async () => {
    const signer = awsAnonymousSigner({ region: 'us-west-2', env: {} });
    const href = await signer.signHref!(
      's3://sentinel-cogs/sentinel-s2-l2a-cogs/42/L/TQ/2023/5/S2B_42LTQ_20230524_0_L2A/thumbnail.jpg',
    );
    expect(href).toBe(
      'https://sentinel-cogs.s3.us-west-2.amazonaws.com/sentinel-s2-l2a-cogs/42/L/TQ/2023/5/S2B_42LTQ_20230524_0_L2A/thumbnail.jpg',
    );
    const response = await httpRequest(href, {
      method: 'HEAD',
      fetch: replay.fetch,
      headers: (url) => headersFor(signer, url),
      retries: 0,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(replay.requests.at(-1)!.headers.authorization).toBeUndefined();
    expect(await signer.gdalEnv!('s3://sentinel-cogs/x.tif')).toEqual({
      AWS_NO_SIGN_REQUEST: 'YES',
      AWS_REGION: 'us-west-2',
      GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR',
    });
    expect(await awsAnonymousSigner({ region: 'af-south-1', env: {} }).signHref!('s3://b/k')).toBe(
      'https://b.s3.af-south-1.amazonaws.com/k',
    );
  });

  it('explains the recorded wrong-region 301 and the 403 that follows', async () => {
    const signer = awsAnonymousSigner({ region: 'us-west-2', env: {} });
    const href = await signer.signHref!('s3://does-not-exist/not-a-file');
    const moved = await httpRequest(href, { method: 'HEAD', fetch: replay.fetch, retries: 0 });
    expect(moved.status).toBe(301);
    const wrongRegion = signer.describeFailure!(href, moved)!;
    expect(SignerError.isInstance(wrongRegion)).toBe(true);
    expect(wrongRegion.message).toMatch(
      /is in region eu-west-1, not us-west-2 .*AWS_REGION=eu-west-1/,
    );
    expect(wrongRegion.details).toMatchObject({ bucketRegion: 'eu-west-1', status: 301 });

    const inRegion = await awsAnonymousSigner({ region: 'eu-west-1', env: {} }).signHref!(
      's3://does-not-exist/not-a-file',
    );
    const forbidden = await httpRequest(inRegion, {
      method: 'HEAD',
      fetch: replay.fetch,
      retries: 0,
    });
    expect(forbidden.status).toBe(403);
    expect(signer.describeFailure!(inRegion, forbidden)!.message).toMatch(
      /not public: use the aws-requester-pays signer .*AWS_ACCESS_KEY_ID/,
    );
  });

  it('touches only S3 hrefs, and only the listed buckets', () => {
    const signer = awsAnonymousSigner({ region: 'us-west-2', buckets: ['sentinel-cogs'], env: {} });
    expect(signer.matches('s3://sentinel-cogs/a')).toBe(true);
    expect(signer.matches('/vsis3/sentinel-cogs/a')).toBe(true);
    expect(signer.matches('https://sentinel-cogs.s3.us-west-2.amazonaws.com/a')).toBe(true);
    expect(signer.matches('s3://other/a')).toBe(false);
    expect(signer.matches('https://example.com/sentinel-cogs/a')).toBe(false);
  });
});

describe('awsRequesterPaysSigner', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'sentinel-secret-rp' };

  it('signs the s3 alternates of a USGS Landsat Item into HTTPS URLs and leaves https hrefs alone', async () => {
    const signer = awsRequesterPaysSigner({ region: 'us-west-2', credentials, env: {} });
    const signed = await signItemsWith(signer, landsat);
    const red = signed.assets['red'] as { href: string; alternate: { s3: { href: string } } };
    expect(red.href).toBe(landsat.assets['red']!.href);
    expect(red.alternate.s3.href).toBe(
      'https://usgs-landsat.s3.us-west-2.amazonaws.com/collection02/level-2/standard/oli-tirs/2023/092/068/LC09_L2SP_092068_20230607_20230609_02_T1/LC09_L2SP_092068_20230607_20230609_02_T1_SR_B4.TIF',
    );
  });

  it('adds SigV4 headers with the requester-pays header and a session token', async () => {
    const signer = awsRequesterPaysSigner({
      region: 'us-west-2',
      credentials: { ...credentials, sessionToken: 'session-xyz' },
      env: {},
    });
    const headers = await headersFor(
      signer,
      'https://usgs-landsat.s3.us-west-2.amazonaws.com/a.TIF',
    );
    expect(headers['x-amz-request-payer']).toBe('requester');
    expect(headers['x-amz-security-token']).toBe('session-xyz');
    expect(headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-request-payer;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    expect(await headersFor(signer, 'https://example.com/a.TIF')).toEqual({});
    // A presigned URL (e.g. where an Earthdata data host redirects) keeps its own signature only.
    expect(
      await headersFor(
        signer,
        'https://usgs-landsat.s3.us-west-2.amazonaws.com/a.TIF?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc',
      ),
    ).toEqual({});
    expect(await signer.gdalEnv!('https://example.com/a.TIF')).toEqual({});
  });

  it('refreshes temporary credentials before they expire, with one provider call for concurrent reads', async () => {
    let calls = 0;
    const provider = async () => {
      calls += 1;
      return {
        ...credentials,
        sessionToken: `session-${calls}`,
        expiration: new Date(Date.now() + 60_000),
      };
    };
    const signer = awsRequesterPaysSigner({
      region: 'us-west-2',
      credentials: provider,
      refreshWindow: 30_000,
      env: {},
    });
    const url = 'https://usgs-landsat.s3.us-west-2.amazonaws.com/a.TIF';
    const concurrent = await Promise.all([1, 2, 3, 4].map(() => headersFor(signer, url)));
    expect(calls).toBe(1);
    expect(concurrent.every((headers) => headers['x-amz-security-token'] === 'session-1')).toBe(
      true,
    );
    const soonExpiring = awsRequesterPaysSigner({
      region: 'us-west-2',
      credentials: provider,
      refreshWindow: 120_000,
      env: {},
    });
    await headersFor(soonExpiring, url);
    const second = await headersFor(soonExpiring, url);
    expect(calls).toBe(3);
    expect(second['x-amz-security-token']).toBe('session-3');
  });

  it('reads credentials from the environment through the AWS SDK provider chain', async () => {
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDFROMENV');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'sentinel-env-secret');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    vi.stubEnv('AWS_PROFILE', '');
    const signer = awsRequesterPaysSigner({ region: 'us-west-2', env: {} });
    const env = await signer.gdalEnv!('s3://usgs-landsat/a.TIF');
    expect(env).toMatchObject({
      AWS_ACCESS_KEY_ID: 'AKIDFROMENV',
      AWS_SECRET_ACCESS_KEY: 'sentinel-env-secret',
      AWS_REQUEST_PAYER: 'requester',
    });
  });

  it('throws a SignerError naming the variables to set when the chain finds nothing', async () => {
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    ]) {
      vi.stubEnv(name, undefined as unknown as string);
    }
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/aws-config');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/aws-credentials');
    const signer = awsRequesterPaysSigner({ region: 'us-west-2', env: {} });
    const error = await signer.headers!(
      'https://usgs-landsat.s3.us-west-2.amazonaws.com/a.TIF',
    ).catch((caught: unknown) => caught);
    expect(SignerError.isInstance(error)).toBe(true);
    expect((error as SignerError).message).toMatch(
      /no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY .*AWS_PROFILE/,
    );
    expect((error as SignerError).plugin).toBe('aws-requester-pays');
  });

  it('takes its region from the environment and describes itself without secrets', () => {
    const signer = awsRequesterPaysSigner({ credentials, env: { AWS_REGION: 'eu-central-1' } });
    expect(signer.describe!()).toEqual({
      id: 'aws-requester-pays',
      options: { region: 'eu-central-1' },
    });
    expect(JSON.stringify(signer.describe!())).not.toContain('sentinel-secret-rp');
  });
});
