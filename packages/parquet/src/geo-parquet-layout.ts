// Pass one of the stac-geoparquet writer: merges the schema of every Item (top-level
// members and properties), their geometry types, bounds and collections, into the
// plan pass two writes by.
import { WriteError, type StacItem } from '@pyramids/core';
import type { KeyValue, SchemaElement } from 'hyparquet';
import {
  EXTRA_COLUMN,
  finalizeType,
  mergeValue,
  schemaElements,
  TOP_LEVEL_COLUMNS,
  type FieldType,
} from './item-schema.js';
import type { ToGeoParquetOptions } from './to-geo-parquet.js';
import { geoParquetGeometryType } from './wkb.js';
import { parseTimestampMicros } from './timestamps.js';

/**
 * STAC's own datetimes must be RFC 3339 (or `datetime` null beside a range): a value that is not
 * would turn the whole column into text that no reader filters as time, so it is refused, as
 * stac-geoparquet's conversion to timestamps refuses it.
 */
function checkCoreDatetimes(item: StacItem): void {
  for (const key of ['datetime', 'start_datetime', 'end_datetime']) {
    const value = item.properties[key];
    if (value === undefined || (value === null && key === 'datetime')) continue;
    if (typeof value === 'string' && parseTimestampMicros(value) !== undefined) continue;
    throw new WriteError(
      `item ${JSON.stringify(item.id)}: properties.${key} is ${JSON.stringify(value)?.slice(0, 80)}, not an RFC 3339 date-time (e.g. 2024-06-05T10:06:59Z); fix the Item before writing stac-geoparquet`,
    );
  }
}

const ITEM_MEMBERS = new Set([
  'type',
  'stac_version',
  'stac_extensions',
  'id',
  'geometry',
  'bbox',
  'properties',
  'links',
  'assets',
  'collection',
]);

export interface WritePlan {
  schema: SchemaElement[];
  columns: { name: string; type: FieldType; value: (item: StacItem) => unknown }[];
  metadata: KeyValue[];
}

/** Collects the merged schema, geometry types, bounds and collections in pass one. */
export class LayoutBuilder {
  rows = 0;
  private readonly properties = new Map<string, FieldType>();
  private readonly topLevel = new Map<string, FieldType>();
  private readonly geometryTypes = new Set<string>();
  private readonly bounds = [Infinity, Infinity, -Infinity, -Infinity];
  private threeDimensional = false;
  private readonly collectionIds = new Set<string>();
  private hasExtra = false;

  constructor(private readonly jsonColumn: string | undefined) {}

  add(item: StacItem): void {
    this.rows++;
    for (const key of [
      'type',
      'stac_version',
      'stac_extensions',
      'links',
      'assets',
      'collection',
    ] as const) {
      this.topLevel.set(key, mergeValue(this.topLevel.get(key), item[key], key));
    }
    if (extraFields(item, this.jsonColumn)) this.hasExtra = true;
    checkCoreDatetimes(item);
    for (const [key, value] of Object.entries(item.properties)) {
      if (isReservedProperty(key, this.jsonColumn)) continue;
      this.properties.set(key, mergeValue(this.properties.get(key), value, key, true));
    }
    if (item.geometry) this.geometryTypes.add(geoParquetGeometryType(item.geometry));
    const bbox = item.bbox;
    if (bbox) {
      const threeD = bbox.length === 6;
      this.threeDimensional ||= threeD;
      const [west, south, east, north] = threeD
        ? [bbox[0]!, bbox[1]!, bbox[3]!, bbox[4]!]
        : [bbox[0]!, bbox[1]!, bbox[2]!, bbox[3]!];
      this.bounds[0] = Math.min(this.bounds[0]!, west);
      this.bounds[1] = Math.min(this.bounds[1]!, south);
      this.bounds[2] = Math.max(this.bounds[2]!, east);
      this.bounds[3] = Math.max(this.bounds[3]!, north);
    }
    if (typeof item.collection === 'string') this.collectionIds.add(item.collection);
  }

  finish(collections: ToGeoParquetOptions['collections']): WritePlan {
    const columns: WritePlan['columns'] = [];
    const top = (key: string) => finalizeType(this.topLevel.get(key) ?? { kind: 'null' });
    const add = (name: string, type: FieldType, value: (item: StacItem) => unknown) =>
      columns.push({ name, type, value });
    add('type', { kind: 'string' }, (item) => item.type);
    add('stac_version', top('stac_version'), (item) => item.stac_version);
    add(
      'stac_extensions',
      { kind: 'list', element: { kind: 'string' } },
      (item) => item.stac_extensions,
    );
    add('id', { kind: 'string' }, (item) => item.id);
    const bboxFields = new Map<string, FieldType>(
      (this.threeDimensional
        ? ['xmin', 'ymin', 'zmin', 'xmax', 'ymax', 'zmax']
        : ['xmin', 'ymin', 'xmax', 'ymax']
      ).map((key) => [key, { kind: 'float' }]),
    );
    const bboxType: FieldType = { kind: 'struct', fields: bboxFields };
    add('bbox', bboxType, (item) => bboxStruct(item.bbox));
    add('links', top('links'), (item) => item.links);
    add('assets', top('assets'), (item) => item.assets);
    add('collection', top('collection'), (item) => item.collection);
    for (const [key, type] of this.properties)
      add(key, finalizeType(type), (item) => item.properties[key]);
    const jsonColumn = this.jsonColumn;
    if (this.hasExtra)
      add(EXTRA_COLUMN, { kind: 'json' }, (item) => extraFields(item, jsonColumn) ?? null);
    if (this.jsonColumn) add(this.jsonColumn, { kind: 'json' }, (item) => item);

    const schema: SchemaElement[] = [{ name: 'schema', num_children: columns.length + 1 }];
    for (const column of columns) {
      if (column.name === 'type') {
        schema.push(...schemaElements('type', column.type));
        continue;
      }
      schema.push(...schemaElements(column.name, column.type));
      if (column.name === 'id') {
        // The geometry column sits after id, as in the files stac-geoparquet for Python writes.
        schema.push({ name: 'geometry', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' });
      }
    }
    const hasBounds = Number.isFinite(this.bounds[0]);
    const geo = {
      version: '1.1.0',
      primary_column: 'geometry',
      columns: {
        geometry: {
          encoding: 'WKB',
          geometry_types: [...this.geometryTypes].sort(),
          ...(hasBounds ? { bbox: this.bounds } : {}),
          covering: {
            bbox: Object.fromEntries([...bboxFields.keys()].map((key) => [key, ['bbox', key]])),
          },
        },
      },
    };
    const stacGeoParquet = {
      version: '1.0.0',
      collections: collectionsById(collections, this.collectionIds),
    };
    const metadata: KeyValue[] = [
      { key: 'geo', value: JSON.stringify(geo) },
      { key: 'stac-geoparquet', value: JSON.stringify(stacGeoParquet) },
    ];
    return { schema, columns, metadata };
  }
}

/**
 * Statistics for the columns a search prunes on or a query engine filters by
 * (bbox covering, timestamps, scalars); not for nested assets and links, where
 * they cost a third of the write time and serve no reader.
 */
export function wantsStatistics(name: string, type: FieldType): boolean {
  if (name === 'bbox') return true;
  if (name === 'links' || name === 'assets' || name === 'stac_extensions') return false;
  return type.kind !== 'struct' && type.kind !== 'list' && type.kind !== 'json';
}

function isReservedProperty(key: string, jsonColumn: string | undefined): boolean {
  return (
    (TOP_LEVEL_COLUMNS as readonly string[]).includes(key) ||
    key === jsonColumn ||
    key === EXTRA_COLUMN
  );
}

/**
 * What the columns cannot hold: top-level foreign members (`description` on some
 * USGS Items) and properties named like a top-level field (`collection` in old Items).
 */
function extraFields(
  item: StacItem,
  jsonColumn: string | undefined,
): { members?: Record<string, unknown>; properties?: Record<string, unknown> } | undefined {
  let members: Record<string, unknown> | undefined;
  let properties: Record<string, unknown> | undefined;
  for (const key of Object.keys(item))
    if (!ITEM_MEMBERS.has(key)) (members ??= {})[key] = item[key];
  for (const key of Object.keys(item.properties))
    if (isReservedProperty(key, jsonColumn)) (properties ??= {})[key] = item.properties[key];
  if (!members && !properties) return undefined;
  return { ...(members ? { members } : {}), ...(properties ? { properties } : {}) };
}

function bboxStruct(bbox: number[] | undefined): Record<string, number> | null {
  if (!bbox) return null;
  if (bbox.length === 6) {
    return {
      xmin: bbox[0]!,
      ymin: bbox[1]!,
      zmin: bbox[2]!,
      xmax: bbox[3]!,
      ymax: bbox[4]!,
      zmax: bbox[5]!,
    };
  }
  return { xmin: bbox[0]!, ymin: bbox[1]!, xmax: bbox[2]!, ymax: bbox[3]! };
}

function collectionsById(
  collections: ToGeoParquetOptions['collections'],
  ids: Set<string>,
): Record<string, unknown> {
  const byId: Record<string, unknown> = {};
  if (Array.isArray(collections)) {
    for (const collection of collections) {
      const id = (collection as { id?: unknown }).id;
      if (typeof id !== 'string')
        throw new WriteError('every Collection given in `collections` needs an "id" string');
      byId[id] = collection;
    }
  } else if (collections) Object.assign(byId, collections);
  // Items name collections that were not given: record the id, so readers know which collections the file holds.
  for (const id of ids) byId[id] ??= { type: 'Collection', id };
  return byId;
}
