import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../../vitest.shared.js';
import { startRangeServer } from '../../../../test-support/range-server.js';
import { DatasetCollection } from '../cube/dataset-collection.js';
import { loadAsset } from '../dataset/load-asset.js';
import { downloadItem } from '../download/download-item.js';
import type { ReaderPlugin, ReaderContext } from '../plugins/plugin-types.js';
import { createRegistry } from '../plugins/registry.js';
import type { RasterSource } from '../raster/raster-source.js';
import type { Signer } from '../signers/signer.js';
import { createCubeScene } from '../test-support/cube-scene.js';
import { gdalRasterSource, readWithGdal } from '../test-support/gdal-raster.js';
import { PLUGIN_API_VERSION } from '../version.js';
import { resolveAlternateHref } from './alternate-href.js';
import type { StacItem } from './stac-types.js';

const rasters = path.join(fixturesDir, 'rasters/rio-tiler');
let scratch: string;
const opened: string[] = [];

/** A reader over GDAL-decoded local files: the I/O seam. Records the hrefs it opens. */
function gdalTestReader(): ReaderPlugin {
  const decoded = new Map<string, RasterSource>();
  return {
    kind: 'reader',
    id: 'gdal-test',
    apiVersion: PLUGIN_API_VERSION,
    mediaTypes: ['image/tiff'],
    extensions: ['.tif'],
    load: async () => ({
      open: async (href: string, _context: ReaderContext): Promise<RasterSource> => {
        opened.push(href);
        if (!decoded.has(href)) decoded.set(href, gdalRasterSource(href, scratch));
        return { ...decoded.get(href)!, href };
      },
    }),
  };
}

/** A signer for `s3://test-bucket/…` that maps it onto a loopback URL (the I/O seam of an AWS signer). */
function s3Signer(origin: string): Signer {
  return {
    kind: 'signer',
    id: 'test-s3',
    apiVersion: PLUGIN_API_VERSION,
    matches: (href) => href.startsWith('s3://test-bucket/') || href.startsWith(origin),
    signHref: async (href) => href.replace('s3://test-bucket', origin),
  };
}

function item(
  assets: StacItem['assets'],
  self = 'https://example.com/catalog/items/x.json',
): StacItem {
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    id: 'x',
    geometry: null,
    properties: { datetime: '2024-01-01T00:00:00Z' },
    links: [{ rel: 'self', href: self }],
    assets,
  } as StacItem;
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-alternate-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('resolveAlternateHref', () => {
  const withAlternates = item({
    data: {
      href: 'https://data.example.com/B04.tif',
      alternate: {
        s3: { href: 's3://test-bucket/B04.tif' },
        mirror: { href: '../mirror/B04.tif' },
      },
    },
  });

  it('keeps the own href by default, picks a named alternate, and resolves a relative one against the self link', () => {
    expect(resolveAlternateHref(withAlternates, 'data')).toBe('https://data.example.com/B04.tif');
    expect(resolveAlternateHref(withAlternates, 'data', { alternate: 's3' })).toBe(
      's3://test-bucket/B04.tif',
    );
    expect(resolveAlternateHref(withAlternates, 'data', { alternate: 'mirror' })).toBe(
      'https://example.com/catalog/mirror/B04.tif',
    );
    // An Item without that alternate is read from its own href.
    expect(resolveAlternateHref(withAlternates, 'data', { alternate: 'azure' })).toBe(
      'https://data.example.com/B04.tif',
    );
  });

  it("'auto' prefers s3:// only when the signer matches it", () => {
    expect(
      resolveAlternateHref(withAlternates, 'data', {
        alternate: 'auto',
        signer: s3Signer('http://127.0.0.1:9'),
      }),
    ).toBe('s3://test-bucket/B04.tif');
    expect(resolveAlternateHref(withAlternates, 'data', { alternate: 'auto' })).toBe(
      'https://data.example.com/B04.tif',
    );
    const otherBucket: Signer = {
      ...s3Signer('http://127.0.0.1:9'),
      matches: (href) => href.startsWith('s3://other/'),
    };
    expect(
      resolveAlternateHref(withAlternates, 'data', { alternate: 'auto', signer: otherBucket }),
    ).toBe('https://data.example.com/B04.tif');
  });

  it('refuses an empty alternate name', () => {
    expect(() => resolveAlternateHref(withAlternates, 'data', { alternate: ' ' })).toThrow(
      /alternate must be 'auto' or the name of an alternate href/,
    );
  });
});

describe('alternate hrefs at the call sites', { timeout: 60_000 }, () => {
  it('downloadItem fetches the s3 alternate through the signer with alternate: auto', async () => {
    const server = await startRangeServer(rasters);
    try {
      const source = item({
        data: {
          href: `${server.url}/cog_int16.tif`,
          type: 'image/tiff',
          alternate: { s3: { href: 's3://test-bucket/cog_uint8_rgb_nodata.tif' } },
        },
      });
      const downloaded = await downloadItem(source, path.join(scratch, 'download'), {
        alternate: 'auto',
        signer: s3Signer(server.url),
      });
      const bytes = await readFile(downloaded.assets.data!.href);
      expect(bytes.equals(await readFile(path.join(rasters, 'cog_uint8_rgb_nodata.tif')))).toBe(
        true,
      );
      expect(server.requests.map((request) => request.url)).not.toContain('/cog_int16.tif');
    } finally {
      await server.close();
    }
  });

  it('loadAsset opens the named alternate', async () => {
    const registry = createRegistry().use(gdalTestReader());
    const source = item({
      data: {
        href: path.join(rasters, 'cog_int16.tif'),
        type: 'image/tiff',
        alternate: { local: { href: path.join(rasters, 'cog_uint8_rgb_nodata.tif') } },
      },
    });
    opened.length = 0;
    // The Item's self link is remote, so its local hrefs need allowLocal (see local-href-policy.test.ts).
    await expect(loadAsset(source, 'data', { registry, alternate: 'local' })).rejects.toThrowError(
      /may not read local files/,
    );
    const dataset = await loadAsset(source, 'data', {
      registry,
      alternate: 'local',
      allowLocal: true,
    });
    expect(opened).toEqual([path.join(rasters, 'cog_uint8_rgb_nodata.tif')]);
    expect(dataset.bands.map((band) => band.dataType)).toEqual(['uint8', 'uint8', 'uint8']);
  });

  it('fromStac reads the alternate: the own href is missing, the cube equals the scene read by GDAL', async () => {
    const registry = createRegistry().use(gdalTestReader());
    const [first] = createCubeScene(scratch).items(scratch);
    const file = first!.assets.B04!.href;
    const moved = structuredClone(first!);
    moved.assets.B04 = {
      ...moved.assets.B04!,
      href: path.join(scratch, 'not-here.tif'),
      alternate: { local: { href: file } },
    };
    const cube = await DatasetCollection.fromStac([moved], {
      registry,
      asset: 'B04',
      alternate: 'local',
      rescale: false,
    });
    const { data } = await cube.read();
    const expected = readWithGdal(file, { scratch }).bands[0]!;
    expect(Array.from(data as ArrayLike<number>)).toEqual(Array.from(expected));
    await expect(
      DatasetCollection.fromStac([moved], { registry, asset: 'B04', rescale: false }).then(
        (without) => without.read(),
      ),
    ).rejects.toThrow();
  });
});
