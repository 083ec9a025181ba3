// Guide "Building a cube": B04/B03/B02 of the bundled sample Items, grouped by solar day.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DatasetCollection, createRegistry, parseItemsText, type CubeArray } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';

/** Builds the sample cube from `items.json` in `sampleDirectory` and reads it whole. */
export async function buildSampleCube(
  sampleDirectory: string,
): Promise<{ cube: DatasetCollection; array: CubeArray }> {
  // #region cube
  const registry = createRegistry().use(geotiffReader());
  const items = parseItemsText(await readFile(path.join(sampleDirectory, 'items.json'), 'utf8'));
  const cube = await DatasetCollection.fromStac(items, {
    registry,
    asset: ['B04', 'B03', 'B02'], // a list: one band per asset key
    groupby: 'solar_day', // one time step per day and place
    resampling: 'bilinear',
    baseHref: `${path.resolve(sampleDirectory)}/`, // relative hrefs resolve against the folder
  });
  console.log(cube.dims, cube.shape); // ['time', 'band', 'y', 'x'] [3, 3, h, w]
  const array = await cube.read(); // nothing was read before this line
  // #endregion cube
  return { cube, array };
}

/** The same items on a target grid given by CRS, resolution and bounds, rescaled to reflectance. */
export async function buildTargetGridCube(sampleDirectory: string): Promise<DatasetCollection> {
  const registry = createRegistry().use(geotiffReader());
  const items = parseItemsText(await readFile(path.join(sampleDirectory, 'items.json'), 'utf8'));
  // #region target-grid
  const cube = await DatasetCollection.fromStac(items, {
    registry,
    asset: 'B04',
    crs: 'EPSG:32633',
    resolution: 20,
    bounds: [500000, 5297000, 503000, 5300000], // snapped outward to the 20 m resolution
    method: 'max', // how Items of one group are fused per pixel
    groupby: 'solar_day',
    rescale: true, // apply raster:bands scale/offset → float32, NaN nodata
    skipMissing: true, // an Item without B04 is dropped, not an error
    errorsAsNodata: true, // an unreadable file becomes nodata with a warning
    baseHref: `${path.resolve(sampleDirectory)}/`,
  });
  // #endregion target-grid
  return cube;
}

/** A dry run: the cube's size and what it costs, from headers only. */
export async function estimateSampleCube(
  sampleDirectory: string,
): Promise<Awaited<ReturnType<DatasetCollection['estimate']>>> {
  const { cube } = await buildSampleCube(sampleDirectory);
  // #region estimate
  const estimate = await cube.estimate();
  // #endregion estimate
  return estimate;
}
