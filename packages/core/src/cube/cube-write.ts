// Writing a cube: the writer plugin for the target (or the built-in GeoTIFF writer)
// takes the cube's chunks as they complete, so memory never holds the whole cube.
import { OptionError } from '../errors/option-error.js';
import type { Grid } from '../grid/grid.js';
import { hrefExtension } from '../plugins/normalize-media-type.js';
import type { CubeWriteChunk, CubeWriteDescription } from '../plugins/plugin-types.js';
import type { Registry } from '../plugins/registry.js';
import { nodeBuiltin } from '../platform/node-builtin.js';
import { allocateArray, dataTypeOf, type TypedArray } from '../raster/data-type.js';
import type { WriteGeoTiffOptions } from '../write/geotiff-writer.js';
import { geotiffWriter } from '../write/geotiff-writer-plugin.js';
import type { CubeReadOptions } from './cube-options.js';

/** Cube pixels with their dims and coordinates. */
export interface CubeArray {
  /** Row-major over `shape`: time, band, y, x. */
  data: TypedArray;
  shape: [number, number, number, number];
  dims: ['time', 'band', 'y', 'x'];
  coords: { time: string[]; band: string[]; y: Float64Array; x: Float64Array };
  /** The grid of exactly these pixels. */
  grid: Grid;
}

/** Options of `cube.write`: a read's options plus the writer's (the GeoTIFF writer's are typed here). */
export interface CubeWriteOptions
  extends CubeReadOptions, Omit<WriteGeoTiffOptions, 'signal' | 'compression'> {
  /** The writer's compression: `deflate` | `lzw` | `none` for GeoTIFF, `gzip` | `none` for Zarr. */
  compression?: 'deflate' | 'lzw' | 'gzip' | 'none';
  /** Pixels already read with `cube.read()`, to write without reading again. */
  array?: CubeArray;
  /** Writer to use, by id or format name (`gtiff`, `cog`, `zarr`); by default the target's extension decides. */
  format?: string;
  /** Sees every chunk before the writer does (a preview, statistics); must not change it. */
  onChunk?: (chunk: CubeWriteChunk) => void;
  /** Options of other writers pass through as they are. */
  [option: string]: unknown;
}

/** The chunks, each shown to `onChunk` first. */
async function* observed(
  chunks: AsyncIterable<CubeWriteChunk>,
  onChunk: (chunk: CubeWriteChunk) => void,
): AsyncGenerator<CubeWriteChunk> {
  for await (const chunk of chunks) {
    onChunk(chunk);
    yield chunk;
  }
}

/** Chunks of pixels already read, cut on the cube's chunk grid (as `chunks()` gives them). */
export async function* chunksOfArray(
  array: CubeArray,
  chunkSize: readonly [number, number],
): AsyncGenerator<CubeWriteChunk> {
  const [times, bands, height, width] = array.shape;
  const [chunkWidth, chunkHeight] = chunkSize;
  for (let time = 0; time < times; time++) {
    for (let y = 0; y < height; y += chunkHeight) {
      for (let x = 0; x < width; x += chunkWidth) {
        const window = {
          x,
          y,
          width: Math.min(chunkWidth, width - x),
          height: Math.min(chunkHeight, height - y),
        };
        const data = Array.from({ length: bands }, (_, band) => {
          const plane = array.data.subarray(
            (time * bands + band) * width * height,
            (time * bands + band + 1) * width * height,
          ) as TypedArray;
          const values = allocateArray(dataTypeOf(plane), window.width * window.height);
          for (let row = 0; row < window.height; row++) {
            (values as Float64Array).set(
              (plane as Float64Array).subarray(
                (y + row) * width + x,
                (y + row) * width + x + window.width,
              ),
              row * window.width,
            );
          }
          return values as TypedArray;
        });
        yield { time, window, data };
      }
    }
  }
}

/**
 * Writes `chunks` to `target` with the registry's writer for `format` or the target's
 * extension, else the built-in GeoTIFF writer (which serves .tif, names without an
 * extension and directories other than a Zarr store). Returns the files written.
 * @throws OptionError when no writer serves the target or `format`.
 */
export async function writeCubeChunks(
  target: string,
  description: CubeWriteDescription,
  chunks: AsyncIterable<CubeWriteChunk>,
  registry: Registry,
  options: Pick<CubeWriteOptions, 'format' | 'onChunk' | 'signal'> & Record<string, unknown>,
): Promise<string[]> {
  const { format, onChunk, ...writerOptions } = options;
  const { stat } = nodeBuiltin('node:fs/promises', 'writing a cube to files');
  const path = nodeBuiltin('node:path', 'writing a cube to files');
  const isDirectory =
    target.endsWith('/') ||
    target.endsWith(path.sep) ||
    (await stat(target).then(
      (info) => info.isDirectory(),
      () => false,
    ));
  const resolved = isDirectory && !/[\\/]$/.test(target) ? `${target}${path.sep}` : target;
  const fallback = geotiffWriter();
  const extension = hrefExtension(resolved.replace(/\\/g, '/'));
  const fallbackServes =
    format === undefined
      ? extension === '' ||
        fallback.extensions.includes(extension) ||
        (isDirectory && extension !== '.zarr')
      : [fallback.id, ...(fallback.formats ?? [])].includes(format.toLowerCase());
  const writer = registry.writerFor(resolved, format) ?? (fallbackServes ? fallback : undefined);
  if (!writer) {
    const known = [fallback, ...registry.writers].flatMap((plugin) => [
      ...plugin.extensions,
      ...(plugin.formats ?? []),
    ]);
    throw new OptionError(
      `no registered writer serves ${format === undefined ? `the output ${JSON.stringify(target)}` : `format ${JSON.stringify(format)}`}; ` +
        `known: ${[...new Set(known)].join(', ')} (register a writer plugin with registry.use(...))`,
    );
  }
  const implementation = await writer.load();
  return implementation.write(
    resolved,
    description,
    onChunk ? observed(chunks, onChunk) : chunks,
    writerOptions,
  );
}
