import { describe, expect, it } from 'vitest';
import { PyramidsError, ReadError, StacAssetError } from '@pyramids/core';

describe('errors', () => {
  it('carry a stable code, plugin, details and cause', () => {
    const cause = new Error('socket hang up');
    const error = new ReadError('cannot read x', { plugin: 'geotiff', cause, details: { status: 503 } });
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
