#!/usr/bin/env node
// Writes sample-data/: small synthetic Sentinel-2-like L2A tiles with real UTM
// georeferencing (EPSG:32633), written with pyramids' own GeoTIFF writer, and their
// STAC 1.1 Items. Deterministic: the same bytes on every run and every machine.
//
//   pnpm --filter @pyramids/core build && node scripts/make-sample-data.mjs [OUT_DIR]
//
// Two overlapping tiles (a, b) × three dates; per Item the 10 m bands B02, B03, B04
// (256 × 256) and the 20 m band B05 (128 × 128), uint16 with nodata 0,
// reflectance = DN × 0.0001 − 0.1 (the processing-baseline-04.00 convention). Each
// tile has a nodata strip along one edge, as at a swath edge. The values come from
// one field in world coordinates, so the tiles agree where they overlap.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createTransformer,
  geotransformToAffine,
  transformBounds,
  writeGeoTiff,
} from '@pyramids/core';

const CRS = 'EPSG:32633';
const SEED = 20240605;
const MEDIA_TYPE = 'image/tiff; application=geotiff; profile=cloud-optimized';
const COLLECTION = 'sample-sentinel-2-l2a';
const TILE_EXTENT = 2560; // metres: 256 px at 10 m

/** The two tiles: upper-left corners in EPSG:32633, and where each has its nodata strip. */
const TILES = [
  { name: 'a', x: 500000, y: 5300000, strip: 'west' },
  { name: 'b', x: 501280, y: 5298720, strip: 'east' },
];

/** Acquisitions: date-time, platform, and how far the season has greened the fields (0–1). */
const DATES = [
  { datetime: '2024-06-05T10:06:59.024Z', platform: 'sentinel-2a', season: 0.35, cloud: false },
  { datetime: '2024-06-15T10:06:59.024Z', platform: 'sentinel-2b', season: 0.65, cloud: true },
  { datetime: '2024-06-25T10:06:59.024Z', platform: 'sentinel-2a', season: 0.9, cloud: false },
];

const BANDS = [
  {
    key: 'B02',
    commonName: 'blue',
    title: 'Blue (band 2) - 10m',
    wavelength: 0.49,
    fwhm: 0.098,
    resolution: 10,
  },
  {
    key: 'B03',
    commonName: 'green',
    title: 'Green (band 3) - 10m',
    wavelength: 0.56,
    fwhm: 0.045,
    resolution: 10,
  },
  {
    key: 'B04',
    commonName: 'red',
    title: 'Red (band 4) - 10m',
    wavelength: 0.665,
    fwhm: 0.038,
    resolution: 10,
  },
  {
    key: 'B05',
    commonName: 'rededge',
    title: 'Red Edge 1 (band 5) - 20m',
    wavelength: 0.704,
    fwhm: 0.019,
    resolution: 20,
  },
];

/** A 32-bit integer hash of integers (deterministic noise without state). */
function hash(...values) {
  let state = SEED >>> 0;
  for (const value of values) {
    state = Math.imul(state ^ (value | 0), 0x9e3779b1);
    state ^= state >>> 15;
    state = Math.imul(state, 0x85ebca77);
    state ^= state >>> 13;
  }
  return (state >>> 0) / 4294967296;
}

/** Field parcels of 320 m × 240 m, each with its own crop: how green it gets and how early. */
function parcelGreenness(x, y, season) {
  const column = Math.floor(x / 320);
  const row = Math.floor(y / 240);
  const vigour = hash(column, row, 1);
  const lag = hash(column, row, 2) * 0.5;
  if (vigour < 0.15) return 0.05; // bare soil / built-up
  return Math.max(0, Math.min(1, vigour * (season - lag + 0.4)));
}

/** Reflectance of one band at world point (x, y) on one date. */
function reflectance(band, x, y, date) {
  const terrain =
    0.5 +
    0.25 * Math.sin(x / 900 + 1.3) * Math.cos(y / 700 - 0.4) +
    0.25 * Math.sin((x + y) / 2300);
  const green = parcelGreenness(x, y, date.season);
  // Dark water along a meandering river.
  const river = Math.abs(y - 5297400 - 500 * Math.sin(x / 1100)) < 45;
  let value;
  if (river) value = { B02: 0.05, B03: 0.045, B04: 0.03, B05: 0.025 }[band];
  else {
    const soil = 0.08 + 0.1 * terrain;
    const vegetation = { B02: 0.03, B03: 0.07, B04: 0.035, B05: 0.12 }[band];
    const bare = { B02: soil * 0.7, B03: soil * 0.9, B04: soil * 1.1, B05: soil * 1.2 }[band];
    value = bare + (vegetation - bare) * green;
  }
  if (date.cloud) {
    // One soft cumulus over the overlap of the two tiles.
    const distance = Math.hypot(x - 502100, y - 5298400) / 600;
    value += 0.55 * Math.exp(-distance * distance);
  }
  return value;
}

/** True inside the nodata strip of a tile: a slanted swath edge about 150 m in. */
function inStrip(tile, x, y) {
  const slant = (tile.y - y) * 0.08;
  return tile.strip === 'west' ? x < tile.x + 150 + slant : x > tile.x + TILE_EXTENT - 150 - slant;
}

/** One band of one tile on one date as uint16 DN (0 = nodata). */
function renderBand(tile, band, date) {
  const size = TILE_EXTENT / band.resolution;
  const data = new Uint16Array(size * size);
  for (let row = 0; row < size; row++) {
    const y = tile.y - (row + 0.5) * band.resolution;
    for (let col = 0; col < size; col++) {
      const x = tile.x + (col + 0.5) * band.resolution;
      if (inStrip(tile, x, y)) continue;
      const noise =
        (hash(Math.round(x), Math.round(y), band.resolution, date.season * 100) - 0.5) * 0.004;
      const dn = Math.round((reflectance(band.key, x, y, date) + noise + 0.1) * 10000);
      data[row * size + col] = Math.max(1, Math.min(65535, dn));
    }
  }
  return { size, data };
}

function round(value, digits = 9) {
  return Number(value.toFixed(digits));
}

function cloudCover(tile, date) {
  if (!date.cloud) return 0;
  let cloudy = 0;
  let valid = 0;
  for (let row = 0; row < 64; row++) {
    for (let col = 0; col < 64; col++) {
      const x = tile.x + (col + 0.5) * 40;
      const y = tile.y - (row + 0.5) * 40;
      if (inStrip(tile, x, y)) continue;
      valid++;
      if (Math.hypot(x - 502100, y - 5298400) < 600) cloudy++;
    }
  }
  return round((100 * cloudy) / valid, 2);
}

function itemId(tile, date) {
  return `sample-s2l2a-${tile.name}-${date.datetime.slice(0, 10).replaceAll('-', '')}`;
}

function bandObjects(band) {
  const common = { data_type: 'uint16', nodata: 0 };
  return {
    bands: [
      {
        name: band.key,
        description: band.title,
        'eo:common_name': band.commonName,
        'eo:center_wavelength': band.wavelength,
        'eo:full_width_half_max': band.fwhm,
        ...common,
        'raster:scale': 0.0001,
        'raster:offset': -0.1,
        'raster:spatial_resolution': band.resolution,
      },
    ],
    'raster:bands': [
      { ...common, scale: 0.0001, offset: -0.1, spatial_resolution: band.resolution },
    ],
    'eo:bands': [
      {
        name: band.key,
        common_name: band.commonName,
        center_wavelength: band.wavelength,
        full_width_half_max: band.fwhm,
      },
    ],
  };
}

function makeItem(tile, date) {
  const id = itemId(tile, date);
  const projBounds = [tile.x, tile.y - TILE_EXTENT, tile.x + TILE_EXTENT, tile.y];
  const bbox = transformBounds(projBounds, CRS, 'EPSG:4326').map((value) => round(value));
  const toLonLat = createTransformer(CRS, 'EPSG:4326');
  const corners = [
    [projBounds[0], projBounds[3]],
    [projBounds[0], projBounds[1]],
    [projBounds[2], projBounds[1]],
    [projBounds[2], projBounds[3]],
    [projBounds[0], projBounds[3]],
  ].map(([x, y]) => toLonLat(x, y).map((value) => round(value)));
  const assets = {};
  for (const band of BANDS) {
    const size = TILE_EXTENT / band.resolution;
    assets[band.key] = {
      href: `./tiles/${id}/${band.key}.tif`,
      type: MEDIA_TYPE,
      title: band.title,
      roles: ['data', 'reflectance'],
      gsd: band.resolution,
      'proj:shape': [size, size],
      'proj:transform': geotransformToAffine([
        tile.x,
        band.resolution,
        0,
        tile.y,
        0,
        -band.resolution,
      ]),
      ...bandObjects(band),
    };
  }
  return {
    type: 'Feature',
    stac_version: '1.1.0',
    stac_extensions: [
      'https://stac-extensions.github.io/projection/v2.0.0/schema.json',
      'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
      'https://stac-extensions.github.io/eo/v1.1.0/schema.json',
    ],
    id,
    collection: COLLECTION,
    bbox,
    geometry: { type: 'Polygon', coordinates: [corners] },
    properties: {
      datetime: date.datetime,
      platform: date.platform,
      constellation: 'sentinel-2',
      instruments: ['msi'],
      'eo:cloud_cover': cloudCover(tile, date),
      'proj:code': CRS,
      'proj:bbox': projBounds,
      description:
        'Synthetic Sentinel-2-like L2A tile made by pyramids scripts/make-sample-data.mjs; not real imagery.',
    },
    links: [
      {
        rel: 'collection',
        href: './collection.json',
        type: 'application/json',
        title: 'Sample Sentinel-2 L2A',
      },
    ],
    assets,
  };
}

function makeCollection(items) {
  const bboxes = items.map((item) => item.bbox);
  return {
    type: 'Collection',
    stac_version: '1.1.0',
    id: COLLECTION,
    title: 'Sample Sentinel-2 L2A',
    description:
      'Synthetic Sentinel-2-like L2A tiles with real UTM georeferencing, for pyramids examples and tests; not real imagery.',
    license: 'MIT',
    extent: {
      spatial: {
        bbox: [
          [
            Math.min(...bboxes.map((bbox) => bbox[0])),
            Math.min(...bboxes.map((bbox) => bbox[1])),
            Math.max(...bboxes.map((bbox) => bbox[2])),
            Math.max(...bboxes.map((bbox) => bbox[3])),
          ],
        ],
      },
      temporal: { interval: [[DATES[0].datetime, DATES.at(-1).datetime]] },
    },
    links: [{ rel: 'items', href: './items.json', type: 'application/geo+json' }],
  };
}

const README = `# sample-data

Synthetic Sentinel-2-like L2A tiles for pyramids' examples and tests. **Not real imagery.**
Written by \`scripts/make-sample-data.mjs\` with pyramids' own GeoTIFF writer; do not edit by hand.
Regenerate (after \`pnpm build\`) with \`node scripts/make-sample-data.mjs\`; a test checks that
the committed files are exactly what the script writes.

- \`items.json\`: a STAC ItemCollection of ${TILES.length * DATES.length} STAC 1.1 Items (${TILES.length} overlapping tiles × ${DATES.length} dates), with
  projection (\`proj:code\`, \`proj:shape\`, \`proj:transform\`), \`bands\`, \`raster:bands\` and \`eo:bands\`.
- \`collection.json\`: their Collection.
- \`tiles/<item id>/<band>.tif\`: cloud-optimised GeoTIFFs in EPSG:32633 (UTM 33N). B02, B03, B04 at 10 m
  (256 × 256), B05 at 20 m (128 × 128); uint16, nodata 0, reflectance = DN × 0.0001 − 0.1. Each tile
  has a nodata strip along one edge; the second date has a cloud over the overlap of the two tiles.
`;

function json(value) {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Writes the sample data set into `outputDirectory` (replacing what is there):
 * `items.json` (an ItemCollection), `collection.json`, `README.md` and
 * `tiles/<item id>/<band>.tif`.
 * Returns the Items.
 */
export async function makeSampleData(outputDirectory) {
  await rm(path.join(outputDirectory, 'tiles'), { recursive: true, force: true });
  const items = [];
  for (const date of DATES) {
    for (const tile of TILES) {
      const item = makeItem(tile, date);
      const folder = path.join(outputDirectory, 'tiles', item.id);
      await mkdir(folder, { recursive: true });
      for (const band of BANDS) {
        const { size, data } = renderBand(tile, band, date);
        const grid = {
          crs: CRS,
          transform: [tile.x, band.resolution, 0, tile.y, 0, -band.resolution],
          width: size,
          height: size,
        };
        const info = { dataType: 'uint16', nodata: 0, scale: 0.0001, offset: -0.1, name: band.key };
        await writeGeoTiff(
          path.join(folder, `${band.key}.tif`),
          { grid, bands: [info], data: [data] },
          { tileSize: 128, overviews: true },
        );
      }
      items.push(item);
    }
  }
  await writeFile(
    path.join(outputDirectory, 'items.json'),
    json({ type: 'FeatureCollection', features: items }),
  );
  await writeFile(path.join(outputDirectory, 'collection.json'), json(makeCollection(items)));
  await writeFile(path.join(outputDirectory, 'README.md'), README);
  return items;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const outputDirectory = path.resolve(process.argv[2] ?? path.join(root, 'sample-data'));
  const items = await makeSampleData(outputDirectory);
  console.log(
    `wrote ${items.length} items and ${items.length * BANDS.length} GeoTIFFs to ${outputDirectory}`,
  );
}
