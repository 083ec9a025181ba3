// Tile bytes over HTTP without geotiff.js's block cache: the byte ranges asked for in one
// turn of the event loop (the tiles of every read of this file in flight) are merged
// where they touch or nearly touch, fetched once each, and handed out as views. Only
// ranges a reader marks `keep` (tiles its window covers in part, which the neighbouring
// chunk will want) stay, in one small LRU shared by every file; so an open file costs
// its header, not every tile read from it.

/** A byte range of the file and who waits for it. */
interface Wanted {
  offset: number;
  length: number;
  keep: boolean;
  signal: AbortSignal | undefined;
  resolve: (bytes: Uint8Array) => void;
  reject: (error: unknown) => void;
}

/** Fetches `length` bytes at `offset` (one Range request); resolves to exactly those bytes. */
export type FetchRange = (
  offset: number,
  length: number,
  signal: AbortSignal | undefined,
) => Promise<Uint8Array>;

/**
 * Ranges closer than this are read as one request, gap included: GDAL's COGs put a
 * 4-byte leader and trailer around each tile, and a few KiB cost less than a round trip.
 */
const MERGE_GAP = 16_384;

/** Merged requests stop growing here, so one response never holds a whole large file. */
const MAX_MERGED = 16 * 1024 * 1024;

/** Bytes of kept ranges, over every file of this thread, before the least recently used go. */
const KEPT_BYTES = 32 * 1024 * 1024;

/** The kept ranges of every batcher: key `file id:offset:length`, most recently used last. */
const kept = new Map<string, Uint8Array>();
let keptBytes = 0;

function keep(key: string, bytes: Uint8Array): void {
  if (kept.has(key) || bytes.length > KEPT_BYTES / 4) return;
  // A copy: a view would hold the whole merged response.
  kept.set(key, bytes.slice());
  keptBytes += bytes.length;
  for (const [oldest, value] of kept) {
    if (keptBytes <= KEPT_BYTES) break;
    kept.delete(oldest);
    keptBytes -= value.length;
  }
}

function keptRange(key: string): Uint8Array | undefined {
  const bytes = kept.get(key);
  if (bytes) {
    kept.delete(key);
    kept.set(key, bytes);
  }
  return bytes;
}

let nextBatcher = 0;

export class RangeBatcher {
  private waiting: Wanted[] = [];
  private scheduled = false;
  private readonly id = nextBatcher++;

  constructor(private readonly fetchRange: FetchRange) {}

  /**
   * The bytes of [offset, offset + length), fetched with the other ranges asked for in
   * this turn; `keepAfter` keeps them for a later read of the same range.
   */
  read(
    offset: number,
    length: number,
    signal?: AbortSignal,
    keepAfter = false,
  ): Promise<Uint8Array> {
    const hit = keptRange(`${this.id}:${offset}:${length}`);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      this.waiting.push({ offset, length, keep: keepAfter, signal, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setTimeout(() => this.flush(), 0);
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const wanted = this.waiting.sort((a, b) => a.offset - b.offset);
    this.waiting = [];
    let group: Wanted[] = [];
    let end = 0;
    for (const range of wanted) {
      const start = group.length ? group[0]!.offset : range.offset;
      if (
        group.length &&
        (range.offset > end + MERGE_GAP ||
          Math.max(end, range.offset + range.length) - start > MAX_MERGED)
      ) {
        this.fetchGroup(group, end);
        group = [];
      }
      end = group.length ? Math.max(end, range.offset + range.length) : range.offset + range.length;
      group.push(range);
    }
    if (group.length) this.fetchGroup(group, end);
  }

  /** Fetches `group` (sorted by offset) as one range, from its first offset to `end`. */
  private fetchGroup(group: Wanted[], end: number): void {
    const start = group[0]!.offset;
    // One reader's signal stops the request; readers with different signals (other
    // chunks) share it to the end, each rejecting on its own if it was aborted meanwhile.
    const signals = new Set(group.map((range) => range.signal));
    const shared = signals.size === 1 ? group[0]!.signal : undefined;
    this.fetchRange(start, end - start, shared).then(
      (bytes) => {
        for (const range of group) {
          if (range.signal?.aborted) {
            range.reject(range.signal.reason);
            continue;
          }
          const from = range.offset - start;
          const view = bytes.subarray(from, from + range.length);
          if (range.keep) keep(`${this.id}:${range.offset}:${range.length}`, view);
          range.resolve(view);
        }
      },
      (error: unknown) => {
        for (const range of group) range.reject(error);
      },
    );
  }
}
