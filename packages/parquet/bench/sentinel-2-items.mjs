/* global structuredClone */
// Sentinel-2-like Items for the benchmarks: one real Earth Search v1 Item from the
// shared fixtures, repeated with a new id, time, footprint and cloud cover each.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const fixturesDir =
  process.env.PYRAMIDS_FIXTURES ?? path.resolve(here, '../../../../shared/fixtures');

/** `count` Items shaped like Earth Search Sentinel-2 L2A Items. */
export function sentinel2Items(count) {
  const source = JSON.parse(
    readFileSync(
      path.join(
        fixturesDir,
        'stac/items/earth-search-v1/sentinel-2-c1-l2a_item-collection_10.json',
      ),
      'utf8',
    ),
  ).features[0];
  const start = Date.parse('2020-01-01T10:30:00.024Z');
  return Array.from({ length: count }, (_, index) => {
    const item = structuredClone(source);
    const dx = (index % 100) * 0.9;
    const dy = Math.floor(index / 100) % 60;
    item.id = `S2B_T13TDE_${String(index).padStart(6, '0')}_L2A`;
    item.bbox = [-110 + dx, 10 + dy, -108.8 + dx, 11 + dy];
    item.geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [item.bbox[0], item.bbox[1]],
          [item.bbox[2], item.bbox[1]],
          [item.bbox[2], item.bbox[3]],
          [item.bbox[0], item.bbox[3]],
          [item.bbox[0], item.bbox[1]],
        ],
      ],
    };
    item.properties.datetime = new Date(start + index * 3_600_000).toISOString();
    item.properties['eo:cloud_cover'] = (index * 7.31) % 100;
    return item;
  });
}
