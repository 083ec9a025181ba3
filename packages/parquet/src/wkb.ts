// GeoJSON ↔ WKB (ISO and EWKB Z/M flags on read; ISO on write). Coordinates are
// float64 both ways, so a geometry survives a round trip bit for bit.
import type { Geometry } from '@pyramids/core';

const TYPE_CODES: Record<string, number> = {
  Point: 1,
  LineString: 2,
  Polygon: 3,
  MultiPoint: 4,
  MultiLineString: 5,
  MultiPolygon: 6,
  GeometryCollection: 7,
};
const TYPE_NAMES = [
  '',
  'Point',
  'LineString',
  'Polygon',
  'MultiPoint',
  'MultiLineString',
  'MultiPolygon',
  'GeometryCollection',
];

/** Number of coordinate dimensions a GeoJSON geometry uses (2 or 3; 4 is kept as read). */
export function geometryDimensions(geometry: Geometry): number {
  let dimensions = 2;
  const visit = (value: unknown): void => {
    if (!Array.isArray(value)) return;
    if (typeof value[0] === 'number') {
      dimensions = Math.max(dimensions, value.length);
      return;
    }
    for (const entry of value) visit(entry);
  };
  if (geometry.type === 'GeometryCollection')
    for (const child of geometry.geometries ?? [])
      dimensions = Math.max(dimensions, geometryDimensions(child));
  else visit(geometry.coordinates);
  return Math.min(dimensions, 4);
}

/** Encodes a GeoJSON geometry as little-endian ISO WKB. */
export function geometryToWkb(geometry: Geometry): Uint8Array {
  const dimensions = geometryDimensions(geometry);
  let size = 0;
  // Two passes would be faster; one growable buffer keeps the code short.
  let buffer = new ArrayBuffer(256);
  let view = new DataView(buffer);
  const ensure = (extra: number) => {
    if (size + extra <= buffer.byteLength) return;
    const next = new ArrayBuffer(Math.max(buffer.byteLength * 2, size + extra));
    new Uint8Array(next).set(new Uint8Array(buffer, 0, size));
    buffer = next;
    view = new DataView(buffer);
  };
  const uint8 = (value: number) => {
    ensure(1);
    view.setUint8(size, value);
    size += 1;
  };
  const uint32 = (value: number) => {
    ensure(4);
    view.setUint32(size, value, true);
    size += 4;
  };
  const float64 = (value: number) => {
    ensure(8);
    view.setFloat64(size, value, true);
    size += 8;
  };
  const point = (coordinates: number[]) => {
    for (let index = 0; index < dimensions; index++)
      float64(coordinates[index] ?? (index < 2 ? Number.NaN : 0));
  };
  const points = (list: number[][]) => {
    uint32(list.length);
    for (const coordinates of list) point(coordinates);
  };
  const offset = dimensions === 3 ? 1000 : dimensions === 4 ? 3000 : 0;
  const write = (value: Geometry) => {
    const code = TYPE_CODES[value.type];
    if (code === undefined)
      throw new TypeError(`unknown geometry type ${JSON.stringify(value.type)}`);
    uint8(1);
    uint32(code + offset);
    const coordinates = value.coordinates as never;
    switch (value.type) {
      case 'Point':
        point((coordinates as number[]).length ? coordinates : [Number.NaN, Number.NaN]);
        break;
      case 'LineString':
      case 'MultiPoint':
        if (value.type === 'MultiPoint') {
          uint32((coordinates as number[][]).length);
          for (const entry of coordinates as number[][])
            write({ type: 'Point', coordinates: entry });
        } else points(coordinates);
        break;
      case 'Polygon':
        uint32((coordinates as number[][][]).length);
        for (const ring of coordinates as number[][][]) points(ring);
        break;
      case 'MultiLineString':
        uint32((coordinates as number[][][]).length);
        for (const line of coordinates as number[][][])
          write({ type: 'LineString', coordinates: line });
        break;
      case 'MultiPolygon':
        uint32((coordinates as number[][][][]).length);
        for (const polygon of coordinates as number[][][][])
          write({ type: 'Polygon', coordinates: polygon });
        break;
      case 'GeometryCollection':
        uint32(value.geometries?.length ?? 0);
        for (const child of value.geometries ?? []) write(child);
        break;
    }
  };
  write(geometry);
  return new Uint8Array(buffer, 0, size).slice();
}

/** Decodes WKB (ISO or EWKB, either byte order) into a GeoJSON geometry. */
export function wkbToGeometry(bytes: Uint8Array): Geometry {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  const read = (): Geometry => {
    const littleEndian = view.getUint8(offset) === 1;
    offset += 1;
    let code = view.getUint32(offset, littleEndian);
    offset += 4;
    let dimensions = 2;
    // EWKB flags: Z 0x80000000, M 0x40000000, SRID 0x20000000.
    if (code & 0x20000000) offset += 4;
    if (code & 0x80000000) dimensions++;
    if (code & 0x40000000) dimensions++;
    code &= 0x0fffffff;
    if (code >= 3000) dimensions = 4;
    else if (code >= 1000) dimensions = 3;
    code %= 1000;
    const point = () => {
      const coordinates: number[] = [];
      for (let index = 0; index < dimensions; index++) {
        coordinates.push(view.getFloat64(offset, littleEndian));
        offset += 8;
      }
      return coordinates;
    };
    const count = () => {
      const value = view.getUint32(offset, littleEndian);
      offset += 4;
      return value;
    };
    const points = () => Array.from({ length: count() }, point);
    const type = TYPE_NAMES[code];
    switch (type) {
      case 'Point': {
        const coordinates = point();
        return { type, coordinates: coordinates.every(Number.isNaN) ? [] : coordinates };
      }
      case 'LineString':
        return { type, coordinates: points() };
      case 'Polygon':
        return { type, coordinates: Array.from({ length: count() }, points) };
      case 'MultiPoint':
      case 'MultiLineString':
      case 'MultiPolygon':
        return { type, coordinates: Array.from({ length: count() }, () => read().coordinates) };
      case 'GeometryCollection':
        return { type, geometries: Array.from({ length: count() }, read) };
      default:
        throw new TypeError(`unsupported WKB geometry type code ${code}`);
    }
  };
  return read();
}

/** GeoParquet geometry type name (`Polygon`, `Polygon Z`). */
export function geoParquetGeometryType(geometry: Geometry): string {
  const dimensions = geometryDimensions(geometry);
  return dimensions === 3
    ? `${geometry.type} Z`
    : dimensions === 4
      ? `${geometry.type} ZM`
      : geometry.type;
}
