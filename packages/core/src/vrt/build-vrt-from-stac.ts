// STAC Items → a GDAL VRT mosaic (one source per Item), and a lazy Dataset over it.
// Kept in one file: grouping Items, checking alignment and writing the VRT are one pass over the Items.
import { replaceWithTemporary } from '../write/atomic-output.js';
import { Dataset } from '../dataset/dataset.js';
import { openRaster } from '../dataset/load-asset.js';
import { AlignmentError } from '../errors/alignment-error.js';
import { isAbortError, throwIfAborted } from '../errors/abort.js';
import { OptionError } from '../errors/option-error.js';
import { PyramidsError } from '../errors/pyramids-error.js';
import { StacAssetError } from '../errors/stac-asset-error.js';
import { WriteError } from '../errors/write-error.js';
import { isNorthUp, type GeoTransform } from '../grid/geotransform.js';
import { gridBounds, type Grid } from '../grid/grid.js';
import type { Registry } from '../plugins/registry.js';
import type { DataType } from '../raster/data-type.js';
import { redactHref } from '../signers/redact.js';
import { headersFor, type Signer } from '../signers/signer.js';
import { assetMediaType, getAsset, resolveAssetHref } from '../stac/accessors.js';
import { readExtensionMetadata } from '../stac/extension-metadata.js';
import { toItems } from '../stac/items.js';
import type { ItemsInput, StacItem } from '../stac/stac-types.js';
import { nodeBuiltin } from '../platform/node-builtin.js';
import { hrefToGdalPath } from './gdal-path.js';
import { writeVrtXml, type VrtBand, type VrtDocument, type VrtSource } from './vrt-document.js';
import { VrtRasterSource } from './vrt-raster-source.js';

/** Options of `buildVrtFromStac`. */
export interface BuildVrtOptions {
  /**
   * Gives the credentials of the sources: never written into the VRT, they come back as
   * `gdalConfig` (the GDAL config options that open it) and sign the JS reads of the mosaic.
   */
  signer?: Signer;
  /** One VRT band per Item (its band `band`), instead of one mosaic with the Items' bands. */
  separate?: boolean;
  /** Fail when a source cannot be placed (other CRS, rotated grid, unknown grid) instead of leaving it out with a warning. */
  strict?: boolean;
  /** Registry used to read a source's header when its Item lacks proj:shape/proj:transform/raster:bands, and to read the mosaic in JS. */
  registry?: Registry;
  /** 1-based band of each source used with `separate` (default 1). */
  band?: number;
  /** Resolution of the mosaic, as gdalbuildvrt `-resolution`: `highest`, `lowest`, `average` (default) or `[x, y]`. */
  resolution?: 'highest' | 'lowest' | 'average' | [number, number];
  /** Base for relative asset hrefs (default: each Item's self link). */
  baseHref?: string;
  /** Rewrites hrefs before signing. */
  patchUrl?: (href: string) => string;
  /** Writes the VRT here (atomically: a temporary file renamed into place). Relative local sources are written as absolute paths. */
  output?: string;
  /** Called with each warning as it happens (they are also in `dataset.source.metadata.warnings`). */
  onWarning?: (message: string) => void;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** A source left out of the mosaic and why (href redacted). */
export interface SkippedVrtSource {
  item: string;
  href: string;
  reason: string;
}

/** The VRT built from Items: its document, XML and what was left out. */
export interface VrtBuildResult {
  document: VrtDocument;
  xml: string;
  warnings: string[];
  skipped: SkippedVrtSource[];
  /**
   * GDAL config options that open the VRT with the signer's credentials
   * (`GDAL_HTTP_HEADERS`, `AZURE_STORAGE_SAS_TOKEN`, AWS variables…). They hold
   * secrets: pass them to GDAL (`--config`, environment), never into a file others read.
   */
  gdalConfig: Record<string, string>;
}

interface PlacedSource {
  item: StacItem;
  filename: string;
  grid: Grid;
  bands: { dataType: DataType; nodata?: number; scale?: number; offset?: number; name?: string }[];
  /** GDAL config options that read this source (credentials). */
  config: Record<string, string>;
}

/**
 * The GDAL config options that let GDAL read `href` with the signer's
 * credentials: the signer's `gdalEnv`, plus its HTTP headers as
 * `GDAL_HTTP_HEADERS` (GDAL 3.6 and later).
 */
async function gdalConfigFor(
  signer: Signer | undefined,
  href: string,
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  if (!signer?.matches(href)) return {};
  const config: Record<string, string> = signer.gdalEnv
    ? { ...(await signer.gdalEnv(href, signal)) }
    : {};
  if (/^https?:\/\//i.test(href) && !config['GDAL_HTTP_HEADERS']) {
    const headers = await headersFor(signer, href, { method: 'GET' }, signal);
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
    if (lines.length > 0) config['GDAL_HTTP_HEADERS'] = lines.join(', ');
  }
  return config;
}

const CLOUD_ENV_HINT =
  'open the VRT with the same signer (through @pyramids/readers-gdal or pyramids read --signer), or with GDAL under the config `pyramids vrt --env-file` writes';

async function describeSource(
  item: StacItem,
  asset: string,
  options: BuildVrtOptions,
  warnings: Set<string>,
): Promise<PlacedSource> {
  const rawHref = resolveAssetHref(item, asset, options.baseHref);
  const patched = options.patchUrl ? options.patchUrl(rawHref) : rawHref;
  const metadata = readExtensionMetadata(item, asset);
  let grid = metadata.grid && metadata.crs ? metadata.grid : undefined;
  let bands =
    metadata.bands.length > 0 && metadata.bands.every((band) => band.dataType)
      ? metadata.bands.map((band) => ({ ...band, dataType: band.dataType! }))
      : undefined;
  if (!grid || !bands) {
    if (!options.registry) {
      throw new StacAssetError(
        `asset '${asset}' of item ${item.id} has no ${grid ? 'raster:bands data_type' : 'proj:shape/proj:transform/proj:code'}; pass a registry so the file's header can be read`,
      );
    }
    const mediaType = assetMediaType(item, asset);
    const dataset = await openRaster(patched, {
      registry: options.registry,
      mediaType,
      signer: options.signer,
      fetch: options.fetch,
      signal: options.signal,
    });
    try {
      grid ??= dataset.grid;
      if (!bands) {
        bands = dataset.bands.map((band, index) => ({
          ...band,
          ...(metadata.bands[index]?.nodata !== undefined
            ? { nodata: metadata.bands[index]!.nodata }
            : {}),
        }));
      }
    } finally {
      await dataset.close();
    }
  }
  // No credential goes into the file: the href as it is, and the GDAL config that reads it beside.
  const gdalPath = hrefToGdalPath(patched);
  const isResolved = gdalPath.startsWith('/vsi') || /^(?:\/|[a-z]:[\\/])/i.test(gdalPath);
  const filename = isResolved
    ? gdalPath
    : nodeBuiltin('node:path', 'a relative local href').resolve(gdalPath);
  const config = await gdalConfigFor(options.signer, patched, options.signal);
  if (
    options.signer?.signHref &&
    options.signer.matches(patched) &&
    (await options.signer.signHref(patched, options.signal)) !== patched &&
    !('AZURE_STORAGE_SAS_TOKEN' in config)
  ) {
    warnings.add(
      `${redactHref(patched)} is read with a signed URL, which the VRT does not carry; GDAL needs the signer's config to open it (${CLOUD_ENV_HINT})`,
    );
  }
  return { item, filename, grid, bands, config };
}

function pickResolution(
  sources: PlacedSource[],
  resolution: BuildVrtOptions['resolution'],
): [number, number] {
  if (Array.isArray(resolution)) {
    if (!(resolution[0] > 0 && resolution[1] > 0))
      throw new OptionError(
        `resolution must be two positive numbers; got ${JSON.stringify(resolution)}`,
      );
    return resolution;
  }
  const xs = sources.map((source) => Math.abs(source.grid.transform[1]));
  const ys = sources.map((source) => Math.abs(source.grid.transform[5]));
  switch (resolution ?? 'average') {
    case 'highest':
      return [Math.min(...xs), Math.min(...ys)];
    case 'lowest':
      return [Math.max(...xs), Math.max(...ys)];
    case 'average':
      return [xs.reduce((a, b) => a + b, 0) / xs.length, ys.reduce((a, b) => a + b, 0) / ys.length];
    default:
      throw new OptionError(
        `resolution must be 'highest', 'lowest', 'average' or [x, y]; got ${JSON.stringify(resolution)}`,
      );
  }
}

/** Rounds values within float noise of an integer, so abutting tiles get exact windows. */
function snap(value: number): number {
  const rounded = Math.round(value);
  return Math.abs(value - rounded) < 1e-6 ? rounded : value;
}

/**
 * Builds the VRT document of asset `asset` of `items`: one source per Item, placed
 * by its grid (from the Item's projection fields, or the file's header through
 * `registry`). Sources in another CRS than the first, or on a rotated grid, cannot
 * be placed: they are reported (hrefs redacted) and fail the call with `strict`.
 */
export async function buildVrtDocument(
  items: ItemsInput | StacItem[],
  asset: string,
  options: BuildVrtOptions = {},
): Promise<VrtBuildResult> {
  const list = toItems(items);
  if (list.length === 0)
    throw new StacAssetError('no Items to build a VRT from: the input is empty');
  if (typeof asset !== 'string' || asset === '')
    throw new OptionError('name the asset to mosaic (e.g. asset: "B04")');
  for (const item of list) getAsset(item, asset);
  const warnings = new Set<string>();
  const skipped: SkippedVrtSource[] = [];
  const placed: PlacedSource[] = [];
  for (const item of list) {
    throwIfAborted(options.signal);
    let source: PlacedSource;
    try {
      source = await describeSource(item, asset, options, warnings);
    } catch (error) {
      if (isAbortError(error)) throw error;
      if (!PyramidsError.isInstance(error) || options.strict) throw error;
      skipped.push({
        item: item.id,
        href: redactHref(resolveAssetHref(item, asset, options.baseHref)),
        reason: error.message,
      });
      continue;
    }
    const first = placed[0];
    const reason = !isNorthUp(source.grid.transform)
      ? 'its grid is rotated; a VRT simple source cannot place it (warp it first)'
      : first && source.grid.crs !== first.grid.crs
        ? `its CRS ${source.grid.crs ?? '(none)'} differs from ${first.grid.crs ?? '(none)'} of item ${first.item.id}; a VRT does not reproject (warp it first)`
        : first && !options.separate && source.bands.length !== first.bands.length
          ? `it has ${source.bands.length} band(s) and item ${first.item.id} has ${first.bands.length}`
          : undefined;
    if (reason) {
      skipped.push({ item: item.id, href: redactHref(source.filename), reason });
      continue;
    }
    placed.push(source);
  }
  if (skipped.length > 0) {
    const summary = skipped
      .map((entry) => `${entry.item} (${entry.href}): ${entry.reason}`)
      .join('; ');
    if (options.strict) {
      throw new AlignmentError(
        `${skipped.length} source(s) cannot be placed in the VRT: ${summary}`,
        { details: { skipped } },
      );
    }
    warnings.add(`left out of the VRT: ${summary}`);
  }
  if (placed.length === 0) {
    throw new AlignmentError(
      `none of the ${list.length} Item(s) could be placed in a VRT: ${skipped.map((entry) => `${entry.item}: ${entry.reason}`).join('; ')}`,
      {
        details: { skipped },
      },
    );
  }
  const [resolutionX, resolutionY] = pickResolution(placed, options.resolution);
  const bounds = placed.map((source) => gridBounds(source.grid));
  const minX = Math.min(...bounds.map((b) => b[0]));
  const minY = Math.min(...bounds.map((b) => b[1]));
  const maxX = Math.max(...bounds.map((b) => b[2]));
  const maxY = Math.max(...bounds.map((b) => b[3]));
  const width = Math.max(1, Math.round((maxX - minX) / resolutionX));
  const height = Math.max(1, Math.round((maxY - minY) / resolutionY));
  const transform: GeoTransform = [minX, resolutionX, 0, maxY, 0, -resolutionY];

  const sourceOf = (source: PlacedSource, band: number): VrtSource => {
    const [sMinX, , , sMaxY] = gridBounds(source.grid);
    const info = source.bands[band - 1]!;
    const dstRect = {
      x: snap((sMinX - minX) / resolutionX),
      y: snap((maxY - sMaxY) / resolutionY),
      width: snap((source.grid.width * Math.abs(source.grid.transform[1])) / resolutionX),
      height: snap((source.grid.height * Math.abs(source.grid.transform[5])) / resolutionY),
    };
    return {
      kind: info.nodata !== undefined ? 'ComplexSource' : 'SimpleSource',
      filename: source.filename,
      relativeToVRT: false,
      band,
      properties: { width: source.grid.width, height: source.grid.height, dataType: info.dataType },
      srcRect: { x: 0, y: 0, width: source.grid.width, height: source.grid.height },
      dstRect,
      nodata: info.nodata,
    };
  };

  let bands: VrtBand[];
  if (options.separate) {
    const bandNumber = options.band ?? 1;
    bands = [];
    for (const source of placed) {
      const info = source.bands[bandNumber - 1];
      if (!info)
        throw new OptionError(
          `item ${source.item.id} has no band ${bandNumber} in asset '${asset}' (it has ${source.bands.length})`,
        );
      bands.push({
        dataType: info.dataType,
        nodata: info.nodata,
        scale: info.scale,
        offset: info.offset,
        description: source.item.id,
        sources: [sourceOf(source, bandNumber)],
      });
    }
  } else {
    bands = placed[0]!.bands.map((info, index) => ({
      dataType: info.dataType,
      nodata: info.nodata,
      scale: info.scale,
      offset: info.offset,
      description: info.name,
      sources: placed.map((source) => sourceOf(source, index + 1)),
    }));
  }
  const document: VrtDocument = { width, height, crs: placed[0]!.grid.crs, transform, bands };
  const gdalConfig: Record<string, string> = {};
  for (const source of placed) {
    for (const [name, value] of Object.entries(source.config)) {
      // GDAL takes one value per option and process: sources needing two cannot be opened together.
      if (name in gdalConfig && gdalConfig[name] !== value)
        warnings.add(
          `the sources need different values of ${name} (values not shown); GDAL takes one per process, so open them separately`,
        );
      else gdalConfig[name] = value;
    }
  }
  const warningList = [...warnings];
  for (const warning of warningList) options.onWarning?.(warning);
  return { document, xml: writeVrtXml(document), warnings: warningList, skipped, gdalConfig };
}

/** Writes text to `target` through a temporary file, so a failure never leaves a partial file. */
export async function writeFileAtomic(target: string, text: string): Promise<void> {
  const path = nodeBuiltin('node:path', 'writing a file');
  const { writeFile, unlink } = nodeBuiltin('node:fs/promises', 'writing a file');
  const temporary = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`,
  );
  try {
    await writeFile(temporary, text, 'utf8');
    await replaceWithTemporary(temporary, target);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    if (WriteError.isInstance(error)) throw error;
    throw new WriteError(
      `cannot write ${target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Builds a GDAL-compatible VRT mosaic of asset `asset` of `items` (see
 * `buildVrtDocument`), writes it to `options.output` when given, and returns a lazy
 * Dataset over it read by the JS VRT reader through `options.registry`. The XML,
 * warnings and left-out sources are in `dataset.source.metadata`.
 */
export async function buildVrtFromStac(
  items: ItemsInput | StacItem[],
  asset: string,
  options: BuildVrtOptions = {},
): Promise<Dataset> {
  if (!options.registry) {
    throw new OptionError(
      'buildVrtFromStac needs a registry to read the mosaic (its readers open the sources); use buildVrtDocument for the XML alone',
    );
  }
  const result = await buildVrtDocument(items, asset, options);
  if (options.output) await writeFileAtomic(options.output, result.xml);
  const source = new VrtRasterSource(
    result.document,
    {
      registry: options.registry,
      ...(options.output
        ? { vrtHref: nodeBuiltin('node:path', 'writing a file').resolve(options.output) }
        : {}),
      signer: options.signer,
      fetch: options.fetch,
    },
    { vrt: result.xml, warnings: result.warnings, skipped: result.skipped },
  );
  return new Dataset(source, 'vrt');
}
