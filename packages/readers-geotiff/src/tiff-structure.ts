// The TIFF structure checks GDAL (libtiff) makes and geotiff.js does not: an IFD chain
// that loops, zero or absurd sizes, an unknown predictor, data past the end of the file.
// geotiff.js would loop forever on the first and read the others as zeros.
import { ReadError } from '@pyramids/core';

/** How the checks read bytes: geotiff.js's own (cached, block-aligned) source. */
export interface TiffByteSource {
  fetch(slices: { offset: number; length: number }[], signal?: AbortSignal): Promise<ArrayBuffer[]>;
  readonly fileSize?: number | null;
}

/** What the checks need of an opened geotiff.js file. */
export interface TiffLayout {
  source: TiffByteSource;
  littleEndian: boolean;
  bigTiff: boolean;
  firstIFDOffset: number;
}

/** More IFDs than any real pyramid has (GDAL's overviews stop far below this). */
const MAX_IFDS = 4096;
/** Entries in one IFD: libtiff's own bound for classic TIFF. */
const MAX_ENTRIES = 65_535;
/** Offset tables larger than this are not fetched just to be checked (big remote COGs). */
const MAX_CHECKED_TABLE_BYTES = 1 << 20;
/** Largest width or height a TIFF can describe that GDAL accepts. */
const MAX_DIMENSION = 2 ** 31 - 1;

const TYPE_SIZES: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  16: 8,
  17: 8,
  18: 8,
};

const TAG = {
  imageWidth: 256,
  imageLength: 257,
  bitsPerSample: 258,
  stripOffsets: 273,
  samplesPerPixel: 277,
  rowsPerStrip: 278,
  stripByteCounts: 279,
  planarConfiguration: 284,
  predictor: 317,
  tileWidth: 322,
  tileLength: 323,
  tileOffsets: 324,
  tileByteCounts: 325,
} as const;

interface Entry {
  tag: number;
  type: number;
  count: number;
  /** Where the value is: inside the entry when it fits, else at the offset the entry holds. */
  valueOffset: number;
}

function corrupt(shown: string, what: string): ReadError {
  return new ReadError(
    `cannot read ${shown}: ${what}; the TIFF is corrupt (GDAL refuses it too), so get a fresh copy`,
    {
      plugin: 'geotiff',
      details: { href: shown, problem: what },
    },
  );
}

/**
 * Walks the IFD chain of `tiff` and checks each directory as libtiff does before
 * any pixel is read. Returns how many IFDs the file has: a chain that points back to
 * an earlier IFD stops there (GDAL reads such files the same way).
 * @throws ReadError naming what is wrong when the structure cannot be read correctly.
 */
export async function checkTiffStructure(
  tiff: TiffLayout,
  shown: string,
  signal?: AbortSignal,
): Promise<number> {
  const { littleEndian, bigTiff } = tiff;
  const fileSize =
    typeof tiff.source.fileSize === 'number' && tiff.source.fileSize > 0
      ? tiff.source.fileSize
      : undefined;

  const read = async (offset: number, length: number, what: string): Promise<DataView> => {
    if (
      !Number.isSafeInteger(offset) ||
      offset < 0 ||
      (fileSize !== undefined && offset + length > fileSize)
    ) {
      throw corrupt(
        shown,
        `${what} at byte ${offset} lies past the end of the file (${fileSize ?? '?'} bytes)`,
      );
    }
    const [buffer] = await tiff.source.fetch([{ offset, length }], signal);
    if (!buffer || buffer.byteLength < length)
      throw corrupt(shown, `${what} at byte ${offset} lies past the end of the file`);
    return new DataView(buffer, 0, length);
  };
  const unsigned = (view: DataView, at: number, size: number): number => {
    if (size === 1) return view.getUint8(at);
    if (size === 2) return view.getUint16(at, littleEndian);
    if (size === 4) return view.getUint32(at, littleEndian);
    return Number(view.getBigUint64(at, littleEndian));
  };
  const values = async (entry: Entry | undefined, what: string): Promise<number[] | undefined> => {
    if (!entry) return undefined;
    const size = TYPE_SIZES[entry.type];
    if (size === undefined || ![1, 3, 4, 16].includes(entry.type))
      throw corrupt(shown, `${what} has type ${entry.type}, not an integer type`);
    if (entry.count * size > MAX_CHECKED_TABLE_BYTES) return undefined;
    const view = await read(entry.valueOffset, entry.count * size, what);
    return Array.from({ length: entry.count }, (_, index) => unsigned(view, index * size, size));
  };

  const entrySize = bigTiff ? 20 : 12;
  const countSize = bigTiff ? 8 : 2;
  const pointerSize = bigTiff ? 8 : 4;
  const seen = new Set<number>();
  let offset = tiff.firstIFDOffset;
  if (offset === 0) throw corrupt(shown, 'the file has no image directory');
  let index = 0;
  for (; offset !== 0 && index < MAX_IFDS; index++) {
    if (seen.has(offset)) break; // a loop back to an earlier IFD: the chain ends there
    seen.add(offset);
    const countView = await read(offset, countSize, `image directory ${index}`);
    const entryCount = unsigned(countView, 0, countSize);
    if (entryCount === 0 || entryCount > MAX_ENTRIES)
      throw corrupt(shown, `image directory ${index} claims ${entryCount} entries`);
    const table = await read(
      offset + countSize,
      entryCount * entrySize + pointerSize,
      `image directory ${index}`,
    );
    const entries = new Map<number, Entry>();
    for (let position = 0; position < entryCount * entrySize; position += entrySize) {
      const tag = table.getUint16(position, littleEndian);
      const type = table.getUint16(position + 2, littleEndian);
      const count = unsigned(table, position + 4, bigTiff ? 8 : 4);
      const size = TYPE_SIZES[type];
      if (size === undefined) continue; // libtiff skips unknown types with a warning
      const inline = count * size <= pointerSize;
      const valueOffset = inline
        ? offset + countSize + position + (bigTiff ? 12 : 8)
        : unsigned(table, position + (bigTiff ? 12 : 8), pointerSize);
      if (!inline && fileSize !== undefined && valueOffset + count * size > fileSize) {
        throw corrupt(
          shown,
          `tag ${tag} of image directory ${index} points past the end of the file`,
        );
      }
      entries.set(tag, { tag, type, count, valueOffset });
    }
    await checkDirectory(entries, index);
    offset = unsigned(table, entryCount * entrySize, pointerSize);
  }
  return index;

  async function checkDirectory(entries: Map<number, Entry>, index: number): Promise<void> {
    const first = async (tag: number, what: string) => (await values(entries.get(tag), what))?.[0];
    const where = `image directory ${index}`;
    const width = await first(TAG.imageWidth, 'ImageWidth');
    const height = await first(TAG.imageLength, 'ImageLength');
    if (!width || !height || width > MAX_DIMENSION || height > MAX_DIMENSION) {
      throw corrupt(
        shown,
        `${where} has an image size of ${width ?? 'no'} × ${height ?? 'no'} pixels`,
      );
    }
    const samples = (await first(TAG.samplesPerPixel, 'SamplesPerPixel')) ?? 1;
    if (samples === 0) throw corrupt(shown, `${where} has 0 samples per pixel`);
    const bits = (await values(entries.get(TAG.bitsPerSample), 'BitsPerSample')) ?? [1];
    if (bits.some((value) => value === 0 || value > 64))
      throw corrupt(shown, `${where} has ${bits.join(',')} bits per sample`);
    const predictor = (await first(TAG.predictor, 'Predictor')) ?? 1;
    if (predictor !== 1 && predictor !== 2 && predictor !== 3) {
      throw corrupt(
        shown,
        `${where} uses predictor ${predictor}, which is not a TIFF predictor (1, 2 or 3)`,
      );
    }
    const planes =
      (await first(TAG.planarConfiguration, 'PlanarConfiguration')) === 2 ? samples : 1;
    const tiled = entries.has(TAG.tileWidth) || entries.has(TAG.tileOffsets);
    let blocks: number;
    let offsetsEntry: Entry | undefined;
    let countsEntry: Entry | undefined;
    if (tiled) {
      const tileWidth = await first(TAG.tileWidth, 'TileWidth');
      const tileHeight = await first(TAG.tileLength, 'TileLength');
      if (!tileWidth || !tileHeight)
        throw corrupt(
          shown,
          `${where} has a tile size of ${tileWidth ?? 'no'} × ${tileHeight ?? 'no'} pixels`,
        );
      blocks = Math.ceil(width / tileWidth) * Math.ceil(height / tileHeight) * planes;
      offsetsEntry = entries.get(TAG.tileOffsets);
      countsEntry = entries.get(TAG.tileByteCounts);
    } else {
      const rows = Math.min((await first(TAG.rowsPerStrip, 'RowsPerStrip')) ?? height, height);
      if (!rows) throw corrupt(shown, `${where} has 0 rows per strip`);
      blocks = Math.ceil(height / rows) * planes;
      offsetsEntry = entries.get(TAG.stripOffsets);
      countsEntry = entries.get(TAG.stripByteCounts);
    }
    const kind = tiled ? 'tile' : 'strip';
    if (!offsetsEntry || !countsEntry)
      throw corrupt(shown, `${where} has no ${kind} offsets or byte counts`);
    if (offsetsEntry.count < blocks || countsEntry.count < blocks) {
      throw corrupt(
        shown,
        `${where} lists ${Math.min(offsetsEntry.count, countsEntry.count)} ${kind}s where its size needs ${blocks}`,
      );
    }
    if (fileSize === undefined) return;
    const offsets = await values(offsetsEntry, `${kind} offsets`);
    const counts = await values(countsEntry, `${kind} byte counts`);
    if (!offsets || !counts) return;
    for (let block = 0; block < blocks; block++) {
      // Offset and count 0 is a block left out (sparse file): GDAL reads it as nodata.
      if (offsets[block]! + counts[block]! > fileSize) {
        throw corrupt(
          shown,
          `${kind} ${block} of ${where} lies past the end of the file (byte ${offsets[block]! + counts[block]!} of ${fileSize})`,
        );
      }
    }
  }
}
