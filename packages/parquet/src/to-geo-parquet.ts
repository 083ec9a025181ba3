// Items → stac-geoparquet. Pass one merges the schema over every Item (spooling
// one-shot inputs to a temporary NDJSON file in Node); pass two writes row groups
// as it goes, so memory holds one row group at a time, not the whole input.
import {
  asItem,
  hasNodeBuiltins,
  isAbortError,
  nodeBuiltin,
  redactHref,
  replaceWithTemporary,
  WriteError,
  type StacItem,
} from '@pyramids/core';
import {
  parquetSchema,
  type ColumnChunk,
  type FileMetaData,
  type KeyValue,
  type RowGroup,
  type SchemaElement,
  type SchemaTree,
} from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { writeColumn } from 'hyparquet-writer/src/column.js';
// Types only: the Node modules themselves are imported lazily, so browsers never load them.
import type * as FsPromises from 'node:fs/promises';
import {
  EXTRA_COLUMN,
  finalizeType,
  mergeValue,
  schemaElements,
  TOP_LEVEL_COLUMNS,
  type FieldType,
} from './item-schema.js';
import { ColumnShredder } from './shred-columns.js';
import { VERSION } from './version.js';
import { geoParquetGeometryType, geometryToWkb } from './wkb.js';

/** Where the bytes of a file go: a path (Node), or a sink that receives chunks in order. */
export type GeoParquetTarget = string | GeoParquetSink;

/** Receives the bytes of a file in order; `close` is called once after the last chunk, `abort` on failure. */
export interface GeoParquetSink {
  write(chunk: Uint8Array): void | Promise<void>;
  close?(): void | Promise<void>;
  abort?(reason: unknown): void | Promise<void>;
}

/** Options of {@link toGeoParquet}. */
export interface ToGeoParquetOptions {
  /** Rows per row group (default 5 000); smaller groups make bbox search skip more. */
  rowGroupSize?: number;
  /** Also store each Item's full JSON in this column (`true` → `stac_item`) for exact round trips. */
  jsonColumn?: boolean | string;
  /** STAC Collections to embed in the `stac-geoparquet` metadata, by id. */
  collections?: Record<string, unknown> | unknown[];
  /** Compression of every column (default SNAPPY). */
  compression?: 'SNAPPY' | 'UNCOMPRESSED';
  signal?: AbortSignal;
}

/** What was written. */
export interface GeoParquetWriteSummary {
  rows: number;
  rowGroups: number;
  bytes: number;
}

const DEFAULT_ROW_GROUP_SIZE = 5000;
const JSON_COLUMN = 'stac_item';
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

/** A replayable source of Items: pass one and pass two each iterate it once. */
interface ItemSpool {
  items(): AsyncIterable<StacItem> | Iterable<StacItem>;
  dispose(): Promise<void>;
}

/**
 * Writes STAC Items as stac-geoparquet (GeoParquet 1.1, the layout rustac and
 * stac-geoparquet for Python use) to a path or a sink. A path is written to a
 * temporary file first and renamed at the end, so a failure leaves no partial file.
 */
export async function toGeoParquet(
  input: AsyncIterable<unknown> | Iterable<unknown>,
  target: GeoParquetTarget,
  options: ToGeoParquetOptions = {},
): Promise<GeoParquetWriteSummary> {
  const rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
  if (!Number.isInteger(rowGroupSize) || rowGroupSize < 1) {
    throw new WriteError(
      `rowGroupSize must be a positive integer, got ${String(options.rowGroupSize)}`,
    );
  }
  const jsonColumn = options.jsonColumn === true ? JSON_COLUMN : options.jsonColumn || undefined;
  const label = typeof target === 'string' ? redactHref(target) : 'the output';

  const layout = new LayoutBuilder(jsonColumn);
  const spool = await spoolItems(input, (item) => layout.add(item), options.signal);
  try {
    if (layout.rows === 0)
      throw new WriteError(
        `no Items to write to ${label}; a stac-geoparquet file needs at least one Item`,
      );
    const plan = layout.finish(options.collections);
    const sink = typeof target === 'string' ? await fileSink(target) : target;
    try {
      const summary = await writeRowGroups(spool, plan, sink, rowGroupSize, options);
      await sink.close?.();
      return summary;
    } catch (error) {
      await sink.abort?.(error);
      throw error;
    }
  } catch (error) {
    if (isAbortError(error) || WriteError.isInstance(error)) throw error;
    throw new WriteError(
      `could not write stac-geoparquet to ${label}: ${(error as Error).message}`,
      { cause: error, plugin: 'stac-geoparquet' },
    );
  } finally {
    await spool.dispose();
  }
}

/** Writes Items into an in-memory stac-geoparquet file. */
export async function toGeoParquetBuffer(
  input: AsyncIterable<unknown> | Iterable<unknown>,
  options: ToGeoParquetOptions = {},
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  await toGeoParquet(input, { write: (chunk) => void chunks.push(chunk.slice()) }, options);
  const bytes = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

interface WritePlan {
  schema: SchemaElement[];
  columns: { name: string; type: FieldType; value: (item: StacItem) => unknown }[];
  metadata: KeyValue[];
}

/** Collects the merged schema, geometry types, bounds and collections in pass one. */
class LayoutBuilder {
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
function wantsStatistics(name: string, type: FieldType): boolean {
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

async function writeRowGroups(
  spool: ItemSpool,
  plan: WritePlan,
  sink: GeoParquetSink,
  rowGroupSize: number,
  options: ToGeoParquetOptions,
): Promise<GeoParquetWriteSummary> {
  const writer = new ByteWriter(1 << 20) as ByteWriter & {
    flush: () => Promise<void>;
    index: number;
    offset: number;
  };
  let bytes = 0;
  const drain = async () => {
    if (writer.index === 0) return;
    const chunk = new Uint8Array(writer.buffer, 0, writer.index);
    bytes += chunk.length;
    await sink.write(chunk);
    writer.index = 0;
  };
  writer.flush = drain;
  const parquet = new ParquetWriter({
    writer,
    schema: plan.schema,
    codec: options.compression ?? 'SNAPPY',
    kvMetadata: plan.metadata,
    createdBy: `@pyramids/parquet ${VERSION} (hyparquet-writer)`,
  });
  // Shred each Item once into every leaf column (see shred-columns.ts), then hand
  // whole columns to hyparquet-writer's column encoder.
  const leafPaths = leafSchemaPaths(plan.schema);
  const columns: {
    name: string;
    shredder: ColumnShredder;
    value: (item: StacItem) => unknown;
    statistics: boolean;
  }[] = [];
  for (const column of plan.columns) {
    columns.push({
      name: column.name,
      shredder: new ColumnShredder(column.type),
      value: column.value,
      statistics: wantsStatistics(column.name, column.type),
    });
    if (column.name === 'id') {
      columns.push({
        name: 'geometry',
        shredder: new ColumnShredder({ kind: 'string' }),
        value: (item) => (item.geometry ? geometryToWkb(item.geometry) : null),
        statistics: false,
      });
    }
  }
  const encoders = columns.flatMap((column) =>
    Array.from({ length: column.shredder.leafCount }, (_, index) => {
      const schemaPath = leafPaths.shift();
      if (!schemaPath || schemaPath[1]!.name !== column.name)
        throw new Error(
          `internal: leaf ${index} of column ${column.name} does not match the schema`,
        );
      const element = schemaPath.at(-1)!;
      return {
        columnName: schemaPath
          .slice(1)
          .map((entry) => entry.name)
          .join('.'),
        element,
        schemaPath,
        codec: options.compression ?? 'SNAPPY',
        compressors: (parquet as unknown as { compressors: Record<string, unknown> }).compressors,
        stats: column.statistics,
        pageSize: 1 << 20,
        columnIndex: false,
        offsetIndex: true,
      };
    }),
  );
  const state = parquet as unknown as {
    row_groups: RowGroup[];
    num_rows: bigint;
    pendingIndexes: unknown[];
  };
  let buffered = 0;
  let rows = 0;
  let rowGroups = 0;
  const flushGroup = async () => {
    if (buffered === 0) return;
    options.signal?.throwIfAborted();
    const groupStart = writer.offset;
    const chunks: ColumnChunk[] = [];
    let leafIndex = 0;
    for (const column of columns) {
      for (let index = 0; index < column.shredder.leafCount; index++) {
        const result = writeColumn({
          writer,
          column: encoders[leafIndex++] as never,
          pageData: column.shredder.leafData(index) as never,
        });
        chunks.push(result.chunk);
        state.pendingIndexes.push(result);
      }
      column.shredder.reset();
    }
    let totalBytes = 0n;
    for (const chunk of chunks) totalBytes += chunk.meta_data?.total_uncompressed_size ?? 0n;
    state.num_rows += BigInt(buffered);
    state.row_groups.push({
      columns: chunks,
      total_byte_size: totalBytes,
      num_rows: BigInt(buffered),
      total_compressed_size: BigInt(writer.offset - groupStart),
    });
    await writer.flush();
    rows += buffered;
    rowGroups++;
    buffered = 0;
  };
  for await (const item of spool.items()) {
    for (const column of columns)
      column.shredder.add(column.name === 'type' ? (item.type ?? 'Feature') : column.value(item));
    buffered++;
    if (buffered >= rowGroupSize) await flushGroup();
  }
  await flushGroup();
  await parquet.finish();
  await drain();
  return { rows, rowGroups, bytes };
}

/** The schema elements from the root to each leaf column, in file order. */
function leafSchemaPaths(schema: SchemaElement[]): SchemaElement[][] {
  const paths: SchemaElement[][] = [];
  const walk = (node: SchemaTree, path: SchemaElement[]) => {
    const here = [...path, node.element];
    if (node.children.length === 0) paths.push(here);
    else for (const child of node.children) walk(child, here);
  };
  walk(parquetSchema({ schema } as FileMetaData), []);
  return paths;
}

/** Iterates the input once, checking each Item and feeding `visit`; returns a way to iterate it again. */
async function spoolItems(
  input: AsyncIterable<unknown> | Iterable<unknown>,
  visit: (item: StacItem) => void,
  signal: AbortSignal | undefined,
): Promise<ItemSpool> {
  if (Array.isArray(input)) {
    const items = input.map((value, index) => checkedItem(value, index));
    for (const item of items) visit(item);
    return { items: () => items, dispose: async () => {} };
  }
  const spool = await openFileSpool();
  try {
    let index = 0;
    for await (const value of input as AsyncIterable<unknown>) {
      signal?.throwIfAborted();
      const item = checkedItem(value, index++);
      visit(item);
      await spool.append(item);
    }
    await spool.close();
    return spool;
  } catch (error) {
    await spool.dispose();
    throw error;
  }
}

function checkedItem(value: unknown, index: number): StacItem {
  try {
    return asItem(value);
  } catch (error) {
    throw new WriteError(`input item #${index} is not a STAC Item: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

interface FileSpool extends ItemSpool {
  append(item: StacItem): Promise<void>;
  close(): Promise<void>;
}

/** A temporary NDJSON file in Node; memory elsewhere (browsers have no temporary files). */
async function openFileSpool(): Promise<FileSpool> {
  if (!hasNodeBuiltins()) {
    const items: StacItem[] = [];
    return {
      append: async (item) => void items.push(item),
      close: async () => {},
      items: () => items,
      dispose: async () => {},
    };
  }
  const purpose = 'spooling Items to a temporary file';
  const [fs, os, path, readline, nodeFs] = [
    nodeBuiltin('node:fs/promises', purpose),
    nodeBuiltin('node:os', purpose),
    nodeBuiltin('node:path', purpose),
    nodeBuiltin('node:readline', purpose),
    nodeBuiltin('node:fs', purpose),
  ];
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'pyramids-parquet-'));
  const file = path.join(directory, 'items.ndjson');
  const handle = await fs.open(file, 'w');
  let pending: string[] = [];
  let pendingLength = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    await handle.write(pending.join(''));
    pending = [];
    pendingLength = 0;
  };
  return {
    async append(item) {
      const line = `${JSON.stringify(item)}\n`;
      pending.push(line);
      pendingLength += line.length;
      if (pendingLength > 1 << 20) await flush();
    },
    async close() {
      await flush();
      await handle.close();
    },
    async *items() {
      const lines = readline.createInterface({
        input: nodeFs.createReadStream(file, 'utf8'),
        crlfDelay: Infinity,
      });
      for await (const line of lines) if (line) yield JSON.parse(line) as StacItem;
    },
    async dispose() {
      await handle.close().catch(() => {});
      await fs.rm(directory, { recursive: true, force: true });
    },
  };
}

/** Writes to `path.partial-…` and renames on close; removes the partial file on abort. */
async function fileSink(target: string): Promise<GeoParquetSink> {
  const fs = nodeBuiltin('node:fs/promises', 'writing a stac-geoparquet file');
  const partial = `${target}.partial-${process.pid}-${Date.now()}`;
  let handle: FsPromises.FileHandle;
  try {
    handle = await fs.open(partial, 'w');
  } catch (error) {
    throw new WriteError(
      `cannot create ${redactHref(target)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  }
  return {
    async write(chunk) {
      await handle.write(chunk);
    },
    async close() {
      await handle.close();
      await replaceWithTemporary(partial, target);
    },
    async abort() {
      await handle.close().catch(() => {});
      await fs.rm(partial, { force: true });
    },
  };
}
