// The heavy half of the GDAL reader: opens a dataset with gdal-async and serves
// window reads through the RasterSource contract. Loaded only by `gdalReader().load()`.
import { randomUUID } from 'node:crypto';
import type { Dataset as GDALDataset, RasterBand as GDALRasterBand } from 'gdal-async';
import {
  OptionError,
  PyramidsError,
  ReadError,
  dataTypeFromGdalName,
  headersFor,
  hrefToGdalPath,
  isAbortError,
  redactHref,
  throwIfAborted,
  type BandInfo,
  type DataType,
  type GeoTransform,
  type Grid,
  type OverviewLevel,
  type RasterSource,
  type ReadRequest,
  type ReaderContext,
  type ReaderImplementation,
  type TypedArray,
} from '@pyramids/core';
import { ConfigScope } from './config-scope.js';
import type { GdalOpenOptions, GdalReaderOptions } from './gdal-reader.js';
import { loadGdal, type GdalModule } from './load-gdal.js';

const READABLE = new Set<DataType>(['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64']);
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

const scopes = new WeakMap<object, ConfigScope>();
function scopeFor(gdal: GdalModule): ConfigScope {
  let scope = scopes.get(gdal);
  if (!scope) {
    scope = new ConfigScope(
      (name, value) => gdal.config.set(name, value as string),
      (name) => gdal.config.get(name),
    );
    scopes.set(gdal, scope);
  }
  return scope;
}

/** Replaces every URL in a GDAL message by its redacted form (SAS tokens, presigned queries). */
export function redactMessage(message: string): string {
  return message
    .replace(/https?%3A%2F%2F[^\s'"`&]*/gi, (match) => {
      try {
        return redactHref(decodeURIComponent(match));
      } catch {
        return '<redacted url>';
      }
    })
    .replace(/(?:https?|s3|gs|az|abfss?):\/\/[^\s'"`]*/gi, (match) => redactHref(match));
}

/** Parses GDAL's `GDAL_HTTP_HEADERS` value ("Name: value" lines or comma-separated). */
function parseHeaderList(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n|,(?=\s*[A-Za-z0-9-]+\s*:)/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** How one href is opened: its GDAL path, the config it needs, and what to clean up. */
interface AccessPlan {
  path: string;
  /** Process-wide GDAL options for this dataset's calls (refreshed before each read). */
  config: Record<string, string>;
  headerFile?: string;
  /** Asks the signer again (tokens expire during long jobs) and updates the header file and config. */
  refresh(signal?: AbortSignal): Promise<void>;
}

interface Credentials {
  headers: Record<string, string>;
  config: Record<string, string>;
}

function headerText(headers: Record<string, string>): string {
  return `${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n')}\n`;
}

/** The signer's credentials for one read of `href`: HTTP headers (when they can travel in the path) and GDAL options. */
async function credentialsFor(href: string, context: ReaderContext, options: GdalReaderOptions, headersInPath: boolean, signal?: AbortSignal): Promise<Credentials> {
  const signer = context.signer;
  const env = signer?.gdalEnv && signer.matches(href) ? await signer.gdalEnv(href, signal) : {};
  const config: Record<string, string> = { ...(options.config ?? {}), ...env };
  let headers: Record<string, string> = /^https?:\/\//i.test(href) ? { ...(await headersFor(signer, href, { method: 'GET' }, signal)) } : {};
  if (headersInPath) {
    if (config.GDAL_HTTP_HEADERS) headers = { ...parseHeaderList(config.GDAL_HTTP_HEADERS), ...headers };
    if (config.GDAL_HTTP_BEARER) headers = { Authorization: `Bearer ${config.GDAL_HTTP_BEARER}`, ...headers };
    delete config.GDAL_HTTP_HEADERS;
    delete config.GDAL_HTTP_BEARER;
  } else if (Object.keys(headers).length > 0) {
    // An archive inside an HTTP file: GDAL takes headers only from the process-wide option here.
    config.GDAL_HTTP_HEADERS = headerText(headers).trim();
    headers = {};
  }
  return { headers, config };
}

async function planAccess(gdal: GdalModule, href: string, context: ReaderContext, options: GdalReaderOptions): Promise<AccessPlan> {
  const gdalPath = hrefToGdalPath(href);
  const plainHttp = /^https?:\/\//i.test(href) && gdalPath === `/vsicurl/${href}`;
  const remote = gdalPath.startsWith('/vsi') && !plainHttp;
  const withDefaults = (config: Record<string, string>) =>
    remote && !('GDAL_DISABLE_READDIR_ON_OPEN' in config) ? { ...config, GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR' } : config;
  const first = await credentialsFor(href, context, options, plainHttp, context.signal);
  let path = gdalPath;
  let headerFile: string | undefined;
  let currentHeaders = '';
  if (plainHttp) {
    // Credentials travel in the path (a header file in /vsimem/), so they apply to this
    // dataset's requests only, on any thread, with no process-wide option set.
    const parts = ['list_dir=no'];
    if (Object.keys(first.headers).length > 0) {
      headerFile = `/vsimem/pyramids-readers-gdal/headers-${randomUUID()}.txt`;
      currentHeaders = headerText(first.headers);
      gdal.vsimem.set(Buffer.from(currentHeaders), headerFile);
      parts.push(`header_file=${encodeURIComponent(headerFile)}`);
    }
    parts.push(`url=${encodeURIComponent(href)}`);
    path = `/vsicurl?${parts.join('&')}`;
  }
  const plan: AccessPlan = {
    path,
    config: withDefaults(first.config),
    ...(headerFile ? { headerFile } : {}),
    async refresh(signal) {
      if (!context.signer) return;
      const next = await credentialsFor(href, context, options, plainHttp, signal);
      plan.config = withDefaults(next.config);
      const text = headerText(next.headers);
      if (headerFile && text !== currentHeaders) {
        gdal.vsimem.set(Buffer.from(text), headerFile);
        currentHeaders = text;
      }
    },
  };
  return plan;
}

/** The CRS of a GDAL dataset as `EPSG:n` when GDAL identifies it, else WKT; null when none. */
function crsOf(dataset: GDALDataset): string | null {
  const srs = dataset.srs;
  if (!srs) return null;
  const epsg = (candidate: typeof srs): string | undefined => {
    try {
      const code = candidate.getAuthorityCode(null);
      return candidate.getAuthorityName(null) === 'EPSG' && code ? `EPSG:${code}` : undefined;
    } catch {
      return undefined;
    }
  };
  const direct = epsg(srs);
  if (direct) return direct;
  try {
    // CF grid mappings and GRIB grids often lack an authority; identify one when GDAL can.
    const clone = srs.clone();
    clone.autoIdentifyEPSG();
    const identified = epsg(clone);
    if (identified) return identified;
  } catch {
    // not identifiable: keep the WKT
  }
  return srs.toWKT();
}

interface Subdataset {
  name: string;
  description: string;
}

function subdatasetsOf(dataset: GDALDataset): Subdataset[] {
  const metadata = (dataset.getMetadata('SUBDATASETS') ?? {}) as Record<string, string>;
  const list: Subdataset[] = [];
  for (let index = 1; metadata[`SUBDATASET_${index}_NAME`]; index += 1) {
    list.push({ name: metadata[`SUBDATASET_${index}_NAME`]!, description: metadata[`SUBDATASET_${index}_DESC`] ?? '' });
  }
  return list;
}

/** The variable a subdataset name points at: `NETCDF:"f.nc":blue` → `blue`, `HDF5:"f.h5"://g/v` → `/g/v`. */
export function subdatasetVariable(name: string): string {
  const match = /^[A-Za-z0-9_]+:(?:"[^"]*"|[^:]*):(.*)$/.exec(name);
  return (match ? match[1]! : name).replace(/^\/(?=\/)/, '');
}

function pickSubdataset(subdatasets: Subdataset[], variable: string | undefined, describe: string): Subdataset {
  const names = subdatasets.map((subdataset) => subdatasetVariable(subdataset.name));
  if (variable === undefined) {
    if (subdatasets.length === 1) return subdatasets[0]!;
    throw new OptionError(
      `${describe} holds ${subdatasets.length} variables (${names.join(', ')}); choose one with readerOptions: { variable: '${names[0]}' }`,
      { plugin: 'gdal', details: { variables: names } },
    );
  }
  const wanted = variable.replace(/^\/+/, '');
  const found = subdatasets.find(
    (subdataset, index) => subdataset.name === variable || names[index]!.replace(/^\/+/, '') === wanted,
  );
  if (!found) {
    throw new OptionError(`${describe} has no variable '${variable}'; it has: ${names.join(', ')}`, {
      plugin: 'gdal',
      details: { variables: names },
    });
  }
  return found;
}

/** NetCDF-style extra dimensions (time, level, …) as GDAL reports them, with their values. */
function dimensionsOf(metadata: Record<string, string>): Record<string, { values: number[]; units?: string }> {
  const extra = metadata.NETCDF_DIM_EXTRA;
  if (!extra) return {};
  const dimensions: Record<string, { values: number[]; units?: string }> = {};
  for (const name of extra.replace(/[{}]/g, '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const values = (metadata[`NETCDF_DIM_${name}_VALUES`] ?? '')
      .replace(/[{}]/g, '')
      .split(',')
      .filter((part) => part.trim() !== '')
      .map(Number);
    const units = metadata[`${name}#units`];
    dimensions[name] = { values, ...(units ? { units } : {}) };
  }
  return dimensions;
}

function bandName(band: GDALRasterBand, metadata: Record<string, string>, dimensions: string[]): string | undefined {
  if (band.description) return band.description;
  const parts = dimensions.filter((name) => metadata[`NETCDF_DIM_${name}`] !== undefined).map((name) => `${name}=${metadata[`NETCDF_DIM_${name}`]}`);
  return parts.length > 0 ? parts.join(',') : undefined;
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

  constructor(
    private readonly gdal: GdalModule,
    private readonly dataset: GDALDataset,
    private readonly plan: AccessPlan,
    private readonly options: GdalReaderOptions,
    href: string,
    extra: { variable?: string; subdatasets: Subdataset[] },
  ) {
    this.href = href;
    const size = dataset.rasterSize;
    const transform = (dataset.geoTransform ?? [0, 1, 0, 0, 0, 1]) as GeoTransform;
    this.grid = { crs: crsOf(dataset), transform, width: size.x, height: size.y };
    const count = dataset.bands.count();
    const first = count > 0 ? dataset.bands.get(1) : undefined;
    this.levels = [{ width: size.x, height: size.y, transform }];
    if (first) {
      for (let index = 0; index < first.overviews.count(); index += 1) {
        const overview = first.overviews.get(index).size;
        const scaleX = size.x / overview.x;
        const scaleY = size.y / overview.y;
        this.levels.push({
          width: overview.x,
          height: overview.y,
          transform: [transform[0], transform[1] * scaleX, transform[2] * scaleY, transform[3], transform[4] * scaleX, transform[5] * scaleY],
        });
      }
    }
    const datasetMetadata = (dataset.getMetadata() ?? {}) as Record<string, string>;
    const dimensions = dimensionsOf(datasetMetadata);
    const bandMetadata: Record<string, string>[] = [];
    this.bands = [];
    for (let number = 1; number <= count; number += 1) {
      const band = dataset.bands.get(number);
      const metadata = (band.getMetadata() ?? {}) as Record<string, string>;
      bandMetadata.push(metadata);
      const info: BandInfo = { dataType: dataTypeFromGdalName(band.dataType ?? '') };
      if (band.noDataValue !== null && band.noDataValue !== undefined) info.nodata = band.noDataValue;
      if (band.scale !== null && band.scale !== undefined && band.scale !== 1) info.scale = band.scale;
      if (band.offset !== null && band.offset !== undefined && band.offset !== 0) info.offset = band.offset;
      const name = bandName(band, metadata, Object.keys(dimensions));
      if (name) info.name = name;
      if (band.unitType) info.unit = band.unitType;
      this.bands.push(info);
    }
    const block = first?.blockSize ?? { x: size.x, y: 1 };
    this.blockSize = { width: block.x, height: block.y };
    this.metadata = {
      driver: dataset.driver.description,
      ...(extra.variable ? { variable: extra.variable } : {}),
      ...(extra.subdatasets.length > 0 ? { variables: extra.subdatasets.map((subdataset) => subdatasetVariable(subdataset.name)) } : {}),
      dimensions,
      datasetMetadata,
      bandMetadata,
    };
  }

  async read(request: ReadRequest): Promise<TypedArray[]> {
    const { window, signal } = request;
    const level = request.level ?? 0;
    const levelInfo = this.levels[level];
    if (!levelInfo) throw new OptionError(`level ${level} does not exist; ${this.describe()} has levels 0..${this.levels.length - 1}`, { plugin: 'gdal' });
    if (
      !Number.isInteger(window.x) || !Number.isInteger(window.y) || window.width < 1 || window.height < 1 ||
      window.x < 0 || window.y < 0 || window.x + window.width > levelInfo.width || window.y + window.height > levelInfo.height
    ) {
      throw new OptionError(`window ${JSON.stringify(window)} is not inside level ${level} (${levelInfo.width} × ${levelInfo.height}) of ${this.describe()}`, { plugin: 'gdal' });
    }
    const bands = request.bands ?? this.bands.map((_, index) => index);
    for (const index of bands) {
      const info = this.bands[index];
      if (!info) throw new OptionError(`band index ${index} does not exist; ${this.describe()} has band indexes 0..${this.bands.length - 1}`, { plugin: 'gdal' });
      if (!READABLE.has(info.dataType)) {
        throw new ReadError(`band ${index + 1} of ${this.describe()} is ${info.dataType}, which pyramids cannot hold in a typed array`, { plugin: 'gdal' });
      }
    }
    if (this.closed) throw new ReadError(`${this.describe()} was closed; open it again to read`, { plugin: 'gdal' });
    const blockRows = Math.max(1, this.blockSize.height);
    const wanted = Math.max(1, Math.floor((this.options.pixelsPerRead ?? DEFAULT_PIXELS_PER_READ) / window.width));
    const rowsPerRead = Math.max(1, wanted >= blockRows ? wanted - (wanted % blockRows) : wanted);
    const scope = scopeFor(this.gdal);
    const results: TypedArray[] = [];
    try {
      await this.plan.refresh(signal);
      for (const index of bands) {
        const band = level === 0 ? this.dataset.bands.get(index + 1) : this.dataset.bands.get(index + 1).overviews.get(level - 1);
        let output: TypedArray | undefined;
        for (let row = 0; row < window.height; row += rowsPerRead) {
          throwIfAborted(signal);
          const rows = Math.min(rowsPerRead, window.height - row);
          const strip = (await scope.run(this.plan.config, () =>
            band.pixels.readAsync(window.x, window.y + row, window.width, rows),
          )) as unknown as TypedArray;
          if (rows === window.height) {
            output = strip;
            break;
          }
          output ??= new (strip.constructor as new (length: number) => TypedArray)(window.width * window.height);
          (output as Float64Array).set(strip as Float64Array, row * window.width);
        }
        results.push(output!);
      }
      throwIfAborted(signal);
      return results;
    } catch (error) {
      if (isAbortError(error) || PyramidsError.isInstance(error)) throw error;
      throw new ReadError(`GDAL could not read ${JSON.stringify(window)} of ${this.describe()}: ${redactMessage((error as Error).message ?? String(error))}`, {
        plugin: 'gdal',
        cause: error,
      });
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
    if (!target.crs) throw new OptionError('the target grid of a warp needs a CRS', { plugin: 'gdal' });
    if (!this.grid.crs) throw new OptionError(`${this.describe()} has no CRS, so it cannot be warped`, { plugin: 'gdal' });
    const [originX, pixelWidth, rotationX, originY, rotationY, pixelHeight] = target.transform;
    if (rotationX !== 0 || rotationY !== 0 || pixelWidth <= 0 || pixelHeight >= 0) {
      throw new OptionError('the target grid of a warp must be north-up (no rotation, negative pixel height)', { plugin: 'gdal' });
    }
    const resampling = options.resampling ?? 'nearest';
    const method = WARP_METHODS[resampling];
    if (!method) throw new OptionError(`resampling '${resampling}' is not one of ${Object.keys(WARP_METHODS).join(', ')}`, { plugin: 'gdal' });
    const bands = options.bands ?? this.bands.map((_, index) => index);
    for (const index of bands) {
      if (!this.bands[index]) throw new OptionError(`band index ${index} does not exist; ${this.describe()} has band indexes 0..${this.bands.length - 1}`, { plugin: 'gdal' });
    }
    const bounds = [originX, originY + target.height * pixelHeight, originX + target.width * pixelWidth, originY];
    const args = ['-of', 'MEM', '-t_srs', target.crs, '-te', ...bounds.map(String), '-ts', String(target.width), String(target.height), '-r', method];
    try {
      await this.plan.refresh(signal);
      return await scopeFor(this.gdal).run(this.plan.config, async () => {
        const warped = await this.gdal.warpAsync(`pyramids-warp-${randomUUID()}`, null, [this.dataset], args);
        try {
          const results: TypedArray[] = [];
          for (const index of bands) {
            throwIfAborted(signal);
            results.push((await warped.bands.get(index + 1).pixels.readAsync(0, 0, target.width, target.height)) as unknown as TypedArray);
          }
          return results;
        } finally {
          warped.close();
        }
      });
    } catch (error) {
      if (isAbortError(error) || PyramidsError.isInstance(error)) throw error;
      throw new ReadError(`GDAL could not warp ${this.describe()}: ${redactMessage((error as Error).message ?? String(error))}`, { plugin: 'gdal', cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await scopeFor(this.gdal).run(this.plan.config, async () => this.dataset.close());
    if (this.plan.headerFile) this.gdal.vsimem.release(this.plan.headerFile);
  }

  private describe(): string {
    return `raster ${redactHref(this.href)}`;
  }
}

async function openDataset(gdal: GdalModule, path: string, openOptions: GdalOpenOptions): Promise<GDALDataset> {
  if (openOptions.openOptions && Object.keys(openOptions.openOptions).length > 0) {
    let driverName = openOptions.drivers?.[0];
    if (!driverName) {
      const probe = await gdal.openAsync(path);
      driverName = probe.driver.description;
      probe.close();
    }
    const list = Object.entries(openOptions.openOptions).map(([name, value]) => `${name}=${value}`);
    return gdal.drivers.get(driverName).openAsync(path, 'r', list);
  }
  return openOptions.drivers?.length ? gdal.openAsync(path, 'r', openOptions.drivers) : gdal.openAsync(path);
}

/** Opens `href` with GDAL; the RasterSource the registry hands to a Dataset. */
export async function openGdalSource(href: string, context: ReaderContext, options: GdalReaderOptions): Promise<RasterSource> {
  const gdal = await loadGdal();
  throwIfAborted(context.signal);
  const openOptions = (context.options ?? {}) as GdalOpenOptions & { subdataset?: string };
  const variable = openOptions.variable ?? openOptions.subdataset;
  const plan = await planAccess(gdal, href, context, options);
  const scope = scopeFor(gdal);
  const describe = `raster ${redactHref(href)}`;
  try {
    return await scope.run(plan.config, async () => {
      let dataset = await openDataset(gdal, plan.path, openOptions);
      const subdatasets = subdatasetsOf(dataset);
      let chosen: string | undefined;
      if (subdatasets.length > 0 && (variable !== undefined || dataset.bands.count() === 0)) {
        const subdataset = pickSubdataset(subdatasets, variable, describe);
        dataset.close();
        dataset = await gdal.openAsync(subdataset.name);
        chosen = subdatasetVariable(subdataset.name);
      } else if (variable !== undefined) {
        dataset.close();
        throw new OptionError(`${describe} has no variables (subdatasets) to choose '${variable}' from; drop the variable option`, { plugin: 'gdal' });
      }
      if (dataset.bands.count() === 0) {
        dataset.close();
        throw new ReadError(`${describe} opened with GDAL (${dataset.driver.description}) but has no raster bands`, { plugin: 'gdal' });
      }
      throwIfAborted(context.signal);
      return new GdalRasterSource(gdal, dataset, plan, options, href, { ...(chosen ? { variable: chosen } : {}), subdatasets });
    });
  } catch (error) {
    if (plan.headerFile) gdal.vsimem.release(plan.headerFile);
    if (isAbortError(error) || PyramidsError.isInstance(error)) throw error;
    throw new ReadError(`GDAL could not open ${describe}: ${redactMessage((error as Error).message ?? String(error))}`, { plugin: 'gdal', cause: error });
  }
}

/** The implementation `gdalReader().load()` returns. */
export function createGdalReaderImplementation(options: GdalReaderOptions): ReaderImplementation {
  return { open: (href, context) => openGdalSource(href, context, options) };
}
