// The schema of a stac-geoparquet file, merged over every Item before the first
// row group is written, so heterogeneous Items give one consistent file.
import type { SchemaElement } from 'hyparquet';
import { parseTimestampMicros } from './timestamps.js';

/** The type of one value, as far as the file needs to know it. */
export type FieldType =
  | { kind: 'null' }
  | { kind: 'bool' }
  | { kind: 'int' }
  | { kind: 'float' }
  | { kind: 'string' }
  | { kind: 'timestamp' }
  | { kind: 'json' }
  | { kind: 'list'; element: FieldType }
  | { kind: 'struct'; fields: Map<string, FieldType> };

const NULL: FieldType = { kind: 'null' };
const JSON_TYPE: FieldType = { kind: 'json' };

/** Item-level keys that are columns of their own; every other column is a property. */
export const TOP_LEVEL_COLUMNS = [
  'type',
  'stac_version',
  'stac_extensions',
  'id',
  'geometry',
  'bbox',
  'links',
  'assets',
  'collection',
] as const;

/** JSON column for what has no column of its own: top-level foreign members and properties named like a top-level field. */
export const EXTRA_COLUMN = 'stac_extra';

/** Properties stored as UTC timestamps when every value is RFC 3339 text. */
export const TIMESTAMP_PROPERTIES = new Set([
  'datetime',
  'start_datetime',
  'end_datetime',
  'created',
  'updated',
  'expires',
  'published',
  'unpublished',
]);

/** Fields the STAC extensions define as floating point, kept DOUBLE even when every value is whole. */
const FLOAT_FIELDS = new Set([
  'gsd',
  'eo:cloud_cover',
  'eo:snow_cover',
  'view:off_nadir',
  'view:incidence_angle',
  'view:azimuth',
  'view:sun_azimuth',
  'view:sun_elevation',
  'proj:transform',
  'proj:bbox',
  'proj:centroid',
  'center_wavelength',
  'full_width_half_max',
  'scale',
  'offset',
  'resolution',
  'sar:resolution_range',
  'sar:resolution_azimuth',
  'sar:pixel_spacing_range',
  'sar:pixel_spacing_azimuth',
  'sar:center_frequency',
]);

/** Infers the type of a JSON value; `name` is the field it sits in (for float hints and timestamps). */
export function inferType(value: unknown, name: string, topLevelProperty = false): FieldType {
  if (value === null || value === undefined) return NULL;
  switch (typeof value) {
    case 'boolean':
      return { kind: 'bool' };
    case 'number':
      return Number.isSafeInteger(value) && !FLOAT_FIELDS.has(name)
        ? { kind: 'int' }
        : { kind: 'float' };
    case 'string':
      return topLevelProperty &&
        TIMESTAMP_PROPERTIES.has(name) &&
        parseTimestampMicros(value) !== undefined
        ? { kind: 'timestamp' }
        : { kind: 'string' };
    case 'object': {
      if (Array.isArray(value)) {
        let element: FieldType = NULL;
        for (const entry of value) element = mergeTypes(element, inferType(entry, name));
        return { kind: 'list', element };
      }
      const fields = new Map<string, FieldType>();
      for (const [key, entry] of Object.entries(value as Record<string, unknown>))
        fields.set(key, inferType(entry, key));
      return { kind: 'struct', fields };
    }
    default:
      return JSON_TYPE;
  }
}

/**
 * `mergeTypes(type, inferType(value, …))` without building the value's type when
 * it adds nothing new: the schema pass over many Items with large `assets` then
 * allocates almost nothing per Item. Structs are merged in place, as in `mergeTypes`.
 */
export function mergeValue(
  type: FieldType | undefined,
  value: unknown,
  name: string,
  topLevelProperty = false,
): FieldType {
  if (value === null || value === undefined) return type ?? NULL;
  if (type === undefined || type.kind === 'null') return inferType(value, name, topLevelProperty);
  switch (type.kind) {
    case 'json':
      return type;
    case 'string':
      if (typeof value === 'string') return type;
      break;
    case 'bool':
      if (typeof value === 'boolean') return type;
      break;
    case 'float':
      if (typeof value === 'number') return type;
      break;
    case 'int':
      if (typeof value === 'number' && Number.isSafeInteger(value) && !FLOAT_FIELDS.has(name))
        return type;
      break;
    case 'timestamp':
      if (
        typeof value === 'string' &&
        topLevelProperty &&
        TIMESTAMP_PROPERTIES.has(name) &&
        parseTimestampMicros(value) !== undefined
      )
        return type;
      break;
    case 'struct':
      if (typeof value === 'object' && !Array.isArray(value)) {
        const record = value as Record<string, unknown>;
        for (const key of Object.keys(record)) {
          const existing = type.fields.get(key);
          const merged = mergeValue(existing, record[key], key);
          if (merged !== existing) type.fields.set(key, merged);
        }
        return type;
      }
      break;
    case 'list':
      if (Array.isArray(value)) {
        let element = type.element;
        for (const entry of value) element = mergeValue(element, entry, name);
        return element === type.element ? type : { kind: 'list', element };
      }
      break;
  }
  return mergeTypes(type, inferType(value, name, topLevelProperty));
}

/** The narrowest type that holds values of both types; `json` when they cannot share a column. */
export function mergeTypes(a: FieldType, b: FieldType): FieldType {
  if (a.kind === 'null') return b;
  if (b.kind === 'null') return a;
  if (a.kind === 'json' || b.kind === 'json') return JSON_TYPE;
  if (a.kind === b.kind) {
    if (a.kind === 'list')
      return { kind: 'list', element: mergeTypes(a.element, (b as typeof a).element) };
    if (a.kind === 'struct') {
      const other = (b as typeof a).fields;
      // Merging in place keeps the pass over many Items linear.
      for (const [key, type] of other) {
        const existing = a.fields.get(key);
        a.fields.set(key, existing ? mergeTypes(existing, type) : type);
      }
      return a;
    }
    return a;
  }
  const kinds = new Set([a.kind, b.kind]);
  if (kinds.has('int') && kinds.has('float')) return { kind: 'float' };
  if (kinds.has('timestamp') && kinds.has('string')) return { kind: 'string' };
  return JSON_TYPE;
}

/** Replaces types a Parquet file cannot hold (empty structs, lists of nothing) with ones it can. */
export function finalizeType(type: FieldType): FieldType {
  switch (type.kind) {
    case 'null':
      return { kind: 'string' };
    case 'list':
      return { kind: 'list', element: finalizeType(type.element) };
    case 'struct': {
      if (type.fields.size === 0 || [...type.fields.keys()].some((key) => key === ''))
        return JSON_TYPE;
      const fields = new Map<string, FieldType>();
      for (const [key, field] of type.fields) fields.set(key, finalizeType(field));
      return { kind: 'struct', fields };
    }
    default:
      return type;
  }
}

/** The Parquet schema elements (depth-first) of one column. */
export function schemaElements(name: string, type: FieldType): SchemaElement[] {
  switch (type.kind) {
    case 'null':
    case 'string':
      return [
        {
          name,
          type: 'BYTE_ARRAY',
          converted_type: 'UTF8',
          logical_type: { type: 'STRING' },
          repetition_type: 'OPTIONAL',
        },
      ];
    case 'json':
      return [
        {
          name,
          type: 'BYTE_ARRAY',
          converted_type: 'JSON',
          logical_type: { type: 'JSON' },
          repetition_type: 'OPTIONAL',
        },
      ];
    case 'bool':
      return [{ name, type: 'BOOLEAN', repetition_type: 'OPTIONAL' }];
    case 'int':
      return [{ name, type: 'INT64', repetition_type: 'OPTIONAL' }];
    case 'float':
      return [{ name, type: 'DOUBLE', repetition_type: 'OPTIONAL' }];
    case 'timestamp':
      return [
        {
          name,
          type: 'INT64',
          converted_type: 'TIMESTAMP_MICROS',
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
          repetition_type: 'OPTIONAL',
        },
      ];
    case 'list':
      return [
        {
          name,
          converted_type: 'LIST',
          logical_type: { type: 'LIST' },
          repetition_type: 'OPTIONAL',
          num_children: 1,
        },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        ...schemaElements('element', type.element),
      ];
    case 'struct':
      // REQUIRED groups: readers assemble them without a wrapper array per level
      // (optional nested structs are many times slower in hyparquet). An absent
      // struct is written as one whose fields are all null, and read back as absent.
      return [
        { name, repetition_type: 'REQUIRED', num_children: type.fields.size },
        ...[...type.fields].flatMap(([key, field]) => schemaElements(key, field)),
      ];
  }
}

/** Converts a JSON value to what the Parquet writer expects for a column of `type`. */
export function toColumnValue(value: unknown, type: FieldType): unknown {
  if (value === null || value === undefined)
    return type.kind === 'struct' ? emptyStruct(type) : null;
  switch (type.kind) {
    case 'int':
      return BigInt(value as number);
    case 'timestamp':
      return parseTimestampMicros(value as string);
    case 'json':
      // The writer serialises JSON columns itself.
      return value;
    case 'list':
      return (value as unknown[]).map((entry) => toColumnValue(entry, type.element));
    case 'struct': {
      const record = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, field] of type.fields) out[key] = toColumnValue(record[key], field);
      return out;
    }
    default:
      return value;
  }
}

function emptyStruct(type: Extract<FieldType, { kind: 'struct' }>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of type.fields)
    out[key] = field.kind === 'struct' ? emptyStruct(field) : null;
  return out;
}
