import { GridError } from '../errors/grid-error.js';
import { OptionError } from '../errors/option-error.js';
import { createTransformer, transformBounds } from '../grid/crs.js';
import { isNorthUp, pixelToWorld, worldToPixel, type GeoTransform } from '../grid/geotransform.js';
import { gridBounds, type Bounds, type Grid } from '../grid/grid.js';
import type { TypedArray } from '../raster/data-type.js';
import { redactHref } from '../signers/redact.js';
import { toStacItem, type ToStacItemOptions } from '../item/to-stac-item.js';
import type { StacItem } from '../stac/stac-types.js';
import type {
  BandInfo,
  OverviewLevel,
  PixelWindow,
  RasterSource,
} from '../raster/raster-source.js';

/** What to read from a Dataset. */
export interface DatasetReadOptions {
  /** Pixel window of the chosen level. Exclusive with `bbox`. */
  window?: PixelWindow;
  /** Bounds to read, in `bboxCrs` (the dataset's CRS by default). Exclusive with `window`. */
  bbox?: Bounds;
  bboxCrs?: string;
  /** 1-based band numbers, as in GDAL and rasterio; all bands when omitted. */
  bands?: number[];
  /** Level: 0 = full resolution (default), 1 = first overview, … */
  overview?: number;
  signal?: AbortSignal;
}

/** The pixels of a read and where they are. */
export interface DatasetReadResult {
  /** One typed array per band, row-major, `window.width × window.height`. */
  data: TypedArray[];
  window: PixelWindow;
  /** The grid of exactly the pixels read. */
  grid: Grid;
  bands: BandInfo[];
}

/**
 * One raster: an opened source (header read, no pixels yet) plus its grid and
 * bands. Pixels are read only when asked, window by window.
 */
export class Dataset {
  readonly source: RasterSource;
  /** Id of the reader plugin that opened it. */
  readonly readerId: string;

  constructor(source: RasterSource, readerId: string) {
    this.source = source;
    this.readerId = readerId;
  }

  get href(): string {
    return this.source.href;
  }
  get grid(): Grid {
    return this.source.grid;
  }
  get crs(): string | null {
    return this.source.grid.crs;
  }
  get width(): number {
    return this.source.grid.width;
  }
  get height(): number {
    return this.source.grid.height;
  }
  get transform(): GeoTransform {
    return this.source.grid.transform;
  }
  get bands(): BandInfo[] {
    return this.source.bands;
  }
  get levels(): OverviewLevel[] {
    return this.source.levels;
  }
  /** Bounds in the dataset's own CRS. */
  get bounds(): Bounds {
    return gridBounds(this.source.grid);
  }

  /** The pixel window of `level` covering `bbox` (given in `bboxCrs`), clipped to the raster. */
  windowForBbox(bbox: Bounds, bboxCrs?: string, level = 0): PixelWindow {
    const levelInfo = this.levelAt(level);
    const crs = this.crs;
    let bounds = bbox;
    if (bboxCrs && crs && bboxCrs !== crs) bounds = transformBounds(bbox, bboxCrs, crs);
    else if (bboxCrs && !crs) {
      throw new GridError(
        `cannot use a bbox in ${bboxCrs}: ${this.describe()} has no CRS; give the bbox in its pixel space instead`,
      );
    }
    const transform = levelInfo.transform;
    const corners = [
      worldToPixel(transform, bounds[0], bounds[1]),
      worldToPixel(transform, bounds[2], bounds[1]),
      worldToPixel(transform, bounds[0], bounds[3]),
      worldToPixel(transform, bounds[2], bounds[3]),
    ];
    // A small tolerance keeps float noise from adding a whole row or column.
    const x0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[0])) + 1e-6));
    const y0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[1])) + 1e-6));
    const x1 = Math.min(levelInfo.width, Math.ceil(Math.max(...corners.map((c) => c[0])) - 1e-6));
    const y1 = Math.min(levelInfo.height, Math.ceil(Math.max(...corners.map((c) => c[1])) - 1e-6));
    if (x1 <= x0 || y1 <= y0) {
      throw new GridError(
        `bbox ${JSON.stringify(bbox)}${bboxCrs ? ` (${bboxCrs})` : ''} does not intersect ${this.describe()} ` +
          `(bounds ${JSON.stringify(this.bounds)} in ${crs ?? 'pixel space'})`,
      );
    }
    return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  }

  /** Reads pixels. */
  async read(options: DatasetReadOptions = {}): Promise<DatasetReadResult> {
    if (options.window && options.bbox)
      throw new OptionError('pass either window or bbox to read(), not both');
    const level = options.overview ?? 0;
    const levelInfo = this.levelAt(level);
    const window = options.bbox
      ? this.windowForBbox(options.bbox, options.bboxCrs, level)
      : (options.window ?? { x: 0, y: 0, width: levelInfo.width, height: levelInfo.height });
    if (
      !Number.isInteger(window.x) ||
      !Number.isInteger(window.y) ||
      window.width < 1 ||
      window.height < 1 ||
      window.x < 0 ||
      window.y < 0 ||
      window.x + window.width > levelInfo.width ||
      window.y + window.height > levelInfo.height
    ) {
      throw new OptionError(
        `window ${JSON.stringify(window)} is not inside level ${level} (${levelInfo.width} × ${levelInfo.height}) of ${this.describe()}`,
      );
    }
    const bandNumbers = options.bands ?? this.bands.map((_, index) => index + 1);
    for (const number of bandNumbers) {
      if (!Number.isInteger(number) || number < 1 || number > this.bands.length) {
        throw new OptionError(
          `band ${number} does not exist; ${this.describe()} has bands 1..${this.bands.length}`,
        );
      }
    }
    const data = await this.source.read({
      window,
      bands: bandNumbers.map((number) => number - 1),
      level,
      signal: options.signal,
    });
    const [originX, originY] = pixelToWorld(levelInfo.transform, window.x, window.y);
    const t = levelInfo.transform;
    return {
      data,
      window,
      grid: {
        crs: this.crs,
        transform: [originX, t[1], t[2], originY, t[4], t[5]],
        width: window.width,
        height: window.height,
      },
      bands: bandNumbers.map((number) => this.bands[number - 1]!),
    };
  }

  /** Bounds in EPSG:4326 (densified edges). GridError when the dataset has no CRS. */
  boundsWgs84(): Bounds {
    if (!this.crs)
      throw new GridError(`${this.describe()} has no CRS, so it has no bounds in EPSG:4326`);
    return transformBounds(this.bounds, this.crs, 'EPSG:4326');
  }

  /** Centre of the dataset in EPSG:4326. */
  centreWgs84(): [number, number] {
    if (!this.crs) throw new GridError(`${this.describe()} has no CRS`);
    const [minX, minY, maxX, maxY] = this.bounds;
    return createTransformer(this.crs, 'EPSG:4326')((minX + maxX) / 2, (minY + maxY) / 2);
  }

  /**
   * Describes this raster as a STAC 1.1.0 Item (projection and raster extensions,
   * footprint in EPSG:4326); see `toStacItem`.
   */
  toStacItem(id: string, options: ToStacItemOptions = {}): Promise<StacItem> {
    return toStacItem(this.source, id, options);
  }

  /** True when the grid is north-up (no rotation). */
  get isNorthUp(): boolean {
    return isNorthUp(this.transform);
  }

  async close(): Promise<void> {
    await this.source.close?.();
  }

  private levelAt(level: number): OverviewLevel {
    const info = this.levels[level];
    if (!info) {
      throw new OptionError(
        `overview level ${level} does not exist; ${this.describe()} has levels 0..${this.levels.length - 1}`,
      );
    }
    return info;
  }

  private describe(): string {
    return `raster ${redactHref(this.href)}`;
  }
}
