import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../../vitest.shared.js';
import type { ItemCollection, StacItem } from '../stac/stac-types.js';
import { bearerTokenSigner } from './bearer-token-signer.js';
import { signItemAssets, signItemsWith } from './sign-items.js';
import type { Signer } from './signer.js';
import { PLUGIN_API_VERSION } from '../version.js';

const landsat = JSON.parse(
  readFileSync(
    path.join(
      fixturesDir,
      'stac/items/usgs-landsat/LC09_L2SP_092068_20230607_20230609_02_T1_SR.json',
    ),
    'utf8',
  ),
) as StacItem;

const s3ToHttps: Signer = {
  kind: 'signer',
  id: 'test-s3',
  apiVersion: PLUGIN_API_VERSION,
  matches: (url) => url.startsWith('s3://'),
  signHref: async (href) =>
    href.replace(/^s3:\/\/([^/]+)\//, 'https://$1.s3.us-west-2.amazonaws.com/'),
};

describe('signItemAssets / signItemsWith', () => {
  it('signs asset hrefs and alternate hrefs without changing the input', async () => {
    const before = JSON.stringify(landsat);
    const signed = await signItemAssets(landsat, async (href) => `${href}#signed`);
    expect(JSON.stringify(landsat)).toBe(before);
    expect(signed.assets['red']!.href).toMatch(/#signed$/);
    const alternate = (signed.assets['red'] as unknown as { alternate: { s3: { href: string } } })
      .alternate.s3.href;
    expect(alternate).toBe(
      's3://usgs-landsat/collection02/level-2/standard/oli-tirs/2023/092/068/LC09_L2SP_092068_20230607_20230609_02_T1/LC09_L2SP_092068_20230607_20230609_02_T1_SR_B4.TIF#signed',
    );
  });

  it('uses signHref on matching hrefs only, for an Item, an array and an ItemCollection', async () => {
    const collection: ItemCollection = { type: 'FeatureCollection', features: [landsat, landsat] };
    const signed = await signItemsWith(s3ToHttps, collection);
    expect(signed.type).toBe('FeatureCollection');
    expect(signed.features).toHaveLength(2);
    const red = signed.features[1]!.assets['red'] as {
      href: string;
      alternate: { s3: { href: string } };
    };
    expect(red.href).toBe(landsat.assets['red']!.href);
    expect(red.alternate.s3.href).toMatch(
      /^https:\/\/usgs-landsat\.s3\.us-west-2\.amazonaws\.com\/collection02\//,
    );
    const array = await signItemsWith(s3ToHttps, [landsat]);
    expect(Array.isArray(array)).toBe(true);
    const single = await signItemsWith(bearerTokenSigner('t', { hosts: ['x.example'] }), landsat);
    expect(single).toEqual(landsat);
  });
});
