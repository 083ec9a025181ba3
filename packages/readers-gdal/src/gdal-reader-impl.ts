// The heavy half of the GDAL reader: opens a dataset with gdal-async and serves
// window reads through the RasterSource contract. Loaded only by `gdalReader().load()`.
// Before each read or warp the signer is asked again; when it gives a new signed href
// (a fresh SAS query or presigned URL), the dataset is reopened on it and the old one
// closed once its reads in flight are done.
import { randomUUID } from 'node:crypto';
import type { Dataset as GDALDataset } from 'gdal-async';
import {
  OptionError,
  PyramidsError,
  ReadError,
  isAbortError,
  redactHref,
  throwIfAborted,
  type BandInfo,
  type DataType,
  type Grid,
  type OverviewLevel,
  type RasterSource,
  type ReadRequest,
  type ReaderContext,
  type ReaderImplementation,
  type TypedArray,
} from '@pyramids/core';
import { planAccess, type AccessPlan } from './access-plan.js';
import { configScopeFor } from './config-scope.js';
import { describeGdalDataset, type Subdataset } from './gdal-dataset-info.js';
import type { GdalOpenOptions, GdalReaderOptions } from './gdal-reader.js';
import { loadGdal, type GdalModule } from './load-gdal.js';
import { openGdalDataset } from './open-gdal-dataset.js';
import { redactMessage } from './redact-message.js';

const READABLE = new Set<DataType>([
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'float32',
  'float64',
]);
const DEFAULT_PIXELS_PER_READ = 4_194_304;
const WARP_METHODS: Record<string, string> = {
  nearest: 'near',
  bilinear: 'bilinear',
  cubic: 'cubic',
  cubicspline: 'cubicspline',
  lanczos: 'lanczos',
  average: 'average',
  mode: 'mode',
  min: 'min',
  max: 'max',
  median: 'med',
  q1: 'q1',
  q3: 'q3',
};

/** Options of the GDAL source's native `warp`. */
export interface GdalWarpOptions {
  /** Resampling: nearest (default), bilinear, cubic, cubicspline, lanczos, average, mode, min, max, median, q1, q3. */
  resampling?: string;
  /** 0-based band indexes; all bands when omitted. */
  bands?: number[];
  signal?: AbortSignal;
}

/** A dataset opened on one signed path, and the reads using it. */
interface OpenedPath {
  dataset: GDALDataset;
  path: string;
  users: number;
  /** Replaced by one on a newer path (or the source closed): closed when `users` drops to 0. */
  retired: boolean;
}

/** A RasterSource read by GDAL, with GDAL's warper as `warp`. */
export class GdalRasterSource implements RasterSource {
  readonly href: string;
  readonly grid: RasterSource['grid'];
  readonly levels: OverviewLevel[];
  readonly bands: BandInfo[];
  readonly blockSize: { width: number; height: number };
  readonly metadata: Record<string, unknown>;
  private closed = false;
  /** The dataset new reads use: opened on the latest signed path. */
  private current: OpenedPath;
  /** The reopen under way on a freshly signed path, shared by the reads that wait for it. */
  private reopening: Promise<void> | undefined;

  constructor(
    private readonly gdal: GdalModule,
    dataset: GDALDataset,
    private readonly plan: AccessPlan,
    private readonly options: GdalReaderOptions,
    href: string,
    private readonly extra: {
      variable?: string;
      subdatasets: Subdataset[];
      openOptions: GdalOpenOptions;
    },
  ) {
    this.href = href;
    this.current = { dataset, path: plan.path, users: 0, retired: false };
    const described = describeGdalDataset(dataset, extra);
    this.grid = described.grid;
    this.levels = described.levels;
    this.bands = described.bands;
    this.blockSize = described.blockSize;
    this.metadata = described.metadata;
  }

  async read(request: ReadRequest): Promise<TypedArray[]> {
    const { window, signal } = request;
    const level = request.level ?? 0;
    const levelInfo = this.levels[level];
    if (!levelInfo)
      throw new OptionError(
        `level ${level} does not exist; ${this.describe()} has levels 0..${this.levels.length - 1}`,
        { plugin: 'gdal' },
      );
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
        { plugin: 'gdal' },
      );
    }
    const bands = request.bands ?? this.bands.map((_, index) => index);
    for (const index of bands) {
      const info = this.bands[index];
      if (!info)
        throw new OptionError(
          `band index ${index} does not exist; ${this.describe()} has band indexes 0..${this.bands.length - 1}`,
          { plugin: 'gdal' },
        );
      if (!READABLE.has(info.dataType)) {
        throw new ReadError(
          `band ${index + 1} of ${this.describe()} is ${info.dataType}, which pyramids cannot hold in a typed array`,
          { plugin: 'gdal' },
        );
      }
    }
    if (this.closed)
      throw new ReadError(`${this.describe()} was closed; open it again to read`, {
        plugin: 'gdal',
      });
    const blockRows = Math.max(1, this.blockSize.height);
    const wanted = Math.max(
      1,
      Math.floor((this.options.pixelsPerRead ?? DEFAULT_PIXELS_PER_READ) / window.width),
    );
    const rowsPerRead = Math.max(1, wanted >= blockRows ? wanted - (wanted % blockRows) : wanted);
    const results: TypedArray[] = [];
    let opened: OpenedPath | undefined;
    try {
      opened = await this.acquire(signal);
      for (const index of bands) {
        // Async: a synchronous call waits on the dataset's lock, which a read in flight holds.
        const gdalBand = await opened.dataset.bands.getAsync(index + 1);
        const band = level === 0 ? gdalBand : await gdalBand.overviews.getAsync(level - 1);
        let output: TypedArray | undefined;
        for (let row = 0; row < window.height; row += rowsPerRead) {
          throwIfAborted(signal);
          const rows = Math.min(rowsPerRead, window.height - row);
          const strip = (await configScopeFor(this.gdal).run(this.plan.config, () =>
            band.pixels.readAsync(window.x, window.y + row, window.width, rows),
          )) as unknown as TypedArray;
          if (rows === window.height) {
            output = strip;
            break;
          }
          output ??= new (strip.constructor as new (length: number) => TypedArray)(
            window.width * window.height,
          );
          (output as Float64Array).set(strip as Float64Array, row * window.width);
        }
        results.push(output!);
      }
      throwIfAborted(signal);
      return results;
    } catch (error) {
      if (isAbortError(error) || PyramidsError.isInstance(error)) throw error;
      throw new ReadError(
        `GDAL could not read ${JSON.stringify(window)} of ${this.describe()}: ${redactMessage((error as Error).message ?? String(error))}`,
        {
          plugin: 'gdal',
          cause: error,
        },
      );
    } finally {
      if (opened) await this.release(opened);
    }
  }

  /**
   * Warps the source onto `target` with GDAL's warper (the gdalwarp library call, so
   * the pixels equal `gdalwarp -t_srs -te -ts -r` of the same file; overviews are used
   * as gdalwarp's `-ovr AUTO` does). One typed array per requested band.
   */
  async warp(target: Grid, options: GdalWarpOptions = {}): Promise<TypedArray[]> {
    const { signal } = options;
    throwIfAborted(signal);
    if (!target.crs)
      throw new OptionError('the target grid of a warp needs a CRS', { plugin: 'gdal' });
    if (!this.grid.crs)
      throw new OptionError(`${this.describe()} has no CRS, so it cannot be warped`, {
        plugin: 'gdal',
      });
    const [originX, pixelWidth, rotationX, originY, rotationY, pixelHeight] = target.transform;
    if (rotationX !== 0 || rotationY !== 0 || pixelWidth <= 0 || pixelHeight >= 0) {
      throw new OptionError(
        'the target grid of a warp must be north-up (no rotation, negative pixel height)',
        { plugin: 'gdal' },
      );
    }
    const resampling = options.resampling ?? 'nearest';
    const method = WARP_METHODS[resampling];
    if (!method)
      throw new OptionError(
        `resampling '${resampling}' is not one of ${Object.keys(WARP_METHODS).join(', ')}`,
        { plugin: 'gdal' },
      );
    const bands = options.bands ?? this.bands.map((_, index) => index);
    for (const index of bands) {
      if (!this.bands[index])
        throw new OptionError(
          `band index ${index} does not exist; ${this.describe()} has band indexes 0..${this.bands.length - 1}`,
          { plugin: 'gdal' },
        );
    }
    const bounds = [
      originX,
      originY + target.height * pixelHeight,
      originX + target.width * pixelWidth,
      originY,
    ];
    const args = [
      '-of',
      'MEM',
      '-t_srs',
      target.crs,
      '-te',
      ...bounds.map(String),
      '-ts',
      String(target.width),
      String(target.height),
      '-r',
      method,
    ];
    let opened: OpenedPath | undefined;
    try {
      opened = await this.acquire(signal);
      const source = opened.dataset;
      return await configScopeFor(this.gdal).run(this.plan.config, async () => {
        const warped = await this.gdal.warpAsync(
          `pyramids-warp-${randomUUID()}`,
          null,
          [source],
          args,
        );
        try {
          const results: TypedArray[] = [];
          for (const index of bands) {
            throwIfAborted(signal);
            results.push(
              (await warped.bands
                .get(index + 1)
                .pixels.readAsync(0, 0, target.width, target.height)) as unknown as TypedArray,
            );
          }
          return results;
        } finally {
          warped.close();
        }
      });
    } catch (error) {
      if (isAbortError(error) || PyramidsError.isInstance(error)) throw error;
      throw new ReadError(
        `GDAL could not warp ${this.describe()}: ${redactMessage((error as Error).message ?? String(error))}`,
        { plugin: 'gdal', cause: error },
      );
    } finally {
      if (opened) await this.release(opened);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.reopening?.catch(() => undefined);
    this.current.retired = true;
    if (this.current.users === 0) await this.closeDataset(this.current);
    if (this.plan.headerFile) this.gdal.vsimem.release(this.plan.headerFile);
  }

  /**
   * Re-signs (the signer's cache makes this cheap) and returns the dataset to read,
   * reopened first when the signer gave a new href; counted until `release`.
   */
  private async acquire(signal: AbortSignal | undefined): Promise<OpenedPath> {
    await this.plan.refresh(signal);
    while (!this.closed && this.plan.path !== this.current.path) {
      this.reopening ??= this.reopen(this.plan.path).finally(() => (this.reopening = undefined));
      await this.reopening;
    }
    if (this.closed)
      throw new ReadError(`${this.describe()} was closed; open it again to read`, {
        plugin: 'gdal',
      });
    this.current.users += 1;
    return this.current;
  }

  private async release(opened: OpenedPath): Promise<void> {
    opened.users -= 1;
    if (opened.retired && opened.users === 0) await this.closeDataset(opened);
  }

  /** Opens the dataset again on `path`; the old one closes when its last read is done. */
  private async reopen(path: string): Promise<void> {
    const { dataset } = await configScopeFor(this.gdal).run(this.plan.config, () =>
      openGdalDataset(
        this.gdal,
        path,
        this.extra.openOptions,
        this.extra.variable,
        this.describe(),
      ),
    );
    const previous = this.current;
    this.current = { dataset, path, users: 0, retired: false };
    previous.retired = true;
    if (previous.users === 0) await this.closeDataset(previous);
  }

  private async closeDataset(opened: OpenedPath): Promise<void> {
    await configScopeFor(this.gdal).run(this.plan.config, async () => opened.dataset.close());
  }

  private describe(): string {
    return `raster ${redactHref(this.href)}`;
  }
}

/** Opens `href` with GDAL; the RasterSource the registry hands to a Dataset. */
export async function openGdalSource(
  href: string,
  context: ReaderContext,
  options: GdalReaderOptions,
): Promise<RasterSource> {
  const gdal = await loadGdal();
  throwIfAborted(context.signal);
  const {
    variable: wanted,
    subdataset,
    ...openOptions
  } = (context.options ?? {}) as GdalOpenOptions & { subdataset?: string };
  const variable = wanted ?? subdataset;
  const plan = await planAccess(gdal, href, context, options);
  const describe = `raster ${redactHref(href)}`;
  try {
    return await configScopeFor(gdal).run(plan.config, async () => {
      const opened = await openGdalDataset(gdal, plan.path, openOptions, variable, describe);
      throwIfAborted(context.signal);
      return new GdalRasterSource(gdal, opened.dataset, plan, options, href, {
        ...opened,
        openOptions,
      });
    });
  } catch (error) {
    if (plan.headerFile) gdal.vsimem.release(plan.headerFile);
    if (isAbortError(error) || PyramidsError.isInstance(error)) throw error;
    throw new ReadError(
      `GDAL could not open ${describe}: ${redactMessage((error as Error).message ?? String(error))}`,
      { plugin: 'gdal', cause: error },
    );
  }
}

/** The implementation `gdalReader().load()` returns. */
export function createGdalReaderImplementation(options: GdalReaderOptions): ReaderImplementation {
  return { open: (href, context) => openGdalSource(href, context, options) };
}
