// Reads rows of a Parquet file into nested objects with our own record assembly
// (Dremel levels → objects in one pass per leaf column). hyparquet decodes the
// pages; its own assembly of wide nested structs and lists allocates a wrapper
// array per optional level and value, which made reading Items with many assets
// one to two orders of magnitude slower. Files with layouts this assembler does
// not handle (maps, legacy unannotated repeated fields) go through hyparquet's.
import {
  parquetSchema,
  type AsyncBuffer,
  type ColumnChunk,
  type FileMetaData,
  type ParquetParsers,
  type SchemaTree,
} from 'hyparquet';
import { readPage, parquetHeader } from 'hyparquet/src/column.js';
import { convert, convertWithDictionary, DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { compressors } from 'hyparquet-compressors';

/** One step from a container to a child: a struct field, a list, or a leaf. */
interface Step {
  kind: 'struct' | 'list' | 'leaf';
  name: string;
  /** Definition level at which this node is present (not null). */
  defined: number;
  /** For lists: definition level at which the list has at least one element. */
  hasElements: number;
  /** For lists: the repetition level of its repeated group. */
  repetition: number;
}

/**
 * Rows built here: they hold no nulls in objects (an absent or all-null struct is
 * not created), numbers instead of BigInt, and need no cleaning before use.
 */
export const assembledRows = new WeakSet<object>();

/** True when every column of the file has a layout the fast assembler handles. */
export function canAssemble(metadata: FileMetaData): boolean {
  const check = (node: SchemaTree): boolean => {
    const element = node.element;
    if (isMap(node)) return false;
    if (isList(node)) return check(listElement(node));
    if (element.repetition_type === 'REPEATED') return false;
    return node.children.every(check);
  };
  return parquetSchema(metadata).children.every(check);
}

function isList(node: SchemaTree): boolean {
  const element = node.element;
  const annotated = element.converted_type === 'LIST' || element.logical_type?.type === 'LIST';
  const repeated = node.children[0];
  return (
    annotated &&
    node.children.length === 1 &&
    repeated!.element.repetition_type === 'REPEATED' &&
    repeated!.children.length === 1
  );
}

function isMap(node: SchemaTree): boolean {
  const element = node.element;
  return (
    element.converted_type === 'MAP' ||
    element.converted_type === 'MAP_KEY_VALUE' ||
    element.logical_type?.type === 'MAP'
  );
}

function listElement(node: SchemaTree): SchemaTree {
  return node.children[0]!.children[0]!;
}

/** The steps from the root to one leaf column. */
function stepsFor(schema: SchemaTree, path: string[]): Step[] {
  const steps: Step[] = [];
  let node = schema;
  let defined = 0;
  let repetition = 0;
  let index = 0;
  while (index < path.length) {
    const child = node.children.find((entry) => entry.element.name === path[index]);
    if (!child) throw new Error(`parquet column ${path.join('.')} not found in the schema`);
    index++;
    if (child.element.repetition_type === 'OPTIONAL') defined++;
    if (isList(child)) {
      const repeated = child.children[0]!;
      repetition++;
      steps.push({
        kind: 'list',
        name: child.element.name,
        defined,
        hasElements: defined + 1,
        repetition,
      });
      defined++;
      index += 1; // the repeated group
      node = repeated;
      continue;
    }
    steps.push({
      kind: child.children.length ? 'struct' : 'leaf',
      name: child.element.name,
      defined,
      hasElements: 0,
      repetition: 0,
    });
    node = child;
  }
  return steps;
}

/** Reads rows [rowStart, rowEnd) of the given top-level columns into plain objects. */
export async function assembleRows(
  file: AsyncBuffer,
  metadata: FileMetaData,
  request: {
    columns?: string[];
    rowStart: number;
    rowEnd: number;
    parsers: Partial<ParquetParsers>;
    signal?: AbortSignal;
  },
): Promise<Record<string, unknown>[]> {
  const schema = parquetSchema(metadata);
  const wanted = request.columns ? new Set(request.columns) : undefined;
  const rows: Record<string, unknown>[] = Array.from(
    { length: Math.max(0, request.rowEnd - request.rowStart) },
    () => {
      const row = {};
      assembledRows.add(row);
      return row;
    },
  );
  const parsers = { ...DEFAULT_PARSERS, ...request.parsers } as ParquetParsers;
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupRows = Number(group.num_rows);
    const groupEnd = groupStart + groupRows;
    if (groupEnd > request.rowStart && groupStart < request.rowEnd) {
      request.signal?.throwIfAborted();
      const chunks = group.columns.filter(
        (column) => !wanted || wanted.has(column.meta_data!.path_in_schema[0]!),
      );
      const buffers = await fetchChunks(file, chunks);
      chunks.forEach((chunk, index) => {
        assembleColumn(
          schema,
          chunk,
          buffers[index]!,
          parsers,
          rows,
          groupStart - request.rowStart,
        );
      });
    }
    groupStart = groupEnd;
  }
  return rows;
}

/** Fetches the bytes of column chunks, merging neighbouring ranges into one request. */
async function fetchChunks(file: AsyncBuffer, chunks: ColumnChunk[]): Promise<Uint8Array[]> {
  const ranges = chunks.map((chunk, index) => {
    const meta = chunk.meta_data!;
    const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
    const dataStart = Number(meta.data_page_offset);
    // Some writers set dictionary_page_offset to 0 when there is no dictionary.
    const first = meta.dictionary_page_offset && start < dataStart && start > 0 ? start : dataStart;
    return { index, start: first, end: first + Number(meta.total_compressed_size) };
  });
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: Uint8Array[] = new Array(chunks.length);
  const groups: { start: number; end: number; members: typeof ranges }[] = [];
  for (const range of sorted) {
    const last = groups.at(-1);
    if (last && range.start - last.end <= 65_536) {
      last.end = Math.max(last.end, range.end);
      last.members.push(range);
    } else groups.push({ start: range.start, end: range.end, members: [range] });
  }
  await Promise.all(
    groups.map(async (group) => {
      const bytes = new Uint8Array(await file.slice(group.start, group.end));
      for (const member of group.members)
        out[member.index] = bytes.subarray(member.start - group.start, member.end - group.start);
    }),
  );
  return out;
}

function assembleColumn(
  schema: SchemaTree,
  chunk: ColumnChunk,
  bytes: Uint8Array,
  parsers: ParquetParsers,
  rows: Record<string, unknown>[],
  rowOffset: number,
): void {
  const meta = chunk.meta_data!;
  const path = meta.path_in_schema;
  const steps = stepsFor(schema, path);
  const schemaPath: SchemaTree[] = [schema];
  {
    let node = schema;
    for (const name of path) {
      node = node.children.find((entry) => entry.element.name === name)!;
      schemaPath.push(node);
    }
  }
  const leaf = schemaPath.at(-1)!;
  const maxDefinition = steps.at(-1)!.defined;
  // Below this level nothing is written: no value, and no list (empty or with a null element) to create.
  const firstList = steps.find((step) => step.kind === 'list')?.defined ?? Infinity;
  // For a null value, a struct is only worth creating when a list below it exists.
  const listBelow = steps.map(
    (_, level) => steps.slice(level + 1).find((step) => step.kind === 'list')?.defined ?? Infinity,
  );
  const decoder = {
    pathInSchema: path,
    type: meta.type,
    element: leaf.element,
    schemaPath,
    codec: meta.codec,
    parsers,
    compressors,
    utf8: false,
  };
  const reader = {
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    offset: 0,
  };
  let dictionary: unknown;
  const counters = new Int32Array(steps.length);
  let row = rowOffset - 1;
  while (reader.offset < bytes.byteLength - 1) {
    const header = parquetHeader(reader);
    if (header.type === 'DICTIONARY_PAGE') {
      const { data } = readPage(reader, header, decoder as never, undefined, undefined, 0);
      if (data) dictionary = convert(data, decoder as never);
      continue;
    }
    let levels: {
      definitionLevels: ArrayLike<number> | undefined;
      repetitionLevels: ArrayLike<number>;
      dataPage: unknown;
    };
    let encoding: string;
    const compressed = new Uint8Array(
      bytes.buffer,
      bytes.byteOffset + reader.offset,
      header.compressed_page_size,
    );
    reader.offset += header.compressed_page_size;
    if (header.type === 'DATA_PAGE') {
      const page = decompressPage(
        compressed,
        Number(header.uncompressed_page_size),
        meta.codec,
        compressors,
      );
      levels = readDataPage(page, header.data_page_header!, decoder as never) as never;
      encoding = header.data_page_header!.encoding;
    } else if (header.type === 'DATA_PAGE_V2') {
      levels = readDataPageV2(compressed, header, decoder as never) as never;
      encoding = header.data_page_header_v2!.encoding;
    } else continue;
    const values = convertWithDictionary(
      levels.dataPage as never,
      dictionary as never,
      encoding as never,
      decoder as never,
    ) as ArrayLike<unknown>;
    const definitions = levels.definitionLevels;
    const repetitions = levels.repetitionLevels;
    const count = definitions?.length || repetitions.length || values.length;
    let valueIndex = 0;
    for (let index = 0; index < count; index++) {
      const definition = definitions && definitions.length ? definitions[index]! : maxDefinition;
      const repetition = repetitions.length ? repetitions[index]! : 0;
      if (repetition === 0) row++;
      const value = definition === maxDefinition ? values[valueIndex++] : undefined;
      if (row < 0 || row >= rows.length) continue;
      if (definition !== maxDefinition && definition < firstList) continue;
      let holder = rows[row] as Record<string | number, unknown>;
      let key: string | number = steps[0]!.name;
      for (let level = 0; level < steps.length; level++) {
        const step = steps[level]!;
        if (definition < step.defined) {
          // Null at this level: a null list element is kept, a null field is left out.
          if (Array.isArray(holder) && holder[key as number] === undefined)
            holder[key as number] = null;
          break;
        }
        if (step.kind === 'leaf') {
          holder[key] = typeof value === 'bigint' ? Number(value) : value;
          break;
        }
        if (step.kind === 'struct') {
          if (definition !== maxDefinition && definition < listBelow[level]!) {
            // Nothing below to write: a list element still exists (as an empty object), a field does not.
            if (Array.isArray(holder) && holder[key as number] === undefined)
              holder[key as number] = {};
            break;
          }
          const existing = holder[key];
          holder = (
            existing && typeof existing === 'object' ? existing : (holder[key] = {})
          ) as Record<string | number, unknown>;
          key = steps[level + 1]!.name;
          continue;
        }
        // A list. A sibling leaf may have created it for this parent already: reuse it.
        const existing = holder[key];
        const list = (Array.isArray(existing) ? existing : (holder[key] = [])) as unknown[];
        if (definition < step.hasElements) break;
        // Repetition below this list's level starts a new list; equal, its next element; above, the same element.
        if (repetition < step.repetition) counters[level] = 0;
        else if (repetition === step.repetition) counters[level]!++;
        holder = list as unknown as Record<string | number, unknown>;
        key = counters[level]!;
      }
    }
  }
}
