import { addDecoder } from 'geotiff';

/** TIFF compression codes of DEFLATE: 8 (Adobe) and 32946 (the older PKZIP code). */
const DEFLATE_CODES = [8, 32946];

/** TIFF compression code of JPEG ("new-style", with JPEGTables). */
const JPEG_CODE = 7;

let registered = false;

/** The fields of geotiff.js's ImageFileDirectory the JPEG decoder's parameters come from. */
interface FileDirectory {
  hasTag(name: string): boolean;
  loadValue(name: string): Promise<unknown>;
}

/** geotiff.js's JPEG parameters plus the samples per tile, to check each decoded tile. */
async function jpegParameters(directory: FileDirectory): Promise<Record<string, unknown>> {
  const tiled = !directory.hasTag('StripOffsets');
  const planar = ((await directory.loadValue('PlanarConfiguration')) as number | undefined) ?? 1;
  const samples = ((await directory.loadValue('SamplesPerPixel')) as number | undefined) ?? 1;
  return {
    tileWidth: await directory.loadValue(tiled ? 'TileWidth' : 'ImageWidth'),
    tileHeight: tiled
      ? await directory.loadValue('TileLength')
      : ((await directory.loadValue('RowsPerStrip')) ?? (await directory.loadValue('ImageLength'))),
    planarConfiguration: planar,
    bitsPerSample: await directory.loadValue('BitsPerSample'),
    predictor: ((await directory.loadValue('Predictor')) as number | undefined) ?? 1,
    samplesPerPixel: planar === 2 ? 1 : samples,
    JPEGTables: await directory.loadValue('JPEGTables'),
  };
}

/**
 * True once JPEG tiles decode through libjpeg-turbo, which hands YCbCr tiles out as RGB
 * already (so the reader reads them as rasters, not through geotiff.js's YCbCr conversion).
 */
export function jpegDecodesToRgb(): boolean {
  return registered;
}

/**
 * Swaps geotiff.js's pure-JS DEFLATE decoder for one on `node:zlib`, and its JPEG
 * decoder for libjpeg-turbo (through sharp, so pixels equal GDAL's), when running in
 * Node; elsewhere (browsers) geotiff.js keeps its own. Each Node decoder is imported
 * only when such a tile is first decoded. Safe to call repeatedly.
 */
export function registerNativeDecoders(): void {
  if (registered || typeof process === 'undefined' || !process.versions?.node) return;
  registered = true;
  addDecoder(
    DEFLATE_CODES,
    async () => (await import('./native-deflate-decoder.js')).default,
    undefined,
    // Its work already runs off the main thread, in libuv's pool.
    false,
  );
  addDecoder(
    JPEG_CODE,
    async () => (await import('./native-jpeg-decoder.js')).default,
    jpegParameters as never,
    // libvips decodes on libuv's pool too.
    false,
  );
}
