// Test support for `fromPoint` and `pyramids point`: small COGs cut by GDAL from a real
// fixture (EPSG:32621, ~100 m pixels) around a point in Greenland with texture, and a loopback STAC API
// that answers the landing page and POST /search with an Item whose assets are those
// COGs, served with byte ranges by the same server.
import { execFileSync } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fixturesDir } from '../../../../vitest.shared.js';
import { startRangeServer, type RangeServer } from '../../../../test-support/range-server.js';
import type { StacItem } from '../stac/stac-types.js';
import { gdalInfo, runGdal } from './gdal-raster.js';

/** The point the scene is cut around (zone 21N). */
export const POINT = { lat: 73.4, lon: -54.8 } as const;

/** The collection the server knows; any other finds nothing. */
export const POINT_COLLECTION = 'test-s2';

/** A loopback STAC API over the scene, with the bodies of the searches it saw. */
export interface PointStacServer {
  /** The STAC API root, `http://127.0.0.1:PORT/api`. */
  url: string;
  /** Where the COGs are: `<files>/B04.tif`, `<files>/B03.tif`. */
  files: string;
  /** Parsed bodies of the POST /search requests. */
  searches: Record<string, unknown>[];
  server: RangeServer;
  close(): Promise<void>;
}

/**
 * Writes the scene into `scratch`: `B04.tif` (a 60 × 60 window of cog_int16.tif at its own
 * pixels) and `B03.tif` (the same area, values inverted, warped to 90 m), both COGs.
 */
export function createPointScene(scratch: string): { B04: string; B03: string } {
  const source = path.join(fixturesDir, 'rasters/rio-tiler/cog_int16.tif');
  const centre = projectPoint();
  const window = [centre[0] - 3000, centre[1] + 3000, centre[0] + 3000, centre[1] - 3000].map(
    String,
  );
  const B04 = path.join(scratch, 'B04.tif');
  const B03 = path.join(scratch, 'B03.tif');
  runGdal('gdal_translate', ['-q', '-of', 'COG', '-projwin', ...window, source, B04]);
  // B03: values inverted (1000 − v), so a band mix-up shows, and warped to 90 m pixels.
  const inverted = path.join(scratch, 'B03-inverted.tif');
  runGdal('gdal_translate', [
    '-q',
    '-ot',
    'Int16',
    '-scale',
    '0',
    '1000',
    '1000',
    '0',
    '-a_nodata',
    '-32768',
    '-projwin',
    ...window,
    source,
    inverted,
  ]);
  runGdal('gdalwarp', [
    '-q',
    '-of',
    'COG',
    '-tr',
    '90',
    '90',
    '-r',
    'near',
    '-te',
    window[0]!,
    window[3]!,
    window[2]!,
    window[1]!,
    inverted,
    B03,
  ]);
  return { B04, B03 };
}

/** The point in EPSG:32621, by GDAL. */
function projectPoint(): [number, number] {
  const output = execFileSync('gdaltransform', ['-s_srs', 'EPSG:4326', '-t_srs', 'EPSG:32621'], {
    input: `${POINT.lon} ${POINT.lat}\n`,
    encoding: 'utf8',
  });
  const [x, y] = output.trim().split(/\s+/).map(Number);
  return [x!, y!];
}

/** The scene's Item: footprint from gdalinfo, assets at `base/B04.tif` and `base/B03.tif`. */
function sceneItem(base: string, files: { B04: string; B03: string }): StacItem {
  const info = gdalInfo(files.B04) as unknown as { wgs84Extent?: { coordinates: number[][][] } };
  const ring = info.wgs84Extent!.coordinates[0]!;
  const lons = ring.map((point) => point[0]!);
  const lats = ring.map((point) => point[1]!);
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    stac_extensions: [],
    id: 'S2_TEST_20230615',
    collection: POINT_COLLECTION,
    geometry: { type: 'Polygon', coordinates: [ring] },
    bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)],
    properties: { datetime: '2023-06-15T14:30:00Z' },
    assets: {
      B04: {
        href: `${base}/B04.tif`,
        type: 'image/tiff; application=geotiff; profile=cloud-optimized',
        roles: ['data'],
      },
      B03: {
        href: `${base}/B03.tif`,
        type: 'image/tiff; application=geotiff; profile=cloud-optimized',
        roles: ['data'],
      },
    },
    links: [],
  } as StacItem;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  type = 'application/json',
): void {
  response.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
}

/** Starts the STAC API (at `/api`) and the file server (at `/`) over `scratch`, on 127.0.0.1. */
export async function startPointStacServer(
  scratch: string,
  files: { B04: string; B03: string },
): Promise<PointStacServer> {
  const server = await startRangeServer(scratch);
  const api = `${server.url}/api`;
  const searches: Record<string, unknown>[] = [];
  const item = sceneItem(server.url, files);
  server.intercept = (request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://x').pathname;
    if (request.method === 'GET' && (pathname === '/api' || pathname === '/api/')) {
      sendJson(response, 200, {
        type: 'Catalog',
        id: 'point-test',
        stac_version: '1.0.0',
        description: 'loopback STAC API for fromPoint tests',
        conformsTo: [
          'https://api.stacspec.org/v1.0.0/core',
          'https://api.stacspec.org/v1.0.0/item-search',
          'https://api.stacspec.org/v1.0.0/item-search#query',
        ],
        links: [
          { rel: 'self', href: api, type: 'application/json' },
          { rel: 'search', href: `${api}/search`, type: 'application/geo+json', method: 'GET' },
          { rel: 'search', href: `${api}/search`, type: 'application/geo+json', method: 'POST' },
        ],
      });
      return true;
    }
    if (pathname === '/api/search') {
      if (request.method !== 'POST') {
        sendJson(response, 405, { code: 'MethodNotAllowed', description: 'use POST' });
        return true;
      }
      void readBody(request).then((text) => {
        const body = JSON.parse(text) as Record<string, unknown>;
        searches.push(body);
        const collections = (body.collections as string[] | undefined) ?? [];
        const features = collections.includes(POINT_COLLECTION) ? [structuredClone(item)] : [];
        sendJson(
          response,
          200,
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
  return { url: api, files: scratch, searches, server, close: () => server.close() };
}
