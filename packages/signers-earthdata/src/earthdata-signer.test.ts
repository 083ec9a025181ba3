import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { headersFor, httpRequest, SignerError } from '@pyramids/core';
import {
  earthdataSigner,
  jwtExpiry,
  parseDateValue,
  parseTokenExpiry,
} from '@pyramids/signers-earthdata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const USERNAME = 'pyramids-user';
const PASSWORD = 'sentinel-edl-password!';
const DAY = 86_400_000;

/** An Earthdata-Login-style JWT (header.payload.signature) with the given expiry. */
function jwt(exp: number, id: string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ typ: 'JWT', alg: 'RS256', origin: 'Earthdata Login' })}.${encode({ type: 'User', uid: USERNAME, exp: Math.floor(exp / 1000), iat: 1_700_000_000, iss: 'https://urs.earthdata.nasa.gov', jti: id })}.c2lnbmF0dXJl`;
}

interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

const servers: Server[] = [];
async function listen(
  handler: (request: Recorded) => {
    status: number;
    headers?: Record<string, string>;
    body?: string;
  },
) {
  const seen: Recorded[] = [];
  const server = createServer((request, response) => {
    const recorded = {
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers: request.headers,
    };
    seen.push(recorded);
    const reply = handler(recorded);
    response.writeHead(reply.status, reply.headers).end(reply.body ?? '');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
  };
}
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

let clock: { now: number };
let edl: Awaited<ReturnType<typeof listen>>;
let edlReply: { status: number; body: string } | undefined;
let minted: number;
let expiryFormat: (expiry: number) => Record<string, unknown>;

beforeEach(async () => {
  clock = { now: Date.parse('2024-11-20T12:00:00Z') };
  minted = 0;
  edlReply = undefined;
  // EDL documents expiration_date as a M/D/YYYY date; tokens live 60 days.
  expiryFormat = (expiry) => {
    const date = new Date(expiry);
    return {
      expiration_date: `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()}`,
    };
  };
  edl = await listen(({ method, path, headers }) => {
    if (edlReply) return { ...edlReply, headers: { 'content-type': 'application/json' } };
    if (method !== 'POST' || path !== '/api/users/find_or_create_token')
      return { status: 404, body: '{"error":"not_found"}' };
    if (
      headers.authorization !== `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`
    ) {
      return {
        status: 401,
        headers: { 'content-type': 'application/json' },
        body: '{"error":"invalid_credentials","error_description":"Invalid user credentials"}',
      };
    }
    minted += 1;
    const expiry = clock.now + 60 * DAY;
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        access_token: jwt(expiry, `t${minted}`),
        token_type: 'Bearer',
        ...expiryFormat(expiry),
      }),
    };
  });
});

function signer(extra: Parameters<typeof earthdataSigner>[0] = {}) {
  return earthdataSigner({
    username: USERNAME,
    password: PASSWORD,
    tokenUrl: `${edl.url}/api/users/find_or_create_token`,
    now: () => clock.now,
    retries: 0,
    env: {},
    ...extra,
  });
}

describe('earthdataSigner', () => {
  it('mints a token at Earthdata Login once and sends it to Earthdata hosts only', async () => {
    const earthdata = signer();
    const [a, b] = await Promise.all([
      headersFor(
        earthdata,
        'https://data.lpdaac.earthdatacloud.nasa.gov/lp-prod-protected/HLSS30.020/B04.tif',
      ),
      headersFor(earthdata, 'https://cmr.earthdata.nasa.gov/stac/LPCLOUD/search'),
    ]);
    expect(a['Authorization']).toMatch(/^Bearer eyJ/);
    expect(b).toEqual(a);
    expect(minted).toBe(1);
    expect(
      await headersFor(
        earthdata,
        'https://lp-prod-protected.s3.us-west-2.amazonaws.com/x.tif?X-Amz-Signature=1',
      ),
    ).toEqual({});
    expect(await headersFor(earthdata, 'https://earthdata.nasa.gov.evil.example/x')).toEqual({});
    const request = await earthdata.signRequest!({
      url: 'https://cmr.earthdata.nasa.gov/stac/LPCLOUD/search',
      method: 'POST',
      headers: {},
    });
    expect(request.headers['Authorization']).toBe(a['Authorization']);
    expect(
      await earthdata.gdalEnv!('/vsicurl/https://data.ornldaac.earthdata.nasa.gov/x.tif'),
    ).toEqual({
      GDAL_HTTP_HEADERS: `Authorization: ${a['Authorization']}`,
      GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR',
    });
  });

  it('follows the data host redirect to a presigned URL without forwarding the token', async () => {
    const s3 = await listen(() => ({ status: 200, body: 'COG bytes' }));
    const dataHost = await listen(({ headers }) =>
      headers.authorization?.startsWith('Bearer ')
        ? {
            status: 307,
            headers: {
              location: `${s3.url}/lp-prod-protected/B04.tif?A-userid=pyramids&X-Amz-Signature=abc`,
            },
          }
        : { status: 401, body: 'Unauthorized' },
    );
    const earthdata = signer({ hosts: [dataHost.host] });
    const response = await httpRequest(`${dataHost.url}/lp-prod-protected/HLSS30.020/B04.tif`, {
      headers: (url) => headersFor(earthdata, url),
      retries: 0,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('COG bytes');
    expect(dataHost.seen[0]!.headers.authorization).toMatch(/^Bearer /);
    expect(s3.seen).toHaveLength(1);
    expect(s3.seen[0]!.headers.authorization).toBeUndefined();
  });

  it.each([
    [
      'M/D/YYYY',
      (expiry: number) => ({
        expiration_date: `${new Date(expiry).getUTCMonth() + 1}/${new Date(expiry).getUTCDate()}/${new Date(expiry).getUTCFullYear()}`,
      }),
    ],
    ['ISO 8601', (expiry: number) => ({ expiration_date: new Date(expiry).toISOString() })],
    ['epoch seconds', (expiry: number) => ({ expiration_date: Math.floor(expiry / 1000) })],
    ['expires_in', () => ({ expires_in: 60 * 86_400 })],
    ['only the JWT exp claim', () => ({})],
  ])('refreshes before expiry whatever the expiry format (%s)', async (_label, format) => {
    expiryFormat = format;
    const earthdata = signer({ refreshWindow: DAY });
    const url = 'https://data.lpdaac.earthdatacloud.nasa.gov/x.tif';
    const first = await headersFor(earthdata, url);
    clock.now += 50 * DAY;
    expect(await headersFor(earthdata, url)).toEqual(first);
    expect(minted).toBe(1);
    clock.now += 9.5 * DAY; // within a day of the 60-day expiry
    const second = await headersFor(earthdata, url);
    expect(minted).toBe(2);
    expect(second).not.toEqual(first);
  });

  it('throws a SignerError when a refresh fails and recovers once Earthdata Login answers again', async () => {
    const earthdata = signer({ refreshWindow: DAY });
    const url = 'https://data.lpdaac.earthdatacloud.nasa.gov/x.tif';
    await headersFor(earthdata, url);
    clock.now += 59.5 * DAY;
    edlReply = { status: 503, body: '<html>Service Temporarily Unavailable</html>' };
    const error = await headersFor(earthdata, url).then(
      () => undefined,
      (caught: unknown) => caught as SignerError,
    );
    expect(SignerError.isInstance(error)).toBe(true);
    expect(error!.message).toMatch(/Earthdata Login answered HTTP 503 .*try again later/);
    edlReply = undefined;
    await headersFor(earthdata, url);
    expect(minted).toBe(2);
  });

  it('explains a refused password, naming the variables and hiding the password', async () => {
    const earthdata = signer({ password: 'sentinel-wrong-password' });
    const error = await headersFor(earthdata, 'https://cmr.earthdata.nasa.gov/x').then(
      () => undefined,
      (caught: unknown) => caught as SignerError,
    );
    expect(SignerError.isInstance(error)).toBe(true);
    expect(error!.message).toMatch(
      /HTTP 401 .*Invalid user credentials.*check EARTHDATA_USERNAME and EARTHDATA_PASSWORD/,
    );
    expect(error!.message).not.toContain('sentinel-wrong-password');
  });

  it('uses EARTHDATA_TOKEN from the environment without calling Earthdata Login, and refuses it once expired', async () => {
    const token = jwt(clock.now + 10 * DAY, 'given');
    const earthdata = earthdataSigner({
      env: { EARTHDATA_TOKEN: token, EARTHDATA_USERNAME: USERNAME },
      now: () => clock.now,
      tokenUrl: `${edl.url}/api/users/find_or_create_token`,
    });
    expect(await headersFor(earthdata, 'https://cmr.earthdata.nasa.gov/x')).toEqual({
      Authorization: `Bearer ${token}`,
    });
    clock.now += 11 * DAY;
    const error = await headersFor(earthdata, 'https://cmr.earthdata.nasa.gov/x').then(
      () => undefined,
      (caught: unknown) => caught as SignerError,
    );
    expect(error!.message).toMatch(/token expired on .*set EARTHDATA_TOKEN/);
    expect(error!.message).not.toContain(token);
    expect(edl.seen).toHaveLength(0);
    expect(
      await headersFor(
        earthdataSigner({ env: { EARTHDATA_PAT: 'pat-token' } }),
        'https://cmr.earthdata.nasa.gov/x',
      ),
    ).toEqual({ Authorization: 'Bearer pat-token' });
  });

  it('names the variables to set when there are no credentials at all', async () => {
    const error = await headersFor(
      earthdataSigner({ env: {} }),
      'https://cmr.earthdata.nasa.gov/x',
    ).then(
      () => undefined,
      (caught: unknown) => caught as SignerError,
    );
    expect(SignerError.isInstance(error)).toBe(true);
    expect(error!.message).toMatch(
      /no Earthdata credentials; set EARTHDATA_TOKEN .* or EARTHDATA_USERNAME and EARTHDATA_PASSWORD/,
    );
  });

  it('explains a 401 from a data host, drops the token and mints a new one on the next read', async () => {
    const earthdata = signer();
    const url = 'https://data.lpdaac.earthdatacloud.nasa.gov/x.tif?token=abc';
    await headersFor(earthdata, url);
    const explained = earthdata.describeFailure!(url, { status: 401, headers: new Headers() })!;
    expect(explained.message).toMatch(
      /x\.tif\?<redacted> refused the Earthdata token \(HTTP 401\); the token was dropped.*check EARTHDATA_USERNAME and EARTHDATA_PASSWORD/,
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    await headersFor(earthdata, url);
    expect(minted).toBe(2);
    expect(
      earthdata.describeFailure!('https://example.com/x', { status: 401, headers: new Headers() }),
    ).toBeUndefined();
  });

  it('describes itself without secrets', () => {
    const description = signer().describe!();
    expect(description.id).toBe('earthdata');
    expect(JSON.stringify(description)).not.toContain(PASSWORD);
    expect(JSON.stringify(description)).not.toContain(USERNAME);
  });
});

describe('parseTokenExpiry', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  it('reads the formats Earthdata Login has used', () => {
    expect(parseTokenExpiry({ expiration_date: '11/20/2024' }, undefined, now)).toBe(
      Date.parse('2024-11-20T00:00:00Z'),
    );
    expect(parseTokenExpiry({ expiration_date: '2024-11-20' }, undefined, now)).toBe(
      Date.parse('2024-11-20T00:00:00Z'),
    );
    expect(parseTokenExpiry({ expiration_date: '2024-11-20T10:00:00' }, undefined, now)).toBe(
      Date.parse('2024-11-20T10:00:00Z'),
    );
    expect(parseTokenExpiry({ expiration_date: '2024-11-20T10:00:00+02:00' }, undefined, now)).toBe(
      Date.parse('2024-11-20T08:00:00Z'),
    );
    expect(parseTokenExpiry({ expiration_date: 1_732_060_800 }, undefined, now)).toBe(
      1_732_060_800_000,
    );
    expect(parseTokenExpiry({ expiration_date: '1732060800000' }, undefined, now)).toBe(
      1_732_060_800_000,
    );
    expect(parseTokenExpiry({ expires_in: 3600 }, undefined, now)).toBe(now + 3_600_000);
    expect(parseTokenExpiry({}, jwt(1_732_060_800_000, 'x'), now)).toBe(1_732_060_800_000);
    expect(parseTokenExpiry({ expiration_date: 'someday' }, 'not-a-jwt', now)).toBeUndefined();
    expect(parseDateValue('')).toBeUndefined();
    expect(jwtExpiry('a.b.c')).toBeUndefined();
  });
});
