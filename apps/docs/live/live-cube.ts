// The live page's cube (guide/live-cube.md): this file runs in the reader's browser, bundled by
// scripts/build-live-cube.mjs, and the page shows it as its code sample. The sample Items and
// COGs are served by the docs site itself (public/live/sample-data), read with HTTP Range requests.
import { createRegistry, DatasetCollection, type CubeArray } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';

/** The settings the page's controls choose. */
export interface LiveCubeSettings {
  /** URL of the sample ItemCollection; asset hrefs in it are relative to it. */
  itemsUrl: string;
  /** Three assets drawn as red, green and blue. */
  assets: [string, string, string];
  /** Target resolution in metres (the sample tiles are 10 m, in EPSG:32633). */
  resolution: number;
  resampling: 'nearest' | 'bilinear' | 'cubic' | 'average';
  /** `'solar_day'` mosaics the Items of one day; `'none'` keeps one time step per Item. */
  groupby: 'solar_day' | 'none';
}

/** What one build gave: the cube itself and how long it took. */
export interface LiveCubeResult {
  cube: CubeArray;
  /** The cube's sample type (`uint16` for the sample tiles). */
  dataType: string;
  nodata: number | undefined;
  milliseconds: number;
}

/** What the page leaves on `window.pyramidsLiveCube` after a build, for the site's Chromium test. */
export interface LiveCubeReport {
  shape: number[];
  time: string[];
  band: string[];
  checksum: string;
}

declare global {
  interface Window {
    pyramidsLiveCube?: LiveCubeReport;
  }
}

/** Searches nothing and downloads nothing whole: Items → lazy cube → one `read()` of every chunk. */
export async function buildLiveCube(settings: LiveCubeSettings): Promise<LiveCubeResult> {
  const started = performance.now();
  const response = await fetch(settings.itemsUrl);
  if (!response.ok) throw new Error(`${settings.itemsUrl} answered HTTP ${response.status}`);
  const items = (await response.json()) as { features: unknown[] };
  const cube = await DatasetCollection.fromStac(items.features, {
    registry: createRegistry().use(geotiffReader()),
    baseHref: settings.itemsUrl,
    asset: settings.assets,
    crs: 'EPSG:32633',
    resolution: settings.resolution,
    resampling: settings.resampling,
    ...(settings.groupby === 'solar_day' ? { groupby: 'solar_day' as const } : {}),
  });
  const array = await cube.read();
  return {
    cube: array,
    dataType: cube.dataType,
    nodata: cube.bands[0]?.nodata,
    milliseconds: performance.now() - started,
  };
}

/** Draws time step `time` of the cube as RGB on `canvas`, stretched to the 2–98 % range. */
export function drawTimeStep(
  { cube, nodata }: LiveCubeResult,
  time: number,
  canvas: HTMLCanvasElement,
): void {
  const [, bandCount, height, width] = cube.shape;
  const plane = width * height;
  const value = (band: number, pixel: number) =>
    Number(cube.data[(time * bandCount + band) * plane + pixel]);
  const valid: number[] = [];
  for (let band = 0; band < 3; band++)
    for (let pixel = 0; pixel < plane; pixel++) {
      const sample = value(band, pixel);
      if (sample !== nodata && Number.isFinite(sample)) valid.push(sample);
    }
  valid.sort((a, b) => a - b);
  const low = valid[Math.floor(valid.length * 0.02)] ?? 0;
  const high = valid[Math.floor(valid.length * 0.98)] ?? 1;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(width, height);
  for (let pixel = 0; pixel < plane; pixel++) {
    for (let band = 0; band < 3; band++)
      image.data[pixel * 4 + band] = ((value(band, pixel) - low) / (high - low || 1)) * 255;
    image.data[pixel * 4 + 3] = value(0, pixel) === nodata ? 0 : 255;
  }
  context.putImageData(image, 0, 0);
}

/** A short fingerprint of the cube's values (FNV-1a over their float64 bits), to compare with a build in Node. */
export function cubeChecksum(cube: CubeArray): string {
  const words = new Uint32Array(new Float64Array(Array.from(cube.data, Number)).buffer);
  let hash = 0x811c9dc5;
  for (const word of words) hash = Math.imul(hash ^ word, 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}
