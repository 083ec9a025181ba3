// VRT mosaics built by core's buildVrtFromStac, checked against GDAL's own tools, and
// read both through GDAL (this reader) and through core's pure-JS VRT reader. The
// GeoTIFF tiles are read by this reader registered with { geotiff: true }.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlignmentError,
  buildVrtDocument,
  buildVrtFromStac,
  createRegistry,
  geotransformToAffine,
  openRaster,
  PLUGIN_API_VERSION,
  StacAssetError,
  vrtReader,
  type Signer,
  type StacItem,
} from '@pyramids/core';
import { gdalReader } from '@pyramids/readers-gdal';
import { fixturesDir } from '../../../vitest.shared.js';
import { firstDifference, gdalInfo, makeTempDir, translatePixels } from './test-helpers.js';

const SOURCE = path.join(fixturesDir, 'rasters/rasterio/RGB.byte.tif');

function tileItem(id: string, href: string, withProjection: boolean): StacItem {
  const info = gdalInfo(href);
  const projection = withProjection
    ? {
        'proj:epsg': 32618,
        'proj:shape': [info.size[1], info.size[0]],
        'proj:transform': geotransformToAffine(info.geoTransform!),
      }
    : {};
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    id,
    geometry: null,
    properties: { datetime: '2020-01-01T00:00:00Z', ...projection },
    links: [],
    assets: {
      visual: {
        href,
        type: 'image/tiff; application=geotiff',
        ...(withProjection
          ? { 'raster:bands': [1, 2, 3].map(() => ({ data_type: 'uint8', nodata: 0 })) }
          : {}),
      },
    },
  } as unknown as StacItem;
}

describe('VRT mosaics of two abutting tiles', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let items: StacItem[];
  const gdalRegistry = () => createRegistry().use(gdalReader({ geotiff: true }));

  beforeAll(() => {
    temp = makeTempDir('pyramids-vrt-');
    const left = path.join(temp.dir, 'left.tif');
    const right = path.join(temp.dir, 'right.tif');
    execFileSync('gdal_translate', ['-q', '-srcwin', '100', '300', '120', '80', SOURCE, left]);
    execFileSync('gdal_translate', ['-q', '-srcwin', '220', '300', '100', '80', SOURCE, right]);
    // The right tile's Item has no projection fields: its grid comes from the file's header.
    items = [tileItem('left', left, true), tileItem('right', right, false)];
  });
  afterAll(() => temp.remove());

  it('writes a VRT that gdalinfo opens with the mosaic grid, and gdal_translate reads equal to both our readers', async () => {
    const output = path.join(temp.dir, 'mosaic.vrt');
    const registry = gdalRegistry();
    const dataset = await buildVrtFromStac(items, 'visual', { registry, output });
    const info = gdalInfo(output);
    expect(info.size).toEqual([220, 80]);
    expect(info.bands.map((band) => band.type)).toEqual(['Byte', 'Byte', 'Byte']);
    expect(info.bands[0]!.noDataValue).toBe(0);
    expect(info.geoTransform).toEqual(gdalInfo(items[0]!.assets.visual!.href).geoTransform);
    expect([dataset.width, dataset.height, dataset.crs]).toEqual([220, 80, 'EPSG:32618']);

    const fromGdalTools = translatePixels(output);
    // The mosaic is the original window again.
    const original = translatePixels(SOURCE, ['-srcwin', '100', '300', '220', '80']);
    fromGdalTools.forEach((band, index) =>
      expect(firstDifference(band, original[index]!)).toBe(-1),
    );

    const js = await dataset.read();
    expect(dataset.readerId).toBe('vrt');
    js.data.forEach((band, index) => expect(firstDifference(band, fromGdalTools[index]!)).toBe(-1));
    const jsWindow = await dataset.read({
      window: { x: 110, y: 10, width: 30, height: 20 },
      bands: [2],
    });
    const toolsWindow = translatePixels(output, ['-srcwin', '110', '10', '30', '20', '-b', '2']);
    expect(firstDifference(jsWindow.data[0]!, toolsWindow[0]!)).toBe(-1);

    const throughGdal = await openRaster(output, { registry });
    expect(throughGdal.readerId).toBe('gdal');
    const gdalRead = await throughGdal.read();
    gdalRead.data.forEach((band, index) =>
      expect(firstDifference(band, fromGdalTools[index]!)).toBe(-1),
    );
    await throughGdal.close();
    await dataset.close();
  });

  it('opens the written VRT by path with the JS VRT reader when GDAL does not serve .vrt', async () => {
    const output = path.join(temp.dir, 'js-mosaic.vrt');
    writeFileSync(
      output,
      (await buildVrtDocument(items, 'visual', { registry: gdalRegistry() })).xml,
    );
    const registry = createRegistry().use(gdalReader({ geotiff: true, vrt: false }));
    registry.use(vrtReader({ registry }));
    const dataset = await openRaster(output, { registry });
    expect(dataset.readerId).toBe('vrt');
    const { data } = await dataset.read({ bands: [1, 3] });
    const expected = translatePixels(output, ['-b', '1', '-b', '3']);
    data.forEach((band, index) => expect(firstDifference(band, expected[index]!)).toBe(-1));
    await dataset.close();
  });

  it('puts each Item in its own band with separate, as gdalbuildvrt -separate does', async () => {
    const output = path.join(temp.dir, 'separate.vrt');
    const dataset = await buildVrtFromStac(items, 'visual', {
      registry: gdalRegistry(),
      separate: true,
      band: 2,
      output,
    });
    expect(dataset.bands.map((band) => band.name)).toEqual(['left', 'right']);
    const expected = translatePixels(output);
    expect(expected.length).toBe(2);
    const { data } = await dataset.read();
    data.forEach((band, index) => expect(firstDifference(band, expected[index]!)).toBe(-1));
    // Band 1 holds only the left tile: the right part is nodata.
    expect(data[0]![219]).toBe(0);
    await dataset.close();
  });

  it('reports sources it cannot place (hrefs redacted) and fails on them with strict', async () => {
    const other = structuredClone(items[0]!) as StacItem;
    other.id = 'other-crs';
    other.properties['proj:epsg'] = 32619;
    other.assets.visual!.href = `${items[0]!.assets.visual!.href}?token=SECRET`;
    const warnings: string[] = [];
    const result = await buildVrtDocument([...items, other], 'visual', {
      registry: gdalRegistry(),
      onWarning: (warning) => warnings.push(warning),
    });
    expect(result.skipped).toEqual([
      {
        item: 'other-crs',
        href: expect.stringContaining('?<redacted>'),
        reason: expect.stringContaining('EPSG:32619'),
      },
    ]);
    expect(warnings.join(' ')).toContain('left out of the VRT');
    expect(JSON.stringify(result.skipped) + warnings.join(' ')).not.toContain('SECRET');
    expect(result.document.bands[0]!.sources.length).toBe(2);
    const error = await buildVrtDocument([...items, other], 'visual', {
      registry: gdalRegistry(),
      strict: true,
    }).catch((caught: unknown) => caught);
    expect(AlignmentError.isInstance(error)).toBe(true);
    expect((error as Error).message).not.toContain('SECRET');
  });

  it('refuses empty input and a missing asset with clear errors', async () => {
    await expect(buildVrtDocument([], 'visual')).rejects.toSatisfy(StacAssetError.isInstance);
    const error = await buildVrtDocument(items, 'B04').catch((caught: unknown) => caught);
    expect(StacAssetError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(
      "asset 'B04' not found on item left; available: visual",
    );
  });

  it('writes no credential into the VRT and returns the GDAL config that opens it', async () => {
    const remote = items.map((item) => {
      const copy = structuredClone(item) as StacItem;
      copy.properties = { ...items[0]!.properties };
      copy.assets.visual = {
        ...items[0]!.assets.visual!,
        href: `https://data.example.com/${item.id}.tif`,
      };
      return copy;
    });
    const signer: Signer = {
      kind: 'signer',
      id: 'example',
      apiVersion: PLUGIN_API_VERSION,
      matches: (url) => url.startsWith('https://data.example.com/'),
      headers: async () => ({ Authorization: 'Bearer abc' }),
      gdalEnv: async () => ({ AWS_SECRET_ACCESS_KEY: 'never-printed' }),
    };
    const result = await buildVrtDocument(remote, 'visual', { signer });
    expect(result.xml).toContain(
      '<SourceFilename relativeToVRT="0">/vsicurl/https://data.example.com/left.tif</SourceFilename>',
    );
    expect(result.xml).not.toContain('Bearer');
    expect(result.xml).not.toContain('never-printed');
    expect(result.gdalConfig).toEqual({
      AWS_SECRET_ACCESS_KEY: 'never-printed',
      GDAL_HTTP_HEADERS: 'Authorization: Bearer abc',
    });
    expect(result.warnings.join(' ')).not.toContain('Bearer abc');
    expect(result.warnings.join(' ')).not.toContain('never-printed');
  });

  it('reads a credential-free VRT of HTTP sources with the JS reader, signed by the signer registered in the registry', async () => {
    const seen: string[] = [];
    const server = http.createServer((request, response) => {
      seen.push(request.headers.authorization ?? '(none)');
      const file =
        request.url === '/left.tif'
          ? items[0]!.assets.visual!.href
          : request.url === '/right.tif'
            ? items[1]!.assets.visual!.href
            : undefined;
      if (!file) return void response.writeHead(404).end();
      if (request.headers.authorization !== 'Bearer abc') return void response.writeHead(403).end();
      const bytes = readFileSync(file);
      const range = /bytes=(\d+)-(\d*)/.exec(request.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      const end = Math.min(range?.[2] ? Number(range[2]) : bytes.length - 1, bytes.length - 1);
      response.writeHead(range ? 206 : 200, {
        'content-length': end - start + 1,
        'accept-ranges': 'bytes',
        ...(range ? { 'content-range': `bytes ${start}-${end}/${bytes.length}` } : {}),
      });
      response.end(request.method === 'HEAD' ? undefined : bytes.subarray(start, end + 1));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const remote = items.map((item) => {
        const copy = structuredClone(item) as StacItem;
        copy.assets.visual!.href = `${base}${item.id}.tif`;
        return copy;
      });
      const signer: Signer = {
        kind: 'signer',
        id: 'bearer',
        apiVersion: PLUGIN_API_VERSION,
        matches: (url) => url.startsWith(base),
        headers: async () => ({ Authorization: 'Bearer abc' }),
      };
      const output = path.join(temp.dir, 'remote.vrt');
      writeFileSync(
        output,
        (await buildVrtDocument(remote, 'visual', { signer, registry: gdalRegistry() })).xml,
      );
      expect(readFileSync(output, 'utf8')).not.toContain('Bearer');
      const registry = createRegistry()
        .use(gdalReader({ geotiff: true, vrt: false }))
        .use(signer);
      registry.use(vrtReader({ registry }));
      const dataset = await openRaster(output, { registry });
      const { data } = await dataset.read();
      const expected = translatePixels(SOURCE, ['-srcwin', '100', '300', '220', '80']);
      data.forEach((band, index) => expect(firstDifference(band, expected[index]!)).toBe(-1));
      expect(new Set(seen)).toEqual(new Set(['Bearer abc']));
      await dataset.close();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('hands a warped VRT, which only GDAL reads, to its fallback reader', async () => {
    const warped = path.join(temp.dir, 'warped.vrt');
    execFileSync('gdalwarp', [
      '-q',
      '-of',
      'VRT',
      '-t_srs',
      'EPSG:4326',
      items[0]!.assets.visual!.href,
      warped,
    ]);
    const alone = createRegistry();
    alone.use(vrtReader({ registry: alone }));
    await expect(openRaster(warped, { registry: alone })).rejects.toThrow(
      /VRTWarpedDataset, which only GDAL reads/,
    );
    const registry = createRegistry().use(gdalReader({ geotiff: true, vrt: false }));
    registry.use(vrtReader({ registry, fallback: gdalReader({ geotiff: true }) }));
    const dataset = await openRaster(warped, { registry });
    expect(dataset.crs).toBe('EPSG:4326');
    const { data } = await dataset.read();
    const expected = translatePixels(warped);
    data.forEach((band, index) => expect(firstDifference(band, expected[index]!)).toBe(-1));
    await dataset.close();
  });
});
