// What reading a cube will cost, from Items and file headers only.
import type { Dataset } from '../dataset/dataset.js';
import { openRaster } from '../dataset/load-asset.js';
import type { Registry } from '../plugins/registry.js';
import { bytesPerSample, type DataType } from '../raster/data-type.js';
import type { Signer } from '../signers/signer.js';
import { planWarp } from '../warp/warp-raster.js';
import type { ChunkContext, ChunkTask } from './chunk-task.js';

/** What reading the cube will cost, from Items and file headers, reading no pixels. */
export interface CubeEstimate {
  items: number;
  timeSteps: number;
  bands: number;
  shape: [number, number, number, number];
  chunks: number;
  /** Distinct source files. */
  sources: number;
  /** Distinct internal tiles (or strips) the reads touch. */
  tiles: number;
  /** Upper bound of bytes fetched: touched tiles at their uncompressed size, plus one header read per source. */
  bytes: number;
  /** Upper bound of requests: one per touched tile plus one per source header. */
  requests: number;
  /** Bytes of the cube's output arrays. */
  outputBytes: number;
}

/** What `estimateCube` needs of the cube. */
export interface EstimateInput {
  tasks: ChunkTask[];
  /** Opens sources once each (the cube's chunk context). */
  context: ChunkContext;
  registry: Registry;
  signer?: Signer;
  fetch?: typeof fetch;
  shape: [number, number, number, number];
  dataType: DataType;
  itemCount: number;
  signal?: AbortSignal;
}

/**
 * Tiles each task's warp touches, counted once per source, level and band. Bytes and
 * requests are upper bounds: `first`/`last` may stop early and readers merge adjacent ranges.
 */
export async function estimateCube(input: EstimateInput): Promise<CubeEstimate> {
  const { tasks, context, signal } = input;
  const tiles = new Set<string>();
  const opened = new Set<string>();
  let bytes = 0;
  for (const task of tasks) {
    for (const [band, list] of task.bands.entries()) {
      for (const source of list) {
        signal?.throwIfAborted();
        opened.add(source.href);
        const dataset: Dataset = await context.openSource!(source, () =>
          openRaster(context.resolveHref!(source.href), {
            registry: input.registry,
            mediaType: source.mediaType,
            signer: input.signer,
            fetch: input.fetch,
            signal,
          }),
        );
        const plan = planWarp(dataset.source, task.grid, {
          window: task.window,
          resampling: task.options.bandResampling?.[band] ?? task.options.resampling,
          errorThreshold: task.options.errorThreshold,
        });
        if (!plan.sourceWindow) continue;
        const level = dataset.levels[plan.level]!;
        const block = dataset.source.blockSize ?? { width: level.width, height: level.height };
        const sample = bytesPerSample(dataset.bands[source.band]?.dataType ?? 'uint8');
        const { x, y, width, height } = plan.sourceWindow;
        for (
          let row = Math.floor(y / block.height);
          row <= Math.floor((y + height - 1) / block.height);
          row++
        ) {
          for (
            let col = Math.floor(x / block.width);
            col <= Math.floor((x + width - 1) / block.width);
            col++
          ) {
            const key = `${source.href}\u0000${plan.level}\u0000${source.band}\u0000${col},${row}`;
            if (tiles.has(key)) continue;
            tiles.add(key);
            bytes += block.width * block.height * sample;
          }
        }
      }
    }
  }
  const sources = opened.size;
  const shape = input.shape;
  return {
    items: input.itemCount,
    timeSteps: shape[0],
    bands: shape[1],
    shape,
    chunks: tasks.length,
    sources,
    tiles: tiles.size,
    bytes: bytes + sources * 16_384,
    requests: tiles.size + sources,
    outputBytes: shape[0] * shape[1] * shape[2] * shape[3] * bytesPerSample(input.dataType),
  };
}
