// Node only: loaded lazily by `registerNativeDecoders`, never used outside Node. sharp is
// reached through `createRequire` from `process.getBuiltinModule`, not an import, so browser
// bundles of the default entry resolve neither it nor its native binary.
import { BaseDecoder } from 'geotiff';
import type Sharp from 'sharp';

/** What geotiff.js hands a JPEG decoder: the tile layout plus the file's shared tables. */
export interface JpegDecoderParameters {
  tileWidth: number;
  tileHeight: number;
  samplesPerPixel: number;
  /** The JPEGTables tag: an abbreviated stream (SOI, tables, EOI) every tile refers to. */
  JPEGTables?: Uint8Array;
}

type CreateRequire = (from: string) => (name: string) => unknown;

let loaded: typeof Sharp | undefined;

function loadSharp(): typeof Sharp {
  if (loaded) return loaded;
  const moduleBuiltin = (
    globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }
  ).process?.getBuiltinModule?.('node:module') as { createRequire: CreateRequire } | undefined;
  if (!moduleBuiltin) throw new Error('native JPEG decoding needs Node.js ≥ 20.16');
  loaded = moduleBuiltin.createRequire(import.meta.url)('sharp') as typeof Sharp;
  return loaded;
}

/** One self-contained JPEG: the shared tables spliced in after the tile's SOI marker. */
export function spliceJpegTables(tile: Uint8Array, tables: Uint8Array | undefined): Uint8Array {
  // Tables alone are SOI + tables + EOI (at least 4 bytes); anything shorter adds nothing.
  if (!tables || tables.length <= 4) return tile;
  const joined = new Uint8Array(tables.length - 2 + tile.length - 2);
  joined.set(tables.subarray(0, tables.length - 2), 0);
  joined.set(tile.subarray(2), tables.length - 2);
  return joined;
}

/**
 * JPEG tiles through libjpeg-turbo (sharp's libvips), the decoder GDAL uses: the same
 * inverse DCT and the same smooth chroma upsampling, so the pixels equal GDAL's. YCbCr
 * tiles come out as RGB, converted by libjpeg as libtiff asks it to for GDAL.
 */
export default class NativeJpegDecoder extends BaseDecoder {
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    const parameters = this.parameters as unknown as JpegDecoderParameters;
    const jpeg = spliceJpegTables(new Uint8Array(buffer), parameters.JPEGTables);
    const fourComponents = parameters.samplesPerPixel === 4;
    let pipeline = loadSharp()(jpeg, { failOn: 'none' });
    // Four components (RGBA, CMYK): libjpeg hands them out untouched, but libvips takes them
    // for CMYK and inverts them: kept as CMYK here, the inversion undone below.
    if (fourComponents) pipeline = pipeline.pipelineColourspace('cmyk').toColourspace('cmyk');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (fourComponents) {
      for (let index = 0; index < data.length; index++) data[index] = 255 - data[index]!;
    }
    const expected = parameters.tileWidth * parameters.tileHeight * parameters.samplesPerPixel;
    if (data.length !== expected) {
      throw new Error(
        `a JPEG tile decoded to ${info.width} × ${info.height} × ${info.channels} bytes; the TIFF says ${parameters.tileWidth} × ${parameters.tileHeight} × ${parameters.samplesPerPixel}`,
      );
    }
    return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
      ? data.buffer
      : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  }
}
