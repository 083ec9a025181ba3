// Dremel shredding of Item values straight into per-leaf level and value arrays,
// in one walk of each value. hyparquet-writer's own shredding walks every row once
// per leaf column (a Sentinel-2 `assets` struct has hundreds of leaves) and needs
// each value converted into a full struct first (every field of every asset, nulls
// included), which made writing tens of times slower than reading.
import { parseTimestampMicros } from './timestamps.js';
import type { FieldType } from './item-schema.js';

/** The levels and values of one leaf column for the rows added so far, as hyparquet-writer takes them. */
export interface LeafData {
  values: unknown[];
  definitionLevels: ArrayLike<number>;
  /** Empty for leaves with no list above them, as hyparquet-writer expects. */
  repetitionLevels: ArrayLike<number>;
  maxDefinitionLevel: number;
}

/** Levels in reused, growing byte arrays: millions of small numbers, no garbage per row group. */
interface LeafBuffer {
  values: unknown[];
  definitions: Uint8Array;
  repetitions: Uint8Array | undefined;
  length: number;
  maxDefinitionLevel: number;
}

interface ShredNode {
  kind: FieldType['kind'];
  /** Index of the first leaf of this subtree in the column's leaves. */
  leafStart: number;
  leafEnd: number;
  fields?: [string, ShredNode][];
  element?: ShredNode;
}

/**
 * Shreds the values of one top-level column whose Parquet layout is
 * `schemaElements(name, type)`: leaves and lists OPTIONAL, structs REQUIRED,
 * lists as `LIST` groups with a repeated `list` and its `element`.
 */
export class ColumnShredder {
  private readonly leaves: LeafBuffer[] = [];
  private readonly root: ShredNode;

  constructor(type: FieldType) {
    this.root = this.compile(type, 0, false);
  }

  /** Appends one row's value. */
  add(value: unknown): void {
    this.shred(this.root, value, 0, 0, 0);
  }

  /** Number of leaf columns. */
  get leafCount(): number {
    return this.leaves.length;
  }

  /** The levels and values of leaf `index`; valid until the next `add` or `reset`. */
  leafData(index: number): LeafData {
    const leaf = this.leaves[index]!;
    return {
      values: leaf.values,
      definitionLevels: leaf.definitions.subarray(0, leaf.length),
      repetitionLevels: leaf.repetitions ? leaf.repetitions.subarray(0, leaf.length) : [],
      maxDefinitionLevel: leaf.maxDefinitionLevel,
    };
  }

  /** Empties every leaf, keeping the layout and buffers, for the next row group. */
  reset(): void {
    for (const leaf of this.leaves) {
      leaf.values = [];
      leaf.length = 0;
    }
  }

  private compile(type: FieldType, definition: number, repeated: boolean): ShredNode {
    const leafStart = this.leaves.length;
    if (type.kind === 'struct') {
      const fields: [string, ShredNode][] = [];
      for (const [key, field] of type.fields)
        fields.push([key, this.compile(field, definition, repeated)]);
      return { kind: 'struct', leafStart, leafEnd: this.leaves.length, fields };
    }
    if (type.kind === 'list') {
      // OPTIONAL list group (+1), repeated `list` group (+1), then the element.
      const element = this.compile(type.element, definition + 2, true);
      return { kind: 'list', leafStart, leafEnd: this.leaves.length, element };
    }
    if (definition + 1 > 255) throw new Error('internal: nesting too deep for a Parquet column');
    this.leaves.push({
      values: [],
      definitions: new Uint8Array(1024),
      repetitions: repeated ? new Uint8Array(1024) : undefined,
      length: 0,
      maxDefinitionLevel: definition + 1,
    });
    return { kind: type.kind, leafStart, leafEnd: leafStart + 1 };
  }

  /** Null (or an empty list) at this node: one slot in every leaf below it. */
  private fill(node: ShredNode, definition: number, repetition: number): void {
    for (let index = node.leafStart; index < node.leafEnd; index++)
      this.push(index, definition, repetition, null);
  }

  private push(index: number, definition: number, repetition: number, value: unknown): void {
    const leaf = this.leaves[index]!;
    const at = leaf.length++;
    if (at === leaf.definitions.length) {
      leaf.definitions = grow(leaf.definitions);
      if (leaf.repetitions) leaf.repetitions = grow(leaf.repetitions);
    }
    leaf.values.push(value);
    leaf.definitions[at] = definition;
    if (leaf.repetitions) leaf.repetitions[at] = repetition;
  }

  private shred(
    node: ShredNode,
    value: unknown,
    definition: number,
    repetition: number,
    depth: number,
  ): void {
    if (value === null || value === undefined) {
      this.fill(node, definition, repetition);
      return;
    }
    switch (node.kind) {
      case 'struct': {
        // REQUIRED group: adds no level of its own.
        const record = value as Record<string, unknown>;
        for (const [key, field] of node.fields!)
          this.shred(field, record[key], definition, repetition, depth);
        return;
      }
      case 'list': {
        const list = value as unknown[];
        if (list.length === 0) {
          this.fill(node, definition + 1, repetition);
          return;
        }
        const element = node.element!;
        for (let index = 0; index < list.length; index++) {
          this.shred(
            element,
            list[index],
            definition + 2,
            index === 0 ? repetition : depth + 1,
            depth + 1,
          );
        }
        return;
      }
      default: {
        const converted = leafValue(node.kind, value);
        if (converted === null || converted === undefined)
          this.push(node.leafStart, definition, repetition, null);
        else this.push(node.leafStart, definition + 1, repetition, converted);
      }
    }
  }
}

/** What hyparquet-writer expects for a leaf of this kind (INT64 as BigInt, timestamps as microseconds). */
function leafValue(kind: FieldType['kind'], value: unknown): unknown {
  switch (kind) {
    case 'int':
      return BigInt(value as number);
    case 'timestamp':
      return parseTimestampMicros(value as string);
    default:
      // JSON leaves are serialised by the writer itself.
      return value;
  }
}

function grow(levels: Uint8Array): Uint8Array {
  const grown = new Uint8Array(levels.length * 2);
  grown.set(levels);
  return grown;
}
