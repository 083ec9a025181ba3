import type { PluginApiVersion } from '../version.js';
import type { Grid } from '../grid/grid.js';
import type { DataType, TypedArray } from '../raster/data-type.js';
import type { BandInfo, PixelWindow, RasterSource } from '../raster/raster-source.js';
import type { Signer } from '../signers/signer.js';
import type { StacItem } from '../stac/stac-types.js';
import type { ItemIndex } from '../cube/item-index.js';

/** Fields every plugin has. */
export interface PluginBase {
  readonly kind: 'reader' | 'signer' | 'writer' | 'codec' | 'fuse';
  /** Unique id, e.g. `geotiff`, `planetary-computer`. */
  readonly id: string;
  /** Contract version the plugin was built for; the registry refuses others. */
  readonly apiVersion: PluginApiVersion;
  /** npm package that provides the plugin, for error messages. */
  readonly packageName?: string;
}

/** What a reader's `open` receives besides the href. */
export interface ReaderContext {
  /** Signs the reads of this source (headers, hrefs, GDAL env), per request. */
  signer?: Signer;
  /**
   * Signs the href again (a SAS query, a presigned URL), from the signer's
   * expiry-aware cache. The href given to `open` was signed once, at open; a
   * reader that reads in many requests calls this per request so that a long
   * job never reads with an expired query token.
   */
  signHref?: (signal?: AbortSignal) => Promise<string>;
  signal?: AbortSignal;
  /** HTTP client to use; defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Reader-specific options (e.g. a NetCDF variable). */
  options?: Record<string, unknown>;
}

/** The heavy half of a reader, loaded lazily. */
export interface ReaderImplementation {
  open(href: string, context: ReaderContext): Promise<RasterSource>;
}

/** A raster reader plugin. */
export interface ReaderPlugin extends PluginBase {
  readonly kind: 'reader';
  /** Media-type prefixes served (case-insensitive, parameters ignored). */
  readonly mediaTypes: readonly string[];
  /** File extensions served, with the dot: `.tif`. */
  readonly extensions: readonly string[];
  /** True when the first bytes of a file look like something this reader opens. */
  sniff?(head: Uint8Array): boolean;
  /** Loads the implementation (imports heavy dependencies). */
  load(): Promise<ReaderImplementation>;
}

/** The heavy half of an Items codec (e.g. stac-geoparquet). */
export interface CodecImplementation {
  readItems(source: string, options?: Record<string, unknown>): AsyncIterable<StacItem>;
  writeItems(
    items: AsyncIterable<StacItem> | Iterable<StacItem>,
    target: string,
    options?: Record<string, unknown>,
  ): Promise<void>;
  /** Opens `source` as a searchable Item index (cubes look Items up per chunk), when the format allows. */
  openIndex?(source: string, options?: Record<string, unknown>): ItemIndex | Promise<ItemIndex>;
}

/** An Items codec plugin: reads and writes Items in a file format. */
export interface CodecPlugin extends PluginBase {
  readonly kind: 'codec';
  readonly extensions: readonly string[];
  readonly mediaTypes: readonly string[];
  load(): Promise<CodecImplementation>;
}

/** What a cube writer knows before the first pixel: dims `time, band, y, x`, the grid and per-band info. */
export interface CubeWriteDescription {
  grid: Grid;
  /** Data type of every band. */
  dataType: DataType;
  /** Time step labels (ISO dates or group keys), in order. */
  time: readonly string[];
  /** Per band: name, nodata, scale, offset, unit. */
  bands: readonly BandInfo[];
  /** Cube-level metadata items (resampling, fusing method, …). */
  metadata: Readonly<Record<string, string>>;
  /** Chunk width and height the chunks come in (the last ones in a row or column may be smaller). */
  chunkSize: readonly [number, number];
}

/** One chunk as a writer receives it: every band of one time step over one window of the grid. */
export interface CubeWriteChunk {
  time: number;
  window: PixelWindow;
  /** One row-major `window.width × window.height` array per band. */
  data: readonly TypedArray[];
}

/** Options every writer takes; a writer reads its own from the rest. */
export interface WriterOptions extends Record<string, unknown> {
  signal?: AbortSignal;
}

/** The heavy half of a writer, loaded lazily. */
export interface WriterImplementation {
  /**
   * Writes the chunks to `target` as they arrive (in any order), holding only what
   * is not yet written; returns the files or stores written. On failure or abort
   * nothing is left at `target`.
   */
  write(
    target: string,
    description: CubeWriteDescription,
    chunks: AsyncIterable<CubeWriteChunk>,
    options?: WriterOptions,
  ): Promise<string[]>;
}

/** A raster writer plugin (GeoTIFF/COG is built into core), chosen by format id or output extension. */
export interface WriterPlugin extends PluginBase {
  readonly kind: 'writer';
  /** Output extensions served, with the dot: `.tif`, `.zarr`. */
  readonly extensions: readonly string[];
  /** Format names a user may ask for explicitly, lower case: `gtiff`, `cog`, `zarr`. */
  readonly formats?: readonly string[];
  /** True when the writer writes a directory target (`out/`): one file per time step, say. */
  readonly writesDirectories?: boolean;
  /** Loads the implementation (imports heavy dependencies). */
  load(): Promise<WriterImplementation>;
}

/**
 * Fuses one pixel of a time step: `values` holds the pixel of each of the step's layers in
 * fusing order (NaN where a layer has no data or is masked), `valid` is 1 where a value is
 * data. Returns the fused value; NaN means nodata. Both arrays are reused for the next pixel.
 */
export type FuseFunction = (values: Float64Array, valid: Uint8Array) => number;

/**
 * A named fuse function (`method: 'its-id'`), so cubes built on worker threads or other
 * machines fuse with it too: each worker's registry loads the same plugin. Make one with `fusePlugin`.
 */
export interface FusePlugin extends PluginBase {
  readonly kind: 'fuse';
  readonly fuse: FuseFunction;
}

/** Any plugin. */
export type Plugin = ReaderPlugin | Signer | CodecPlugin | WriterPlugin | FusePlugin;
