// The heavy half of the GeoTIFF reader: geotiff.js, imported only when a
// GeoTIFF is first opened.
import {
  fromCustomClient,
  fromFile,
  BaseClient,
  BaseResponse,
  type GeoTIFF,
  type GeoTIFFImage,
} from 'geotiff';
import {
  fileUrlToPath,
  headersFor,
  httpRequestBytes,
  isAbortError,
  nodeBuiltin,
  normalizeCrs,
  parseGdalMetadata,
  ReadError,
  SignerError,
  redactHref,
  quoteServerText,
  redactRequestSecrets,
  UnsupportedAssetError,
  type BandInfo,
  type DataType,
  type GeoTransform,
  type OverviewLevel,
  type RasterSource,
  type ReaderContext,
  type ReaderImplementation,
  type ReadRequest,
  type TypedArray,
} from '@pyramids/core';
import type { GeoTiffReaderOptions } from './geotiff-reader.js';
import { useStreamDeflateDecoder } from './stream-deflate-decoder.js';
import { jpegDecodesToRgb, registerNativeDecoders } from './register-native-decoders.js';
import { checkTiffStructure, type TiffLayout } from './tiff-structure.js';

const IDENTITY: GeoTransform = [0, 1, 0, 0, 0, 1];

/** TIFF compression codes geotiff.js cannot decode in Node, and what can. */
const UNDECODABLE_COMPRESSION: Record<number, string> = {
  50001: 'WebP',
  34925: 'LZMA',
  34712: 'JPEG 2000',
};

/** Raw GeoTIFF georeferencing tags, kept so a write can reproduce any CRS exactly. */
export interface RawGeoKeys {
  /** GeoKeyDirectoryTag (34735) shorts. */
  directory: number[];
  /** GeoDoubleParamsTag (34736). */
  doubleParams?: number[];
  /** GeoAsciiParamsTag (34737). */
  asciiParams?: string;
}

/** A ground control point as GDAL reports it. */
export interface GroundControlPoint {
  pixel: number;
  line: number;
  x: number;
  y: number;
  z: number;
}

/**
 * geotiff.js client over core's `httpRequest`: retries, timeouts, aborts, and
 * the signer's href and headers computed per request (so a refreshed token is
 * used). A 401/403 goes to the signer's `describeFailure`, which drops a
 * revoked token; the read is then retried once with a fresh one.
 */
class SignedHttpClient extends BaseClient {
  /**
   * The last typed failure. geotiff.js's block cache drops the errors of failed
   * fetches (it throws a bare AggregateError), so the reader looks here instead.
   */
  lastError: unknown;

  constructor(
    url: string,
    private readonly context: ReaderContext,
    private readonly readerOptions: GeoTiffReaderOptions,
  ) {
    super(url);
  }

  override async request(init: RequestInit = {}): Promise<BaseResponse> {
    try {
      let attempt = await this.send(init);
      const signer = this.context.signer;
      if (
        (attempt.response.status === 401 || attempt.response.status === 403) &&
        signer?.describeFailure &&
        signer.matches(attempt.url)
      ) {
        const explained = signer.describeFailure(attempt.url, {
          status: attempt.response.status,
          headers: attempt.response.headers,
        });
        if (explained) {
          // The signer dropped its token: one more try with a fresh one.
          attempt = await this.send(init);
          if (attempt.response.status === 401 || attempt.response.status === 403) throw explained;
        }
      }
      if (!attempt.response.ok) throw this.failure(attempt);
      return new FetchedResponse(attempt.response, attempt.bytes);
    } catch (error) {
      this.lastError = error;
      throw error;
    }
  }

  /**
   * One request, signed now (the href from the signer's cache, then its headers), its
   * body read under the retry policy: a block cut short is fetched again, never decoded.
   */
  private async send(
    init: RequestInit,
  ): Promise<{ url: string; response: Response; bytes: Uint8Array; sent: Record<string, string> }> {
    const extra = (init.headers ?? {}) as Record<string, string>;
    const signal = init.signal ?? undefined;
    const url = this.context.signHref ? await this.context.signHref(signal) : this.url;
    let sent: Record<string, string> = {};
    const { response, bytes } = await httpRequestBytes(url, {
      headers: async (target) =>
        (sent = {
          ...extra,
          ...(await headersFor(this.context.signer, target, { method: 'GET' }, signal)),
        }),
      ...(signal ? { signal } : {}),
      ...(this.context.fetch ? { fetch: this.context.fetch } : {}),
      retries: this.readerOptions.retries ?? 3,
      timeout: this.readerOptions.timeout ?? 30_000,
      ...(this.readerOptions.backoff === undefined ? {} : { backoff: this.readerOptions.backoff }),
    });
    return { url, response, bytes, sent };
  }

  /** The ReadError for a failed response, with the server's words and no secret. */
  private failure({
    url,
    response,
    bytes,
    sent,
  }: {
    url: string;
    response: Response;
    bytes: Uint8Array;
    sent: Record<string, string>;
  }): ReadError {
    const hint =
      response.status === 401 || response.status === 403
        ? '; the server refused access: pass a signer for this host (--signer) or check its credentials'
        : response.status === 404
          ? '; check the href'
          : '';
    // A server may quote the request back (its token, its SAS query): never into the message.
    const snippet = quoteServerText(new TextDecoder().decode(bytes), 200, (text) =>
      redactRequestSecrets(text, url, sent),
    );
    return new ReadError(
      `HTTP ${response.status} reading ${redactHref(url)}${hint}${snippet ? ` (server said: ${snippet})` : ''}`,
      {
        plugin: 'geotiff',
        details: { status: response.status, href: redactHref(url) },
      },
    );
  }
}

class FetchedResponse extends BaseResponse {
  constructor(
    private readonly response: Response,
    private readonly bytes: Uint8Array,
  ) {
    super();
  }
  override get status(): number {
    return this.response.status;
  }
  override getHeader(name: string): string | undefined {
    return this.response.headers.get(name) ?? undefined;
  }
  override async getData(): Promise<ArrayBuffer> {
    return this.bytes.buffer.slice(
      this.bytes.byteOffset,
      this.bytes.byteOffset + this.bytes.byteLength,
    ) as ArrayBuffer;
  }
}

/**
 * geotiff.js wraps failed block fetches in an AggregateError; find our own
 * typed error (or the abort) inside it so its message reaches the user.
 */
function unwrapBlockError(error: unknown, client: SignedHttpClient | undefined): unknown {
  if (isAbortError(error) || client?.lastError === undefined) return error;
  const typed = client.lastError;
  client.lastError = undefined;
  return typed;
}

function isHttp(href: string): boolean {
  return /^https?:\/\//i.test(href);
}

function localPath(href: string): string {
  return href.startsWith('file://') ? fileUrlToPath(href) : href;
}

async function exists(path: string): Promise<boolean> {
  const { access } = nodeBuiltin('node:fs/promises', 'reading a local GeoTIFF');
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function tagValue<T>(image: GeoTIFFImage, tag: string): Promise<T | undefined> {
  const directory = image.getFileDirectory();
  if (!directory.hasTag(tag as never)) return undefined;
  return (await directory.loadValue(tag as never)) as T;
}

function dataTypeOf(format: number, bits: number, where: string): DataType {
  if (format === 5 || format === 6) {
    return (
      ({ 5: { 32: 'cint16', 64: 'cint32' }, 6: { 64: 'cfloat32', 128: 'cfloat64' } } as const)[
        format
      ][bits as 32 | 64 | 128] ?? 'other'
    );
  }
  if (format === 3) {
    if (bits === 16) return 'float16';
    if (bits === 32) return 'float32';
    if (bits === 64) return 'float64';
  } else if (format === 2) {
    if (bits === 8) return 'int8';
    if (bits === 16) return 'int16';
    if (bits === 32) return 'int32';
    if (bits === 64) return 'int64';
  } else {
    if (bits <= 8) return 'uint8';
    if (bits === 16) return 'uint16';
    if (bits === 32) return 'uint32';
    if (bits === 64) return 'uint64';
  }
  throw new ReadError(
    `${where}: unsupported sample format ${format} with ${bits} bits per sample`,
    { plugin: 'geotiff' },
  );
}

function parseNodata(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.replace(/\0/g, '').trim().toLowerCase();
  if (trimmed === '') return undefined;
  if (trimmed === 'nan') return Number.NaN;
  if (trimmed === 'inf') return Number.POSITIVE_INFINITY;
  if (trimmed === '-inf') return Number.NEGATIVE_INFINITY;
  const value = Number(trimmed);
  return Number.isNaN(value) ? undefined : value;
}

/** Geotransform and GCPs of the full-resolution image, as GDAL derives them. */
async function readGeoreferencing(
  image: GeoTIFFImage,
  pixelIsPoint: boolean,
): Promise<{ transform: GeoTransform; gcps?: GroundControlPoint[] }> {
  const matrix = await tagValue<number[]>(image, 'ModelTransformation');
  const scale = await tagValue<number[]>(image, 'ModelPixelScale');
  const tiepoints = await tagValue<number[]>(image, 'ModelTiepoint');
  let transform: GeoTransform | undefined;
  if (matrix && matrix.length >= 16) {
    transform = [matrix[3]!, matrix[0]!, matrix[1]!, matrix[7]!, matrix[4]!, matrix[5]!];
  } else if (scale && tiepoints && tiepoints.length >= 6) {
    const [i, j, , x, y] = tiepoints as [number, number, number, number, number];
    transform = [x - i * scale[0]!, scale[0]!, 0, y + j * scale[1]!, 0, -scale[1]!];
  } else if (tiepoints && tiepoints.length >= 6) {
    const gcps: GroundControlPoint[] = [];
    for (let index = 0; index + 5 < tiepoints.length; index += 6) {
      gcps.push({
        pixel: tiepoints[index]!,
        line: tiepoints[index + 1]!,
        x: tiepoints[index + 3]!,
        y: tiepoints[index + 4]!,
        z: tiepoints[index + 5]!,
      });
    }
    return { transform: IDENTITY, gcps };
  }
  if (!transform) return { transform: IDENTITY };
  if (pixelIsPoint) {
    // GDAL's default (GTIFF_POINT_GEO_IGNORE=FALSE): the tiepoint names a pixel centre.
    transform = [
      transform[0] - 0.5 * transform[1] - 0.5 * transform[2],
      transform[1],
      transform[2],
      transform[3] - 0.5 * transform[4] - 0.5 * transform[5],
      transform[4],
      transform[5],
    ];
  }
  return { transform };
}

/** CRS of the file: an EPSG code when the GeoKeys name one, else a proj4 string built from the keys. */
async function readCrs(image: GeoTIFFImage): Promise<string | null> {
  const keys = image.getGeoKeys() as Record<string, number | string | number[] | undefined> | null;
  if (!keys) return null;
  const projected = keys['ProjectedCSTypeGeoKey'];
  if (typeof projected === 'number' && projected > 0 && projected < 32767)
    return `EPSG:${projected}`;
  const modelType = keys['GTModelTypeGeoKey'];
  const geographic = keys['GeographicTypeGeoKey'];
  if (modelType !== 1 && typeof geographic === 'number' && geographic > 0 && geographic < 32767)
    return `EPSG:${geographic}`;
  // GDAL stores a CRS GeoKeys cannot express as an ESRI WKT in the citation: the full definition.
  const citation = [
    keys['PCSCitationGeoKey'],
    keys['GTCitationGeoKey'],
    keys['GeogCitationGeoKey'],
  ].find(
    (value): value is string => typeof value === 'string' && value.includes('ESRI PE String = '),
  );
  const esriWkt = citation?.split('ESRI PE String = ')[1]?.split('|')[0]?.trim();
  if (esriWkt) return normalizeCrs(esriWkt);
  try {
    const { toProj4 } = await import('geotiff-geokeys-to-proj4');
    const converted = toProj4(keys as never) as { proj4?: string };
    return converted.proj4 ? normalizeCrs(converted.proj4) : null;
  } catch {
    return null;
  }
}

async function readRawGeoKeys(image: GeoTIFFImage): Promise<RawGeoKeys | undefined> {
  const directory = await tagValue<ArrayLike<number>>(image, 'GeoKeyDirectory');
  if (!directory) return undefined;
  const raw: RawGeoKeys = { directory: Array.from(directory) };
  const doubles = await tagValue<ArrayLike<number>>(image, 'GeoDoubleParams');
  if (doubles) raw.doubleParams = Array.from(doubles);
  const ascii = await tagValue<string>(image, 'GeoAsciiParams');
  if (ascii) raw.asciiParams = ascii;
  return raw;
}

async function subfileType(image: GeoTIFFImage): Promise<number> {
  return (await tagValue<number>(image, 'NewSubfileType')) ?? 0;
}

/** Opens the file(s) behind an href: the GeoTIFF, and a sibling `.ovr` for local files. */
async function openTiffs(
  href: string,
  context: ReaderContext,
  options: GeoTiffReaderOptions,
  client: SignedHttpClient | undefined,
): Promise<GeoTIFF[]> {
  if (client) {
    return [
      await fromCustomClient(
        client,
        {
          blockSize: options.blockSize ?? 65_536,
          cacheSize: options.cacheSize ?? 256,
        } as Parameters<typeof fromCustomClient>[1],
        context.signal,
      ),
    ];
  }
  const path = localPath(href);
  if (!(await exists(path))) {
    throw new ReadError(`file not found: ${path}`, { plugin: 'geotiff', details: { href: path } });
  }
  const main = await fromFile(path, context.signal);
  const overview = `${path}.ovr`;
  return (await exists(overview)) ? [main, await fromFile(overview, context.signal)] : [main];
}

/**
 * Checks the structure of one opened file and returns its IFD count; a local file's
 * size comes from the file system, a remote one's from the server's Content-Range.
 */
async function checkOpenedTiff(
  tiff: GeoTIFF,
  href: string,
  remote: boolean,
  signal?: AbortSignal,
): Promise<number> {
  const layout = tiff as unknown as TiffLayout;
  let fileSize = layout.source.fileSize ?? undefined;
  if (!remote)
    fileSize = (
      await nodeBuiltin('node:fs/promises', 'reading a local GeoTIFF').stat(localPath(href))
    ).size;
  return checkTiffStructure(
    {
      ...layout,
      source: { fetch: (slices, abort) => layout.source.fetch(slices, abort), fileSize },
    },
    redactHref(href),
    signal,
  );
}

/** Builds the RasterSource of one GeoTIFF. */
async function openGeoTiff(
  href: string,
  context: ReaderContext,
  options: GeoTiffReaderOptions,
): Promise<RasterSource> {
  const shown = redactHref(href);
  const client = isHttp(href) ? new SignedHttpClient(href, context, options) : undefined;
  let tiffs: GeoTIFF[];
  try {
    tiffs = await openTiffs(href, context, options, client);
  } catch (caught) {
    const error = unwrapBlockError(caught, client);
    if (isAbortError(error) || ReadError.isInstance(error) || SignerError.isInstance(error))
      throw error;
    throw new ReadError(`cannot read ${shown} as a TIFF: ${(error as Error).message}`, {
      plugin: 'geotiff',
      cause: error,
    });
  }

  const images: GeoTIFFImage[] = [];
  for (const [fileIndex, tiff] of tiffs.entries()) {
    // Checked before geotiff.js walks the file: it loops forever on an IFD cycle and reads corrupt blocks as zeros.
    const count = await checkOpenedTiff(
      tiff,
      fileIndex === 0 ? href : `${href}.ovr`,
      client !== undefined && fileIndex === 0,
      context.signal,
    );
    for (let index = 0; index < count; index++) {
      const image = await tiff.getImage(index);
      const type = await subfileType(image);
      if (type & 4) continue; // a transparency mask, not a level
      if (fileIndex === 0 && index > 0 && !(type & 1)) continue; // another page, not an overview
      images.push(image);
    }
  }
  const full = images[0]!;
  const width = full.getWidth();
  const height = full.getHeight();
  const samples = full.getSamplesPerPixel();

  const compression = (await tagValue<number>(full, 'Compression')) ?? 1;
  const undecodable = UNDECODABLE_COMPRESSION[compression];
  if (undecodable) {
    throw new UnsupportedAssetError(
      `${shown} is ${undecodable}-compressed, which @pyramids/readers-geotiff cannot decode in Node; ` +
        'read it with @pyramids/readers-gdal (gdalReader({ geotiff: true })) instead',
      { plugin: 'geotiff', details: { compression: undecodable } },
    );
  }

  const formats = (await tagValue<ArrayLike<number>>(full, 'SampleFormat')) ?? [];
  const bits = (await tagValue<ArrayLike<number>>(full, 'BitsPerSample')) ?? [1];
  const keys = full.getGeoKeys() as Record<string, number> | null;
  const pixelIsPoint = keys?.['GTRasterTypeGeoKey'] === 2;
  const { transform, gcps } = await readGeoreferencing(full, pixelIsPoint);
  const crs = gcps ? null : await readCrs(full);
  const gcpCrs = gcps ? await readCrs(full) : undefined;
  const metadataXml = await tagValue<string>(full, 'GDAL_METADATA');
  const gdalMetadata = parseGdalMetadata(metadataXml);
  const nodata = parseNodata(await tagValue<string>(full, 'GDAL_NODATA'));

  const bands: BandInfo[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const dataType = dataTypeOf(
      formats[sample] ?? formats[0] ?? 1,
      bits[sample] ?? bits[0] ?? 8,
      shown,
    );
    const band: BandInfo = { dataType };
    if (nodata !== undefined) band.nodata = nodata;
    const items = gdalMetadata.bands.get(sample) ?? {};
    if (items['scale'] !== undefined && Number.isFinite(Number(items['scale'])))
      band.scale = Number(items['scale']);
    if (items['offset'] !== undefined && Number.isFinite(Number(items['offset'])))
      band.offset = Number(items['offset']);
    if (items['description']) band.name = items['description'];
    if (items['unittype']) band.unit = items['unittype'];
    bands.push(band);
  }
  const complex = bands.find((band) => band.dataType.startsWith('c'));
  if (complex) {
    throw new UnsupportedAssetError(
      `${shown} holds complex-valued data (${complex.dataType}), which @pyramids/readers-geotiff does not read; ` +
        'use @pyramids/readers-gdal',
      { plugin: 'geotiff', details: { dataType: complex.dataType } },
    );
  }

  const levels: OverviewLevel[] = images.map((image) => {
    const factorX = width / image.getWidth();
    const factorY = height / image.getHeight();
    return {
      width: image.getWidth(),
      height: image.getHeight(),
      transform: [
        transform[0],
        transform[1] * factorX,
        transform[2] * factorY,
        transform[3],
        transform[4] * factorX,
        transform[5] * factorY,
      ],
    };
  });

  const metadata: Record<string, unknown> = {
    compression,
    gdalMetadata: gdalMetadata.dataset,
  };
  const rawGeoKeys = await readRawGeoKeys(full);
  if (rawGeoKeys) metadata['geoKeys'] = rawGeoKeys;
  if (gcps) {
    metadata['gcps'] = gcps;
    metadata['gcpCrs'] = gcpCrs ?? null;
  }
  const photometric = (await tagValue<number>(full, 'PhotometricInterpretation')) ?? 1;

  return {
    href,
    grid: { crs, transform, width, height },
    levels,
    bands,
    blockSize: { width: full.getTileWidth(), height: full.getTileHeight() },
    metadata,
    async read(request: ReadRequest): Promise<TypedArray[]> {
      const level = request.level ?? 0;
      const image = images[level];
      if (!image) throw new ReadError(`${shown} has no level ${level}`, { plugin: 'geotiff' });
      const { x, y, width: windowWidth, height: windowHeight } = request.window;
      const wanted = request.bands ?? bands.map((_, index) => index);
      try {
        const window = [x, y, x + windowWidth, y + windowHeight];
        // JPEG-in-TIFF stored as YCbCr: GDAL hands out RGB, and so do we (libjpeg-turbo
        // decodes to RGB itself; geotiff.js's own decoder leaves the conversion to readRGB).
        if (photometric === 6 && compression === 7 && samples >= 3 && !jpegDecodesToRgb()) {
          const rgb = (await image.readRGB({
            window,
            interleave: false,
            ...(request.signal ? { signal: request.signal } : {}),
          })) as unknown as TypedArray[];
          return wanted.map((index) => rgb[index]!);
        }
        const data = await image.readRasters({
          window,
          samples: wanted,
          interleave: false,
          ...(nodata !== undefined && Number.isFinite(nodata) ? { fillValue: nodata } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
        });
        // 64-bit integers come back as BigInt arrays; bands are number arrays.
        return Array.from(
          data as unknown as (TypedArray | BigInt64Array | BigUint64Array)[],
          (band) =>
            band instanceof BigInt64Array || band instanceof BigUint64Array
              ? Float64Array.from(band, Number)
              : band,
        );
      } catch (caught) {
        const error = unwrapBlockError(caught, client);
        if (isAbortError(error) || request.signal?.aborted) throw request.signal?.reason ?? error;
        if (ReadError.isInstance(error) || SignerError.isInstance(error)) throw error;
        throw new ReadError(
          `cannot decode window ${JSON.stringify(request.window)} of level ${level} of ${shown}: ${(error as Error).message}`,
          { plugin: 'geotiff', cause: error },
        );
      }
    },
    async close() {
      await Promise.all(
        tiffs.map((tiff) => (tiff as unknown as { close?: () => Promise<void> }).close?.()),
      );
    },
  };
}

/** The reader implementation, configured with the plugin's options. */
export function createGeoTiffReaderImplementation(
  options: GeoTiffReaderOptions,
): ReaderImplementation {
  useStreamDeflateDecoder();
  registerNativeDecoders();
  return {
    open: (href, context) => openGeoTiff(href, context, options),
  };
}
