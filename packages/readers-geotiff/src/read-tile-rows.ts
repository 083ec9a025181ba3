// A window read that copies whole rows of decoded tiles with TypedArray.set, where
// geotiff.js's readRasters reads every sample through a DataView call: ~2 s of a
// worker's 10 s on the engine bench's deep cube. Taken only for the common layouts
// (one sample per pixel or planar bands, whole-byte samples in the host's byte order,
// codecs whose decoder needs only the default parameters); readRasters does the rest.
import { getDecoder, type GeoTIFFImage } from 'geotiff';
import type { TypedArray } from '@pyramids/core';
import type { RangeBatcher } from './range-batcher.js';

/** Codecs whose geotiff.js decoder takes only tile size, planar layout, bits and predictor. */
const DEFAULT_PARAMETER_CODECS = new Set([1, 5, 8, 32773, 32946, 50000]);

/** geotiff.js's decoder type, as `getTileOrStrip` takes it. */
type Decoder = Parameters<GeoTIFFImage['getTileOrStrip']>[3];

const decoders = new WeakMap<GeoTIFFImage, Promise<Decoder>>();

/** The host's byte order: typed arrays view memory in it. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function decoderOf(image: GeoTIFFImage, compression: number): Promise<Decoder> {
  let decoder = decoders.get(image);
  if (!decoder) {
    const directory = image.fileDirectory;
    decoder = (async () =>
      getDecoder(compression, {
        tileWidth: image.getTileWidth(),
        tileHeight: image.getTileHeight(),
        planarConfiguration: image.planarConfiguration,
        bitsPerSample: directory.getValue('BitsPerSample'),
        predictor: (await directory.loadValue('Predictor')) ?? 1,
      } as never) as Promise<Decoder>)();
    decoders.set(image, decoder);
    // A failed import (a WASM codec that did not load) is tried again on the next read.
    decoder.catch(() => decoders.delete(image));
  }
  return decoder;
}

/** True when {@link readTileRows} can read `samples` of `image`. */
function rowCopyApplies(image: GeoTIFFImage, compression: number, samples: number[]): boolean {
  if (!DEFAULT_PARAMETER_CODECS.has(compression)) return false;
  if (image.planarConfiguration !== 2 && image.getSamplesPerPixel() !== 1) return false;
  return samples.every((sample) => {
    const bits = image.getBitsPerSample(sample);
    const format = image.getSampleFormat(sample);
    if (![8, 16, 32, 64].includes(bits) || ![1, 2, 3].includes(format)) return false;
    // 64-bit integers come back as BigInt arrays; readRasters' path converts them.
    if (bits === 64 && format !== 3) return false;
    return bits === 8 || image.littleEndian === HOST_LITTLE_ENDIAN;
  });
}

/**
 * Reads `samples` over `window` ([x0, y0, x1, y1] of `image`) as one typed array per
 * sample, or returns undefined when the layout is not one {@link rowCopyApplies} to.
 * Pixels no tile covers are `fillValue` (as readRasters). With `ranges` (HTTP files), tile
 * bytes come through it, merged with other reads' (tiles covered in part kept for the next read); else through geotiff.js.
 */
export async function readTileRows(
  image: GeoTIFFImage,
  compression: number,
  window: [number, number, number, number],
  samples: number[],
  fillValue: number | undefined,
  signal: AbortSignal | undefined,
  ranges?: RangeBatcher,
): Promise<TypedArray[] | undefined> {
  if (!rowCopyApplies(image, compression, samples)) return undefined;
  const decoder = await decoderOf(image, compression);
  const [x0, y0, x1, y1] = window;
  const windowWidth = x1 - x0;
  const tileWidth = image.getTileWidth();
  const tileHeight = image.getTileHeight();
  const tilesAcross = Math.ceil(image.getWidth() / tileWidth);
  const tilesDown = Math.ceil(image.getHeight() / tileHeight);
  const outputs = samples.map((sample) => {
    const output = image.getArrayForSample(sample, windowWidth * (y1 - y0)) as TypedArray;
    if (fillValue) output.fill(fillValue);
    return output;
  });
  const copies: Promise<void>[] = [];
  const lastTileX = Math.min(Math.ceil(x1 / tileWidth), tilesAcross);
  const lastTileY = Math.min(Math.ceil(y1 / tileHeight), tilesDown);
  for (let tileY = Math.max(0, Math.floor(y0 / tileHeight)); tileY < lastTileY; tileY++) {
    for (let tileX = Math.max(0, Math.floor(x0 / tileWidth)); tileX < lastTileX; tileX++) {
      samples.forEach((sample, index) => {
        // Interleaved with one sample per pixel, the tile is that sample's.
        const tileSample = image.planarConfiguration === 2 ? sample : 0;
        // A tile this window covers in part is likely wanted by the next chunk too.
        const left = tileX * tileWidth;
        const top = tileY * tileHeight;
        const partial =
          left < x0 ||
          top < y0 ||
          Math.min(left + tileWidth, image.getWidth()) > x1 ||
          Math.min(top + tileHeight, image.getHeight()) > y1;
        copies.push(
          decodedTile(image, decoder, tileX, tileY, tileSample, signal, ranges, partial).then(
            (tile) => {
              const values = image.getArrayForSample(sample, tile.data) as TypedArray;
              const output = outputs[index]!;
              const fromX = Math.max(x0, left);
              const toX = Math.min(x1, left + tileWidth, image.getWidth());
              const toY = Math.min(y1, top + image.getBlockHeight(tileY), image.getHeight());
              for (let row = Math.max(y0, top); row < toY; row++) {
                const start = (row - top) * tileWidth + (fromX - left);
                output.set(
                  values.subarray(start, start + toX - fromX) as never,
                  (row - y0) * windowWidth + (fromX - x0),
                );
              }
            },
          ),
        );
      });
    }
  }
  await Promise.all(copies);
  return outputs;
}

/** One decoded tile (or strip) of `image`: through `ranges` when given, else geotiff.js's source. */
async function decodedTile(
  image: GeoTIFFImage,
  decoder: Decoder,
  tileX: number,
  tileY: number,
  sample: number,
  signal: AbortSignal | undefined,
  ranges: RangeBatcher | undefined,
  partial: boolean,
): Promise<{ data: ArrayBufferLike }> {
  if (!ranges) return image.getTileOrStrip(tileX, tileY, sample, decoder, signal);
  const across = Math.ceil(image.getWidth() / image.getTileWidth());
  const down = Math.ceil(image.getHeight() / image.getTileHeight());
  const index =
    (image.planarConfiguration === 2 ? sample * across * down : 0) + tileY * across + tileX;
  const directory = image.fileDirectory;
  const [offset, byteCount] = (
    await Promise.all([
      directory.loadValueIndexed(image.isTiled ? 'TileOffsets' : 'StripOffsets', index),
      directory.loadValueIndexed(image.isTiled ? 'TileByteCounts' : 'StripByteCounts', index),
    ])
  ).map(Number) as [number, number];
  // A sparse tile (no bytes): geotiff.js fills it with the file's nodata.
  if (byteCount === 0) return image.getTileOrStrip(tileX, tileY, sample, decoder, signal);
  const bytes = await ranges.read(offset, byteCount, signal, partial);
  // The decoder takes its own ArrayBuffer: a copy of the compressed bytes only.
  return { data: await decoder.decode(bytes.slice().buffer) };
}
