// Child process of the streamed-write tests: builds a cube of synthetic
// sources (a reader plugin computing pixels from their coordinates: the I/O seam)
// and writes it with cube.write (GeoTIFF, or Zarr for OUT.zarr), with `read()` made
// to throw. Prints the files, cube size and peak RSS as JSON. Usage: node write-large-cube.mjs OUT SIZE TIMES BANDS CHUNK [FAIL_TIME]:
// with FAIL_TIME, every read of that time step's sources fails.
import { createRegistry, DatasetCollection, PLUGIN_API_VERSION, zarrWriter } from '@pyramids/core';

const [target, sizeText, timesText, bandsText, chunkText, failText] = process.argv.slice(2);
const size = Number(sizeText);
const origin = [500000, 4600000];
const transform = [origin[0], 10, 0, origin[1], 0, -10];

/** The value of a pixel of a source: time and band in the high bits, position in the low. */
export function syntheticValue(time, band, x, y) {
  return (time * 7 + band * 3 + x + 2 * y) & 0xffff;
}

const reader = {
  kind: 'reader',
  id: 'synthetic',
  apiVersion: PLUGIN_API_VERSION,
  mediaTypes: ['image/x-synthetic'],
  extensions: ['.synthetic'],
  load: async () => ({
    open: async (href) => {
      const [, time, band] = /t(\d+)-b(\d+)/.exec(href).map(Number);
      return {
        href,
        grid: { crs: 'EPSG:32633', transform, width: size, height: size },
        levels: [{ width: size, height: size, transform }],
        bands: [{ dataType: 'uint16', nodata: 0 }],
        blockSize: { width: 512, height: 512 },
        read: async ({ window }) => {
          if (failText !== undefined && time === Number(failText))
            throw new Error(`synthetic read failure at time ${time}`);
          const data = new Uint16Array(window.width * window.height);
          for (let row = 0; row < window.height; row++)
            for (let column = 0; column < window.width; column++)
              data[row * window.width + column] = syntheticValue(
                time,
                band,
                window.x + column,
                window.y + row,
              );
          return [data];
        },
      };
    },
  }),
};

const bandKeys = Array.from({ length: Number(bandsText) }, (_, band) => `b${band}`);
const items = Array.from({ length: Number(timesText) }, (_, time) => ({
  type: 'Feature',
  stac_version: '1.0.0',
  id: `t${time}`,
  collection: 'synthetic',
  bbox: [14.9, 41.5, 15.1, 41.6],
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [14.9, 41.5],
        [15.1, 41.5],
        [15.1, 41.6],
        [14.9, 41.6],
        [14.9, 41.5],
      ],
    ],
  },
  properties: {
    datetime: `2024-05-0${time + 1}T10:00:00Z`,
    'proj:epsg': 32633,
    'proj:transform': [10, 0, origin[0], 0, -10, origin[1]],
    'proj:shape': [size, size],
  },
  assets: Object.fromEntries(
    bandKeys.map((key, band) => [
      key,
      { href: `/synthetic/t${time}-b${band}.synthetic`, type: 'image/x-synthetic' },
    ]),
  ),
  links: [],
  stac_extensions: [],
}));

const cube = await DatasetCollection.fromStac(items, {
  registry: createRegistry().use(reader).use(zarrWriter()),
  asset: bandKeys,
  chunkSize: Number(chunkText),
  groupby: 'solar_day',
  concurrency: 2,
});
DatasetCollection.prototype.read = () => {
  throw new Error('cube.write called read()');
};
const files = await cube.write(target, { compressionLevel: 1 });
const [times, bands, height, width] = cube.shape;
process.stdout.write(
  `${JSON.stringify({ files, cubeBytes: times * bands * height * width * 2, peakRss: process.resourceUsage().maxRSS * 1024 })}\n`,
);
