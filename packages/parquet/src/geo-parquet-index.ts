// A stac-geoparquet file as an Item index for cubes: opened once, then searched by each
// cube chunk's lon/lat box; row groups whose bbox covering statistics miss the box are
// never read, so a cube over a small area of a large file reads a small part of it.
// The Parquet library loads at the first search, not when the index is made.
import type { ItemIndex, ItemIndexQuery, StacItem } from '@pyramids/core';
import type { OpenedGeoParquet } from './from-geo-parquet.js';
import type { GeoParquetSource, GeoParquetSourceOptions } from './parquet-source.js';
import type { GeoParquetSearchStats } from './search-geo-parquet.js';

type AsyncBuffer = OpenedGeoParquet['file'];

/** `file` with the byte ranges it was asked for kept (same start and end), up to `budget` bytes. */
function rangeCache(file: AsyncBuffer, budget: number): AsyncBuffer {
  if (budget <= 0) return file;
  const kept = new Map<string, { bytes: Promise<ArrayBuffer>; size: number }>();
  let held = 0;
  return {
    byteLength: file.byteLength,
    slice(start: number, end?: number) {
      const key = `${start}-${end ?? ''}`;
      const hit = kept.get(key);
      if (hit) {
        kept.delete(key); // most recently used last
        kept.set(key, hit);
        return hit.bytes;
      }
      const size = (end ?? file.byteLength) - start;
      const bytes = Promise.resolve(file.slice(start, end));
      if (size > budget) return bytes;
      const entry = { bytes, size };
      kept.set(key, entry);
      held += size;
      // A failed read is not kept.
      bytes.catch(() => {
        if (kept.get(key) === entry) {
          kept.delete(key);
          held -= size;
        }
      });
      for (const [oldKey, old] of kept) {
        if (held <= budget) break;
        kept.delete(oldKey);
        held -= old.size;
      }
      return bytes;
    },
  };
}

/** Options of {@link geoParquetIndex}: how to reach the file, and how much of it to keep. */
export interface GeoParquetIndexOptions extends GeoParquetSourceOptions {
  /** Bytes of row-group reads kept for the next lookups (default 32 MiB; 0 keeps none). */
  cacheBytes?: number;
}

/** An Item index over a stac-geoparquet file, with what its searches have read so far. */
export interface GeoParquetIndex extends ItemIndex {
  /** Summed over every search: row groups seen and skipped, rows scanned, Items matched. */
  readonly stats: GeoParquetSearchStats & { searches: number };
  /** Closes the file (a local file handle); searches after it reopen it. */
  close(): Promise<void>;
}

/**
 * Opens a stac-geoparquet file (path, URL, bytes or Blob) as an Item index:
 * `DatasetCollection.fromStac(geoParquetIndex(url), { crs, resolution, bbox, … })` looks the
 * Items up per cube chunk. The footer is read once, at the first search.
 */
export function geoParquetIndex(
  source: GeoParquetSource,
  options: GeoParquetIndexOptions = {},
): GeoParquetIndex {
  let opened: Promise<OpenedGeoParquet & { raw: AsyncBuffer }> | undefined;
  const stats = { rowGroups: 0, rowGroupsSkipped: 0, rowsScanned: 0, matched: 0, searches: 0 };
  const href =
    typeof source === 'string' ? source : source instanceof URL ? source.href : undefined;
  async function* search(query: ItemIndexQuery): AsyncGenerator<StacItem> {
    const { searchOpenedGeoParquet } = await import('./search-geo-parquet.js');
    if (!opened) {
      opened = import('./from-geo-parquet.js').then(async ({ openGeoParquet }) => {
        const file = await openGeoParquet(source, options);
        // Neighbouring chunks meet the same row groups: their byte ranges are read once.
        return {
          ...file,
          file: rangeCache(file.file, options.cacheBytes ?? 32 << 20),
          raw: file.file,
        };
      });
      // A failed open is not kept: the next search tries again.
      opened.catch(() => (opened = undefined));
    }
    const file = await opened;
    const one = { rowGroups: 0, rowGroupsSkipped: 0, rowsScanned: 0, matched: 0 };
    stats.searches++;
    try {
      yield* searchOpenedGeoParquet(
        file,
        { bbox: [...query.bbox], datetime: query.datetime },
        { stats: one, signal: query.signal ?? options.signal },
      );
    } finally {
      stats.rowGroups += one.rowGroups;
      stats.rowGroupsSkipped += one.rowGroupsSkipped;
      stats.rowsScanned += one.rowsScanned;
      stats.matched += one.matched;
    }
  }
  const index: GeoParquetIndex = {
    kind: 'pyramids.item-index',
    stats,
    search,
    async close() {
      const pending = opened;
      opened = undefined;
      if (!pending) return;
      const { closeParquetSource } = await import('./parquet-source.js');
      await closeParquetSource((await pending).raw);
    },
  };
  if (href !== undefined) return { ...index, href };
  return index;
}
