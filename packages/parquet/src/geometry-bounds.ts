import type { Geometry } from '@pyramids/core';

/** [west, south, east, north]. */
export type Bounds = [number, number, number, number];

/** The bounding box of a GeoJSON geometry, or undefined when it has no coordinates. */
export function geometryBounds(geometry: Geometry): Bounds | undefined {
  const bounds: Bounds = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (value: unknown): void => {
    if (!Array.isArray(value)) return;
    if (typeof value[0] === 'number') {
      const [x, y] = value as number[];
      if (x! < bounds[0]) bounds[0] = x!;
      if (y! < bounds[1]) bounds[1] = y!;
      if (x! > bounds[2]) bounds[2] = x!;
      if (y! > bounds[3]) bounds[3] = y!;
      return;
    }
    for (const entry of value) visit(entry);
  };
  if (geometry.type === 'GeometryCollection') {
    for (const child of geometry.geometries ?? []) {
      const inner = geometryBounds(child);
      if (inner)
        visit([
          [inner[0], inner[1]],
          [inner[2], inner[3]],
        ]);
    }
  } else visit(geometry.coordinates);
  return Number.isFinite(bounds[0]) ? bounds : undefined;
}

/** True when two geometries intersect: exact for points, lines and polygons (with holes), in planar coordinates. */
export function geometriesIntersect(a: Geometry, b: Geometry): boolean {
  const boundsA = geometryBounds(a);
  const boundsB = geometryBounds(b);
  if (!boundsA || !boundsB) return false;
  if (
    boundsA[0] > boundsB[2] ||
    boundsA[2] < boundsB[0] ||
    boundsA[1] > boundsB[3] ||
    boundsA[3] < boundsB[1]
  )
    return false;
  const partsA = parts(a);
  const partsB = parts(b);
  return partsA.some((partA) => partsB.some((partB) => partsIntersect(partA, partB)));
}

type Point = number[];
/** A simple part: a point, a line, or a polygon (rings). */
type Part =
  | { kind: 'point'; point: Point }
  | { kind: 'line'; points: Point[] }
  | { kind: 'polygon'; rings: Point[][] };

function parts(geometry: Geometry): Part[] {
  const coordinates = geometry.coordinates as never;
  switch (geometry.type) {
    case 'Point':
      return [{ kind: 'point', point: coordinates }];
    case 'MultiPoint':
      return (coordinates as Point[]).map((point) => ({ kind: 'point', point }));
    case 'LineString':
      return [{ kind: 'line', points: coordinates }];
    case 'MultiLineString':
      return (coordinates as Point[][]).map((points) => ({ kind: 'line', points }));
    case 'Polygon':
      return [{ kind: 'polygon', rings: coordinates }];
    case 'MultiPolygon':
      return (coordinates as Point[][][]).map((rings) => ({ kind: 'polygon', rings }));
    case 'GeometryCollection':
      return (geometry.geometries ?? []).flatMap(parts);
    default:
      return [];
  }
}

function segments(part: Part): [Point, Point][] {
  const lines = part.kind === 'line' ? [part.points] : part.kind === 'polygon' ? part.rings : [];
  const out: [Point, Point][] = [];
  for (const line of lines)
    for (let index = 1; index < line.length; index++) out.push([line[index - 1]!, line[index]!]);
  return out;
}

function vertices(part: Part): Point[] {
  return part.kind === 'point'
    ? [part.point]
    : part.kind === 'line'
      ? part.points
      : part.rings.flat();
}

function partsIntersect(a: Part, b: Part): boolean {
  if (b.kind === 'polygon' && vertices(a).some((point) => pointInPolygon(point, b.rings)))
    return true;
  if (a.kind === 'polygon' && vertices(b).some((point) => pointInPolygon(point, a.rings)))
    return true;
  if (a.kind === 'point' && b.kind === 'point')
    return a.point[0] === b.point[0] && a.point[1] === b.point[1];
  if (a.kind === 'point') return segments(b).some(([p, q]) => onSegment(a.point, p, q));
  if (b.kind === 'point') return segments(a).some(([p, q]) => onSegment(b.point, p, q));
  const segmentsB = segments(b);
  return segments(a).some(([p, q]) => segmentsB.some(([r, s]) => segmentsCross(p, q, r, s)));
}

function pointInPolygon(point: Point, rings: Point[][]): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let index = 0, previous = ring.length - 1; index < ring.length; previous = index++) {
      const [xi, yi] = ring[index]!;
      const [xj, yj] = ring[previous]!;
      if (onSegment(point, ring[index]!, ring[previous]!)) return true;
      if (
        yi! > point[1]! !== yj! > point[1]! &&
        point[0]! < ((xj! - xi!) * (point[1]! - yi!)) / (yj! - yi!) + xi!
      )
        inside = !inside;
    }
  }
  return inside;
}

function orientation(p: Point, q: Point, r: Point): number {
  const value = (q[1]! - p[1]!) * (r[0]! - q[0]!) - (q[0]! - p[0]!) * (r[1]! - q[1]!);
  return value === 0 ? 0 : value > 0 ? 1 : 2;
}

function onSegment(point: Point, p: Point, q: Point): boolean {
  return (
    orientation(p, q, point) === 0 &&
    point[0]! <= Math.max(p[0]!, q[0]!) &&
    point[0]! >= Math.min(p[0]!, q[0]!) &&
    point[1]! <= Math.max(p[1]!, q[1]!) &&
    point[1]! >= Math.min(p[1]!, q[1]!)
  );
}

function segmentsCross(p: Point, q: Point, r: Point, s: Point): boolean {
  const o1 = orientation(p, q, r);
  const o2 = orientation(p, q, s);
  const o3 = orientation(r, s, p);
  const o4 = orientation(r, s, q);
  if (o1 !== o2 && o3 !== o4) return true;
  return onSegment(r, p, q) || onSegment(s, p, q) || onSegment(p, r, s) || onSegment(q, r, s);
}
