// One chunk of a cube as data: a serialisable task (structured-clonable, no
// secrets, no functions) and the pure function that runs it. A worker thread or
// another machine can run the same task with its own registry and signer.
import type { Dataset } from '../dataset/dataset.js';
import { openRaster } from '../dataset/load-asset.js';
import { isAbortError } from '../errors/abort.js';
import { PyramidsError } from '../errors/pyramids-error.js';
import { ReadError } from '../errors/read-error.js';
import { SignerError } from '../errors/signer-error.js';
import type { Grid } from '../grid/grid.js';
import type { Registry } from '../plugins/registry.js';
import type { DataType, TypedArray } from '../raster/data-type.js';
import type { PixelWindow } from '../raster/raster-source.js';
import { redactHref } from '../signers/redact.js';
import type { Signer } from '../signers/signer.js';
import type { Resampling } from '../warp/resampling.js';
import type { Resampler } from '../warp/resample-request.js';
import {
  warpedToFloat64,
  warpRaster,
  warpRasterPixels,
  type WarpedPixels,
} from '../warp/warp-raster.js';
import { OptionError } from '../errors/option-error.js';
import type { FuseFunction } from '../plugins/plugin-types.js';
import { FUNCTION_FUSE, type FuseMethod } from './cube-options.js';
import { fuseLayers, isBuiltInFuse, toOutputArray } from './fuse-pixels.js';
import { keptPixels, type MaskRule } from './cube-mask.js';
import { pickLayers } from './pick-layers.js';

/** One source layer of a chunk: which band of which asset, with the Item's own nodata/scale/offset. */
export interface ChunkSource {
  item: string;
  asset: string;
  /**
   * Resolved and patched href, unsigned (signing happens at read time). A pre-signed
   * href (SAS token, presigned URL) is here without its query: the task's signer signs it again.
   */
  href: string;
  mediaType?: string;
  /** 0-based band of the asset. */
  band: number;
  /** From the Item's raster metadata; the file's own values are used when absent. */
  nodata?: number;
  scale?: number;
  offset?: number;
  /** The Item's mask band, read with nearest: pixels it rejects are nodata in this layer. */
  mask?: ChunkMask;
}

/** A mask band of a source's Item and the rule that keeps a pixel (`CubeOptions.mask`). */
export interface ChunkMask extends MaskRule {
  asset: string;
  /** Unsigned href, as `ChunkSource.href`. */
  href: string;
  mediaType?: string;
  band: number;
}

/** Everything a chunk read depends on. */
export interface ChunkTask {
  kind: 'pyramids.cube-chunk';
  version: 1;
  grid: Grid;
  window: PixelWindow;
  /** Time step index and label. */
  time: number;
  label: string;
  /** Per cube band, its sources in fusing order. */
  bands: ChunkSource[][];
  options: {
    resampling: Resampling;
    /** Per cube band, when bands resample differently (`resampling: { SCL: 'nearest', … }`). */
    bandResampling?: Resampling[];
    /** A built-in method or a registered fuse plugin's id (`(function)`: `ChunkContext.fuse`). */
    method: string;
    rescale: boolean;
    dtype: DataType;
    /** Output nodata per band. */
    nodata: number[];
    errorsAsNodata: boolean;
    errorThreshold?: number;
    /** The signer's non-secret description (`signer.describe()`), to rebuild it elsewhere. */
    signer?: { id: string; options: Record<string, unknown> };
  };
}

/** The pixels of one chunk: one array per cube band over the task's window. */
export interface ChunkResult {
  time: number;
  label: string;
  window: PixelWindow;
  data: TypedArray[];
}

/** What running a task needs besides the task: I/O, credentials, cancellation. */
export interface ChunkContext {
  registry: Registry;
  /**
   * The signer; when absent and the task names one, the registry's signer of that id
   * rebuilds it from the task's description (`fromDescription`), or signs as registered.
   */
  signer?: Signer;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Opens (or reuses) a source; default opens through `openRaster` every time. */
  openSource?: (source: ChunkSource, open: () => Promise<Dataset>) => Promise<Dataset>;
  onWarning?: (message: string) => void;
  /** The function of a cube fused by a function passed as `method` (`CubePlan.method` `(function)`). */
  fuse?: FuseFunction;
  /** The href to open for a task's href (the cube restores pre-signed queries it kept out of tasks); default the href itself. */
  resolveHref?: (href: string) => string;
  /** Runs the resampling kernels (see `WarpOptions.resampler`); default: in this thread. */
  resampler?: Resampler;
}

function resolveSigner(task: ChunkTask, context: ChunkContext): Signer | undefined {
  if (context.signer) return context.signer;
  const wanted = task.options.signer;
  if (!wanted || wanted.id === 'anonymous') return undefined;
  const signer = context.registry.getSigner(wanted.id);
  if (signer?.fromDescription) return signer.fromDescription(wanted);
  if (!signer) {
    throw new SignerError(
      `this chunk needs signer '${wanted.id}', which is not registered here; register it with registry.use(...)`,
      {
        plugin: wanted.id,
      },
    );
  }
  return signer;
}

function resolveFuse(task: ChunkTask, context: ChunkContext): FuseMethod | FuseFunction {
  const { method } = task.options;
  if (isBuiltInFuse(method)) return method;
  if (method === FUNCTION_FUSE && context.fuse) return context.fuse;
  const plugin = context.registry.getFuse(method);
  if (plugin) return plugin.fuse;
  throw new OptionError(
    method === FUNCTION_FUSE
      ? 'this chunk is fused by a function passed as method, which cannot cross to a worker; register it with fusePlugin(id, fn) in every registry and pass method: id'
      : `this chunk is fused by '${method}', which is not registered here; register its fuse plugin (fusePlugin) with registry.use(...)`,
  );
}

/**
 * Runs one chunk task: for each band, warps each source onto the chunk window
 * (opening it through the registry, signing per read) and fuses them. A pure
 * function of (sources, window, options); aborts rethrow unwrapped.
 */
export async function runChunkTask(task: ChunkTask, context: ChunkContext): Promise<ChunkResult> {
  const signer = resolveSigner(task, context);
  const fuse = resolveFuse(task, context);
  const { window, options } = task;
  const length = window.width * window.height;
  // One read per mask per chunk, shared by every band of the Item.
  const masks = new Map<string, Promise<Uint8Array>>();
  const keptBy = (mask: ChunkMask): Promise<Uint8Array> => {
    let pending = masks.get(mask.href);
    if (!pending) {
      pending = (async () => {
        const href = context.resolveHref?.(mask.href) ?? mask.href;
        const open = () =>
          openRaster(href, {
            registry: context.registry,
            mediaType: mask.mediaType,
            signer,
            fetch: context.fetch,
            signal: context.signal,
          });
        const dataset = await (context.openSource
          ? context.openSource(
              {
                item: '',
                asset: mask.asset,
                href: mask.href,
                mediaType: mask.mediaType,
                band: mask.band,
              },
              open,
            )
          : open());
        const result = await warpRaster(dataset.source, task.grid, {
          window,
          bands: [mask.band],
          resampling: 'nearest',
          errorThreshold: options.errorThreshold,
          signal: context.signal,
        });
        return keptPixels(result.data[0]!, mask);
      })().catch((error: unknown) => {
        if (isAbortError(error) || PyramidsError.isInstance(error)) throw error;
        throw new ReadError(
          `could not read mask '${mask.asset}' (${redactHref(mask.href)}): ${(error as Error).message ?? String(error)}`,
          { cause: error },
        );
      });
      masks.set(mask.href, pending);
    }
    return pending;
  };
  // Every band at once: the reads of all of them go out together (and merge with the
  // chunk row's other chunks in the reader).
  const fuseBand = async (bandIndex: number): Promise<TypedArray> => {
    const sources = task.bands[bandIndex]!;
    const layerAt = async (
      index: number,
      filled?: Uint8Array,
    ): Promise<WarpedPixels | undefined> => {
      context.signal?.throwIfAborted();
      const source = sources[index]!;
      const href = context.resolveHref?.(source.href) ?? source.href;
      const open = () =>
        openRaster(href, {
          registry: context.registry,
          mediaType: source.mediaType,
          signer,
          fetch: context.fetch,
          signal: context.signal,
        });
      try {
        const dataset = await (context.openSource ? context.openSource(source, open) : open());
        if (source.band >= dataset.bands.length) {
          throw new ReadError(
            `asset '${source.asset}' of item ${source.item} has ${dataset.bands.length} band(s); band ${source.band + 1} does not exist`,
          );
        }
        const pixels = await warpRasterPixels(dataset.source, task.grid, {
          window,
          bands: [source.band],
          resampling: options.bandResampling?.[bandIndex] ?? options.resampling,
          nodata: [source.nodata],
          errorThreshold: options.errorThreshold,
          signal: context.signal,
          resampler: context.resampler,
          skip: filled,
        });
        const info = dataset.bands[source.band]!;
        const scale = options.rescale ? (source.scale ?? info.scale ?? 1) : 1;
        const offset = options.rescale ? (source.offset ?? info.offset ?? 0) : 0;
        // The source's own values as they are (a typed copy for first/last) unless masked or rescaled.
        if (!source.mask && scale === 1 && offset === 0) return pixels;
        const layer = warpedToFloat64(pixels)[0]!;
        if (source.mask) {
          const kept = await keptBy(source.mask);
          for (let pixel = 0; pixel < layer.length; pixel++) if (!kept[pixel]) layer[pixel] = NaN;
        }
        if (scale !== 1 || offset !== 0)
          for (let pixel = 0; pixel < layer.length; pixel++)
            layer[pixel] = layer[pixel]! * scale + offset;
        return { kind: 'resampled', plan: pixels.plan, data: [layer] };
      } catch (error) {
        if (isAbortError(error)) throw error;
        const message = (error as Error).message ?? String(error);
        if (options.errorsAsNodata) {
          context.onWarning?.(
            `could not read asset '${source.asset}' of item ${source.item} (${redactHref(href)}): ${message}; using nodata for it`,
          );
          return undefined;
        }
        if (PyramidsError.isInstance(error)) throw error;
        throw new ReadError(
          `could not read asset '${source.asset}' of item ${source.item} (${redactHref(href)}): ${message}`,
          {
            cause: error,
            details: { item: source.item, asset: source.asset },
          },
        );
      }
    };
    const nodata = options.nodata[bandIndex]!;
    if (fuse === 'first' || fuse === 'last') {
      return pickLayers(fuse, options.dtype, nodata, length, sources.length, layerAt);
    }
    const floatLayerAt = async (index: number) => {
      const pixels = await layerAt(index);
      return pixels && warpedToFloat64(pixels)[0];
    };
    const fused = await fuseLayers(fuse, length, sources.length, floatLayerAt);
    return toOutputArray(fused, options.dtype, nodata);
  };
  const data = await Promise.all(task.bands.map((_, bandIndex) => fuseBand(bandIndex)));
  return { time: task.time, label: task.label, window, data };
}
