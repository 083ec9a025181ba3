// The heavy half of the GeoTIFF writer plugin: streams cube chunks into one
// GeoTIFF (every band of every time step, time-major) or, for a directory target,
// one GeoTIFF per time step, each closed as soon as its last pixel arrives.
import type {
  CubeWriteChunk,
  CubeWriteDescription,
  WriterImplementation,
  WriterOptions,
} from '../plugins/plugin-types.js';
import { openGeoTiffStream, type GeoTiffStream } from './geotiff-stream.js';
import type { WriteGeoTiffOptions } from './geotiff-writer.js';
import { nodeBuiltin } from '../platform/node-builtin.js';

/** A time label fit for a file name. */
function fileNameOf(label: string): string {
  return label.replace(/[^A-Za-z0-9._-]+/g, '_');
}

function bandsOf(description: CubeWriteDescription, times: readonly number[]) {
  return times.flatMap((time) =>
    description.bands.map((band) => ({
      dataType: description.dataType,
      nodata: band.nodata,
      ...(band.scale !== undefined && band.scale !== 1 ? { scale: band.scale } : {}),
      ...(band.offset !== undefined && band.offset !== 0 ? { offset: band.offset } : {}),
      unit: band.unit,
      name: `${description.time[time]}/${band.name}`,
    })),
  );
}

async function writeCube(
  target: string,
  description: CubeWriteDescription,
  chunks: AsyncIterable<CubeWriteChunk>,
  options: WriterOptions = {},
): Promise<string[]> {
  const geotiffOptions = options as WriteGeoTiffOptions;
  const { grid } = description;
  const bandCount = description.bands.length;
  const metadata = { ...description.metadata };
  const isDirectory = /[\\/]$/.test(target);
  const nodePath = nodeBuiltin('node:path', 'writing a GeoTIFF file');
  const written: string[] = [];
  // One stream for a file target; for a directory, one per time step while it is being filled.
  const open = new Map<number, { stream: GeoTiffStream; path: string; pixels: number }>();
  const streamFor = async (time: number) => {
    const key = isDirectory ? time : 0;
    let entry = open.get(key);
    if (!entry) {
      const path = isDirectory
        ? nodePath.join(target, `${fileNameOf(description.time[time]!)}.tif`)
        : target;
      const times = isDirectory ? [time] : description.time.map((_, index) => index);
      const stream = await openGeoTiffStream(
        path,
        {
          grid,
          bands: bandsOf(description, times),
          metadata: isDirectory
            ? { ...metadata, PYRAMIDS_TIME: description.time[time]! }
            : metadata,
        },
        geotiffOptions,
      );
      entry = { stream, path, pixels: 0 };
      open.set(key, entry);
    }
    return entry;
  };
  try {
    if (isDirectory) {
      const { mkdir } = nodeBuiltin('node:fs/promises', 'writing a GeoTIFF file');
      await mkdir(target, { recursive: true });
    }
    // A file target needs its stream even for a cube without chunks, so the error names what is missing.
    if (!isDirectory) await streamFor(0);
    for await (const chunk of chunks) {
      const entry = await streamFor(chunk.time);
      await entry.stream.write({
        window: chunk.window,
        firstBand: isDirectory ? 0 : chunk.time * bandCount,
        data: chunk.data,
      });
      entry.pixels += chunk.window.width * chunk.window.height;
      if (isDirectory && entry.pixels === grid.width * grid.height) {
        open.delete(chunk.time);
        await entry.stream.close();
        written.push(entry.path);
      }
    }
    for (const [key, entry] of open) {
      open.delete(key);
      await entry.stream.close();
      written.push(entry.path);
    }
    return isDirectory ? written.sort() : written;
  } catch (error) {
    await Promise.allSettled([...open.values()].map((entry) => entry.stream.abort()));
    if (isDirectory) {
      const { rm } = nodeBuiltin('node:fs/promises', 'writing a GeoTIFF file');
      await Promise.allSettled(written.map((file) => rm(file, { force: true })));
    }
    throw error;
  }
}

/** Writes cube chunks as GeoTIFF as they arrive; see {@link geotiffWriter}. */
export const geotiffCubeWriter: WriterImplementation = { write: writeCube };
