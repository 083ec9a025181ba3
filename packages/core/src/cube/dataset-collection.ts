// The lazy cube: dims time × band × y × x over a target grid, built from STAC
// Items with no pixel read. Reads run as chunk tasks (see chunk-task.ts).
import type { Dataset } from '../dataset/dataset.js';
import { openRaster } from '../dataset/load-asset.js';
import { AlignmentError } from '../errors/alignment-error.js';
import { GridError } from '../errors/grid-error.js';
import { OptionError } from '../errors/option-error.js';
import { StacAssetError } from '../errors/stac-asset-error.js';
import {
  createTransformer,
  isGeographic,
  loadCrs,
  normalizeCrs,
  transformBounds,
  utmZoneEpsg,
} from '../grid/crs.js';
import {
  checkGridSize,
  DEFAULT_MAX_PIXELS,
  gridBounds,
  gridFromBounds,
  gridResolution,
  gridsEqual,
  xCoordinates,
  yCoordinates,
  type Bounds,
  type Grid,
} from '../grid/grid.js';
import type { DataType, TypedArray } from '../raster/data-type.js';
import { allocateArray, bytesPerSample, dataTypeOf, isFloatType } from '../raster/data-type.js';
import type { PixelWindow } from '../raster/raster-source.js';
import { assetMediaType, hasAsset, itemBbox } from '../stac/accessors.js';
import { resolveAlternateHref } from '../stac/alternate-href.js';
import { applyBandConfig } from './band-config.js';
import { labelArray, type LabelledArray } from './labelled-array.js';
import { readExtensionMetadata, type ExtensionMetadata } from '../stac/extension-metadata.js';
import { toItems } from '../stac/items.js';
import type { ItemsInput, StacItem } from '../stac/stac-types.js';
import { withoutSignedQuery } from '../signers/redact.js';
import { planWarp } from '../warp/warp-raster.js';
import type { WriteGeoTiffOptions } from '../write/geotiff-writer.js';
import { geotiffWriter } from '../write/geotiff-writer-plugin.js';
import { hrefExtension } from '../plugins/normalize-media-type.js';
import type { CubeWriteChunk, CubeWriteDescription } from '../plugins/plugin-types.js';
import { parseResampling, type Resampling } from '../warp/resampling.js';
import {
  runChunkTask,
  type ChunkContext,
  type ChunkResult,
  type ChunkSource,
  type ChunkTask,
} from './chunk-task.js';
import { commonDataType } from './common-data-type.js';
import {
  FUSE_METHODS,
  type CubeOptions,
  type CubeReadOptions,
  type FuseMethod,
} from './cube-options.js';
import { cubeFromPoint, type FromPointOptions } from './from-point.js';
import { groupItems, itemIntersectsBbox, type ItemGroup } from './group-items.js';
import { nodeBuiltin } from '../platform/node-builtin.js';

/** One band of the cube: an asset, with its output type and nodata, and what the source says. */
export interface CubeBand {
  /** Band name: the asset key. */
  name: string;
  asset: string;
  /** Output data type of the cube's arrays. */
  dataType: DataType;
  /** Output nodata. */
  nodata: number;
  /** Scale and offset still to apply to output values (1 and 0 once rescaled). */
  scale: number;
  offset: number;
  unit?: string;
  /** What the first item says about the source band. */
  source: { dataType: DataType; nodata?: number; scale?: number; offset?: number };
}

/** One time step: its label, time and the items fused into it. */
export interface CubeTimeStep {
  label: string;
  datetime: Date | undefined;
  items: { id: string; collection?: string; properties: Record<string, unknown> }[];
}

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
async function* chunksOfArray(
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

interface SourceEntry extends ChunkSource {
  /** Footprint in the target CRS, when the Item says; undefined = unknown (always read). */
  bounds?: Bounds;
  /** The href as given, when its query signs it (a SAS token, a presigned URL): read with it, kept out of tasks. */
  signedHref?: string;
}

interface CubeState {
  grid: Grid;
  bands: CubeBand[];
  groups: ItemGroup[];
  /** sources[time][band] in fusing order. */
  sources: SourceEntry[][][];
  options: CubeOptions;
  /** The default resampling, and per band name the ones `resampling: { NAME: … }` chose. */
  resampling: Resampling;
  resamplingByBand: Record<string, Resampling>;
  method: FuseMethod;
  chunkSize: [number, number];
  concurrency: number;
  itemCount: number;
}

function describeGrid(grid: Grid): string {
  const [resX, resY] = gridResolution(grid);
  return `${grid.crs ?? 'no CRS'} ${grid.width} × ${grid.height} at ${resX} × ${resY}, origin (${grid.transform[0]}, ${grid.transform[3]})`;
}

function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new OptionError(`${name} must be a positive integer; got ${JSON.stringify(value)}`);
  return value;
}

function checkOptions(options: CubeOptions): {
  assets: string[];
  method: FuseMethod;
  resampling: Resampling;
  resamplingByBand: Record<string, Resampling>;
  chunkSize: [number, number];
  concurrency: number;
} {
  if (!options || typeof options !== 'object' || !options.registry)
    throw new OptionError(
      'fromStac needs options with a registry: createRegistry().use(geotiffReader())',
    );
  const assets =
    typeof options.asset === 'string'
      ? [options.asset]
      : Array.isArray(options.asset)
        ? options.asset
        : [];
  if (assets.length === 0 || assets.some((asset) => typeof asset !== 'string' || asset === '')) {
    throw new OptionError(
      `asset must be an asset key or a non-empty list of keys; got ${JSON.stringify(options.asset)}`,
    );
  }
  if (new Set(assets).size !== assets.length)
    throw new OptionError(`asset lists a key twice: ${assets.join(', ')}`);
  const method = options.method ?? 'first';
  if (!FUSE_METHODS.includes(method))
    throw new OptionError(
      `unknown method ${JSON.stringify(method)}; use one of ${FUSE_METHODS.join(', ')}`,
    );
  const { resampling, resamplingByBand } = parseResamplingOption(options.resampling, assets);
  const gridOptions = (['crs', 'resolution', 'bounds'] as const).filter(
    (name) => options[name] !== undefined,
  );
  if (options.like !== undefined && gridOptions.length > 0) {
    throw new OptionError(
      `pass either like or crs + resolution (+ bounds), not both; got like and ${gridOptions.join(', ')}`,
    );
  }
  if (gridOptions.length > 0 && (options.crs === undefined || options.resolution === undefined)) {
    throw new OptionError(
      `a target grid needs crs and resolution together (and optionally bounds); got only ${gridOptions.join(', ')}`,
    );
  }
  if (
    options.bounds !== undefined &&
    (!Array.isArray(options.bounds) ||
      options.bounds.length !== 4 ||
      options.bounds.some((value) => !Number.isFinite(value)))
  ) {
    throw new OptionError(
      `bounds must be [minX, minY, maxX, maxY]; got ${JSON.stringify(options.bounds)}`,
    );
  }
  if (
    options.bbox !== undefined &&
    (!Array.isArray(options.bbox) ||
      options.bbox.length !== 4 ||
      options.bbox.some((value) => !Number.isFinite(value)))
  ) {
    throw new OptionError(
      `bbox must be [west, south, east, north] in degrees; got ${JSON.stringify(options.bbox)}`,
    );
  }
  if (options.maxItems !== undefined) positiveInteger(options.maxItems, 'maxItems');
  const size = options.chunkSize ?? 1024;
  const chunkSize: [number, number] = typeof size === 'number' ? [size, size] : [size[0], size[1]];
  chunkSize.forEach((value) => positiveInteger(value, 'chunkSize'));
  const concurrency = positiveInteger(options.concurrency ?? 8, 'concurrency');
  return { assets, method, resampling, resamplingByBand, chunkSize, concurrency };
}

/**
 * `resampling` as one method, or per band name (`{ SCL: 'nearest', '*': 'bilinear' }`, `'*'`
 * for the other bands, default nearest): categorical bands (classes, bit masks) need nearest
 * while reflectance reads better smoothed.
 */
function parseResamplingOption(
  value: CubeOptions['resampling'],
  assets: string[],
): { resampling: Resampling; resamplingByBand: Record<string, Resampling> } {
  if (value === undefined || typeof value === 'string')
    return { resampling: parseResampling(value), resamplingByBand: {} };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new OptionError(
      `resampling must be a method or { band: method, '*': method }; got ${JSON.stringify(value)}`,
    );
  const resamplingByBand: Record<string, Resampling> = {};
  for (const [band, method] of Object.entries(value)) {
    if (band !== '*' && !assets.includes(band))
      throw new OptionError(
        `resampling names the band ${JSON.stringify(band)}, which the cube does not have; its bands: ${assets.join(', ')} (or '*' for the rest)`,
      );
    if (band !== '*') resamplingByBand[band] = parseResampling(method);
  }
  return { resampling: parseResampling(value['*']), resamplingByBand };
}

/** Snaps bounds outward onto the pixel lattice of `grid` (same origin and resolution). */
function gridOnLattice(lattice: Grid, bounds: Bounds, maxPixels: number): Grid {
  const [resX, resY] = [Math.abs(lattice.transform[1]), Math.abs(lattice.transform[5])];
  const originX = lattice.transform[0];
  const originY = lattice.transform[3];
  const minX = originX + Math.floor((bounds[0] - originX) / resX + 1e-9) * resX;
  const maxX = originX + Math.ceil((bounds[2] - originX) / resX - 1e-9) * resX;
  const maxY = originY - Math.floor((originY - bounds[3]) / resY + 1e-9) * resY;
  const minY = originY - Math.ceil((originY - bounds[1]) / resY - 1e-9) * resY;
  const grid: Grid = {
    crs: lattice.crs,
    transform: [minX, resX, 0, maxY, 0, -resY],
    width: Math.max(1, Math.round((maxX - minX) / resX)),
    height: Math.max(1, Math.round((maxY - minY) / resY)),
  };
  checkGridSize(grid, maxPixels);
  return grid;
}

function union(boxes: Bounds[]): Bounds | undefined {
  if (boxes.length === 0) return undefined;
  return [
    Math.min(...boxes.map((box) => box[0])),
    Math.min(...boxes.map((box) => box[1])),
    Math.max(...boxes.map((box) => box[2])),
    Math.max(...boxes.map((box) => box[3])),
  ];
}

function intersects(a: Bounds, b: Bounds): boolean {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

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
  readonly method: FuseMethod;
  private readonly state: CubeState;

  private constructor(state: CubeState) {
    this.state = state;
    this.grid = state.grid;
    this.bands = state.bands;
    this.rescaled = state.options.rescale === true;
    this.resampling = state.resampling;
    this.method = state.method;
    this.steps = state.groups.map((group) => ({
      label: group.label,
      datetime: group.datetime,
      items: group.items.map((item) => ({
        id: item.id,
        ...(typeof item.collection === 'string' ? { collection: item.collection } : {}),
        properties: item.properties,
      })),
    }));
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
   * where the Items lack projection or raster metadata). See `CubeOptions`.
   */
  static async fromStac(
    input: ItemsInput | unknown[],
    options: CubeOptions,
  ): Promise<DatasetCollection> {
    const { assets, method, resampling, resamplingByBand, chunkSize, concurrency } =
      checkOptions(options);
    options.signal?.throwIfAborted();
    let items = applyBandConfig(
      Array.isArray(input) ? input.flatMap((entry) => toItems(entry)) : toItems(input),
      options.bandConfig,
    );
    // Client-side post-filters, before anything is opened.
    if (options.bbox) items = items.filter((item) => itemIntersectsBbox(item, options.bbox!));
    if (options.maxItems !== undefined) items = items.slice(0, options.maxItems);
    if (items.length === 0) {
      throw new StacAssetError(
        options.bbox
          ? `no item intersects bbox ${JSON.stringify(options.bbox)}`
          : 'no items to build a cube from',
      );
    }
    const kept: StacItem[] = [];
    for (const item of items) {
      const missing = assets.filter((asset) => !hasAsset(item, asset));
      if (missing.length === 0) kept.push(item);
      else if (!options.skipMissing) {
        throw new StacAssetError(
          `asset '${missing[0]}' not found on item ${item.id}; available: ${Object.keys(item.assets).join(', ') || '(none)'}. ` +
            'Pass skipMissing to drop such items',
          { details: { item: item.id, asset: missing[0], available: Object.keys(item.assets) } },
        );
      }
    }
    if (kept.length === 0) {
      throw new StacAssetError(
        `none of the ${items.length} item(s) has all of the assets ${assets.join(', ')}; check the asset keys`,
        {
          details: { assets },
        },
      );
    }

    // Headers are opened only where Item metadata is missing, once per href.
    const headers = new Map<string, Promise<Dataset>>();
    const hrefOf = (item: StacItem, asset: string) => {
      const href = resolveAlternateHref(item, asset, options);
      return options.patchUrl ? options.patchUrl(href) : href;
    };
    const header = (item: StacItem, asset: string): Promise<Dataset> => {
      const href = hrefOf(item, asset);
      if (!headers.has(href)) {
        const mediaType = assetMediaType(item, asset);
        headers.set(
          href,
          openRaster(href, {
            registry: options.registry,
            ...(mediaType ? { mediaType } : {}),
            ...(options.signer ? { signer: options.signer } : {}),
            ...(options.fetch ? { fetch: options.fetch } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
          }),
        );
      }
      return headers.get(href)!;
    };
    try {
      const metadata = new Map<string, ExtensionMetadata>();
      const metadataOf = (item: StacItem, asset: string) => {
        const key = `${item.id}\u0000${asset}`;
        if (!metadata.has(key)) metadata.set(key, readExtensionMetadata(item, asset));
        return metadata.get(key)!;
      };
      const nativeGrid = async (item: StacItem, asset: string): Promise<Grid> => {
        const own = metadataOf(item, asset).grid;
        // An Item with a transform but no CRS says too little: ask the file.
        return own?.crs ? own : (await header(item, asset)).grid;
      };

      if (options.align === false) {
        for (const item of kept) {
          const first = await nativeGrid(item, assets[0]!);
          for (const asset of assets.slice(1)) {
            const other = await nativeGrid(item, asset);
            if (!gridsEqual(first, other)) {
              throw new AlignmentError(
                `assets of item ${item.id} are on different grids: '${assets[0]}' is ${describeGrid(first)}, '${asset}' is ${describeGrid(other)}; ` +
                  'leave align on (the default) to resample them onto the first asset’s grid',
                { details: { item: item.id, assets: [assets[0], asset] } },
              );
            }
          }
        }
      }

      // Bands: what the first item says, else its header.
      const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
      const sourceBands = await Promise.all(
        assets.map(async (asset) => {
          const band = metadataOf(kept[0]!, asset).bands[0];
          if (band?.dataType)
            return {
              dataType: band.dataType,
              nodata: band.nodata,
              scale: band.scale,
              offset: band.offset,
              unit: band.unit,
            };
          const info = (await header(kept[0]!, asset)).bands[0]!;
          return {
            dataType: info.dataType,
            nodata: band?.nodata ?? info.nodata,
            scale: band?.scale ?? info.scale,
            offset: band?.offset ?? info.offset,
            unit: band?.unit ?? info.unit,
          };
        }),
      );
      const commonType = commonDataType(sourceBands.map((band) => band.dataType));
      const dataType: DataType =
        options.dtype ?? (options.rescale ? 'float32' : method === 'count' ? 'uint16' : commonType);
      const bands: CubeBand[] = assets.map((asset, index) => {
        const source = sourceBands[index]!;
        let nodata =
          options.nodata ?? (options.rescale ? Number.NaN : method === 'count' ? 0 : source.nodata);
        if (nodata === undefined || (Number.isNaN(nodata) && !isFloatType(dataType)))
          nodata = isFloatType(dataType) ? Number.NaN : 0;
        return {
          name: asset,
          asset,
          dataType,
          nodata,
          scale: options.rescale ? 1 : (source.scale ?? 1),
          offset: options.rescale ? 0 : (source.offset ?? 0),
          ...(source.unit ? { unit: source.unit } : {}),
          source: {
            dataType: source.dataType,
            ...(source.nodata === undefined ? {} : { nodata: source.nodata }),
            ...(source.scale === undefined ? {} : { scale: source.scale }),
            ...(source.offset === undefined ? {} : { offset: source.offset }),
          },
        };
      });

      // Footprints in lon/lat (for `utm`) and in a CRS.
      const footprintIn = async (
        item: StacItem,
        asset: string,
        crs: string,
      ): Promise<Bounds | undefined> => {
        const own = metadataOf(item, asset).grid;
        try {
          if (own?.crs)
            return transformBounds(gridBounds(own), await loadCrs(own.crs), await loadCrs(crs));
          const bbox = itemBbox(item);
          if (bbox && bbox[0] <= bbox[2]) return transformBounds(bbox, 'EPSG:4326', crs);
          if (bbox) return undefined; // crosses the antimeridian: keep it in every chunk
          const opened = await header(item, asset);
          return opened.crs ? transformBounds(opened.bounds, opened.crs, crs) : undefined;
        } catch (error) {
          if (GridError.isInstance(error)) return undefined;
          throw error;
        }
      };

      const grid = await (async (): Promise<Grid> => {
        if (options.like !== undefined) {
          const like = options.like;
          let chosen: Grid;
          if (typeof like === 'string') {
            const opened = await openRaster(like, {
              registry: options.registry,
              ...(options.fetch ? { fetch: options.fetch } : {}),
              ...(options.signal ? { signal: options.signal } : {}),
            });
            chosen = opened.grid;
            await opened.close();
          } else chosen = 'source' in like ? like.grid : like;
          checkGridSize(chosen, maxPixels);
          return { ...chosen, transform: [...chosen.transform] as Grid['transform'] };
        }
        const bboxIn = (crs: string): Bounds | undefined => {
          if (!options.bbox || options.bbox[0] > options.bbox[2]) return undefined;
          try {
            return transformBounds(options.bbox, 'EPSG:4326', crs);
          } catch {
            return undefined;
          }
        };
        const itemsExtent = async (crs: string): Promise<Bounds> => {
          const boxes = (
            await Promise.all(kept.map((item) => footprintIn(item, assets[0]!, crs)))
          ).filter((box): box is Bounds => box !== undefined);
          let extent = union(boxes);
          const limit = bboxIn(crs);
          if (extent && limit)
            extent = [
              Math.max(extent[0], limit[0]),
              Math.max(extent[1], limit[1]),
              Math.min(extent[2], limit[2]),
              Math.min(extent[3], limit[3]),
            ];
          if (!extent || !(extent[2] > extent[0]) || !(extent[3] > extent[1])) {
            throw new GridError(`cannot work out the items' extent in ${crs}; pass bounds`);
          }
          return extent;
        };
        if (options.crs !== undefined) {
          let crs = normalizeCrs(options.crs);
          if (typeof crs === 'string' && crs.toLowerCase() === 'utm') {
            const extent = await itemsExtent('EPSG:4326');
            const centreLon = extent[0] + (extent[2] - extent[0]) / 2;
            crs = `EPSG:${utmZoneEpsg(centreLon, (extent[1] + extent[3]) / 2)}`;
          }
          if (!crs) throw new OptionError(`crs ${JSON.stringify(options.crs)} is empty`);
          await loadCrs(crs); // an unknown CRS fails here, with its own message
          const resolution = options.resolution!;
          const bounds = options.bounds ?? (await itemsExtent(crs));
          return gridFromBounds(crs, bounds, resolution, { maxPixels });
        }
        const crsList = [
          ...new Set(
            await Promise.all(
              kept.map(async (item) => (await nativeGrid(item, assets[0]!)).crs ?? 'none'),
            ),
          ),
        ];
        if (crsList.length > 1) {
          throw new GridError(
            `the items are in ${crsList.length} CRSs (${crsList.slice(0, 4).join(', ')}${crsList.length > 4 ? ', …' : ''}); ` +
              "pass crs and resolution (e.g. crs: 'utm', resolution: 10) to choose one target grid",
            { details: { crs: crsList } },
          );
        }
        const first = await nativeGrid(kept[0]!, assets[0]!);
        if (!first.crs)
          throw new GridError(
            `asset '${assets[0]}' of item ${kept[0]!.id} has no CRS; pass like, or crs and resolution`,
          );
        if (first.transform[2] !== 0 || first.transform[4] !== 0) {
          return gridFromBounds(first.crs, await itemsExtent(first.crs), gridResolution(first), {
            maxPixels,
          });
        }
        return gridOnLattice(first, await itemsExtent(first.crs), maxPixels);
      })();
      if (grid.crs && !isGeographic(grid.crs)) createTransformer(grid.crs, 'EPSG:4326'); // validates the CRS early

      const groups = groupItems(kept, options.groupby, options.preserveOrder === true);
      const sources: SourceEntry[][][] = [];
      for (const group of groups) {
        const perBand: SourceEntry[][] = [];
        for (const asset of assets) {
          const list: SourceEntry[] = [];
          for (const item of group.items) {
            const band = metadataOf(item, asset).bands[0];
            const mediaType = assetMediaType(item, asset);
            const bounds = grid.crs ? await footprintIn(item, asset, grid.crs) : undefined;
            const given = hrefOf(item, asset);
            const href = withoutSignedQuery(given);
            list.push({
              item: item.id,
              asset,
              href,
              ...(href === given ? {} : { signedHref: given }),
              ...(mediaType ? { mediaType } : {}),
              band: 0,
              ...(band?.nodata === undefined ? {} : { nodata: band.nodata }),
              ...(band?.scale === undefined ? {} : { scale: band.scale }),
              ...(band?.offset === undefined ? {} : { offset: band.offset }),
              ...(bounds ? { bounds } : {}),
            });
          }
          perBand.push(list);
        }
        sources.push(perBand);
      }
      return new DatasetCollection({
        grid,
        bands,
        groups,
        sources,
        options,
        resampling,
        resamplingByBand,
        method,
        chunkSize,
        concurrency,
        itemCount: kept.length,
      });
    } finally {
      for (const pending of headers.values()) {
        pending.then((dataset) => dataset.close()).catch(() => undefined);
      }
    }
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
    const area = window ?? { x: 0, y: 0, width: this.grid.width, height: this.grid.height };
    if (
      !Number.isInteger(area.x) ||
      !Number.isInteger(area.y) ||
      area.width < 1 ||
      area.height < 1 ||
      area.x < 0 ||
      area.y < 0 ||
      area.x + area.width > this.grid.width ||
      area.y + area.height > this.grid.height
    ) {
      throw new OptionError(
        `window ${JSON.stringify(window)} is not inside the cube's grid (${this.grid.width} × ${this.grid.height})`,
      );
    }
    const [chunkWidth, chunkHeight] = this.state.chunkSize;
    const { options } = this.state;
    const signer = options.signer?.describe?.();
    const tasks: ChunkTask[] = [];
    const t = this.grid.transform;
    for (let time = 0; time < this.steps.length; time++) {
      for (let y = area.y; y < area.y + area.height; y += chunkHeight) {
        for (let x = area.x; x < area.x + area.width; x += chunkWidth) {
          const chunk = {
            x,
            y,
            width: Math.min(chunkWidth, area.x + area.width - x),
            height: Math.min(chunkHeight, area.y + area.height - y),
          };
          const chunkBounds = gridBounds({
            crs: this.grid.crs,
            transform: [
              t[0] + x * t[1] + y * t[2],
              t[1],
              t[2],
              t[3] + x * t[4] + y * t[5],
              t[4],
              t[5],
            ],
            width: chunk.width,
            height: chunk.height,
          });
          tasks.push({
            kind: 'pyramids.cube-chunk',
            version: 1,
            grid: this.grid,
            window: chunk,
            time,
            label: this.steps[time]!.label,
            bands: this.state.sources[time]!.map((list) =>
              list
                .filter((source) => !source.bounds || intersects(source.bounds, chunkBounds))
                .map(({ bounds: _bounds, signedHref: _signedHref, ...source }) => source),
            ),
            options: {
              resampling: this.resampling,
              ...(Object.keys(this.state.resamplingByBand).length > 0
                ? {
                    bandResampling: this.bands.map(
                      (band) => this.state.resamplingByBand[band.name] ?? this.resampling,
                    ),
                  }
                : {}),
              method: this.method,
              rescale: this.rescaled,
              dtype: this.dataType,
              nodata: this.bands.map((band) => band.nodata),
              errorsAsNodata: options.errorsAsNodata === true,
              ...(options.errorThreshold === undefined
                ? {}
                : { errorThreshold: options.errorThreshold }),
              ...(signer ? { signer } : {}),
            },
          });
        }
      }
    }
    return tasks;
  }

  private context(
    signal: AbortSignal | undefined,
    cache: Map<string, Promise<Dataset>>,
  ): ChunkContext {
    const { options } = this.state;
    // Pre-signed hrefs were left out of the tasks; reads in this process still use them.
    const signedHrefs = new Map<string, string>();
    for (const source of this.state.sources.flat(2))
      if (source.signedHref) signedHrefs.set(source.href, source.signedHref);
    return {
      registry: options.registry,
      resolveHref: (href) => signedHrefs.get(href) ?? href,
      ...(options.signer ? { signer: options.signer } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(signal ? { signal } : {}),
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
    const context = this.context(options.signal, cache);
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
    try {
      options.signal?.throwIfAborted();
      while (next < tasks.length && running.size < this.state.concurrency) start();
      while (running.size > 0) {
        const { id, result } = await Promise.race(running.values());
        running.delete(id);
        completed++;
        options.onProgress?.({ completed, total: tasks.length });
        if (next < tasks.length) start();
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
    const t = this.grid.transform;
    const grid: Grid = {
      crs: this.grid.crs,
      transform: [
        t[0] + window.x * t[1] + window.y * t[2],
        t[1],
        t[2],
        t[3] + window.x * t[4] + window.y * t[5],
        t[4],
        t[5],
      ],
      width: window.width,
      height: window.height,
    };
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
      chunkSize: this.state.chunkSize,
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
    const {
      array: given,
      signal,
      onProgress,
      format,
      onChunk,
      runTask,
      ...writerOptions
    } = options;
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
    // The built-in GeoTIFF writer serves .tif, names without an extension and directories (but not a Zarr store).
    const fallbackServes =
      format === undefined
        ? extension === '' ||
          fallback.extensions.includes(extension) ||
          (isDirectory && extension !== '.zarr')
        : [fallback.id, ...(fallback.formats ?? [])].includes(format.toLowerCase());
    const writer =
      this.state.options.registry.writerFor(resolved, format) ??
      (fallbackServes ? fallback : undefined);
    if (!writer) {
      const known = [fallback, ...this.state.options.registry.writers].flatMap((plugin) => [
        ...plugin.extensions,
        ...(plugin.formats ?? []),
      ]);
      throw new OptionError(
        `no registered writer serves ${format === undefined ? `the output ${JSON.stringify(target)}` : `format ${JSON.stringify(format)}`}; ` +
          `known: ${[...new Set(known)].join(', ')} (register a writer plugin with registry.use(...))`,
      );
    }
    const implementation = await writer.load();
    const description = this.writeDescription();
    const chunks = given
      ? chunksOfArray(given, this.state.chunkSize)
      : this.chunks({ signal, onProgress, runTask });
    return implementation.write(
      resolved,
      description,
      onChunk ? observed(chunks, onChunk) : chunks,
      { ...writerOptions, ...(signal ? { signal } : {}) },
    );
  }

  /**
   * What reading the cube will cost — sources, tiles, bytes, requests — from the
   * Items and file headers only (no pixel is read). Bytes and requests are upper
   * bounds: `first`/`last` may stop early and readers merge adjacent ranges.
   */
  async estimate(options: { signal?: AbortSignal } = {}): Promise<CubeEstimate> {
    const tasks = this.tasks();
    const cache = new Map<string, Promise<Dataset>>();
    const context = this.context(options.signal, cache);
    const tiles = new Set<string>();
    let bytes = 0;
    try {
      for (const task of tasks) {
        for (const [band, list] of task.bands.entries()) {
          for (const source of list) {
            options.signal?.throwIfAborted();
            const dataset = await context.openSource!(source, () =>
              openRaster(context.resolveHref!(source.href), {
                registry: this.state.options.registry,
                ...(source.mediaType ? { mediaType: source.mediaType } : {}),
                ...(this.state.options.signer ? { signer: this.state.options.signer } : {}),
                ...(this.state.options.fetch ? { fetch: this.state.options.fetch } : {}),
                ...(options.signal ? { signal: options.signal } : {}),
              }),
            );
            const plan = planWarp(dataset.source, task.grid, {
              window: task.window,
              resampling: task.options.bandResampling?.[band] ?? task.options.resampling,
              ...(task.options.errorThreshold === undefined
                ? {}
                : { errorThreshold: task.options.errorThreshold }),
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
      const sources = cache.size;
      const shape = this.shape;
      return {
        items: this.state.itemCount,
        timeSteps: shape[0],
        bands: shape[1],
        shape,
        chunks: tasks.length,
        sources,
        tiles: tiles.size,
        bytes: bytes + sources * 16_384,
        requests: tiles.size + sources,
        outputBytes: shape[0] * shape[1] * shape[2] * shape[3] * bytesPerSample(this.dataType),
      };
    } finally {
      await Promise.allSettled([...cache.values()].map(async (pending) => (await pending).close()));
    }
  }
}
