import { describe, expect, it } from 'vitest';
import { parseS3Href, parseS3Url, s3ObjectUrl } from './s3-href.js';

describe('S3 hrefs', () => {
  it('parses s3:// hrefs', () => {
    expect(parseS3Href('s3://usgs-landsat/collection02/level-2/B4.TIF')).toEqual({
      bucket: 'usgs-landsat',
      key: 'collection02/level-2/B4.TIF',
    });
    expect(parseS3Href('s3://bucket')).toEqual({ bucket: 'bucket', key: '' });
    expect(parseS3Href('https://bucket.s3.amazonaws.com/key')).toBeUndefined();
  });

  it('builds regional virtual-hosted URLs, path-style for dotted buckets and custom endpoints', () => {
    const location = { bucket: 'usgs-landsat', key: 'a b/c+d.TIF' };
    expect(s3ObjectUrl(location, { region: 'us-west-2' })).toBe(
      'https://usgs-landsat.s3.us-west-2.amazonaws.com/a%20b/c%2Bd.TIF',
    );
    expect(s3ObjectUrl({ bucket: 'my.bucket', key: 'k' }, { region: 'af-south-1' })).toBe(
      'https://s3.af-south-1.amazonaws.com/my.bucket/k',
    );
    expect(
      s3ObjectUrl(
        { bucket: 'eodata', key: 'Sentinel-2/MSI/x.jp2' },
        { region: 'default', endpoint: 'https://eodata.dataspace.copernicus.eu/' },
      ),
    ).toBe('https://eodata.dataspace.copernicus.eu/eodata/Sentinel-2/MSI/x.jp2');
  });

  it('recognises S3 HTTPS URLs in every style and round-trips keys', () => {
    expect(parseS3Url('https://usgs-landsat.s3.us-west-2.amazonaws.com/a%20b/c%2Bd.TIF')).toEqual({
      bucket: 'usgs-landsat',
      key: 'a b/c+d.TIF',
    });
    expect(parseS3Url('https://sentinel-cogs.s3.amazonaws.com/k')).toEqual({
      bucket: 'sentinel-cogs',
      key: 'k',
    });
    expect(parseS3Url('https://s3.us-west-2.amazonaws.com/my.bucket/k/l')).toEqual({
      bucket: 'my.bucket',
      key: 'k/l',
    });
    expect(parseS3Url('https://s3.amazonaws.com/bucket/k')).toEqual({ bucket: 'bucket', key: 'k' });
    expect(parseS3Url('https://example.com/bucket/k')).toBeUndefined();
    expect(parseS3Url('http://127.0.0.1:9000/eodata/x/y.jp2', 'http://127.0.0.1:9000')).toEqual({
      bucket: 'eodata',
      key: 'x/y.jp2',
    });
    expect(parseS3Url('http://127.0.0.1:9001/eodata/x', 'http://127.0.0.1:9000')).toBeUndefined();
  });
});
