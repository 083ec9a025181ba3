import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { signItemsWith, SignerError, type StacItem } from '@pyramids/core';
import { planetaryComputerSigner } from '@pyramids/signers-planetary-computer';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../vitest.shared.js';

interface Interaction {
  request: { method: string; uri: string };
  response: { status: { code: number }; body: { string: string } };
}
const cassette = parse(
  readFileSync(
    path.join(
      fixturesDir,
      'stac/api-cassettes/stac-asset/planetary_computer_sas_token_and_signed_head.yaml',
    ),
    'utf8',
  ),
) as {
  interactions: Interaction[];
};
const recordedToken = cassette.interactions[0]!;
const recordedHead = cassette.interactions[1]!;
const recordedBody = JSON.parse(recordedToken.response.body.string) as {
  'msft:expiry': string;
  token: string;
};
const items = JSON.parse(
  readFileSync(
    path.join(fixturesDir, 'stac/items/planetary-computer/sentinel-2-l2a_4items.json'),
    'utf8',
  ),
) as StacItem[];
const collection = JSON.parse(
  readFileSync(
    path.join(fixturesDir, 'stac/items/planetary-computer/sentinel-2-l2a_collection_api.json'),
    'utf8',
  ),
) as Record<string, string>;
const landsatCollection = JSON.parse(
  readFileSync(
    path.join(fixturesDir, 'stac/items/planetary-computer/landsat-c2-l2_collection_api.json'),
    'utf8',
  ),
) as Record<string, string>;

const RECORDED_AT = Date.parse('2024-05-14T18:15:49Z'); // the Date header of the recorded token response
const HOUR = 3_600_000;

/** A token endpoint that answers as the Planetary Computer does: the recorded token first, then fresh ones. */
interface TokenServer {
  sasUrl: string;
  requests: { path: string; headers: IncomingHttpHeaders }[];
  /** Set to make the next answers fail. */
  failWith?: { status: number; body: string };
  /** Lifetime of tokens minted after the recorded one. */
  lifetime: number;
  clock: { now: number };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

async function startTokenServer(clock: { now: number }): Promise<TokenServer> {
  const state: TokenServer = { sasUrl: '', requests: [], lifetime: HOUR, clock };
  let minted = 0;
  const server = createServer((request, response) => {
    state.requests.push({ path: request.url ?? '', headers: request.headers });
    if (state.failWith) {
      response
        .writeHead(state.failWith.status, { 'content-type': 'application/json' })
        .end(state.failWith.body);
      return;
    }
    minted += 1;
    if (minted === 1 && request.url === '/api/sas/v1/token/sentinel2l2a01/sentinel2-l2') {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(recordedToken.response.body.string);
      return;
    }
    // Later tokens: the recorded one with its start, expiry and signature moved on, as the service would mint them.
    const start = new Date(clock.now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const expiry = new Date(clock.now + state.lifetime).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const token = recordedBody.token
      .replace(/st=[^&]+/, `st=${encodeURIComponent(start)}`)
      .replace(/se=[^&]+/, `se=${encodeURIComponent(expiry)}`)
      .replace(/sig=[^&]+/, `sig=minted${minted}`);
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ 'msft:expiry': expiry, token }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.sasUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sas/v1/token`;
  return state;
}

let clock: { now: number };
let tokens: TokenServer;
beforeEach(async () => {
  clock = { now: RECORDED_AT };
  tokens = await startTokenServer(clock);
});

function signer(extra: Parameters<typeof planetaryComputerSigner>[0] = {}) {
  return planetaryComputerSigner({
    sasUrl: tokens.sasUrl,
    now: () => clock.now,
    retries: 0,
    env: {},
    ...extra,
  });
}

const expiryOf = (href: string) => Date.parse(new URL(href).searchParams.get('se')!);

describe('planetaryComputerSigner', () => {
  it('mints the recorded token and produces the URL the recorded signed HEAD used', async () => {
    expect(collection['msft:storage_account']).toBe('sentinel2l2a01');
    expect(collection['msft:container']).toBe('sentinel2-l2');
    const unsigned = recordedHead.request.uri.slice(0, recordedHead.request.uri.indexOf('?'));
    const signed = await signer().signHref!(unsigned);
    expect(tokens.requests.map((request) => request.path)).toEqual([
      '/api/sas/v1/token/sentinel2l2a01/sentinel2-l2',
    ]);
    expect(signed.startsWith(`${unsigned}?`)).toBe(true);
    const ours = Object.fromEntries(new URL(signed).searchParams);
    const recorded = Object.fromEntries(new URL(recordedHead.request.uri).searchParams);
    expect(ours).toEqual(recorded);
  });

  it('sends the subscription key from the environment, and keeps it out of describe()', async () => {
    const pc = planetaryComputerSigner({
      now: () => clock.now,
      retries: 0,
      env: { PC_SDK_SAS_URL: tokens.sasUrl, PC_SDK_SUBSCRIPTION_KEY: 'sentinel-pc-key-123' },
    });
    await pc.signHref!(items[0]!.assets['B04']!.href);
    expect(tokens.requests[0]!.headers['ocp-apim-subscription-key']).toBe('sentinel-pc-key-123');
    expect(pc.describe!()).toEqual({
      id: 'planetary-computer',
      options: { sasUrl: tokens.sasUrl, refreshWindow: 60_000 },
    });
  });

  it('caches one token per storage account and container, shared by concurrent signing of an ItemCollection', async () => {
    const pc = signer();
    const signed = await Promise.all([
      signItemsWith(pc, { type: 'FeatureCollection' as const, features: items }),
      signItemsWith(pc, items),
      pc.signHref!(
        `https://${landsatCollection['msft:storage_account']}.blob.core.windows.net/${landsatCollection['msft:container']}/LC09/B4.TIF`,
      ),
      pc.signHref!(
        `https://${landsatCollection['msft:storage_account']}.blob.core.windows.net/${landsatCollection['msft:container']}/LC09/B5.TIF`,
      ),
    ]);
    expect(tokens.requests.map((request) => request.path).sort()).toEqual([
      '/api/sas/v1/token/landsateuwest/landsat-c2',
      '/api/sas/v1/token/sentinel2l2a01/sentinel2-l2',
    ]);
    const features = signed[0].features;
    expect(features).toHaveLength(4);
    for (const item of features) {
      for (const asset of Object.values(item.assets)) {
        if (asset.href.includes('.blob.core.windows.net/sentinel2-l2/'))
          expect(new URL(asset.href).searchParams.get('sig')).toBeTruthy();
      }
    }
    expect(signed[1][0]!.assets['B04']!.href).toBe(features[0]!.assets['B04']!.href);
    expect(items[0]!.assets['B04']!.href).not.toContain('?'); // the input is untouched
  });

  it('leaves already-signed hrefs, the public-assets account and other hosts alone', async () => {
    const pc = signer();
    const signed = `${recordedHead.request.uri}`;
    expect(await pc.signHref!(signed)).toBe(signed);
    const publicAsset =
      'https://ai4edatasetspublicassets.blob.core.windows.net/assets/pc_thumbnails/sentinel-2.png';
    expect(pc.matches(publicAsset)).toBe(false);
    expect(await pc.signHref!(publicAsset)).toBe(publicAsset);
    expect(await pc.signHref!('https://planetarycomputer.microsoft.com/api/stac/v1/search')).toBe(
      'https://planetarycomputer.microsoft.com/api/stac/v1/search',
    );
    expect(pc.matches('https://evil.example.com/sentinel2l2a01.blob.core.windows.net/x')).toBe(
      false,
    );
    expect(tokens.requests).toHaveLength(0);
  });

  it('refreshes the token before msft:expiry during a long lazy read, never signing with an expired token', async () => {
    const pc = signer({ refreshWindow: 5 * 60_000 });
    const href = items[0]!.assets['B04']!.href;
    const expiries = new Set<number>();
    // A three-hour cube read: one chunk every 7 minutes, each signed at read time.
    for (let minute = 0; minute <= 180; minute += 7) {
      clock.now = RECORDED_AT + minute * 60_000;
      const signedHref = await pc.signHref!(href);
      const expiry = expiryOf(signedHref);
      expect(expiry - clock.now).toBeGreaterThanOrEqual(5 * 60_000 - 1);
      expiries.add(expiry);
    }
    // The recorded token lasts 45 min; then a new hour-long token each time one gets within 5 minutes of expiry.
    expect(tokens.requests.length).toBe(expiries.size);
    expect(tokens.requests.length).toBeGreaterThanOrEqual(3);
    expect(tokens.requests.length).toBeLessThanOrEqual(5);
  });

  it('throws a SignerError when a refresh fails, and recovers on the next read', async () => {
    const pc = signer();
    const href = items[0]!.assets['B04']!.href;
    await pc.signHref!(href);
    clock.now = Date.parse(recordedBody['msft:expiry']) - 60_000; // inside the refresh window
    tokens.failWith = { status: 503, body: '{"message":"Service Unavailable"}' };
    const error = await pc.signHref!(href).catch((caught: unknown) => caught);
    expect(SignerError.isInstance(error)).toBe(true);
    expect((error as SignerError).message).toMatch(
      /answered HTTP 503 for sentinel2l2a01\/sentinel2-l2 .*try again later/,
    );
    tokens.failWith = undefined;
    expect(expiryOf(await pc.signHref!(href))).toBeGreaterThan(clock.now + 30 * 60_000);
  });

  it.each([401, 403])(
    'explains HTTP %i from the token endpoint, naming PC_SDK_SUBSCRIPTION_KEY and hiding the key',
    async (status) => {
      tokens.failWith = {
        status,
        body: '{"statusCode": 401, "message": "Access denied due to invalid subscription key sentinel-pc-key-999. Make sure to provide a valid key for an active subscription."}',
      };
      const withoutKey = await signer().signHref!(items[0]!.assets['B04']!.href).then(
        () => {
          throw new Error('expected a failure');
        },
        (caught: unknown) => caught as SignerError,
      );
      expect(withoutKey.message).toMatch(
        new RegExp(`HTTP ${status} .*set PC_SDK_SUBSCRIPTION_KEY`),
      );
      const withKey = await signer({ subscriptionKey: 'sentinel-pc-key-999' }).signHref!(
        items[0]!.assets['B04']!.href,
      ).then(
        () => {
          throw new Error('expected a failure');
        },
        (caught: unknown) => caught as SignerError,
      );
      expect(SignerError.isInstance(withKey)).toBe(true);
      expect(withKey.message).toMatch(/check PC_SDK_SUBSCRIPTION_KEY/);
      expect(withKey.message).not.toContain('sentinel-pc-key-999');
    },
  );

  it('refuses a token that has already expired by the local clock', async () => {
    clock.now = Date.parse('2024-05-15T00:00:00Z'); // after the recorded msft:expiry
    const error = await signer().signHref!(recordedHead.request.uri.split('?')[0]!).then(
      () => {
        throw new Error('expected a failure');
      },
      (caught: unknown) => caught as SignerError,
    );
    expect(SignerError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/expired at 2024-05-14T19:00:49.000Z .*check the system clock/);
    expect(error.message).not.toContain('sig=');
  });

  it('turns an unreachable token endpoint into a SignerError', async () => {
    const closed = await startTokenServer(clock);
    const url = closed.sasUrl;
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const error = await signer({ sasUrl: url }).signHref!(items[0]!.assets['B04']!.href).then(
      () => {
        throw new Error('expected a failure');
      },
      (caught: unknown) => caught as SignerError,
    );
    expect(SignerError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/could not reach the SAS token endpoint .*PC_SDK_SAS_URL/);
  });

  it('explains a 403 on a blob read and mints a fresh token next time', async () => {
    const pc = signer();
    const href = items[0]!.assets['B04']!.href;
    const first = await pc.signHref!(href);
    const explained = pc.describeFailure!(first, { status: 403, headers: new Headers() })!;
    expect(explained.message).toMatch(
      /refused https:\/\/sentinel2l2a01\.blob\.core\.windows\.net\/.*\?<redacted> \(HTTP 403\)/,
    );
    expect(explained.message).not.toContain('sig=');
    await new Promise((resolve) => setTimeout(resolve, 0));
    await pc.signHref!(href);
    expect(tokens.requests).toHaveLength(2);
  });

  it('adds the SAS token as storage_options.credential to abfs:// Zarr assets, as the Python package does', async () => {
    const cmip6 = JSON.parse(
      readFileSync(
        path.join(
          fixturesDir,
          'stac/items/planetary-computer/cil-gdpcir-cc-by_NUIST-NESM3-ssp585_item.json',
        ),
        'utf8',
      ),
    ) as StacItem;
    const signed = await signer().signItem!(cmip6);
    const pr = signed.assets['pr'] as {
      href: string;
      'xarray:open_kwargs': { storage_options: Record<string, string> };
    };
    expect(pr.href).toBe(cmip6.assets['pr']!.href);
    expect(pr['xarray:open_kwargs'].storage_options).toEqual({
      account_name: 'rhgeuwest',
      credential: expect.stringContaining('sig=minted1'),
    });
    expect(tokens.requests.map((request) => request.path)).toEqual([
      '/api/sas/v1/token/rhgeuwest/cil-gdpcir',
    ]);
    const original = cmip6.assets['pr'] as unknown as {
      'xarray:open_kwargs': { storage_options: Record<string, string> };
    };
    expect(original['xarray:open_kwargs'].storage_options).toEqual({ account_name: 'rhgeuwest' });
  });

  it('gives GDAL the account and SAS token for /vsiaz/ and /vsicurl/ reads', async () => {
    const env = await signer().gdalEnv!(`/vsicurl/${items[0]!.assets['B04']!.href}`);
    expect(env).toMatchObject({
      AZURE_STORAGE_ACCOUNT: 'sentinel2l2a01',
      GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR',
    });
    expect(env['AZURE_STORAGE_SAS_TOKEN']).toBe(recordedBody.token);
    expect(await signer().gdalEnv!('https://example.com/a.tif')).toEqual({});
  });
});
