// The GeoJSON polygon of a bbox, for the Items tests build by hand.

/** A closed, counter-clockwise GeoJSON Polygon around `[west, south, east, north]`. */
export function bboxPolygon(bbox: readonly number[]): {
  type: 'Polygon';
  coordinates: number[][][];
} {
  const [west, south, east, north] = bbox as [number, number, number, number];
  return {
    type: 'Polygon',
    coordinates: [
      [
        [west, south],
        [east, south],
        [east, north],
        [west, north],
        [west, south],
      ],
    ],
  };
}
