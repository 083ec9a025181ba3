// Sentinel secrets: every signer is given secrets it must never print, then
// made to sign and to fail (refused credentials, expired tokens, network errors,
// refused reads) against a loopback server that echoes back everything it was
// sent. No sentinel may appear in an error message or its causes, in describe(),
// or in anything written to the console, stderr or process warnings.
// (The cube-level half of this check, on serialised chunk tasks, comes with the cube.)
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { headersFor, httpRequest, type Signer } from '@pyramids/core';
import { awsRequesterPaysSigner } from '@pyramids/signers-aws';
import { cdseS3Signer, cdseSigner } from '@pyramids/signers-cdse';
import { earthdataSigner } from '@pyramids/signers-earthdata';
import { planetaryComputerSigner } from '@pyramids/signers-planetary-computer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';
import { createSignerFromEnvironment } from './signer-option.js';

const SENTINELS = {
  bearer: 'SENTINEL-BEARER-a81f',
  awsSecret: 'SENTINEL-AWS-SECRET-9c2e',
  awsSession: 'SENTINEL-AWS-SESSION-77d0',
  pcKey: 'SENTINEL-PC-KEY-5f1c',
  pcSig: 'SENTINEL-SAS-SIG-31aa',
  edlPassword: 'SENTINEL-EDL-PASSWORD-0b4d',
  edlToken: 'SENTINEL-EDL-TOKEN-e6c3',
  cdsePassword: 'SENTINEL-CDSE-PASSWORD-14f9',
  cdseRefresh: 'SENTINEL-CDSE-REFRESH-d2b8',
  cdseS3Secret: 'SENTINEL-CDSE-S3-SECRET-6a07',
};
const sentinelValues = Object.values(SENTINELS);

/** Expired JWT whose payload carries a sentinel (base64url-encoded inside the token). */
const expiredEdlJwt = (() => {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ typ: 'JWT', alg: 'RS256' })}.${encode({ exp: 1_600_000_000, jti: SENTINELS.edlToken })}.${SENTINELS.edlToken}`;
})();

let echo: Server;
let echoUrl: string;
let closedUrl: string;
let status = 401;
let captured = '';

beforeAll(async () => {
  // Answers every request with `status` and a JSON body quoting the request: URL, headers, body.
  echo = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.url?.startsWith('/sas/') && status === 200) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            'msft:expiry': '2020-01-01T00:00:00Z',
            token: `se=2020-01-01&sig=${SENTINELS.pcSig}`,
          }),
        );
        return;
      }
      // What carries secrets goes first, so that a server reply cut short for an error message still holds them.
      const {
        authorization,
        'ocp-apim-subscription-key': key,
        'x-amz-security-token': session,
      } = request.headers;
      const quoted = JSON.stringify({ body, authorization, key, session, url: request.url });
      response
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'denied', error_description: quoted, message: quoted }));
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));

  const record = (chunk: unknown) => ((captured += String(chunk)), true);
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const)
    vi.spyOn(console, method).mockImplementation(
      (...args: unknown[]) => void record(args.join(' ')),
    );
  vi.spyOn(process.stderr, 'write').mockImplementation(record);
  vi.spyOn(process, 'emitWarning').mockImplementation(
    (warning: string | Error) => void record(warning instanceof Error ? warning.message : warning),
  );
});
afterAll(async () => {
  vi.restoreAllMocks();
  await new Promise((resolve) => echo.close(resolve));
});

/** Every message in an error's cause chain, and its details. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 10; depth++) {
    parts.push(
      String((current as Error).message ?? current),
      JSON.stringify((current as { details?: unknown }).details ?? {}),
    );
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

function expectClean(text: string, where: string): void {
  for (const sentinel of sentinelValues) {
    if (text.includes(sentinel))
      throw new Error(
        `${where} contains the sentinel secret ${sentinel.slice(0, 12)}…: ${text.slice(0, 400)}`,
      );
  }
}

async function failure(operation: () => Promise<unknown>): Promise<string> {
  try {
    await operation();
  } catch (error) {
    return errorText(error);
  }
  throw new Error('expected the operation to fail');
}

describe('sentinel secrets', () => {
  it('never appear in errors, describe() or output, whatever fails', async () => {
    const messages: string[] = [];
    const signers: Signer[] = [];

    // Bearer: built from the environment as the CLI and a worker would.
    const bearer = createSignerFromEnvironment('bearer', {
      env: {
        PYRAMIDS_BEARER_TOKEN: SENTINELS.bearer,
        PYRAMIDS_BEARER_HOSTS: new URL(echoUrl).host,
      },
    });
    signers.push(bearer);
    messages.push(
      await failure(() =>
        httpRequest(`${closedUrl}/x?token=${SENTINELS.bearer}`, {
          headers: (url) => headersFor(bearer, url),
          retries: 0,
        }),
      ),
    );
    const bearerBroken = createSignerFromEnvironment('bearer', {
      env: { PYRAMIDS_BEARER_TOKEN: ' ', PYRAMIDS_BEARER_HOSTS: 'x.example' },
    });
    messages.push(await failure(() => bearerBroken.headers!('https://x.example/')));

    // AWS requester pays: a refused read, a network error, and no credentials at all.
    const aws = awsRequesterPaysSigner({
      region: 'us-west-2',
      endpoint: echoUrl,
      credentials: {
        accessKeyId: 'AKIDSENTINEL',
        secretAccessKey: SENTINELS.awsSecret,
        sessionToken: SENTINELS.awsSession,
      },
      env: {},
    });
    signers.push(aws);
    const awsHref = await aws.signHref!('s3://usgs-landsat/a.TIF');
    status = 403;
    const refused = await httpRequest(awsHref, {
      headers: (url) => headersFor(aws, url),
      retries: 0,
    });
    messages.push(errorText(aws.describeFailure!(awsHref, refused)));
    const awsClosed = awsRequesterPaysSigner({
      region: 'us-west-2',
      endpoint: closedUrl,
      credentials: { accessKeyId: 'AKIDSENTINEL', secretAccessKey: SENTINELS.awsSecret },
      env: {},
    });
    messages.push(
      await failure(async () =>
        httpRequest(await awsClosed.signHref!('s3://b/k'), {
          headers: (url) => headersFor(awsClosed, url),
          retries: 0,
        }),
      ),
    );
    messages.push(
      await failure(() =>
        awsRequesterPaysSigner({
          region: 'us-west-2',
          credentials: async () => {
            throw new Error('provider failed');
          },
          env: {},
        }).headers!('https://b.s3.us-west-2.amazonaws.com/k'),
      ),
    );

    // Planetary Computer: refused key (echoed back), expired token, unreachable endpoint, refused blob read.
    status = 401;
    const pc = planetaryComputerSigner({
      sasUrl: `${echoUrl}/sas`,
      subscriptionKey: SENTINELS.pcKey,
      retries: 0,
      env: {},
    });
    signers.push(pc);
    const blob = 'https://sentinel2l2a01.blob.core.windows.net/sentinel2-l2/a.tif';
    messages.push(await failure(() => pc.signHref!(blob)));
    status = 200;
    messages.push(
      await failure(() =>
        planetaryComputerSigner({
          sasUrl: `${echoUrl}/sas`,
          subscriptionKey: SENTINELS.pcKey,
          retries: 0,
          env: {},
        }).signHref!(blob),
      ),
    );
    messages.push(
      await failure(() =>
        planetaryComputerSigner({
          sasUrl: closedUrl,
          subscriptionKey: SENTINELS.pcKey,
          retries: 0,
          env: {},
        }).signHref!(blob),
      ),
    );
    messages.push(
      errorText(
        pc.describeFailure!(`${blob}?se=2020&sig=${SENTINELS.pcSig}`, {
          status: 403,
          headers: new Headers(),
        }),
      ),
    );

    // Earthdata: refused password (echoed with the Basic header), expired token, unreachable endpoint.
    status = 401;
    const edl = earthdataSigner({
      username: 'someone',
      password: SENTINELS.edlPassword,
      tokenUrl: `${echoUrl}/api/users/find_or_create_token`,
      retries: 0,
      env: {},
    });
    signers.push(edl);
    messages.push(await failure(() => edl.headers!('https://cmr.earthdata.nasa.gov/search')));
    const expired = createSignerFromEnvironment('earthdata', {
      env: { EARTHDATA_TOKEN: expiredEdlJwt },
    });
    signers.push(expired);
    messages.push(await failure(() => expired.headers!('https://cmr.earthdata.nasa.gov/search')));
    messages.push(
      await failure(() =>
        earthdataSigner({
          username: 'someone',
          password: SENTINELS.edlPassword,
          tokenUrl: closedUrl,
          retries: 0,
          env: {},
        }).headers!('https://cmr.earthdata.nasa.gov/'),
      ),
    );
    messages.push(
      errorText(
        expired.describeFailure!(
          `https://data.lpdaac.earthdatacloud.nasa.gov/x?token=${SENTINELS.edlToken}`,
          { status: 401, headers: new Headers() },
        ),
      ),
    );

    // CDSE: refused password (the form with the password is echoed back), unreachable endpoint.
    const cdse = cdseSigner({
      tokenUrl: `${echoUrl}/token`,
      retries: 0,
      env: { CDSE_USERNAME: 'someone@example.org', CDSE_PASSWORD: SENTINELS.cdsePassword },
    });
    signers.push(cdse);
    messages.push(
      await failure(() => cdse.headers!('https://zipper.dataspace.copernicus.eu/odata/v1/x')),
    );
    status = 500;
    messages.push(
      await failure(() => cdse.headers!('https://zipper.dataspace.copernicus.eu/odata/v1/x')),
    );
    messages.push(
      await failure(() =>
        cdseSigner({
          tokenUrl: closedUrl,
          retries: 0,
          env: { CDSE_USERNAME: 'u', CDSE_PASSWORD: SENTINELS.cdsePassword },
        }).headers!('https://zipper.dataspace.copernicus.eu/x'),
      ),
    );

    // CDSE S3: a refused read.
    const cdseS3 = cdseS3Signer({
      endpoint: echoUrl,
      env: { CDSE_S3_ACCESS_KEY: 'CDSEKEY', CDSE_S3_SECRET_KEY: SENTINELS.cdseS3Secret },
    });
    signers.push(cdseS3);
    status = 403;
    const s3Href = await cdseS3.signHref!('s3://eodata/Sentinel-2/x.jp2');
    messages.push(
      errorText(
        cdseS3.describeFailure!(
          s3Href,
          await httpRequest(s3Href, { headers: (url) => headersFor(cdseS3, url), retries: 0 }),
        ),
      ),
    );

    // The CLI with --debug prints causes and stacks: they must be clean too.
    vi.stubEnv('PC_SDK_SAS_URL', `${echoUrl}/sas`);
    vi.stubEnv('PC_SDK_SUBSCRIPTION_KEY', SENTINELS.pcKey);
    status = 401;
    expect(
      await main(['node', 'pyramids', '--debug', 'sign', blob, '--signer', 'planetary-computer']),
    ).toBe(1);
    vi.unstubAllEnvs();

    expect(messages).toHaveLength(17);
    for (const message of messages) {
      expect(message.length).toBeGreaterThan(20);
      expectClean(message, 'an error message');
    }
    // The echo server really did receive the secrets, so a leak would have shown.
    expect(messages.filter((message) => message.includes('***')).length).toBeGreaterThanOrEqual(3);
    for (const signer of signers)
      expectClean(JSON.stringify(signer.describe!()), `describe() of ${signer.id}`);
    expect(captured).toMatch(/SignerError: planetary-computer/);
    expectClean(captured, 'console, stderr or warning output');
  });
});
