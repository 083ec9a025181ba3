import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { headersFor, SignerError } from '@pyramids/core';
import { cdseSigner } from '@pyramids/signers-cdse';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const USERNAME = 'someone@example.org';
const PASSWORD = 'sentinel-cdse-password';
const ZIPPER =
  'https://zipper.dataspace.copernicus.eu/odata/v1/Products(8e7057cf-af5f-46de-868e-fe5a8faa2d9c)/$value';

/** A Keycloak token endpoint answering as CDSE's does (10-minute access tokens, 1-hour refresh tokens). */
let grants: Record<string, string>[];
let activeRefreshTokens: Set<string>;
let outage: number | undefined;
let issued: number;
const servers: Server[] = [];
let tokenUrl: string;

beforeEach(async () => {
  grants = [];
  activeRefreshTokens = new Set();
  outage = undefined;
  issued = 0;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      grants.push(form);
      const reply = (status: number, json: object) =>
        response
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify(json));
      if (outage) {
        reply(outage, { error: 'temporarily_unavailable' });
        return;
      }
      if (
        request.headers['content-type'] !== 'application/x-www-form-urlencoded' ||
        form['client_id'] !== 'cdse-public'
      ) {
        reply(401, {
          error: 'invalid_client',
          error_description: 'Invalid client or Invalid client credentials',
        });
        return;
      }
      const ok =
        (form['grant_type'] === 'password' &&
          form['username'] === USERNAME &&
          form['password'] === PASSWORD) ||
        (form['grant_type'] === 'refresh_token' && activeRefreshTokens.has(form['refresh_token']!));
      if (!ok) {
        if (form['grant_type'] === 'password')
          reply(401, { error: 'invalid_grant', error_description: 'Invalid user credentials' });
        else reply(400, { error: 'invalid_grant', error_description: 'Token is not active' });
        return;
      }
      issued += 1;
      activeRefreshTokens.add(`refresh-${issued}`);
      reply(200, {
        access_token: `access-${issued}`,
        expires_in: 600,
        refresh_expires_in: 3600,
        refresh_token: `refresh-${issued}`,
        token_type: 'Bearer',
        'not-before-policy': 0,
        session_state: 'a1b2c3',
        scope: 'AUDIENCE_PUBLIC openid email profile ondemand_processing user-context',
      });
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth/realms/CDSE/protocol/openid-connect/token`;
});
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

let clock: { now: number };
beforeEach(() => {
  clock = { now: Date.parse('2025-03-01T10:00:00Z') };
});

function signer(extra: Parameters<typeof cdseSigner>[0] = {}) {
  return cdseSigner({
    tokenUrl,
    now: () => clock.now,
    retries: 0,
    env: { CDSE_USERNAME: USERNAME, CDSE_PASSWORD: PASSWORD },
    ...extra,
  });
}

describe('cdseSigner', () => {
  it('logs in with the password grant (client cdse-public) once, and sends the token to CDSE download hosts only', async () => {
    const cdse = signer();
    const all = await Promise.all([
      headersFor(cdse, ZIPPER),
      headersFor(cdse, ZIPPER),
      headersFor(cdse, 'https://download.dataspace.copernicus.eu/odata/v1/x'),
    ]);
    expect(all.every((headers) => headers['Authorization'] === 'Bearer access-1')).toBe(true);
    expect(grants).toEqual([
      { grant_type: 'password', username: USERNAME, password: PASSWORD, client_id: 'cdse-public' },
    ]);
    expect(
      await headersFor(cdse, 'https://eodata.dataspace.copernicus.eu/eodata/Sentinel-2/x.jp2'),
    ).toEqual({});
    expect(await headersFor(cdse, 'https://example.com/x')).toEqual({});
  });

  it('uses the refresh-token grant when the access token runs out', async () => {
    const cdse = signer();
    await headersFor(cdse, ZIPPER);
    clock.now += 9.5 * 60_000; // within a minute of the 10-minute expiry
    expect(await headersFor(cdse, ZIPPER)).toEqual({ Authorization: 'Bearer access-2' });
    expect(grants.map((grant) => grant['grant_type'])).toEqual(['password', 'refresh_token']);
    expect(grants[1]).toMatchObject({ refresh_token: 'refresh-1', client_id: 'cdse-public' });
  });

  it('falls back to the password grant when the refresh token is refused', async () => {
    const cdse = signer();
    await headersFor(cdse, ZIPPER);
    activeRefreshTokens.clear(); // the session was ended on the server
    clock.now += 11 * 60_000;
    expect(await headersFor(cdse, ZIPPER)).toEqual({ Authorization: 'Bearer access-2' });
    expect(grants.map((grant) => grant['grant_type'])).toEqual([
      'password',
      'refresh_token',
      'password',
    ]);
  });

  it('logs in with the password again once the refresh token itself has expired', async () => {
    const cdse = signer();
    await headersFor(cdse, ZIPPER);
    clock.now += 2 * 3_600_000;
    await headersFor(cdse, ZIPPER);
    expect(grants.map((grant) => grant['grant_type'])).toEqual(['password', 'password']);
  });

  it('explains refused credentials, naming CDSE_USERNAME and CDSE_PASSWORD and hiding the password', async () => {
    const cdse = signer({ password: 'sentinel-wrong-cdse-password' });
    const error = await headersFor(cdse, ZIPPER).then(
      () => undefined,
      (caught: unknown) => caught as SignerError,
    );
    expect(SignerError.isInstance(error)).toBe(true);
    expect(error!.message).toMatch(
      /CDSE refused the login: password grant refused \(HTTP 401, invalid_grant: Invalid user credentials\); check CDSE_USERNAME and CDSE_PASSWORD/,
    );
    expect(error!.message).not.toContain('sentinel-wrong-cdse-password');
  });

  it('names the variables when there are no credentials', async () => {
    const error = await headersFor(cdseSigner({ tokenUrl, env: {} }), ZIPPER).then(
      () => undefined,
      (caught: unknown) => caught as SignerError,
    );
    expect(error!.message).toMatch(/no CDSE credentials; set CDSE_USERNAME and CDSE_PASSWORD/);
    expect(grants).toHaveLength(0);
  });

  it('throws a SignerError when the identity service fails during a refresh, then recovers', async () => {
    const cdse = signer();
    await headersFor(cdse, ZIPPER);
    clock.now += 10 * 60_000;
    outage = 503;
    const error = await headersFor(cdse, ZIPPER).then(
      () => undefined,
      (caught: unknown) => caught as SignerError,
    );
    expect(error!.message).toMatch(
      /answered HTTP 503 to the refresh-token grant .*try again later/,
    );
    outage = undefined;
    expect(await headersFor(cdse, ZIPPER)).toEqual({ Authorization: 'Bearer access-2' });
  });

  it('explains a 403 from a download host and logs in again next time', async () => {
    const cdse = signer();
    await headersFor(cdse, ZIPPER);
    const explained = cdse.describeFailure!(ZIPPER, { status: 403, headers: new Headers() })!;
    expect(explained.message).toMatch(
      /refused the CDSE access token \(HTTP 403\).*CDSE_USERNAME and CDSE_PASSWORD/,
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    await headersFor(cdse, ZIPPER);
    expect(grants.map((grant) => grant['grant_type'])).toEqual(['password', 'password']);
    expect(JSON.stringify(cdse.describe!())).not.toContain(PASSWORD);
  });
});
