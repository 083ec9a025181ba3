import { describe, expect, it } from 'vitest';
import { GridError, utmZoneEpsg } from '@pyramids/core';

describe('utmZoneEpsg', () => {
  // The contract's cases: 6° zones, equator north, no Norway/Svalbard exception, lon wrapped.
  it.each([
    [11, 46, 32632],
    [-76.2, 4.31, 32618],
    [-58, -34, 32721],
    [-179, 0, 32601],
    [179, -10, 32760],
    [200, 10, 32604],
  ])('(lon %d, lat %d) → EPSG:%d', (lon, lat, epsg) => {
    expect(utmZoneEpsg(lon, lat)).toBe(epsg);
  });

  it('ignores the Norway and Svalbard exceptions', () => {
    expect(utmZoneEpsg(5, 60)).toBe(32631);
    expect(utmZoneEpsg(10, 78)).toBe(32632);
  });

  it('refuses a latitude off the globe', () => {
    expect(() => utmZoneEpsg(0, 91)).toThrow(GridError);
  });
});
