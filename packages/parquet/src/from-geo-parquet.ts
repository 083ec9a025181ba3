// stac-geoparquet → Items: our files, stac-geoparquet for Python (schema 1.0.0 and
// 1.1.0), rustac (millisecond timestamps), older GeoPandas-era files (bbox as a
// list) and the single-JSON-column layout (`id`, `stac_item`, `geometry`).
import {
  isAbortError,
  PyramidsError,
  ReadError,
  redactHref,
  type Geometry,
  type StacItem,
} from '@pyramids/core';
import {
  parquetMetadataAsync,
  parquetReadObjects,
  type AsyncBuffer,
  type FileMetaData,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { assembledRows, assembleRows, canAssemble } from './assemble-rows.js';
import {
  closeParquetSource,
  openParquetSource,
  type GeoParquetSource,
  type GeoParquetSourceOptions,
} from './parquet-source.js';
import { EXTRA_COLUMN, TOP_LEVEL_COLUMNS } from './item-schema.js';
import { formatTimestampMicros, formatTimestampNanos } from './timestamps.js';
import { wkbToGeometry } from './wkb.js';

/** Options of {@link fromGeoParquet}. */
export interface FromGeoParquetOptions extends GeoParquetSourceOptions {
  /** Top-level columns to read (`id`, `datetime`, `assets`, …); all when omitted. Items then hold only those fields. */
  columns?: string[];
  /** Indexes of the row groups to read; all when omitted. */
  rowGroups?: number[];
  /** Stop after this many Items. */
  maxItems?: number;
}

/** What a file says about itself. */
export interface GeoParquetInfo {
  rows: number;
  rowGroups: { index: number; rows: number; rowStart: number }[];
  /** Top-level column names in file order. */
  columns: string[];
  /** The `geo` file metadata, parsed. */
  geo: Record<string, unknown> | undefined;
  /** The `stac-geoparquet` file metadata, parsed. */
  stacGeoParquet: Record<string, unknown> | undefined;
  /** `columns` (one column per field) or `json` (each Item's JSON in one column). */
  layout: 'columns' | 'json';
  /** The column holding each Item's full JSON, when the file has one. */
  jsonColumn: string | undefined;
}

/** An opened file: its bytes, footer and layout. */
export interface OpenedGeoParquet {
  file: AsyncBuffer;
  metadata: FileMetaData;
  /** True when our record assembly handles every column (else hyparquet's is used). */
  assemble: boolean;
  info: GeoParquetInfo;
  label: string;
}

const JSON_COLUMN_NAMES = ['stac_item', 'item', 'stac_json'];

/** Reads the footer of a file and works out its layout. */
export async function openGeoParquet(
  source: GeoParquetSource,
  options: GeoParquetSourceOptions = {},
): Promise<OpenedGeoParquet> {
  const label = sourceLabel(source);
  const file = await openParquetSource(source, options);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file, {
      initialFetchSize: Math.min(file.byteLength, options.initialFetchSize ?? 65_536),
    });
  } catch (error) {
    await closeParquetSource(file);
    if (isAbortError(error) || PyramidsError.isInstance(error)) throw error;
    throw new ReadError(`${label} is not a readable Parquet file: ${(error as Error).message}`, {
      cause: error,
      plugin: 'stac-geoparquet',
    });
  }
  const columns = topLevelColumns(metadata);
  const keyValue = (key: string) => {
    const value = metadata.key_value_metadata?.find((entry) => entry.key === key)?.value;
    if (value === undefined) return undefined;
    try {
      return JSON.parse(value) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  const jsonColumn = JSON_COLUMN_NAMES.find(
    (name) => columns.includes(name) && isStringColumn(metadata, name),
  );
  const layout = jsonColumn && !columns.includes('assets') ? 'json' : 'columns';
  if (layout === 'columns' && !columns.includes('id')) {
    await closeParquetSource(file);
    throw new ReadError(
      `${label} is not stac-geoparquet: it has no "id" column (columns: ${columns.slice(0, 12).join(', ')}); ` +
        'expected the stac-geoparquet layout or an id/stac_item/geometry file',
      { plugin: 'stac-geoparquet' },
    );
  }
  let rowStart = 0;
  const rowGroups = metadata.row_groups.map((group, index) => {
    const entry = { index, rows: Number(group.num_rows), rowStart };
    rowStart += entry.rows;
    return entry;
  });
  return {
    file,
    metadata,
    assemble: canAssemble(metadata),
    label,
    info: {
      rows: Number(metadata.num_rows),
      rowGroups,
      columns,
      geo: keyValue('geo'),
      stacGeoParquet: keyValue('stac-geoparquet'),
      layout,
      jsonColumn,
    },
  };
}

/** Reads the metadata of a file (row count, row groups, columns, `geo` and `stac-geoparquet` metadata). */
export async function readGeoParquetInfo(
  source: GeoParquetSource,
  options: GeoParquetSourceOptions = {},
): Promise<GeoParquetInfo> {
  const opened = await openGeoParquet(source, options);
  await closeParquetSource(opened.file);
  return opened.info;
}

/**
 * Reads the Items of a stac-geoparquet file, one row group at a time. Remote
 * files are read with byte ranges: only the footer, the row groups and the
 * columns asked for are fetched.
 */
export async function* fromGeoParquet(
  source: GeoParquetSource,
  options: FromGeoParquetOptions = {},
): AsyncGenerator<StacItem> {
  const opened = await openGeoParquet(source, options);
  try {
    let remaining = options.maxItems ?? Infinity;
    const groups = options.rowGroups
      ? opened.info.rowGroups.filter((group) => options.rowGroups!.includes(group.index))
      : opened.info.rowGroups;
    for (const group of groups) {
      if (remaining <= 0) return;
      const rowEnd = group.rowStart + Math.min(group.rows, remaining);
      const rows = await readRows(opened, {
        columns: readColumnsFor(opened.info, options.columns),
        rowStart: group.rowStart,
        rowEnd,
        signal: options.signal,
      });
      for (const row of rows) {
        remaining--;
        yield rowToItem(row, opened.info, opened.label, !options.columns);
      }
    }
  } finally {
    await closeParquetSource(opened.file);
  }
}

/** Reads every Item of a file into an array. */
export async function readGeoParquet(
  source: GeoParquetSource,
  options: FromGeoParquetOptions = {},
): Promise<StacItem[]> {
  const items: StacItem[] = [];
  for await (const item of fromGeoParquet(source, options)) items.push(item);
  return items;
}

/** The columns to read for the requested Item fields (the JSON column stands for all of them). */
export function readColumnsFor(
  info: GeoParquetInfo,
  requested: string[] | undefined,
): string[] | undefined {
  if (!requested)
    return info.jsonColumn
      ? [info.jsonColumn, ...(info.columns.includes('geometry') ? ['geometry'] : [])]
      : undefined;
  if (info.layout === 'json')
    return [info.jsonColumn!, ...(info.columns.includes('geometry') ? ['geometry'] : [])];
  const wanted = new Set(requested.filter((name) => info.columns.includes(name)));
  return info.columns.filter((name) => wanted.has(name));
}

/** Reads rows of a file as objects, with timestamps as RFC 3339 text and geometry as bytes. */
export async function readRows(
  opened: OpenedGeoParquet,
  request: { columns?: string[]; rowStart: number; rowEnd: number; signal?: AbortSignal },
): Promise<Record<string, unknown>[]> {
  request.signal?.throwIfAborted();
  const parsers = {
    timestampFromMilliseconds: (millis: bigint) => formatTimestampMicros(millis * 1000n),
    timestampFromMicroseconds: (micros: bigint) => formatTimestampMicros(micros),
    timestampFromNanoseconds: (nanos: bigint) => formatTimestampNanos(nanos),
    geometryFromBytes: (bytes: Uint8Array) => bytes,
    geographyFromBytes: (bytes: Uint8Array) => bytes,
  };
  try {
    if (opened.assemble) {
      return await assembleRows(opened.file, opened.metadata, { ...request, parsers });
    }
    return await parquetReadObjects({
      file: opened.file,
      metadata: opened.metadata,
      columns: request.columns,
      rowStart: request.rowStart,
      rowEnd: request.rowEnd,
      compressors,
      utf8: false,
      geoparquet: false,
      parsers,
    });
  } catch (error) {
    if (isAbortError(error) || PyramidsError.isInstance(error)) throw error;
    throw new ReadError(
      `cannot decode rows ${request.rowStart}–${request.rowEnd - 1} of ${opened.label}: ${(error as Error).message}`,
      {
        cause: error,
        plugin: 'stac-geoparquet',
      },
    );
  }
}

/** Turns one row into a STAC Item. */
export function rowToItem(
  row: Record<string, unknown>,
  info: GeoParquetInfo,
  label = 'the file',
  complete = true,
): StacItem {
  if (info.jsonColumn && row[info.jsonColumn] !== undefined && row[info.jsonColumn] !== null) {
    const raw = row[info.jsonColumn];
    let item: StacItem;
    try {
      item = (
        typeof raw === 'string'
          ? JSON.parse(raw)
          : raw instanceof Uint8Array
            ? JSON.parse(new TextDecoder().decode(raw))
            : raw
      ) as StacItem;
    } catch (error) {
      throw new ReadError(
        `${label}: column '${info.jsonColumn}' of item '${String(row['id'])}' is not valid JSON`,
        { cause: error },
      );
    }
    if (item.geometry === undefined && row['geometry'] !== undefined)
      item.geometry = decodeGeometry(row['geometry'], label);
    return item;
  }
  const item: Record<string, unknown> = { type: 'Feature' };
  const properties: Record<string, unknown> = {};
  const extraMembers: Record<string, unknown> = {};
  const extraProperties: Record<string, unknown> = {};
  const clean = assembledRows.has(row);
  for (const [key, raw] of Object.entries(row)) {
    const value = clean ? raw : cleanValue(raw);
    switch (key) {
      case 'type':
        if (typeof value === 'string') item['type'] = value;
        break;
      case 'geometry':
        item['geometry'] = raw === null || raw === undefined ? null : decodeGeometry(raw, label);
        break;
      case 'bbox':
        if (value !== undefined) item['bbox'] = bboxArray(value);
        break;
      case EXTRA_COLUMN:
        if (value && typeof value === 'object') {
          const extra = value as {
            members?: Record<string, unknown>;
            properties?: Record<string, unknown>;
          };
          Object.assign(extraMembers, extra.members);
          Object.assign(extraProperties, extra.properties);
        } else if (value !== undefined) properties[key] = value;
        break;
      default:
        if ((TOP_LEVEL_COLUMNS as readonly string[]).includes(key)) {
          if (value !== undefined) item[key] = value;
        } else if (value !== undefined) properties[key] = value;
    }
  }
  // STAC requires `datetime`; it is null when the Item has a range instead.
  if (complete && !('datetime' in properties)) properties['datetime'] = null;
  Object.assign(properties, extraProperties);
  return Object.assign(orderItem(item, properties), extraMembers);
}

function orderItem(item: Record<string, unknown>, properties: Record<string, unknown>): StacItem {
  const ordered: Record<string, unknown> = {};
  for (const key of ['type', 'stac_version', 'stac_extensions', 'id', 'geometry', 'bbox'])
    if (key in item) ordered[key] = item[key];
  ordered['properties'] = properties;
  for (const key of ['links', 'assets', 'collection']) if (key in item) ordered[key] = item[key];
  if (!('assets' in ordered)) ordered['assets'] = {};
  return ordered as StacItem;
}

/**
 * Drops nulls from objects (fields absent in this Item), turns BigInt into number,
 * keeps nulls inside lists. A struct whose fields are all null was absent (required
 * struct groups cannot be null), so it is dropped too.
 */
export function cleanValue(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map((entry) => cleanValue(entry) ?? null);
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    let keys = 0;
    let kept = 0;
    for (const key in value as Record<string, unknown>) {
      keys++;
      const cleaned = cleanValue((value as Record<string, unknown>)[key]);
      if (cleaned !== undefined) {
        out[key] = cleaned;
        kept++;
      }
    }
    return keys > 0 && kept === 0 ? undefined : out;
  }
  return value;
}

function bboxArray(value: unknown): number[] | undefined {
  if (Array.isArray(value)) return value as number[];
  const box = value as Record<string, number | undefined>;
  if (box['xmin'] === undefined) return undefined;
  if (box['zmin'] !== undefined && box['zmax'] !== undefined)
    return [box['xmin'], box['ymin']!, box['zmin'], box['xmax']!, box['ymax']!, box['zmax']];
  return [box['xmin'], box['ymin']!, box['xmax']!, box['ymax']!];
}

function decodeGeometry(value: unknown, label: string): Geometry | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) {
    try {
      return wkbToGeometry(value);
    } catch (error) {
      throw new ReadError(`${label}: a geometry is not valid WKB: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  if (typeof value === 'object' && typeof (value as Geometry).type === 'string')
    return value as Geometry;
  if (typeof value === 'string') return JSON.parse(value) as Geometry;
  throw new ReadError(`${label}: the geometry column holds neither WKB nor GeoJSON`);
}

function topLevelColumns(metadata: FileMetaData): string[] {
  const names: string[] = [];
  const schema = metadata.schema;
  let index = 1;
  const skip = (at: number): number => {
    let next = at + 1;
    for (let child = 0; child < (schema[at]!.num_children ?? 0); child++) next = skip(next);
    return next;
  };
  while (index < schema.length) {
    names.push(schema[index]!.name);
    index = skip(index);
  }
  return names;
}

function isStringColumn(metadata: FileMetaData, name: string): boolean {
  const element = metadata.schema.find((entry, index) => index > 0 && entry.name === name);
  return element?.type === 'BYTE_ARRAY';
}

function sourceLabel(source: GeoParquetSource): string {
  if (typeof source === 'string' || source instanceof URL) return redactHref(String(source));
  return 'the stac-geoparquet data';
}
