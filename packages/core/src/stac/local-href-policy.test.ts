// Untrusted Items must not read local files: Items from a remote catalog (an http(s) self
// link, or an http(s) base) may not name local paths or file: URLs, unless allowed.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { downloadItem } from '../download/download-item.js';
import { StacAssetError } from '../errors/stac-asset-error.js';
import { ALLOW_LOCAL_VARIABLE, resolveAssetHref } from './accessors.js';
import { resolveAlternateHref } from './alternate-href.js';
import type { StacItem } from './stac-types.js';

const hostile = ['file:///etc/passwd', '/etc/passwd', '../../etc/passwd', '/dev/zero'];

function item(href: string, self?: string): StacItem {
  return {
    type: 'Feature',
    stac_version: '1.1.0',
    id: 'scene',
    geometry: null,
    properties: { datetime: '2024-01-01T00:00:00Z' },
    links: self ? [{ rel: 'self', href: self }] : [],
    assets: { data: { href } },
  };
}

afterEach(() => {
  delete process.env[ALLOW_LOCAL_VARIABLE];
});

describe('local hrefs of Items from remote catalogs', () => {
  it.each(hostile)('refuses %s in an Item whose self link is remote', (href) => {
    const remote = item(href, 'https://stac.example.com/collections/c/items/scene?token=SECRET');
    if (href.startsWith('..')) {
      // Relative to its remote self link, it is a remote URL: harmless.
      expect(resolveAssetHref(remote, 'data')).toMatch(/^https:\/\/stac\.example\.com\//);
    } else {
      expect(() => resolveAssetHref(remote, 'data')).toThrowError(StacAssetError);
    }
    // Also when a local base (a file the Items were saved to) would resolve relative hrefs.
    expect(() => resolveAssetHref(remote, 'data', '/tmp/saved/')).toThrowError(
      /Items from remote catalogs may not read local files; if you trust them, pass --allow-local/,
    );
    try {
      resolveAssetHref(remote, 'data', '/tmp/saved/');
    } catch (error) {
      expect((error as Error).message).not.toContain('SECRET');
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('resolves a relative href of a remote Item against its remote self link, as before', () => {
    const remote = item('./B04.tif', 'https://stac.example.com/items/scene.json');
    expect(resolveAssetHref(remote, 'data')).toBe('https://stac.example.com/items/B04.tif');
  });

  it('refuses local hrefs resolved against a remote base, and the alternate route too', () => {
    expect(() =>
      resolveAssetHref(item('/etc/passwd'), 'data', 'https://api.example.com/search'),
    ).toThrowError(StacAssetError);
    const remote = item('https://example.com/a.tif', 'https://api.example.com/items/scene');
    (remote.assets['data'] as Record<string, unknown>)['alternate'] = {
      local: { href: '/etc/shadow' },
    };
    expect(() => resolveAlternateHref(remote, 'data', { alternate: 'local' })).toThrowError(
      StacAssetError,
    );
  });

  it.each(hostile)('allows %s for Items from local files, or when told', (href) => {
    expect(resolveAssetHref(item(href), 'data', '/data/catalog/')).toMatch(/etc\/passwd|dev\/zero/);
    const remote = item(href, 'https://stac.example.com/items/scene');
    expect(resolveAssetHref(remote, 'data', undefined, true)).toMatch(/etc\/passwd|dev\/zero/);
    process.env[ALLOW_LOCAL_VARIABLE] = '1';
    expect(resolveAssetHref(remote, 'data')).toMatch(/etc\/passwd|dev\/zero/);
  });

  it('keeps a download from copying /etc/passwd for a remote Item, writing nothing', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'pyramids-local-policy-'));
    try {
      for (const href of hostile.filter((candidate) => !candidate.startsWith('..'))) {
        const remote = item(href, 'https://stac.example.com/items/scene');
        await expect(downloadItem(remote, directory)).rejects.toThrowError(StacAssetError);
      }
      expect(readdirSync(directory, { recursive: true })).toEqual([]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
