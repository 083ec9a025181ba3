import { describe, expect, it } from 'vitest';
import {
  bboxOfPolygons,
  densifyRing,
  footprintFromRings,
  pixelOutline,
  ringArea,
  splitAtAntimeridian,
  type Ring,
} from './footprint.js';

describe('pixelOutline and densifyRing', () => {
  it('walks the edges with the asked number of segments and closes', () => {
    const ring = pixelOutline(10, 4, 2);
    expect(ring).toEqual([
      [0, 0],
      [5, 0],
      [10, 0],
      [10, 2],
      [10, 4],
      [5, 4],
      [0, 4],
      [0, 2],
      [0, 0],
    ]);
  });
  it('splits long segments only', () => {
    expect(
      densifyRing(
        [
          [0, 0],
          [4, 0],
          [4, 1],
        ],
        1,
      ),
    ).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 0],
      [4, 0],
      [4, 1],
    ]);
  });
});

describe('splitAtAntimeridian', () => {
  it('leaves a ring that does not cross alone', () => {
    expect(
      splitAtAntimeridian([
        [10, 0],
        [20, 0],
        [20, 10],
        [10, 10],
      ]),
    ).toEqual([
      [
        [10, 0],
        [20, 0],
        [20, 10],
        [10, 10],
      ],
    ]);
  });
  it('splits a ring that crosses 180 into an eastern and a western part', () => {
    const parts = splitAtAntimeridian([
      [170, 0],
      [-170, 0],
      [-170, 10],
      [170, 10],
      [170, 0],
    ]);
    expect(parts).toHaveLength(2);
    expect(parts[0]!.every(([lon]) => lon >= 170 && lon <= 180)).toBe(true);
    expect(parts[1]!.every(([lon]) => lon >= -180 && lon <= -170)).toBe(true);
    expect(parts[0]!.some(([lon]) => lon === 180)).toBe(true);
    expect(parts[1]!.some(([lon]) => lon === -180)).toBe(true);
  });
  it('closes a ring around the north pole over the pole', () => {
    const ring: Ring = [];
    for (let lon = -170; lon <= 180; lon += 10) ring.push([lon, 70]);
    const [polygon] = splitAtAntimeridian(ring);
    expect(polygon!.slice(-2)).toEqual([
      [180, 90],
      [-180, 90],
    ]);
    expect(polygon![0]![0]).toBe(-180);
    expect(polygon!.every(([lon, lat]) => lon >= -180 && lon <= 180 && lat >= 70)).toBe(true);
  });
  it('makes a longitude band of a ring spanning the globe and clamps latitudes', () => {
    // The outline of the GRIB fixture example.grib: 4 × 3 cells of 90° from (-225, 135).
    const outline = densifyRing(
      [
        [-225, 135],
        [135, 135],
        [135, -135],
        [-225, -135],
        [-225, 135],
      ],
      30,
    );
    expect(splitAtAntimeridian(outline)).toEqual([
      [
        [-180, -90],
        [180, -90],
        [180, 90],
        [-180, 90],
        [-180, -90],
      ],
    ]);
  });
});

describe('footprintFromRings', () => {
  it('gives a counter-clockwise closed Polygon rounded to the precision', () => {
    const footprint = footprintFromRings(
      [
        [
          [0.1234567, 0],
          [0, 1],
          [1, 1],
          [1, 0],
        ],
      ],
      3,
    )!;
    const [ring] = footprint.geometry.coordinates as number[][][];
    expect(ring![0]).toEqual(ring![ring!.length - 1]);
    expect(ringArea(ring as Ring)).toBeGreaterThan(0);
    expect(ring).toContainEqual([0.123, 0]);
    expect(footprint.bbox).toEqual([0, 0, 1, 1]);
  });
  it('gives a MultiPolygon and a west > east bbox across the antimeridian', () => {
    const footprint = footprintFromRings([
      [
        [175, -5],
        [-175, -5],
        [-175, 5],
        [175, 5],
      ],
    ])!;
    expect(footprint.geometry.type).toBe('MultiPolygon');
    expect(footprint.bbox).toEqual([175, -5, -175, 5]);
  });
  it('drops rings that collapse after rounding', () => {
    expect(
      footprintFromRings(
        [
          [
            [0, 0],
            [1e-9, 0],
            [0, 1e-9],
          ],
        ],
        6,
      ),
    ).toBeUndefined();
  });
});

describe('bboxOfPolygons', () => {
  it('covers the world when the parts leave no gap', () => {
    expect(
      bboxOfPolygons([
        [
          [-180, 0],
          [0, 0],
          [0, 1],
        ],
        [
          [0, 0],
          [180, 0],
          [180, 1],
        ],
      ]),
    ).toEqual([-180, 0, 180, 1]);
  });
  it('takes the largest gap between parts', () => {
    expect(
      bboxOfPolygons([
        [
          [-10, 0],
          [0, 0],
          [0, 1],
        ],
        [
          [100, 0],
          [110, 0],
          [110, 1],
        ],
      ]),
    ).toEqual([-10, 0, 110, 1]);
  });
});
