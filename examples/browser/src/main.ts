// The browser example: search a STAC API, build a 3-date RGB cube of a small
// area and draw it on a canvas, read one COG window, and read a stac-geoparquet file,
// all with the default entries of @pyramids/core, @pyramids/readers-geotiff and
// @pyramids/parquet. Settings come from the page's query string (see README.md).
import {
  createRegistry,
  createTransformer,
  createWebWorkerPool,
  crsName,
  DatasetCollection,
  loadCrs,
  openRaster,
  search,
  type Bounds,
  type CubeArray,
} from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { readGeoParquet } from '@pyramids/parquet';

/** What the page did, also left on `window.pyramidsExample.result` for tests. */
export interface ExampleResult {
  items: string[];
  cube?: { shape: number[]; time: string[]; band: string[]; crs: string | null; data: number[] };
  /** The same cube, its chunk tasks run on Web Workers (`?workers=n`). */
  workerCube?: { workers: number; tasks: number; data: number[] };
  window?: { href: string; x: number; y: number; width: number; height: number; bands: number[][] };
  parquet?: { href: string; items: unknown[] };
  crs?: { code: string; name: string | undefined; point: [number, number] };
}

const settings = new URLSearchParams(location.search);
const setting = (name: string, fallback: string): string => settings.get(name) ?? fallback;
const numbers = (text: string): number[] => text.split(',').map(Number);

const output = document.querySelector<HTMLPreElement>('#log')!;
function log(message: string): void {
  output.textContent += `${message}\n`;
}

/** Draws time step `time` of an RGB cube (bands 0, 1, 2), stretched to its 2–98 % range. */
function drawCube(
  cube: CubeArray,
  time: number,
  canvas: HTMLCanvasElement,
  nodata: number | undefined,
): void {
  const [, bandCount, height, width] = cube.shape;
  const plane = width * height;
  const values: number[] = [];
  for (let index = time * bandCount * plane; index < (time * bandCount + 3) * plane; index++) {
    const value = Number(cube.data[index]);
    if (value !== nodata && Number.isFinite(value)) values.push(value);
  }
  values.sort((a, b) => a - b);
  const low = values[Math.floor(values.length * 0.02)] ?? 0;
  const high = values[Math.floor(values.length * 0.98)] ?? 1;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(width, height);
  for (let pixel = 0; pixel < plane; pixel++) {
    for (let band = 0; band < 3; band++) {
      const value = Number(cube.data[(time * bandCount + band) * plane + pixel]);
      image.data[pixel * 4 + band] = Math.max(
        0,
        Math.min(255, ((value - low) / (high - low || 1)) * 255),
      );
    }
    image.data[pixel * 4 + 3] =
      Number(cube.data[time * bandCount * plane + pixel]) === nodata ? 0 : 255;
  }
  context.putImageData(image, 0, 0);
}

async function run(): Promise<ExampleResult> {
  const registry = createRegistry().use(geotiffReader());
  const result: ExampleResult = { items: [] };

  // 1. Search: three dates over a small box.
  const stac = setting('stac', 'https://earth-search.aws.element84.com/v1');
  const bbox = numbers(setting('bbox', '11.56,48.13,11.60,48.16')) as Bounds;
  const assets = setting('assets', 'red,green,blue').split(',');
  const items = await search(stac, {
    collections: [setting('collection', 'sentinel-2-l2a')],
    bbox,
    datetime: setting('datetime', '2024-06-01/2024-08-31'),
    maxItems: Number(setting('maxItems', '3')),
    ...(settings.has('query')
      ? { query: JSON.parse(settings.get('query')!) as Record<string, unknown> }
      : { query: { 'eo:cloud_cover': { lt: 10 } } }),
  });
  result.items = items.features.map((item) => item.id);
  log(`search: ${result.items.length} items: ${result.items.join(', ')}`);

  // 2. The cube: time × band × y × x, drawn on one canvas per date.
  const cube = await DatasetCollection.fromStac(items, {
    registry,
    asset: assets,
    bbox,
    ...(settings.has('crs') ? { crs: settings.get('crs')! } : { crs: 'utm' }),
    resolution: Number(setting('resolution', '20')),
    ...(settings.has('bounds') ? { bounds: numbers(settings.get('bounds')!) as Bounds } : {}),
    ...(settings.has('chunkSize') ? { chunkSize: Number(settings.get('chunkSize')) } : {}),
  });
  const array = await cube.read();
  result.cube = {
    shape: [...array.shape],
    time: array.coords.time,
    band: array.coords.band,
    crs: array.grid.crs,
    data: Array.from(array.data, Number),
  };
  log(`cube: ${array.shape.join(' × ')} (${array.dims.join(', ')}) in ${array.grid.crs}`);
  if (settings.has('workers')) {
    // The chunk tasks are plain data: run them on a pool of module workers and place each result.
    const pool = createWebWorkerPool({
      createWorker: () =>
        new Worker(new URL('./chunk-worker.js', import.meta.url), { type: 'module' }),
      size: Number(settings.get('workers')),
    });
    const tasks = cube.tasks();
    const [, bandCount, height, width] = array.shape;
    const data = new Float64Array(array.data.length);
    try {
      for (const chunk of await Promise.all(tasks.map((task) => pool.run(task)))) {
        for (const [band, values] of chunk.data.entries()) {
          for (let row = 0; row < chunk.window.height; row++) {
            const start =
              ((chunk.time * bandCount + band) * height + chunk.window.y + row) * width +
              chunk.window.x;
            data.set(
              values.subarray(row * chunk.window.width, (row + 1) * chunk.window.width),
              start,
            );
          }
        }
      }
    } finally {
      pool.terminate();
    }
    result.workerCube = {
      workers: Number(settings.get('workers')),
      tasks: tasks.length,
      data: Array.from(data),
    };
    log(`cube on ${result.workerCube.workers} Web Workers: ${tasks.length} chunk tasks`);
  }
  const canvases = document.querySelector('#canvases')!;
  for (let time = 0; time < array.shape[0]; time++) {
    const canvas = document.createElement('canvas');
    canvas.title = array.coords.time[time]!;
    canvases.append(canvas);
    drawCube(array, time, canvas, cube.bands[0]?.nodata);
  }

  // 3. One COG window, read as stored (no warp), for a pixel-exact comparison.
  if (settings.has('cog')) {
    const href = settings.get('cog')!;
    const [x, y, width, height] = numbers(setting('window', '0,0,16,16')) as [
      number,
      number,
      number,
      number,
    ];
    const dataset = await openRaster(href, { registry });
    const read = await dataset.read({ window: { x, y, width, height } });
    result.window = {
      href,
      x,
      y,
      width,
      height,
      bands: read.data.map((band) => Array.from(band, Number)),
    };
    log(`window: ${width} × ${height} at (${x}, ${y}) of ${href}, ${read.data.length} bands`);
  }

  // 4. stac-geoparquet over HTTP Range requests.
  if (settings.has('parquet')) {
    const href = settings.get('parquet')!;
    const parquetItems = await readGeoParquet(href);
    result.parquet = { href, items: parquetItems };
    log(`stac-geoparquet: ${parquetItems.length} items from ${href}`);
  }

  // 5. An EPSG code beyond the built-in ones: its definition is imported lazily (see the import map).
  const code = setting('epsg', 'EPSG:2154');
  await loadCrs(code);
  result.crs = {
    code,
    name: crsName(code),
    point: createTransformer('EPSG:4326', code)(2.35, 48.85),
  };
  log(`crs: ${code} is ${result.crs.name}`);
  return result;
}

declare global {
  interface Window {
    pyramidsExample: { done: Promise<ExampleResult>; result?: ExampleResult; error?: string };
  }
}

const done = run().then(
  (result) => {
    window.pyramidsExample.result = result;
    log('done');
    return result;
  },
  (error: unknown) => {
    window.pyramidsExample.error =
      error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    log(`failed: ${window.pyramidsExample.error}`);
    throw error;
  },
);
window.pyramidsExample = { done };
