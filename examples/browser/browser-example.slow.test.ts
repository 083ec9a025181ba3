// The browser example in a real browser: Debian's Chromium, headless, driven by
// puppeteer-core. The page comes from one loopback server; a loopback STAC API plus a
// Range file server with CORS (COGs made by GDAL from a fixture, a stac-geoparquet
// fixture) from another; epsg-index's per-code files from a third. The page's results
// are compared with GDAL's read of the same COG and with the same work done in Node.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistry,
  createTransformer,
  crsName,
  DatasetCollection,
  type StacItem,
} from '@pyramids/core';
import { readGeoParquet } from '@pyramids/parquet';
import { geotiffReader } from '@pyramids/readers-geotiff';
import {
  gdalInfo,
  readWithGdal,
  runGdal,
} from '../../packages/core/src/test-support/gdal-raster.js';
import { startRangeServer, type RangeServer } from '../../test-support/range-server.js';
import { fixturesDir } from '../../vitest.shared.js';
import { buildBrowserExample } from './build.mjs';
import type { ExampleResult } from './src/main.js';

const SOURCE = path.join(fixturesDir, 'rasters/rio-tiler/cog_rgb.tif'); // EPSG:26913, 383 × 232, 3 bands
const PARQUET = path.join(fixturesDir, 'geoparquet/stac-geoparquet-py/naip.parquet');
const DATES = ['2024-06-01T17:00:00Z', '2024-07-01T17:00:00Z', '2024-08-01T17:00:00Z'];
const BANDS = ['red', 'green', 'blue'];
const WINDOW = [40, 30, 64, 48] as const;
const CUBE_OPTIONS = { crs: 'EPSG:26913', resolution: 0.6, chunkSize: 32 };

/** Debian's Chromium, which scripts/install-chromium.sh (run by scripts/setup.sh) installs. */
function chromiumPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'chromium is not on PATH: run scripts/install-chromium.sh (scripts/setup.sh does) and try again',
    );
  }
}

/** Three dates × red, green, blue single-band DEFLATE COGs, each date's values stretched differently. */
function writeScene(scratch: string): void {
  for (const [time, date] of DATES.entries()) {
    const folder = path.join(scratch, date.slice(0, 10));
    mkdirSync(folder);
    for (const [index, band] of BANDS.entries()) {
      const scale = ['-scale', '0', '255', String(time * 20), String(255 - time * 10)];
      runGdal('gdal_translate', [
        '-q',
        '-b',
        String(index + 1),
        ...scale,
        '-of',
        'COG',
        '-co',
        'COMPRESS=DEFLATE',
        '-co',
        'BLOCKSIZE=128',
        SOURCE,
        path.join(folder, `${band}.tif`),
      ]);
    }
  }
  // One 3-band DEFLATE COG (with a predictor) for the window comparison.
  runGdal('gdal_translate', [
    '-q',
    '-of',
    'COG',
    '-co',
    'COMPRESS=DEFLATE',
    '-co',
    'PREDICTOR=2',
    '-co',
    'BLOCKSIZE=128',
    SOURCE,
    path.join(scratch, 'rgb.tif'),
  ]);
  copyFileSync(PARQUET, path.join(scratch, 'naip.parquet'));
}

function sceneItems(base: string): StacItem[] {
  const info = gdalInfo(SOURCE) as unknown as { wgs84Extent: { coordinates: number[][][] } };
  const ring = info.wgs84Extent.coordinates[0]!;
  const lons = ring.map((point) => point[0]!);
  const lats = ring.map((point) => point[1]!);
  return DATES.map((date) => ({
    type: 'Feature',
    stac_version: '1.0.0',
    stac_extensions: [],
    id: `RGB_${date.slice(0, 10)}`,
    collection: 'test-rgb',
    geometry: { type: 'Polygon', coordinates: [ring] },
    bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)],
    properties: { datetime: date },
    assets: Object.fromEntries(
      BANDS.map((band) => [
        band,
        {
          href: `${base}/${date.slice(0, 10)}/${band}.tif`,
          type: 'image/tiff; application=geotiff; profile=cloud-optimized',
          roles: ['data'],
        },
      ]),
    ),
    links: [],
  })) as StacItem[];
}

function sendJson(response: ServerResponse, body: unknown, type = 'application/json'): void {
  response.writeHead(200, { 'content-type': type }).end(JSON.stringify(body));
}

/** A STAC API at `/api` on the data server: landing page and POST /search over the scene's Items. */
function serveStacApi(server: RangeServer, items: StacItem[]): void {
  const api = `${server.url}/api`;
  server.intercept = (request: IncomingMessage, response: ServerResponse) => {
    const pathname = new URL(request.url ?? '/', 'http://x').pathname;
    if (request.method === 'GET' && pathname === '/api') {
      sendJson(response, {
        type: 'Catalog',
        id: 'browser-test',
        stac_version: '1.0.0',
        description: 'loopback STAC API for the browser example',
        conformsTo: [
          'https://api.stacspec.org/v1.0.0/core',
          'https://api.stacspec.org/v1.0.0/item-search',
          'https://api.stacspec.org/v1.0.0/item-search#query',
        ],
        links: [
          { rel: 'self', href: api, type: 'application/json' },
          { rel: 'search', href: `${api}/search`, type: 'application/geo+json', method: 'POST' },
        ],
      });
      return true;
    }
    if (request.method === 'POST' && pathname === '/api/search') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          collections?: string[];
          limit?: number;
        };
        const features = body.collections?.includes('test-rgb')
          ? items.slice(0, body.limit ?? items.length)
          : [];
        sendJson(
          response,
          {
            type: 'FeatureCollection',
            features,
            links: [],
            numberMatched: features.length,
            numberReturned: features.length,
          },
          'application/geo+json',
        );
      });
      return true;
    }
    return false;
  };
}

describe('the browser example in headless Chromium', () => {
  let scratch: string;
  let pageServer: RangeServer;
  let dataServer: RangeServer;
  let epsgServer: RangeServer;
  let browser: Browser;
  let items: StacItem[];
  let result: ExampleResult;
  let log: string;
  let pakoChunks: string[];

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-browser-'));
    writeScene(scratch);
    dataServer = await startRangeServer(scratch, { cors: true, contentTypes: true });
    items = sceneItems(dataServer.url);
    serveStacApi(dataServer, items);
    const epsgFolder = path.dirname(
      createRequire(import.meta.url).resolve('epsg-index/s/4326.json', {
        paths: [path.resolve(import.meta.dirname, '../../packages/core')],
      }),
    );
    epsgServer = await startRangeServer(epsgFolder, { cors: true, contentTypes: true });
    const built = await buildBrowserExample({
      outdir: path.join(scratch, 'page'),
      epsgBase: `${epsgServer.url}/`,
    });
    // The chunks holding pako (geotiff.js's pure-JS inflate): the stream decoder should make them unnecessary.
    pakoChunks = Object.entries(built.metafile!.outputs)
      .filter(([, output]) => Object.keys(output.inputs).some((input) => input.includes('/pako/')))
      .map(([file]) => path.basename(file));
    pageServer = await startRangeServer(path.join(scratch, 'page'), { contentTypes: true });

    const query = new URLSearchParams({
      stac: `${dataServer.url}/api`,
      collection: 'test-rgb',
      bbox: items[0]!.bbox!.join(','),
      datetime: '2024-01-01/2024-12-31',
      query: '{}',
      crs: CUBE_OPTIONS.crs,
      resolution: String(CUBE_OPTIONS.resolution),
      chunkSize: String(CUBE_OPTIONS.chunkSize),
      workers: '2',
      cog: `${dataServer.url}/rgb.tif`,
      window: WINDOW.join(','),
      parquet: `${dataServer.url}/naip.parquet`,
      epsg: 'EPSG:2154',
    });
    browser = await puppeteer.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => errors.push(message.text()));
    page.on('requestfailed', (request) =>
      errors.push(`${request.url()} ${request.failure()?.errorText}`),
    );
    await page.goto(`${pageServer.url}/index.html?${query}`);
    try {
      result = (await page.evaluate(() => window.pyramidsExample.done)) as ExampleResult;
    } catch (error) {
      const reason = await page
        .evaluate(() => window.pyramidsExample?.error)
        .catch(() => undefined);
      throw new Error(
        `the page failed: ${reason ?? (error as Error).message}; ${errors.join('; ')}; epsg: ${epsgServer.requests.map((r) => r.url).join(',')}`,
        { cause: error },
      );
    }
    log = await page.$eval('#log', (element) => element.textContent ?? '');
    const canvases = await page.$$eval('canvas', (elements) =>
      elements.map((canvas) => (canvas as HTMLCanvasElement).width),
    );
    expect(canvases).toHaveLength(3);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([pageServer?.close(), dataServer?.close(), epsgServer?.close()]);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('searches the STAC API and finds the three dates', () => {
    expect(result.items).toEqual(items.map((item) => item.id));
    expect(log).toContain('done');
  });

  it('reads a COG window whose pixels equal GDAL’s read of the same COG', () => {
    const [x, y, width, height] = WINDOW;
    expect(result.window!.bands).toHaveLength(3);
    for (const [band, values] of result.window!.bands.entries()) {
      // One band per clip: readWithGdal reads its ENVI copy band-sequential.
      const clip = path.join(scratch, `window-${band + 1}.tif`);
      runGdal('gdal_translate', [
        '-q',
        '-b',
        String(band + 1),
        '-srcwin',
        String(x),
        String(y),
        String(width),
        String(height),
        path.join(scratch, 'rgb.tif'),
        clip,
      ]);
      const gdal = readWithGdal(clip, { scratch });
      expect(values).toHaveLength(width * height);
      expect(values).toEqual(Array.from(gdal.bands[0]!, Number));
    }
  });

  it('builds the same 3-date RGB cube as Node does', async () => {
    const cube = await DatasetCollection.fromStac(items, {
      registry: createRegistry().use(geotiffReader()),
      asset: BANDS,
      bbox: items[0]!.bbox as [number, number, number, number],
      ...CUBE_OPTIONS,
    });
    const array = await cube.read();
    expect(result.cube!.shape).toEqual([3, 3, array.shape[2], array.shape[3]]);
    expect(result.cube!.time).toEqual(array.coords.time);
    expect(result.cube!.band).toEqual(BANDS);
    expect(result.cube!.crs).toBe('EPSG:26913');
    expect(result.cube!.data).toEqual(Array.from(array.data, Number));
    // The dates differ (each was stretched differently), so a mix-up of time steps shows.
    const plane = array.shape[1] * array.shape[2] * array.shape[3];
    expect(result.cube!.data.slice(0, plane)).not.toEqual(
      result.cube!.data.slice(plane, 2 * plane),
    );
  });

  it('gets the same cube when its chunk tasks run on two Web Workers', () => {
    expect(result.workerCube!.workers).toBe(2);
    expect(result.workerCube!.tasks).toBeGreaterThan(3); // several chunks per date, spread over the workers
    expect(result.workerCube!.data).toEqual(result.cube!.data);
    expect(pageServer.requests.some((request) => request.url === '/chunk-worker.js')).toBe(true);
  });

  it('reads the stac-geoparquet file over Range requests into the Items Node reads', async () => {
    const nodeItems = await readGeoParquet(path.join(scratch, 'naip.parquet'));
    expect(nodeItems.length).toBeGreaterThan(0);
    expect(result.parquet!.items).toEqual(JSON.parse(JSON.stringify(nodeItems)));
    const parquetReads = dataServer.requests.filter(
      (request) => request.url === '/naip.parquet' && request.method === 'GET',
    );
    expect(parquetReads.every((request) => typeof request.headers.range === 'string')).toBe(true);
  });

  it('imports EPSG definitions one code at a time, and they agree with Node', () => {
    const code = 'EPSG:2154';
    expect(result.crs!.name).toBe(crsName(code));
    const [x, y] = createTransformer('EPSG:4326', code)(2.35, 48.85);
    expect(result.crs!.point[0]).toBeCloseTo(x, 6);
    expect(result.crs!.point[1]).toBeCloseTo(y, 6);
    const files = epsgServer.requests.map((request) => request.url).sort();
    expect(files).toContain('/2154.json');
    expect(files).toContain('/26913.json');
    expect(files.length).toBeLessThanOrEqual(4);
  });

  it('inflates DEFLATE tiles with DecompressionStream, never loading geotiff.js’s pako chunk', () => {
    expect(pakoChunks.length).toBeGreaterThan(0);
    const loaded = pageServer.requests.map((request) => path.basename(request.url));
    expect(loaded.some((file) => file.startsWith('chunk-'))).toBe(true);
    for (const chunk of pakoChunks) expect(loaded).not.toContain(chunk);
  });
});
