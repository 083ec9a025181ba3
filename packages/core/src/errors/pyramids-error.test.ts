import { describe, expect, it } from 'vitest';
import {
  DownloadError,
  GridError,
  OptionError,
  PyramidsError,
  ReadError,
  SearchError,
  SignerError,
  StacAssetError,
  StacError,
  UnsupportedAssetError,
  WriteError,
} from '@pyramids/core';

describe('errors', () => {
  it('carry a stable code, plugin, details and cause', () => {
    const cause = new Error('socket hang up');
    const error = new ReadError('cannot read x', {
      plugin: 'geotiff',
      cause,
      details: { status: 503 },
    });
    expect(error.code).toBe('READ');
    expect(error.plugin).toBe('geotiff');
    expect(error.details).toEqual({ status: 503 });
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('ReadError');
  });

  it('isInstance works for an error from another copy of core (same brand, other class)', () => {
    // Another installed copy of core has other classes but the same global brand and code.
    const foreign = new (class ForeignReadError extends Error {})('from another copy');
    Object.defineProperty(foreign, Symbol.for('@pyramids/core/error'), { value: true });
    Object.assign(foreign, { code: 'READ' });
    expect(foreign instanceof ReadError).toBe(false);
    expect(ReadError.isInstance(foreign)).toBe(true);
    expect(PyramidsError.isInstance(foreign)).toBe(true);
    expect(StacAssetError.isInstance(foreign)).toBe(false);
    expect(PyramidsError.isInstance(new Error('plain'))).toBe(false);
  });
});

describe('StacError', () => {
  it('is the base of the STAC errors, inside PyramidsError, and each keeps its code', () => {
    const errors = [
      new StacAssetError('asset missing'),
      new UnsupportedAssetError('no reader'),
      new SearchError('API refused'),
      new DownloadError('download failed'),
      new SignerError('no token'),
    ];
    expect(errors.map((error) => error.code)).toEqual([
      'STAC_ASSET',
      'UNSUPPORTED_ASSET',
      'SEARCH',
      'DOWNLOAD',
      'SIGNER',
    ]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(StacError);
      expect(error).toBeInstanceOf(PyramidsError);
      expect(StacError.isInstance(error)).toBe(true);
    }
    expect(errors.map((error) => error.name)).toEqual([
      'StacAssetError',
      'UnsupportedAssetError',
      'SearchError',
      'DownloadError',
      'SignerError',
    ]);
    expect(SearchError.isInstance(errors[0])).toBe(false);
  });

  it('leaves the raster errors out', () => {
    for (const error of [
      new ReadError('read'),
      new GridError('grid'),
      new WriteError('write'),
      new OptionError('option'),
    ]) {
      expect(error).not.toBeInstanceOf(StacError);
      expect(StacError.isInstance(error)).toBe(false);
      expect(PyramidsError.isInstance(error)).toBe(true);
    }
  });

  it('isInstance recognises a STAC error of another copy of core by its code', () => {
    const foreign = new Error('from an older copy');
    Object.defineProperty(foreign, Symbol.for('@pyramids/core/error'), { value: true });
    Object.assign(foreign, { code: 'SEARCH' });
    expect(StacError.isInstance(foreign)).toBe(true);
    Object.assign(foreign, { code: 'READ' });
    expect(StacError.isInstance(foreign)).toBe(false);
    expect(StacError.isInstance(new Error('plain'))).toBe(false);
  });
});
