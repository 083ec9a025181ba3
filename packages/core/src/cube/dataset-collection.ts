// The lazy cube: dims time × band × y × x over a target grid, built from STAC
// Items with no pixel read. `planCube` decides what the cube is (cube-plan.ts);
// this class runs the plan as chunk tasks (chunk-task.ts) and reads or writes them.
import type { Dataset } from '../dataset/dataset.js';
import { OptionError } from '../errors/option-error.js';
import type { Grid } from '../grid/grid.js';
import { windowGrid, xCoordinates, yCoordinates } from '../grid/grid.js';
import { allocateArray, type DataType } from '../raster/data-type.js';
import type { PixelWindow } from '../raster/raster-source.js';
import type { ItemsInput } from '../stac/stac-types.js';
import type { ItemIndex } from './item-index.js';
import type { Resampling } from '../warp/resampling.js';
import type { Resampler } from '../warp/resample-request.js';
import type { CubeWriteDescription } from '../plugins/plugin-types.js';
import { runChunkTask, type ChunkContext, type ChunkResult, type ChunkTask } from './chunk-task.js';
import { FUNCTION_FUSE, type CubeOptions, type CubeReadOptions } from './cube-options.js';
import { estimateCube, type CubeEstimate } from './cube-estimate.js';
import {
  checkCubePlan,
  planCube,
  planSignedHrefs,
  type CubeBand,
  type CubePlan,
  type CubeTimeStep,
} from './cube-plan.js';
import {
  chunksOfArray,
  writeCubeChunks,
  type CubeArray,
  type CubeWriteOptions,
} from './cube-write.js';
import { cubeFromPoint, type FromPointOptions } from './from-point.js';
import { labelArray, type LabelledArray } from './labelled-array.js';
import { planChunkTasks } from './plan-chunk-tasks.js';

/** What running a plan needs besides the plan: readers, credentials, I/O and where warnings go. */
export type CubeRunOptions = Pick<CubeOptions, 'registry' | 'signer' | 'fetch' | 'onWarning'> & {
  /** The function of a plan whose method is `(function)`. */
  method?: CubeOptions['method'];
};

/**
 * A lazy cube with dims time × band × y × x: coordinates, grid, per-band
 * nodata/scale/offset/type, and per time step the properties of the items fused
 * into it. Build with `DatasetCollection.fromStac(items, options)`.
 */
export class DatasetCollection {
  readonly grid: Grid;
  readonly dims = ['time', 'band', 'y', 'x'] as const;
  readonly bands: CubeBand[];
  readonly steps: CubeTimeStep[];
  /** True when scale/offset were applied (float32, NaN nodata). */
  readonly rescaled: boolean;
  readonly resampling: Resampling;
  /** A built-in method, a fuse plugin's id, or `(function)`. */
  readonly method: string;
  /** What the cube is, as plain data (`planCube`): print it, send it, run it with `fromPlan`. */
  readonly plan: CubePlan;
  private readonly run: CubeRunOptions;

  private constructor(plan: CubePlan, run: CubeRunOptions) {
    this.plan = plan;
    this.run = run;
    this.grid = plan.grid;
    this.bands = plan.bands;
    this.rescaled = plan.rescale;
    this.resampling = plan.resampling;
    this.method = plan.method;
    this.steps = plan.steps;
  }

  /** [time, band, y, x] sizes. */
  get shape(): [number, number, number, number] {
    return [this.steps.length, this.bands.length, this.grid.height, this.grid.width];
  }

  /** Coordinates: time labels, band names, pixel-centre y and x. */
  get coords(): CubeArray['coords'] {
    return {
      time: this.steps.map((step) => step.label),
      band: this.bands.map((band) => band.name),
      y: yCoordinates(this.grid),
      x: xCoordinates(this.grid),
    };
  }

  /** Data type of the arrays `read` returns (common to all bands). */
  get dataType(): DataType {
    return this.bands[0]!.dataType;
  }

  /**
   * Builds the cube from STAC Items without reading pixels (headers are read only
   * where the Items lack projection or raster metadata): `planCube`, then `fromPlan`.
   * `input` may also be an `ItemIndex` or the path/URL of one (a stac-geoparquet file with
   * `geoparquetCodec()` registered): Items are then looked up per chunk of a grid given by
   * `like`, or `crs` + `resolution` + `bounds`/`bbox`. See `CubeOptions`.
   */
  static async fromStac(
    input: ItemsInput | ItemIndex | string | unknown[],
    options: CubeOptions,
  ): Promise<DatasetCollection> {
    return new DatasetCollection(await planCube(input, options), options);
  }

  /**
   * The cube of a plan (`planCube`, or one read back from `pyramids cube --dry-run --json`),
   * read with `options.registry` and signed by `options.signer`.
   * @throws OptionError when `plan` is not a cube plan of this version.
   */
  static fromPlan(plan: CubePlan, options: CubeRunOptions): DatasetCollection {
    const checked = checkCubePlan(plan);
    // A plan read back from JSON has its step times as strings.
    if (checked.steps.every((step) => typeof step.datetime !== 'string'))
      return new DatasetCollection(checked, options);
    const steps = checked.steps.map((step) => ({
      ...step,
      datetime: step.datetime === undefined ? undefined : new Date(step.datetime),
    }));
    return new DatasetCollection({ ...checked, steps }, options);
  }

  /**
   * Builds the cube around a point, as pyramids.stac's `from_point`: the local UTM zone
   * (6° zones, equator north, no Norway/Svalbard exception), the centre projected and
   * snapped to the resolution (round half to even), a square AOI of exactly `edgeSize` ×
   * `edgeSize` pixels (`units: 'px'`, default) or metres (`units: 'm'`), a search of
   * `collection` over the AOI's reprojected corners and `[startDate, endDate]` in `stac`
   * (default: the Planetary Computer STAC API), then `fromStac` with `bands` as the assets,
   * on exactly the AOI's grid, items grouped by `solar_day` unless `groupby` says otherwise.
   * `signer` signs the search, the returned Items and every read.
   * @throws SearchError when nothing is found (naming the collection, dates and bbox).
   */
  static async fromPoint(options: FromPointOptions): Promise<DatasetCollection> {
    return (
      await cubeFromPoint(
        (items, cubeOptions) => DatasetCollection.fromStac(items, cubeOptions),
        options,
      )
    ).cube;
  }

  /**
   * The chunk tasks covering `window` of the grid (the whole grid by default):
   * time-major, then chunk rows, then chunk columns. Each is serialisable and
   * lists only the sources whose footprint meets the chunk.
   */
  tasks(window?: PixelWindow): ChunkTask[] {
    return planChunkTasks(this.plan, window, this.run.signer?.describe?.());
  }

  private context(
    signal: AbortSignal | undefined,
    cache: Map<string, Promise<Dataset>>,
    resampler?: Resampler,
  ): ChunkContext {
    const options = this.run;
    // Pre-signed hrefs were left out of the tasks; reads in this process still use them.
    const signedHrefs = planSignedHrefs(this.plan);
    return {
      registry: options.registry,
      fuse: typeof options.method === 'function' ? options.method : undefined,
      resolveHref: (href) => signedHrefs.get(href) ?? href,
      signer: options.signer,
      fetch: options.fetch,
      signal,
      resampler,
      onWarning: options.onWarning ?? ((message) => console.warn(`pyramids: ${message}`)),
      openSource: (source, open) => {
        let pending = cache.get(source.href);
        if (!pending) {
          pending = open();
          cache.set(source.href, pending);
          // A failed open is not cached: the next chunk may try again.
          pending.catch(() => cache.delete(source.href));
        }
        return pending;
      },
    };
  }

  /**
   * Runs the chunk tasks of `window` with a bounded number in flight, yielding
   * each chunk as it completes. Aborting stops the reads and rethrows the abort.
   */
  async *chunks(
    options: CubeReadOptions & { window?: PixelWindow } = {},
  ): AsyncGenerator<ChunkResult> {
    const tasks = this.tasks(options.window);
    const cache = new Map<string, Promise<Dataset>>();
    const context = this.context(options.signal, cache, options.resampler);
    let next = 0;
    let completed = 0;
    const running = new Map<number, Promise<{ id: number; result: ChunkResult }>>();
    const start = () => {
      const id = next++;
      const running$ = options.runTask
        ? options.runTask(tasks[id]!, options.signal)
        : runChunkTask(tasks[id]!, context);
      const pending = running$.then((result) => ({ id, result }));
      // Observed by the next race; until then (the consumer may take its time between
      // chunks, e.g. writing one) a failure must not count as an unhandled rejection.
      pending.catch(() => undefined);
      running.set(id, pending);
    };
    if (options.runTask && this.plan.method === FUNCTION_FUSE)
      throw new OptionError(
        "a fuse function passed as method runs in this thread only; register it with fusePlugin(id, fn) in the workers' registry and pass method: id",
      );
    try {
      options.signal?.throwIfAborted();
      // The chunks of one row of one time step start together, so their reads of the same
      // tile rows go out in the same turn and the reader merges them into one request.
      const startRows = () => {
        while (next < tasks.length) {
          const first = tasks[next]!;
          let rowEnd = next;
          while (
            rowEnd < tasks.length &&
            tasks[rowEnd]!.time === first.time &&
            tasks[rowEnd]!.window.y === first.window.y
          )
            rowEnd++;
          const free = this.plan.concurrency - running.size;
          const row = Math.min(rowEnd - next, this.plan.concurrency);
          if (free < row) return;
          for (let index = 0; index < row; index++) start();
        }
      };
      startRows();
      while (running.size > 0) {
        const { id, result } = await Promise.race(running.values());
        running.delete(id);
        completed++;
        options.onProgress?.({ completed, total: tasks.length });
        startRows();
        yield result;
      }
    } finally {
      // Let stragglers settle (their errors are already reported or irrelevant), then release files.
      await Promise.allSettled(running.values());
      await Promise.allSettled([...cache.values()].map(async (pending) => (await pending).close()));
    }
  }

  /** Reads a window of the grid for every time step and band: shape [time, band, window.height, window.width]. */
  async readWindow(window: PixelWindow, options: CubeReadOptions = {}): Promise<CubeArray> {
    const [times, bandCount] = [this.steps.length, this.bands.length];
    const data = allocateArray(this.dataType, times * bandCount * window.width * window.height);
    for await (const chunk of this.chunks({ ...options, window })) {
      for (let band = 0; band < bandCount; band++) {
        const values = chunk.data[band]!;
        const planeStart = (chunk.time * bandCount + band) * window.width * window.height;
        for (let row = 0; row < chunk.window.height; row++) {
          const targetStart =
            planeStart +
            (chunk.window.y - window.y + row) * window.width +
            (chunk.window.x - window.x);
          (data as Float64Array).set(
            (values as Float64Array).subarray(
              row * chunk.window.width,
              (row + 1) * chunk.window.width,
            ),
            targetStart,
          );
        }
      }
    }
    const grid = windowGrid(this.grid, window);
    return {
      data,
      shape: [times, bandCount, window.height, window.width],
      dims: ['time', 'band', 'y', 'x'],
      coords: {
        time: this.steps.map((step) => step.label),
        band: this.bands.map((band) => band.name),
        y: yCoordinates(grid),
        x: xCoordinates(grid),
      },
      grid,
    };
  }

  /** Reads the whole cube, labelled: `sel`, `isel` and `attrs` as in xarray. */
  async read(options: CubeReadOptions = {}): Promise<LabelledArray> {
    return labelArray(
      await this.readWindow(
        { x: 0, y: 0, width: this.grid.width, height: this.grid.height },
        options,
      ),
      this,
    );
  }

  /**
   * The cube as writers see it: grid, data type, time labels, bands, cube metadata and
   * chunk size. `write` hands it to the writer; a distributed writer (@pyramids/queue)
   * lays out its store from it.
   */
  writeDescription(): CubeWriteDescription {
    return {
      grid: this.grid,
      dataType: this.dataType,
      time: this.steps.map((step) => step.label),
      bands: this.bands,
      metadata: {
        PYRAMIDS_DIMS: 'time,band,y,x',
        PYRAMIDS_RESAMPLING: this.resampling,
        PYRAMIDS_METHOD: this.method,
        PYRAMIDS_RESCALED: String(this.rescaled),
      },
      chunkSize: this.plan.chunkSize,
    };
  }

  /**
   * Writes the cube as it is read: chunks go to the writer as they complete, so
   * memory holds the chunks in flight and the tiles they partly cover, never the
   * whole cube. The writer is the registry's for `format` or the target's
   * extension, else the built-in GeoTIFF writer. A GeoTIFF file target gets every
   * band of every time step, time-major (t0/b0, t0/b1, t1/b0, …), each described
   * `<time label>/<band name>`, with nodata, CRS and geotransform of the target grid;
   * a directory target (an existing directory, or a path ending in `/`) gets one
   * GeoTIFF per time step, named after its label. Nothing is left behind on failure
   * or abort. Returns the files written.
   *
   * @throws OptionError when no writer serves the target or `format`.
   */
  async write(target: string, options: CubeWriteOptions = {}): Promise<string[]> {
    const { array: given, signal, onProgress, runTask, resampler, ...writerOptions } = options;
    const chunks = given
      ? chunksOfArray(given, this.plan.chunkSize)
      : this.chunks({ signal, onProgress, runTask, resampler });
    return writeCubeChunks(target, this.writeDescription(), chunks, this.run.registry, {
      ...writerOptions,
      signal,
    });
  }

  /**
   * What reading the cube will cost — sources, tiles, bytes, requests — from the
   * Items and file headers only (no pixel is read). Bytes and requests are upper
   * bounds: `first`/`last` may stop early and readers merge adjacent ranges.
   */
  async estimate(options: { signal?: AbortSignal } = {}): Promise<CubeEstimate> {
    const cache = new Map<string, Promise<Dataset>>();
    try {
      return await estimateCube({
        tasks: this.tasks(),
        context: this.context(options.signal, cache),
        registry: this.run.registry,
        signer: this.run.signer,
        fetch: this.run.fetch,
        shape: this.shape,
        dataType: this.dataType,
        itemCount: this.plan.itemCount,
        signal: options.signal,
      });
    } finally {
      await Promise.allSettled([...cache.values()].map(async (pending) => (await pending).close()));
    }
  }
}
