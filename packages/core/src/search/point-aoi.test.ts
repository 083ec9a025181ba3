import { describe, expect, it } from 'vitest';
import {
  createTransformer,
  formatDatetime,
  itemSearch,
  OptionError,
  pointAoi,
  pointSearchOptions,
  roundHalfEven,
} from '@pyramids/core';

describe('roundHalfEven', () => {
  it.each([
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [-0.5, 0],
    [-1.5, -2],
    [-2.5, -2],
    [2.4999, 2],
    [2.5001, 3],
    [-2.6, -3],
  ])('%d → %d', (value, expected) => {
    expect(roundHalfEven(value)).toBe(expected);
  });
});

describe('pointAoi', () => {
  it('builds a 64 × 64 px AOI of 10 m pixels around a point in Colombia', () => {
    const aoi = pointAoi({ lat: 4.31, lon: -76.2, edgeSize: 64, resolution: 10 });
    expect(aoi.crs).toBe('EPSG:32618');
    const [x, y] = createTransformer('EPSG:4326', 'EPSG:32618')(-76.2, 4.31);
    expect(aoi.center).toEqual([Math.round(x / 10) * 10, Math.round(y / 10) * 10]);
    expect(aoi.center[0] % 10).toBe(0);
    expect(aoi.bounds[2] - aoi.bounds[0]).toBe(640);
    expect(aoi.bounds[3] - aoi.bounds[1]).toBe(640);
    expect(aoi.bounds).toEqual([
      aoi.center[0] - 320,
      aoi.center[1] - 320,
      aoi.center[0] + 320,
      aoi.center[1] + 320,
    ]);
    expect(aoi.grid).toEqual({
      crs: 'EPSG:32618',
      transform: [aoi.bounds[0], 10, 0, aoi.bounds[3], 0, -10],
      width: 64,
      height: 64,
    });
    // The bbox encloses the point and is about 640 m wide (≈ 0.00577° at this latitude).
    expect(aoi.bbox[0]).toBeLessThan(-76.2);
    expect(aoi.bbox[2]).toBeGreaterThan(-76.2);
    expect(aoi.bbox[2] - aoi.bbox[0]).toBeCloseTo(640 / 111_000, 3);
  });

  it('takes the bbox from the four reprojected corners', () => {
    const aoi = pointAoi({ lat: 46, lon: 11, edgeSize: 2000, resolution: 20, units: 'm' });
    expect(aoi.size).toBe(100);
    const toLonLat = createTransformer(aoi.crs, 'EPSG:4326');
    const [minX, minY, maxX, maxY] = aoi.bounds;
    const corners = [
      toLonLat(minX, minY),
      toLonLat(minX, maxY),
      toLonLat(maxX, minY),
      toLonLat(maxX, maxY),
    ];
    expect(aoi.bbox).toEqual([
      Math.min(...corners.map((corner) => corner[0])),
      Math.min(...corners.map((corner) => corner[1])),
      Math.max(...corners.map((corner) => corner[0])),
      Math.max(...corners.map((corner) => corner[1])),
    ]);
  });

  it('snaps ties to the even multiple of the resolution', () => {
    // On zone 32's central meridian x is exactly 500 000 m: with 200 km pixels that is a
    // tie (2.5 pixels), which goes to the even multiple, 400 000, not 600 000.
    const aoi = pointAoi({ lat: 0, lon: 9, edgeSize: 1, resolution: 200_000 });
    expect(aoi.crs).toBe('EPSG:32632');
    expect(aoi.center[0]).toBe(400_000);
  });

  it('wraps longitudes into ±180', () => {
    expect(pointAoi({ lat: 10, lon: 200, edgeSize: 8, resolution: 30 }).crs).toBe('EPSG:32604');
  });

  it('refuses sizes that are not whole pixels and points off the globe', () => {
    expect(() => pointAoi({ lat: 46, lon: 11, edgeSize: 64.5, resolution: 10 })).toThrow(
      OptionError,
    );
    expect(() => pointAoi({ lat: 46, lon: 11, edgeSize: 105, resolution: 10, units: 'm' })).toThrow(
      /not a whole number of 10 m pixels/,
    );
    expect(() => pointAoi({ lat: 95, lon: 11, edgeSize: 64, resolution: 10 })).toThrow(/latitude/);
    expect(() => pointAoi({ lat: 46, lon: 11, edgeSize: 64, resolution: 0 })).toThrow(/resolution/);
  });
});

describe('pointSearchOptions', () => {
  it('searches the AOI bbox over whole days', () => {
    const aoi = pointAoi({ lat: 46, lon: 11, edgeSize: 64, resolution: 10 });
    const options = pointSearchOptions(aoi, {
      collection: 'sentinel-2-l2a',
      startDate: '2023-06-01',
      endDate: '2023-06-30',
      query: { 'eo:cloud_cover': { lt: 20 } },
    });
    expect(itemSearch('http://127.0.0.1:9/', options).body).toEqual({
      collections: ['sentinel-2-l2a'],
      bbox: aoi.bbox,
      datetime: '2023-06-01T00:00:00Z/2023-06-30T23:59:59Z',
      query: { 'eo:cloud_cover': { lt: 20 } },
    });
    expect(
      formatDatetime(pointSearchOptions(aoi, { collection: 'c', endDate: '2023' }).datetime!),
    ).toBe('../2023-12-31T23:59:59Z');
    expect(pointSearchOptions(aoi, { collection: 'c' })).not.toHaveProperty('datetime');
  });
});
