// Guide "VRT mosaics": the sample Items' B04 as one GDAL VRT, read back in JS.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  buildVrtFromStac,
  createRegistry,
  parseItemsText,
  vrtReader,
  type Dataset,
} from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';

/** Writes `mosaic.vrt` into `outputDirectory` from the sample Items of one day and returns it as a lazy Dataset. */
export async function buildSampleMosaic(
  sampleDirectory: string,
  outputDirectory: string,
): Promise<Dataset> {
  const items = parseItemsText(
    await readFile(path.join(sampleDirectory, 'items.json'), 'utf8'),
  ).filter((item) => String(item.properties['datetime']).startsWith('2024-06-05'));
  // #region vrt
  const registry = createRegistry().use(geotiffReader());
  registry.use(vrtReader({ registry })); // the VRT's own sources open through the same registry
  const mosaic = await buildVrtFromStac(items, 'B04', {
    registry, // reads file headers where the Items lack proj:shape / proj:transform
    baseHref: `${path.resolve(sampleDirectory)}/`,
    output: path.join(outputDirectory, 'mosaic.vrt'), // the same file opens in gdalinfo and QGIS
  });
  const { data } = await mosaic.read({ overview: 0 });
  console.log(mosaic.width, mosaic.height, data[0]?.length);
  // #endregion vrt
  return mosaic;
}
