import type { Grid } from '../grid/grid.js';
import type { DataType, TypedArray } from './data-type.js';

/** What a band is: type, nodata, scaling, name. */
export interface BandInfo {
  dataType: DataType;
  /** Nodata value; NaN allowed. Undefined when the band has none. */
  nodata?: number;
  /** Multiply raw values by this to get physical values (default 1). */
  scale?: number;
  /** Add this after scaling (default 0). */
  offset?: number;
  /** Band name or description, if the source has one. */
  name?: string;
  unit?: string;
}

/** A pixel window of one level: column/row offset and size. */
export interface PixelWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One overview level, finest first. Level 0 is the full-resolution image. */
export interface OverviewLevel {
  width: number;
  height: number;
  /** GDAL geotransform of this level. */
  transform: Grid['transform'];
}

/** A request to read pixels of one level of a source. */
export interface ReadRequest {
  /** Pixel window in the level's own pixel space; must lie inside the level. */
  window: PixelWindow;
  /** 0-based band indexes; all bands when omitted. */
  bands?: number[];
  /** Level index in `levels` (0 = full resolution). */
  level?: number;
  signal?: AbortSignal;
}

/**
 * An opened raster: its native grid, levels and bands, and a window reader.
 * Readers return this from `open`; core warps, mosaics and writes from it.
 */
export interface RasterSource {
  /** Href the source was opened from (may carry credentials: never print unredacted). */
  readonly href: string;
  /** Native grid; `crs` is null when the file has none. */
  readonly grid: Grid;
  /** Level 0 (full resolution) first, then overviews from finest to coarsest. */
  readonly levels: OverviewLevel[];
  readonly bands: BandInfo[];
  /** Internal tile or strip size, when known, to align reads with. */
  readonly blockSize?: { width: number; height: number };
  /** Extra metadata the reader wants to pass through (e.g. raw GeoKeys for a lossless write). */
  readonly metadata?: Record<string, unknown>;
  /** Reads one window of one level: one typed array per requested band, row-major. */
  read(request: ReadRequest): Promise<TypedArray[]>;
  /** Releases handles (files, sockets). */
  close?(): Promise<void>;
}
