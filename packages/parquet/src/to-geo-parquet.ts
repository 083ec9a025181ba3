// Items → stac-geoparquet. Pass one merges the schema over every Item (spooling
// one-shot inputs to a temporary NDJSON file in Node); pass two writes row groups
// as it goes, so memory holds one row group at a time, not the whole input.
import { isAbortError, redactHref, WriteError, type StacItem } from '@pyramids/core';
import {
  parquetSchema,
  type ColumnChunk,
  type FileMetaData,
  type RowGroup,
  type SchemaElement,
  type SchemaTree,
} from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { writeColumn } from 'hyparquet-writer/src/column.js';
import { ColumnShredder } from './shred-columns.js';
import { VERSION } from './version.js';
import { geometryToWkb } from './wkb.js';
import { fileSink } from './file-sink.js';
import { LayoutBuilder, wantsStatistics, type WritePlan } from './geo-parquet-layout.js';
import { spoolItems, type ItemSpool } from './spool-items.js';

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
