// Guide "Reading one asset": which reader, then a window of one asset.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createRegistry,
  loadAsset,
  parseItemsText,
  whichEngine,
  type DatasetReadResult,
} from '@pyramids/core';
import { gdalReader } from '@pyramids/readers-gdal';
import { geotiffReader } from '@pyramids/readers-geotiff';

/** Opens B04 of the first sample Item and reads a 64 × 64 window of it. */
export async function readSampleAsset(
  sampleDirectory: string,
): Promise<{ engine: string | undefined; result: DatasetReadResult }> {
  const [item] = parseItemsText(await readFile(path.join(sampleDirectory, 'items.json'), 'utf8'));
  // #region read
  // Registered last wins a tie: GeoTIFFs go to geotiff.js, JPEG 2000, NetCDF, GRIB, … to GDAL.
  const registry = createRegistry().use(gdalReader()).use(geotiffReader());
  const engine = whichEngine(item!, 'B04', { registry }); // 'geotiff', decided without opening the file
  const dataset = await loadAsset(item!, 'B04', {
    registry,
    baseHref: `${path.resolve(sampleDirectory)}/`,
  });
  console.log(dataset.crs, dataset.width, dataset.height, dataset.bands[0]?.dataType);
  const result = await dataset.read({ window: { x: 0, y: 0, width: 64, height: 64 }, bands: [1] });
  // #endregion read
  return { engine, result };
}
