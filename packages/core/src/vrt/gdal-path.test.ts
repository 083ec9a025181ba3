import { describe, expect, it } from 'vitest';
import {
  gdalPathToHref,
  hrefToGdalPath,
  parseVsiCurlOptions,
  vsicurlPathWithHeaders,
} from './gdal-path.js';

describe('hrefToGdalPath', () => {
  it('maps cloud and web schemes to GDAL virtual file systems', () => {
    expect(hrefToGdalPath('s3://bucket/a/b.tif')).toBe('/vsis3/bucket/a/b.tif');
    expect(hrefToGdalPath('gs://bucket/b.nc')).toBe('/vsigs/bucket/b.nc');
    expect(hrefToGdalPath('az://container/b.jp2')).toBe('/vsiaz/container/b.jp2');
    expect(hrefToGdalPath('abfs://container@account.dfs.core.windows.net/dir/b.tif')).toBe(
      '/vsiaz/container/dir/b.tif',
    );
    expect(hrefToGdalPath('https://host/x.tif?sig=1')).toBe('/vsicurl/https://host/x.tif?sig=1');
    expect(hrefToGdalPath('file:///data/x.tif')).toBe('/data/x.tif');
    expect(hrefToGdalPath('/data/x.tif')).toBe('/data/x.tif');
    expect(hrefToGdalPath('relative/x.tif')).toBe('relative/x.tif');
    expect(hrefToGdalPath('/vsizip//vsicurl/https://h/a.zip/b.tif')).toBe(
      '/vsizip//vsicurl/https://h/a.zip/b.tif',
    );
  });

  it('chains archives', () => {
    expect(hrefToGdalPath('zip+https://host/a.zip!/inner/b.tif')).toBe(
      '/vsizip//vsicurl/https://host/a.zip/inner/b.tif',
    );
    expect(hrefToGdalPath('https://host/a.zip!/b.tif')).toBe(
      '/vsizip//vsicurl/https://host/a.zip/b.tif',
    );
    expect(hrefToGdalPath('s3://bucket/a.zip')).toBe('/vsizip//vsis3/bucket/a.zip');
    expect(hrefToGdalPath('tar+s3://bucket/a.tar.gz!/b.nc')).toBe(
      '/vsitar//vsis3/bucket/a.tar.gz/b.nc',
    );
    expect(hrefToGdalPath('/data/x.tif.gz!/x.tif')).toBe('/vsigzip//data/x.tif.gz/x.tif');
  });
});

describe('gdalPathToHref and /vsicurl? options', () => {
  it('maps GDAL paths back to hrefs, and refuses GDAL-only ones', () => {
    expect(gdalPathToHref('/vsicurl/https://host/x.tif')).toBe('https://host/x.tif');
    expect(gdalPathToHref('/vsis3/bucket/k.tif')).toBe('s3://bucket/k.tif');
    expect(gdalPathToHref('/vsigs/bucket/k.tif')).toBe('gs://bucket/k.tif');
    expect(gdalPathToHref('/vsiaz/c/k.tif')).toBe('az://c/k.tif');
    expect(gdalPathToHref('/data/k.tif')).toBe('/data/k.tif');
    expect(gdalPathToHref('/vsizip//data/a.zip/k.tif')).toBeUndefined();
    expect(gdalPathToHref('/vsimem/k.tif')).toBeUndefined();
  });

  it('round-trips headers through a /vsicurl? path', () => {
    const built = vsicurlPathWithHeaders('https://host/x.tif?a=1&b=2', {
      Authorization: 'Bearer a&b=c',
    });
    expect(built).toBe(
      '/vsicurl?header.Authorization=Bearer%20a%26b%3Dc&url=https%3A%2F%2Fhost%2Fx.tif%3Fa%3D1%26b%3D2',
    );
    expect(parseVsiCurlOptions(built)).toEqual({
      url: 'https://host/x.tif?a=1&b=2',
      headers: { Authorization: 'Bearer a&b=c' },
      options: {},
    });
    expect(gdalPathToHref(built)).toBe('https://host/x.tif?a=1&b=2');
    expect(parseVsiCurlOptions('/vsicurl?list_dir=no&url=http%3A%2F%2Fh%2Fx').options).toEqual({
      list_dir: 'no',
    });
  });
});
