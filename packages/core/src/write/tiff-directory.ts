// Serialises TIFF image file directories (IFDs), little-endian, classic TIFF or
// BigTIFF. Sizes depend only on the tags and their value counts, so the layout of
// every directory can be fixed before the tile offsets it holds are known.

/** TIFF field types used here. */
export const FieldType = { ASCII: 2, SHORT: 3, LONG: 4, DOUBLE: 12, LONG8: 16 } as const;
type FieldTypeCode = (typeof FieldType)[keyof typeof FieldType];

const TYPE_SIZE: Record<FieldTypeCode, number> = { 2: 1, 3: 2, 4: 4, 12: 8, 16: 8 };

/** One directory entry: a tag, its type and its values (text for ASCII). */
export interface TiffField {
  tag: number;
  type: FieldTypeCode;
  values: readonly number[] | string;
}

const encoder = new TextEncoder();

/** Number of values of a field (ASCII counts the terminating NUL; text is stored as UTF-8, as GDAL does). */
function fieldCount(field: TiffField): number {
  return typeof field.values === 'string'
    ? encoder.encode(field.values).length + 1
    : field.values.length;
}

/** Bytes a directory with these fields takes, its out-of-line values included. */
export function directorySize(fields: readonly TiffField[], bigTiff: boolean): number {
  const inlineSize = bigTiff ? 8 : 4;
  let size = bigTiff ? 8 + fields.length * 20 + 8 : 2 + fields.length * 12 + 4;
  for (const field of fields) {
    const bytes = fieldCount(field) * TYPE_SIZE[field.type];
    if (bytes > inlineSize) size += bytes + (bytes % 2); // values start on a word boundary
  }
  return size;
}

function writeValues(view: DataView, offset: number, field: TiffField): void {
  if (typeof field.values === 'string') {
    const bytes = encoder.encode(field.values);
    for (let index = 0; index < bytes.length; index++) view.setUint8(offset + index, bytes[index]!);
    view.setUint8(offset + bytes.length, 0);
    return;
  }
  const size = TYPE_SIZE[field.type];
  field.values.forEach((value, index) => {
    const at = offset + index * size;
    switch (field.type) {
      case FieldType.SHORT:
        view.setUint16(at, value, true);
        break;
      case FieldType.LONG:
        view.setUint32(at, value, true);
        break;
      case FieldType.DOUBLE:
        view.setFloat64(at, value, true);
        break;
      case FieldType.LONG8:
        view.setBigUint64(at, BigInt(value), true);
        break;
      default:
        throw new TypeError(`cannot write TIFF field type ${field.type}`);
    }
  });
}

function writeOffset(view: DataView, at: number, value: number, bigTiff: boolean): void {
  if (bigTiff) view.setBigUint64(at, BigInt(value), true);
  else view.setUint32(at, value, true);
}

/**
 * Serialises one directory to be placed at file offset `position`, pointing on to
 * the directory at `nextPosition` (0 for the last). Fields are sorted by tag.
 */
export function encodeDirectory(
  fields: readonly TiffField[],
  position: number,
  nextPosition: number,
  bigTiff: boolean,
): Uint8Array {
  const sorted = [...fields].sort((a, b) => a.tag - b.tag);
  const size = directorySize(sorted, bigTiff);
  const buffer = new Uint8Array(size);
  const view = new DataView(buffer.buffer);
  const inlineSize = bigTiff ? 8 : 4;
  const entrySize = bigTiff ? 20 : 12;
  const entriesStart = bigTiff ? 8 : 2;
  if (bigTiff) view.setBigUint64(0, BigInt(sorted.length), true);
  else view.setUint16(0, sorted.length, true);
  let dataOffset = entriesStart + sorted.length * entrySize + inlineSize;
  writeOffset(view, entriesStart + sorted.length * entrySize, nextPosition, bigTiff);
  sorted.forEach((field, index) => {
    const entry = entriesStart + index * entrySize;
    const count = fieldCount(field);
    view.setUint16(entry, field.tag, true);
    view.setUint16(entry + 2, field.type, true);
    if (bigTiff) view.setBigUint64(entry + 4, BigInt(count), true);
    else view.setUint32(entry + 4, count, true);
    const valueAt = entry + (bigTiff ? 12 : 8);
    const bytes = count * TYPE_SIZE[field.type];
    if (bytes <= inlineSize) {
      writeValues(view, valueAt, field);
    } else {
      writeOffset(view, valueAt, position + dataOffset, bigTiff);
      writeValues(view, dataOffset, field);
      dataOffset += bytes + (bytes % 2);
    }
  });
  return buffer;
}

/** The 8-byte (classic) or 16-byte (BigTIFF) little-endian file header. */
export function encodeHeader(firstDirectory: number, bigTiff: boolean): Uint8Array {
  const buffer = new Uint8Array(bigTiff ? 16 : 8);
  const view = new DataView(buffer.buffer);
  view.setUint8(0, 0x49); // 'I'
  view.setUint8(1, 0x49);
  if (bigTiff) {
    view.setUint16(2, 43, true);
    view.setUint16(4, 8, true); // bytes per offset
    view.setUint16(6, 0, true);
    view.setBigUint64(8, BigInt(firstDirectory), true);
  } else {
    view.setUint16(2, 42, true);
    view.setUint32(4, firstDirectory, true);
  }
  return buffer;
}
