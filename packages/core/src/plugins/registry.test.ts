import { describe, expect, it } from 'vitest';
import {
  createRegistry,
  IncompatiblePluginError,
  PLUGIN_API_VERSION,
  UnsupportedAssetError,
  geotiffWriter,
  zarrWriter,
  routingSigner,
  type ReaderPlugin,
  type Signer,
} from '@pyramids/core';

/** A signer for one host that records what it signed. */
function hostSigner(id: string, host: string): Signer {
  return {
    kind: 'signer',
    id,
    apiVersion: PLUGIN_API_VERSION,
    matches: (url) => new URL(url).host === host,
    headers: async () => ({ 'x-signed-by': id }),
    signHref: async (href) => `${href}?signed=${id}`,
    signRequest: async (request) => ({
      ...request,
      headers: { ...request.headers, 'x-signed-by': id },
    }),
  };
}

function reader(
  id: string,
  mediaTypes: string[],
  extensions: string[],
  sniff?: (head: Uint8Array) => boolean,
): ReaderPlugin {
  return {
    kind: 'reader',
    id,
    apiVersion: PLUGIN_API_VERSION,
    mediaTypes,
    extensions,
    ...(sniff ? { sniff } : {}),
    load: async () => ({
      open: async () => {
        throw new Error('not opened in these tests');
      },
    }),
  };
}

describe('registry', () => {
  it('refuses a plugin built for another contract version, naming both versions', () => {
    const old = {
      ...reader('old', [], []),
      apiVersion: 'pyramids.plugin.v0',
    } as unknown as ReaderPlugin;
    expect(() => createRegistry().use(old)).toThrowError(IncompatiblePluginError);
    expect(() => createRegistry().use(old)).toThrowError(
      /'old' was built for plugin API "pyramids.plugin.v0".*speaks pyramids.plugin.v1/,
    );
  });

  it('refuses something that is not a plugin', () => {
    expect(() => createRegistry().use({} as ReaderPlugin)).toThrowError(/not a pyramids plugin/);
  });

  it('chooses by media type: prefix, case-insensitive, parameters ignored', async () => {
    const registry = createRegistry().use(reader('tiff', ['image/tiff'], ['.tif']));
    const choice = await registry.selectReader({
      href: 'x.bin',
      mediaType: 'IMAGE/TIFF; application=geotiff; profile=cloud-optimized',
    });
    expect(choice).toMatchObject({ matchedBy: 'media type' });
    expect(choice.reader.id).toBe('tiff');
  });

  it('falls back to the extension with query string and trailing slash stripped', async () => {
    const registry = createRegistry()
      .use(reader('tiff', ['image/tiff'], ['.tif']))
      .use(reader('zarr', ['application/vnd+zarr'], ['.zarr']));
    expect((await registry.selectReader({ href: 'https://h/a/B04.TIF?sig=1' })).reader.id).toBe(
      'tiff',
    );
    expect((await registry.selectReader({ href: 'https://h/store.zarr/' })).reader.id).toBe('zarr');
    expect(
      (
        await registry.selectReader({
          href: 'https://h/a.tif',
          mediaType: 'application/octet-stream',
        })
      ).matchedBy,
    ).toBe('extension');
  });

  it('sniffs content last', async () => {
    const registry = createRegistry().use(
      reader('tiff', ['image/tiff'], ['.tif'], (head) => head[0] === 0x49 && head[1] === 0x49),
    );
    let reads = 0;
    const choice = await registry.selectReader({
      href: 'https://h/object',
      readHead: async () => (reads++, new Uint8Array([0x49, 0x49, 0x2a, 0])),
    });
    expect(choice).toMatchObject({ matchedBy: 'content' });
    expect(reads).toBe(1);
    // Media type or extension decides without reading.
    await registry.selectReader({
      href: 'https://h/a.tif',
      readHead: async () => (reads++, new Uint8Array()),
    });
    expect(reads).toBe(1);
  });

  it('the last registered reader wins a tie', async () => {
    const registry = createRegistry()
      .use(reader('first', ['image/tiff'], ['.tif']))
      .use(reader('second', ['image/tiff'], ['.tif']));
    expect(
      (await registry.selectReader({ href: 'a.tif', mediaType: 'image/tiff' })).reader.id,
    ).toBe('second');
  });

  it('names what was tried, what the registered readers declare, and where to look', async () => {
    const registry = createRegistry().use(reader('tiff', ['image/tiff'], ['.tif']));
    const error = await registry
      .selectReader({ href: 'https://h/T29_SCL.jp2?token=SECRET', mediaType: 'image/jp2' })
      .catch((caught: unknown) => caught);
    expect(UnsupportedAssetError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toMatch(/media type "image\/jp2"/);
    expect(message).toMatch(/extension "\.jp2"/);
    expect(message).toMatch(/registered readers: tiff \(\.tif, image\/tiff\)/);
    expect(message).toMatch(/@pyramids\/readers-gdal/);
    expect(message).not.toMatch(/SECRET/);
  });

  it('signs each URL with the first registered signer that matches it, and leaves others alone', async () => {
    const registry = createRegistry()
      .use(hostSigner('a', 'a.example.com'))
      .use(hostSigner('a-later', 'a.example.com'))
      .use(hostSigner('b', 'b.example.com'));
    expect(registry.signerFor('https://a.example.com/x.tif')?.id).toBe('a');
    expect(registry.signerFor('https://b.example.com/x.tif')?.id).toBe('b');
    expect(registry.signerFor('https://c.example.com/x.tif')).toBeUndefined();
    const signer = routingSigner(registry.signers);
    expect(await signer.headers!('https://b.example.com/x.tif')).toEqual({ 'x-signed-by': 'b' });
    expect(await signer.signHref!('https://a.example.com/x.tif')).toBe(
      'https://a.example.com/x.tif?signed=a',
    );
    expect(await signer.signHref!('https://c.example.com/x.tif')).toBe(
      'https://c.example.com/x.tif',
    );
    expect(await signer.headers!('https://c.example.com/x.tif')).toEqual({});
    const request = await signer.signRequest!({
      url: 'https://b.example.com/search',
      method: 'POST',
      headers: {},
    });
    expect(request.headers).toEqual({ 'x-signed-by': 'b' });
    // A signer registered after the routing signer was made still counts.
    registry.use(hostSigner('c', 'c.example.com'));
    expect(await signer.headers!('https://c.example.com/x.tif')).toEqual({ 'x-signed-by': 'c' });
  });
});

describe('writerFor', () => {
  const registry = createRegistry().use(geotiffWriter()).use(zarrWriter());

  it('chooses a writer by format, then by extension; a plain directory goes to the one that writes directories', () => {
    expect(registry.writerFor('out/cube.tif')?.id).toBe('geotiff');
    expect(registry.writerFor('out/cube.TIFF')?.id).toBe('geotiff');
    expect(registry.writerFor('out/cube.zarr')?.id).toBe('zarr');
    expect(registry.writerFor('out/cube.zarr/')?.id).toBe('zarr');
    expect(registry.writerFor('out/steps/')?.id).toBe('geotiff');
    expect(registry.writerFor('out/anything', 'COG')?.id).toBe('geotiff');
    expect(registry.writerFor('out/cube.tif', 'zarr')?.id).toBe('zarr');
  });

  it('finds none for an unknown extension or format', () => {
    expect(registry.writerFor('out/cube.nc')).toBeUndefined();
    expect(registry.writerFor('out/cube.tif', 'netcdf')).toBeUndefined();
    expect(createRegistry().writerFor('out/cube.tif')).toBeUndefined();
  });
});
