// The heavy half of the GeoTIFF reader: geotiff.js, imported only when a
// GeoTIFF is first opened.
import { fromCustomClient, fromFile, type GeoTIFF, type GeoTIFFImage } from 'geotiff';
import {
  fileUrlToPath,
  isAbortError,
  nodeBuiltin,
  ReadError,
  SignerError,
  redactHref,
  UnsupportedAssetError,
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
import { readGeoTiffBands } from './read-geotiff-bands.js';
import { readGeoTiffGeoreferencing } from './read-geotiff-georeferencing.js';
import { SignedHttpClient, unwrapBlockError } from './signed-http-client.js';
import { tagValue } from './tiff-tag-value.js';
import { RangeBatcher } from './range-batcher.js';
import { readTileRows } from './read-tile-rows.js';

/** TIFF compression codes geotiff.js cannot decode in Node, and what can. */
const UNDECODABLE_COMPRESSION: Record<number, string> = {
  50001: 'WebP',
  34925: 'LZMA',
  34712: 'JPEG 2000',
};

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
          blockSize: options.blockSize ?? 16_384,
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

  const { bands, nodata, datasetMetadata } = await readGeoTiffBands(full, shown);
  const { transform, crs, gcps, gcpCrs, rawGeoKeys } = await readGeoTiffGeoreferencing(full);

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
    gdalMetadata: datasetMetadata,
  };
  if (rawGeoKeys) metadata['geoKeys'] = rawGeoKeys;
  if (gcps) {
    metadata['gcps'] = gcps;
    metadata['gcpCrs'] = gcpCrs ?? null;
  }
  const photometric = (await tagValue<number>(full, 'PhotometricInterpretation')) ?? 1;
  // Tile bytes of a remote file skip geotiff.js's block cache (see range-batcher.ts).
  const ranges = client
    ? new RangeBatcher((offset, length, signal) => client.readRange(offset, length, signal))
    : undefined;

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
            signal: request.signal,
          })) as unknown as TypedArray[];
          return wanted.map((index) => rgb[index]!);
        }
        const fillValue = nodata !== undefined && Number.isFinite(nodata) ? nodata : undefined;
        const rows = await readTileRows(
          image,
          compression,
          window as [number, number, number, number],
          wanted,
          fillValue,
          request.signal,
          ranges,
        );
        if (rows) return rows;
        const data = await image.readRasters({
          window,
          samples: wanted,
          interleave: false,
          fillValue,
          signal: request.signal,
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
          `cannot decode window ${JSON.stringify(request.window)} of level ${level} of ${shown}: ${oneLine((error as Error).message)}`,
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

/** A decoder's message on one line: libvips and others report several causes on several lines. */
function oneLine(message: string): string {
  return message
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .join('; ');
}
