// Guide "Raster → STAC Item": describe a GeoTIFF as an Item with proj and raster fields.
import { createRegistry, openRaster, type StacItem } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';

/** Opens `file` and describes it as the STAC Item `id`. */
export async function describeRaster(file: string, id: string): Promise<StacItem> {
  // #region item
  const registry = createRegistry().use(geotiffReader());
  const dataset = await openRaster(file, { registry });
  const item = await dataset.toStacItem(id, {
    datetime: '2024-06-05T10:06:59Z',
    assetKey: 'data',
    assetRoles: ['data'],
  });
  console.log(item.bbox, item.properties['proj:code'], item.assets['data']?.['raster:bands']);
  // #endregion item
  return item;
}
