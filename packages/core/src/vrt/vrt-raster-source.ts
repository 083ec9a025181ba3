// Reads a VRT in pure JS: each source is opened through the registry (any reader,
// GeoTIFF or GDAL), so a mosaic works without GDAL installed.
import { fileUrlToPath, nodeBuiltin } from '../platform/node-builtin.js';
import type { Dataset } from '../dataset/dataset.js';
import { openRaster } from '../dataset/load-asset.js';
import { OptionError } from '../errors/option-error.js';
import { ReadError } from '../errors/read-error.js';
import { throwIfAborted } from '../errors/abort.js';
import type { Registry } from '../plugins/registry.js';
import { allocateArray, isFloatType, type TypedArray } from '../raster/data-type.js';
import type {
  BandInfo,
  OverviewLevel,
  RasterSource,
  ReadRequest,
} from '../raster/raster-source.js';
import { redactHref } from '../signers/redact.js';
import type { Signer } from '../signers/signer.js';
import { PLUGIN_API_VERSION } from '../version.js';
import { gdalPathToHref, parseVsiCurlOptions } from './gdal-path.js';
import type { VrtDocument, VrtRect, VrtSource } from './vrt-document.js';

/** What the JS VRT reader needs besides the document. */
export interface VrtSourceOptions {
  /** Registry whose readers open the VRT's sources. */
  registry: Registry;
  /** Href of the VRT file, for sources marked relativeToVRT. */
  vrtHref?: string;
  signer?: Signer;
  fetch?: typeof fetch;
}

const INTEGER_RANGES: Partial<Record<string, [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint32: [0, 4294967295],
  int32: [-2147483648, 2147483647],
};

/** The href a VRT source filename reads, and headers embedded with it (`/vsicurl?header.…`). */
export function resolveVrtSource(
  source: Pick<VrtSource, 'filename' | 'relativeToVRT'>,
  vrtHref?: string,
): { href: string; headers: Record<string, string> } {
  let filename = source.filename;
  if (source.relativeToVRT && vrtHref && !filename.startsWith('/')) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(vrtHref)) {
      const resolved = new URL(filename, vrtHref).toString();
      filename = resolved.startsWith('file://') ? fileUrlToPath(resolved) : resolved;
    } else {
      const path = nodeBuiltin('node:path', 'a VRT source relative to a local VRT');
      filename = path.resolve(path.dirname(vrtHref), filename);
    }
  }
  const headers = filename.startsWith('/vsicurl?') ? parseVsiCurlOptions(filename).headers : {};
  const href = gdalPathToHref(filename);
  if (!href) {
    throw new ReadError(
      `VRT source ${redactHref(filename)} is a GDAL-only path (archive or in-memory file); register @pyramids/readers-gdal to read this VRT`,
      { details: { gdalOnly: true } },
    );
  }
  return { href, headers };
}

/** A signer that sends headers embedded in a VRT to exactly one URL. */
function embeddedHeadersSigner(url: string, headers: Record<string, string>): Signer {
  return {
    kind: 'signer',
    id: 'vrt-embedded-headers',
    apiVersion: PLUGIN_API_VERSION,
    matches: (candidate) => candidate === url,
    headers: async () => ({ ...headers }),
  };
}

/** GDAL's nearest-neighbour mapping of one axis: output pixel → source pixel, or -1 outside the source. */
function axisMap(
  start: number,
  size: number,
  dst: VrtRect['x'],
  dstSize: number,
  src: number,
  srcSize: number,
  sourceLimit: number,
): Int32Array {
  const map = new Int32Array(size).fill(-1);
  const ratio = srcSize / dstSize;
  for (let index = 0; index < size; index += 1) {
    const centre = start + index + 0.5;
    if (centre < dst || centre >= dst + dstSize) continue;
    const sourcePixel = Math.floor(src + (centre - dst) * ratio + 1e-9);
    if (
      sourcePixel < Math.floor(src) ||
      sourcePixel >= Math.min(sourceLimit, Math.ceil(src + srcSize))
    )
      continue;
    map[index] = sourcePixel;
  }
  return map;
}

/** A RasterSource over a VRT document; sources open lazily on the first read that needs them. */
export class VrtRasterSource implements RasterSource {
  readonly href: string;
  readonly grid: RasterSource['grid'];
  readonly levels: OverviewLevel[];
  readonly bands: BandInfo[];
  readonly metadata: Record<string, unknown>;
  private readonly opened = new Map<string, Promise<Dataset>>();

  constructor(
    readonly document: VrtDocument,
    private readonly options: VrtSourceOptions,
    metadata: Record<string, unknown> = {},
  ) {
    this.href = options.vrtHref ?? '(in-memory VRT)';
    this.grid = {
      crs: document.crs,
      transform: document.transform,
      width: document.width,
      height: document.height,
    };
    this.levels = [
      { width: document.width, height: document.height, transform: document.transform },
    ];
    this.bands = document.bands.map((band) => ({
      dataType: band.dataType,
      nodata: band.nodata,
      scale: band.scale,
      offset: band.offset,
      name: band.description,
    }));
    this.metadata = { driver: 'VRT', ...metadata };
  }

  private open(source: VrtSource, signal?: AbortSignal): Promise<Dataset> {
    const { href, headers } = resolveVrtSource(source, this.options.vrtHref);
    const key = `${href}\n${JSON.stringify(headers)}`;
    let dataset = this.opened.get(key);
    if (!dataset) {
      const signer =
        Object.keys(headers).length > 0
          ? embeddedHeadersSigner(href, headers)
          : this.options.signer;
      dataset = openRaster(href, {
        registry: this.options.registry,
        signer,
        fetch: this.options.fetch,
        signal,
      });
      this.opened.set(key, dataset);
      dataset.catch(() => this.opened.delete(key));
    }
    return dataset;
  }

  async read(request: ReadRequest): Promise<TypedArray[]> {
    const { window, signal } = request;
    if ((request.level ?? 0) !== 0)
      throw new OptionError(
        `the JS VRT reader serves level 0 only; ${redactHref(this.href)} has no overviews here`,
      );
    if (
      window.x < 0 ||
      window.y < 0 ||
      window.x + window.width > this.grid.width ||
      window.y + window.height > this.grid.height ||
      window.width < 1 ||
      window.height < 1
    ) {
      throw new OptionError(
        `window ${JSON.stringify(window)} is not inside ${redactHref(this.href)} (${this.grid.width} × ${this.grid.height})`,
      );
    }
    const indexes = request.bands ?? this.bands.map((_, index) => index);
    const results: TypedArray[] = [];
    for (const index of indexes) {
      const band = this.document.bands[index];
      if (!band)
        throw new OptionError(
          `band index ${index} does not exist in ${redactHref(this.href)} (0..${this.bands.length - 1})`,
        );
      const output = allocateArray(band.dataType, window.width * window.height);
      const fill = band.nodata;
      if (fill !== undefined && (isFloatType(band.dataType) || Number.isFinite(fill)))
        output.fill(fill);
      const range = INTEGER_RANGES[band.dataType];
      for (const source of band.sources) {
        throwIfAborted(signal);
        const dataset = await this.open(source, signal);
        const srcRect = source.srcRect ?? {
          x: 0,
          y: 0,
          width: dataset.width,
          height: dataset.height,
        };
        const dstRect = source.dstRect ?? srcRect;
        const columns = axisMap(
          window.x,
          window.width,
          dstRect.x,
          dstRect.width,
          srcRect.x,
          srcRect.width,
          dataset.width,
        );
        const rows = axisMap(
          window.y,
          window.height,
          dstRect.y,
          dstRect.height,
          srcRect.y,
          srcRect.height,
          dataset.height,
        );
        const validColumns = columns.filter((value) => value >= 0);
        const validRows = rows.filter((value) => value >= 0);
        if (validColumns.length === 0 || validRows.length === 0) continue;
        const x0 = Math.min(...validColumns);
        const x1 = Math.max(...validColumns);
        const y0 = Math.min(...validRows);
        const y1 = Math.max(...validRows);
        if (source.band < 1 || source.band > dataset.bands.length) {
          throw new ReadError(
            `VRT source ${redactHref(dataset.href)} has no band ${source.band} (it has ${dataset.bands.length})`,
          );
        }
        const { data } = await dataset.read({
          window: { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 },
          bands: [source.band],
          signal,
        });
        const values = data[0]! as unknown as ArrayLike<number>;
        const readWidth = x1 - x0 + 1;
        const nodata = source.kind === 'ComplexSource' ? source.nodata : undefined;
        const ratio = source.kind === 'ComplexSource' ? (source.scaleRatio ?? 1) : 1;
        const offset = source.kind === 'ComplexSource' ? (source.scaleOffset ?? 0) : 0;
        for (let row = 0; row < window.height; row += 1) {
          const sourceRow = rows[row]!;
          if (sourceRow < 0) continue;
          for (let column = 0; column < window.width; column += 1) {
            const sourceColumn = columns[column]!;
            if (sourceColumn < 0) continue;
            let value = Number(values[(sourceRow - y0) * readWidth + (sourceColumn - x0)]);
            if (
              nodata !== undefined &&
              (value === nodata || (Number.isNaN(nodata) && Number.isNaN(value)))
            )
              continue;
            value = value * ratio + offset;
            if (range)
              value = Number.isNaN(value)
                ? 0
                : Math.min(range[1], Math.max(range[0], Math.round(value)));
            output[row * window.width + column] = value;
          }
        }
      }
      results.push(output);
    }
    throwIfAborted(signal);
    return results;
  }

  async close(): Promise<void> {
    const datasets = [...this.opened.values()];
    this.opened.clear();
    for (const dataset of datasets) {
      try {
        await (await dataset).close();
      } catch {
        // a source that failed to open has nothing to close
      }
    }
  }
}
