// Guide "A cube around a point": search and stack around one lat/lon in one call.
import { DatasetCollection, createRegistry } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';

/** A 16 × 16 cube of B04 and B03 at 100 m around a point in Greenland, from the STAC API at `stacUrl`. */
export async function cubeAroundPoint(
  stacUrl: string,
  collection: string,
): Promise<DatasetCollection> {
  // #region point
  const cube = await DatasetCollection.fromPoint({
    lat: 73.4,
    lon: -54.8,
    collection,
    bands: ['B04', 'B03'],
    startDate: '2023-06-01',
    endDate: '2023-06-30',
    query: { 'eo:cloud_cover': { lt: 20 } },
    edgeSize: 16, // pixels; the AOI is a square in the local UTM zone, centre snapped to the grid
    resolution: 100,
    stac: stacUrl, // default: Planetary Computer
    registry: createRegistry().use(geotiffReader()),
  });
  // #endregion point
  return cube;
}
