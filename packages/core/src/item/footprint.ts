// Footprints in EPSG:4326 per RFC 7946: outlines are densified in pixel space
// before reprojection (so curved edges are followed), longitudes are unwrapped
// and split at the antimeridian, and a ring that winds around a pole is closed
// over it. Everything here is pure geometry on arrays of positions.
import type { Geometry } from '../stac/stac-types.js';

/** A position `[x, y]` (in EPSG:4326: `[longitude, latitude]`). */
export type Position = [number, number];

/** A ring of positions; closed or not (the functions here close it). */
export type Ring = Position[];

/** A footprint: GeoJSON geometry and its RFC 7946 bbox (west may exceed east across the antimeridian). */
export interface Footprint {
  geometry: Geometry;
  bbox: [number, number, number, number];
}

const EPSILON = 1e-9;

/**
 * The outline of a `width × height` pixel rectangle as a ring in pixel space,
 * with `pointsPerEdge` segments per edge, clockwise on screen from (0, 0).
 */
export function pixelOutline(width: number, height: number, pointsPerEdge = 21): Ring {
  const steps = Math.max(1, Math.floor(pointsPerEdge));
  const ring: Ring = [];
  for (let step = 0; step < steps; step++) ring.push([(width * step) / steps, 0]);
  for (let step = 0; step < steps; step++) ring.push([width, (height * step) / steps]);
  for (let step = 0; step < steps; step++) ring.push([width - (width * step) / steps, height]);
  for (let step = 0; step < steps; step++) ring.push([0, height - (height * step) / steps]);
  ring.push([0, 0]);
  return ring;
}

/** Inserts points so that no segment of `ring` is longer than `maxSegment`. */
export function densifyRing(ring: Ring, maxSegment: number): Ring {
  if (!(maxSegment > 0) || ring.length < 2) return ring.slice();
  const result: Ring = [ring[0]!];
  for (let index = 1; index < ring.length; index++) {
    const [x0, y0] = ring[index - 1]!;
    const [x1, y1] = ring[index]!;
    const pieces = Math.ceil(Math.hypot(x1 - x0, y1 - y0) / maxSegment);
    for (let piece = 1; piece < pieces; piece++) {
      const t = piece / pieces;
      result.push([x0 + (x1 - x0) * t, y0 + (y1 - y0) * t]);
    }
    result.push([x1, y1]);
  }
  return result;
}

/** Signed area of a ring (shoelace; positive when counter-clockwise with y up). */
export function ringArea(ring: Ring): number {
  let area = 0;
  for (let index = 0; index < ring.length; index++) {
    const [x0, y0] = ring[index]!;
    const [x1, y1] = ring[(index + 1) % ring.length]!;
    area += x0 * y1 - x1 * y0;
  }
  return area / 2;
}

function wrapLongitude(lon: number): number {
  if (lon >= -180 && lon <= 180) return lon;
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/** Difference of two longitudes taken the short way round, in [-180, 180). */
function longitudeDelta(delta: number): number {
  return ((((delta + 180) % 360) + 360) % 360) - 180;
}

function openRing(ring: Ring): Ring {
  const points = ring.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (points.length > 1) {
    const first = points[0]!;
    const last = points[points.length - 1]!;
    if (first[0] === last[0] && first[1] === last[1]) points.pop();
  }
  return points;
}

/** Sutherland–Hodgman clip of a closed ring against the half-plane x ≤ limit (`keepBelow`) or x ≥ limit. */
function clipAtLongitude(ring: Ring, limit: number, keepBelow: boolean): Ring {
  const inside = (point: Position) => (keepBelow ? point[0] <= limit : point[0] >= limit);
  const result: Ring = [];
  for (let index = 0; index < ring.length; index++) {
    const current = ring[index]!;
    const previous = ring[(index + ring.length - 1) % ring.length]!;
    const currentInside = inside(current);
    const previousInside = inside(previous);
    if (currentInside !== previousInside) {
      const t = (limit - previous[0]) / (current[0] - previous[0]);
      result.push([limit, previous[1] + (current[1] - previous[1]) * t]);
    }
    if (currentInside) result.push(current);
  }
  return result;
}

/**
 * Splits one lon/lat ring into polygons (outer rings only) that each stay within
 * `[-180, 180]`: unchanged when it does not cross the antimeridian, two parts when
 * it does, closed over the pole when it winds around one, and a longitude band
 * when it spans the whole globe. Latitudes are clamped to ±90.
 */
export function splitAtAntimeridian(input: Ring): Ring[] {
  const points = openRing(input).map(([lon, lat]): Position => [
    wrapLongitude(lon),
    Math.max(-90, Math.min(90, lat)),
  ]);
  if (points.length < 3) return [];
  // Unwrap: each step is taken the short way, so a crossing shows as lon > 180 or < -180.
  const unwrapped: Ring = [points[0]!];
  for (let index = 1; index < points.length; index++) {
    const previous = unwrapped[index - 1]!;
    unwrapped.push([
      previous[0] + longitudeDelta(points[index]![0] - points[index - 1]![0]),
      points[index]![1],
    ]);
  }
  const closing =
    unwrapped[unwrapped.length - 1]![0] +
    longitudeDelta(points[0]![0] - points[points.length - 1]![0]);
  const net = closing - unwrapped[0]![0];
  const latitudes = points.map((point) => point[1]);
  const minLat = Math.min(...latitudes);
  const maxLat = Math.max(...latitudes);

  if (Math.abs(net) > 180) return [closeOverPole(unwrapped, net, minLat, maxLat)];

  const lons = unwrapped.map((point) => point[0]);
  const minLon = Math.min(...lons);
  const maxLon = Math.max(...lons);
  if (maxLon - minLon >= 360 - EPSILON) {
    return [
      [
        [-180, minLat],
        [180, minLat],
        [180, maxLat],
        [-180, maxLat],
        [-180, minLat],
      ],
    ];
  }
  if (maxLon <= 180 + EPSILON && minLon >= -180 - EPSILON) return [unwrapped];
  const parts =
    maxLon > 180
      ? [
          clipAtLongitude(unwrapped, 180, true),
          clipAtLongitude(unwrapped, 180, false).map(([x, y]): Position => [x - 360, y]),
        ]
      : [
          clipAtLongitude(unwrapped, -180, false),
          clipAtLongitude(unwrapped, -180, true).map(([x, y]): Position => [x + 360, y]),
        ];
  return parts.filter((part) => part.length >= 3);
}

/** A ring whose longitudes turn once round the globe contains a pole: cut it at ±180 and close it over that pole. */
function closeOverPole(unwrapped: Ring, net: number, minLat: number, maxLat: number): Ring {
  // Walk eastwards: reverse a ring that turns westwards.
  let ring = unwrapped;
  let turn = net;
  if (net < 0) {
    ring = unwrapped.slice().reverse();
    turn = -net;
  }
  const count = ring.length;
  const at = (index: number): Position => {
    const point = ring[index % count]!;
    return [point[0] + turn * Math.floor(index / count), point[1]];
  };
  // The first antimeridian (180 + 360k) east of the start.
  const start = ring[0]![0];
  const cut = 180 + 360 * Math.floor((start - 180) / 360 + 1);
  const line: Ring = [];
  for (let index = 0; index < 3 * count; index++) {
    const previous = at(index);
    const current = at(index + 1);
    if (line.length === 0) {
      if (previous[0] < cut && current[0] >= cut) {
        const t = (cut - previous[0]) / (current[0] - previous[0]);
        line.push([-180, previous[1] + (current[1] - previous[1]) * t]);
        if (current[0] > cut) line.push([current[0] - cut - 180, current[1]]);
      }
      continue;
    }
    if (current[0] >= cut + 360) {
      const t = (cut + 360 - previous[0]) / (current[0] - previous[0]);
      line.push([180, previous[1] + (current[1] - previous[1]) * t]);
      break;
    }
    line.push([current[0] - cut - 180, current[1]]);
  }
  // The pole is the one the ring comes closest to.
  const poleLat = Math.abs(maxLat) >= Math.abs(minLat) ? 90 : -90;
  return [...line, [180, poleLat], [-180, poleLat]];
}

function roundTo(value: number, factor: number): number {
  const rounded = Math.round(value * factor) / factor;
  return rounded === 0 ? 0 : rounded;
}

/** Rounds, drops repeated positions, closes and orients a ring counter-clockwise; undefined when it collapses. */
function finishRing(ring: Ring, factor: number): Ring | undefined {
  const result: Ring = [];
  for (const [x, y] of ring) {
    const point: Position = [roundTo(x, factor), roundTo(y, factor)];
    const last = result[result.length - 1];
    if (!last || last[0] !== point[0] || last[1] !== point[1]) result.push(point);
  }
  while (
    result.length > 1 &&
    result[0]![0] === result[result.length - 1]![0] &&
    result[0]![1] === result[result.length - 1]![1]
  ) {
    result.pop();
  }
  if (result.length < 3) return undefined;
  const area = ringArea(result);
  if (Math.abs(area) < EPSILON / factor) return undefined;
  if (area < 0) result.reverse();
  result.push([result[0]![0], result[0]![1]]);
  return result;
}

/**
 * The RFC 7946 bbox of polygons given in [-180, 180]: the smallest longitude
 * interval on the circle that covers every polygon (west > east when it crosses
 * the antimeridian).
 */
export function bboxOfPolygons(polygons: Ring[]): [number, number, number, number] {
  const intervals = polygons
    .map((ring): [number, number] => [
      Math.min(...ring.map((point) => point[0])),
      Math.max(...ring.map((point) => point[0])),
    ])
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const interval of intervals) {
    const last = merged[merged.length - 1];
    if (last && interval[0] <= last[1]) last[1] = Math.max(last[1], interval[1]);
    else merged.push([interval[0], interval[1]]);
  }
  const latitudes = polygons.flatMap((ring) => ring.map((point) => point[1]));
  const south = Math.min(...latitudes);
  const north = Math.max(...latitudes);
  // Largest gap between covered intervals; the wrap-around gap means "no crossing".
  let west = merged[0]![0];
  let east = merged[merged.length - 1]![1];
  let largestGap = merged[0]![0] + 360 - merged[merged.length - 1]![1];
  for (let index = 1; index < merged.length; index++) {
    const gap = merged[index]![0] - merged[index - 1]![1];
    if (gap > largestGap) {
      largestGap = gap;
      west = merged[index]![0];
      east = merged[index - 1]![1];
    }
  }
  if (largestGap <= EPSILON) return [-180, south, 180, north];
  return [west, south, east, north];
}

/**
 * Builds a GeoJSON Polygon or MultiPolygon and its bbox from lon/lat rings (each
 * one outer ring), split at the antimeridian, rounded to `precision` decimals and
 * oriented counter-clockwise. Undefined when nothing is left.
 */
export function footprintFromRings(rings: Ring[], precision = 6): Footprint | undefined {
  const factor = 10 ** precision;
  const polygons = rings
    .flatMap((ring) => splitAtAntimeridian(ring))
    .map((ring) => finishRing(ring, factor))
    .filter((ring): ring is Ring => ring !== undefined);
  if (polygons.length === 0) return undefined;
  const bbox = bboxOfPolygons(polygons);
  const geometry: Geometry =
    polygons.length === 1
      ? { type: 'Polygon', coordinates: [polygons[0]!] }
      : { type: 'MultiPolygon', coordinates: polygons.map((ring) => [ring]) };
  return { geometry, bbox };
}

/** The whole world as a footprint, for rasters whose place on Earth is unknown. */
export function worldFootprint(): Footprint {
  return {
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [-180, -90],
          [180, -90],
          [180, 90],
          [-180, 90],
          [-180, -90],
        ],
      ],
    },
    bbox: [-180, -90, 180, 90],
  };
}
